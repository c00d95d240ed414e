"""Known devices: a signed cookie naming the accounts that signed in on this browser.

After a successful login the browser gets `ews_device` (HttpOnly, path /login), signed with
the app's secret key, holding a random device id per account (keyed by a prefix of the
account's name hash; at most MAX_ACCOUNTS, for tablets shared by a shift). A login attempt
carrying a device id for the name it tries is throttled on that device alone (`ratelimit`).
"""

from __future__ import annotations

import secrets

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "ews_device"
MAX_ACCOUNTS = 8
MAX_AGE = 180 * 24 * 3600
_PREFIX = 16


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="ews-known-device")


def _entries(request: Request) -> dict[str, str]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def device_for(request: Request, name: str) -> str | None:
    """Return this browser's device id for the account with name hash `name`, if known."""
    return _entries(request).get(name[:_PREFIX])


def remember(request: Request, response: Response, name: str) -> None:
    """Mark this browser as a known device of the account with name hash `name`."""
    entries = _entries(request)
    device = entries.pop(name[:_PREFIX], None) or secrets.token_hex(8)
    entries[name[:_PREFIX]] = device  # most recent last; the oldest are dropped
    entries = dict(list(entries.items())[-MAX_ACCOUNTS:])
    cfg = current_app.config
    response.set_cookie(COOKIE, _serializer().dumps(entries), max_age=MAX_AGE, path="/login",
                        httponly=True, samesite="Lax", secure=cfg["SESSION_COOKIE_SECURE"])
