"""Configuration from `EWS_*` environment variables (docs/operations.md).

Development mode (EWS_ENV=development, the default) may fall back to throw-away secrets;
any other mode refuses to start without them and names the variable to set.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

SECRETS = ("EWS_SECRET_KEY", "EWS_PII_KEY")
FIELD_FILE = "field.json"  # in a field instance's folder, written by `ews field open`
ENVIRONMENTS = ("development", "production")
DEFAULT_BIND = "127.0.0.1:8000"
MAX_BODY = 256 * 1024
MODEL_KEY_LABEL = b"ews model artefact signing v1"


class ConfigError(RuntimeError):
    """Configuration that the service refuses to start with."""


def instance_dir(env: Mapping[str, str] | None = None) -> Path:
    """Return the instance folder (EWS_INSTANCE_PATH or ./instance), created if missing."""
    env = os.environ if env is None else env
    path = Path(env.get("EWS_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def default_database_url(env: Mapping[str, str] | None = None) -> str:
    """Return the embedded default: an SQLite file under the instance folder."""
    return f"sqlite:///{instance_dir(env) / 'ews.sqlite3'}"


def _secret(env: Mapping[str, str], name: str, development: bool) -> str:
    value = env.get(name, "").strip()
    if value:
        if len(value) < 16 and not development:
            raise ConfigError(f"{name} is too short: use at least 16 random characters")
        return value
    if not development:
        raise ConfigError(
            f"{name} is not set: set it to a long random value, e.g. "
            f"`export {name}=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')`"
        )
    return _dev_secret(env, name)


def model_key(secret: str) -> bytes:
    """Return the key that signs model artefacts: HMAC-SHA256 of a fixed label under `secret`.

    A key of its own, so that the signatures say nothing about the secret it comes from.
    """
    return hmac.new(secret.encode(), MODEL_KEY_LABEL, hashlib.sha256).digest()


def _model_secret(env: Mapping[str, str], secret_key: str, development: bool) -> str:
    """Return EWS_MODEL_KEY when set (at least 16 characters outside development), else
    EWS_SECRET_KEY: a model key exists exactly when the secret key does."""
    value = env.get("EWS_MODEL_KEY", "").strip()
    if value and len(value) < 16 and not development:
        raise ConfigError("EWS_MODEL_KEY is too short: use at least 16 random characters")
    return value or secret_key


def _dev_secret(env: Mapping[str, str], name: str) -> str:
    """Return a generated secret kept in instance/ (mode 600), shared by all local workers."""
    path = instance_dir(env) / f"{name.lower()}.secret"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it right now
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.01)
        raise ConfigError(f"{path} is empty: delete it or set {name}") from None
    value = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


def _token_days(env: Mapping[str, str]) -> int:
    days = _positive(env, "EWS_TOKEN_DAYS", 90)
    if days > 365:  # ews.store.users.MAX_TOKEN_DAYS
        raise ConfigError(f"EWS_TOKEN_DAYS must be at most 365, not {days}")
    return days


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _busy_timeout(env: Mapping[str, str]) -> float:
    """Return EWS_DB_BUSY_TIMEOUT in seconds (default 5); it must stay below gunicorn's 30."""
    raw = env.get("EWS_DB_BUSY_TIMEOUT", "").strip() or "5"
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 20:
        raise ConfigError("EWS_DB_BUSY_TIMEOUT must be a number of seconds between 0 and 20 "
                          "(well below the 30 s worker timeout)")
    return value


def rules_path(env: Mapping[str, str] | None = None) -> Path:
    """Return EWS_RULES_PATH, or the default rule set shipped in this checkout."""
    from ews.engine import SHIPPED_RULES

    env = os.environ if env is None else env
    return Path(env["EWS_RULES_PATH"]) if env.get("EWS_RULES_PATH") else SHIPPED_RULES
def _followup_sample(env: Mapping[str, str]):
    """Return the parsed EWS_FOLLOWUP_SAMPLE (`0.02` or `0.02,PMK=0.05`; default 0.02)."""
    from ews.outcomes.sample import SampleConfigError, parse_rates

    try:
        return parse_rates(env.get("EWS_FOLLOWUP_SAMPLE"))
    except SampleConfigError as err:
        raise ConfigError(str(err)) from None


def field_settings(env: Mapping[str, str] | None = None) -> dict | None:
    """Return the field instance's settings (`field.json` in EWS_INSTANCE_PATH), or None.

    A field instance (`ews field open`) carries its own secret, the office's PII key (so that
    NIK and phone hash as at the office) and the kit's key; they replace the variables.
    """
    env = os.environ if env is None else env
    folder = env.get("EWS_INSTANCE_PATH")
    if not folder:
        return None
    path = Path(folder) / FIELD_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise ConfigError(f"{path} cannot be read ({err}): open the kit again") from None


def load_config(env: Mapping[str, str] | None = None) -> dict:
    """Return Flask config keys built from `EWS_*` variables; raise ConfigError when unsafe."""
    env = os.environ if env is None else env
    field = field_settings(env)
    if field is not None:  # the instance's own secrets and its SQLite file, nothing else
        env = {k: v for k, v in env.items() if k not in (*SECRETS, "EWS_MODEL_KEY",
                                                         "EWS_DATABASE_URL", "EWS_RULES_PATH")}
        env |= {"EWS_SECRET_KEY": field["secret_key"], "EWS_PII_KEY": field["pii_key"],
                "EWS_MODEL_KEY": field["model_secret"], "EWS_TIMEZONE": field["timezone"]}
    mode = env.get("EWS_ENV", "development").strip() or "development"
    if mode not in ENVIRONMENTS:
        raise ConfigError(f"EWS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {mode!r}")
    development = mode == "development"
    secret_key = _secret(env, "EWS_SECRET_KEY", development)
    config = {
        "ENV_NAME": mode,
        "SECRET_KEY": secret_key,
        # Signs model artefacts (`ews model train`); every load checks it (ews.store.trust).
        "MODEL_KEY": model_key(_model_secret(env, secret_key, development)),
        "PII_KEY": _secret(env, "EWS_PII_KEY", development),
        "DATABASE_URL": env.get("EWS_DATABASE_URL") or default_database_url(env),
        "BIND": env.get("EWS_BIND") or DEFAULT_BIND,
        "RULES_PATH": str(rules_path(env)),
        "REVIEW_SLA": env.get("EWS_SLA") or "4=1h,2-3=1wd",
        "TIMEZONE": env.get("EWS_TIMEZONE") or "Asia/Jakarta",
        "BP3MI_INFO": env.get("EWS_BP3MI_INFO") or "",
        "REVIEW_HOLIDAYS": env.get("EWS_SLA_HOLIDAYS") or "",
        "TRUSTED_PROXIES": int(env.get("EWS_TRUSTED_PROXIES") or 0),
        "LOGIN_MAX_FAILURES": int(env.get("EWS_LOGIN_MAX_FAILURES") or 5),
        "LOGIN_WINDOW_SECONDS": int(env.get("EWS_LOGIN_WINDOW_SECONDS") or 900),
        "LOGIN_MAX_DELAY": _positive(env, "EWS_LOGIN_MAX_DELAY", 60),
        "TOKEN_DAYS": _token_days(env),
        "DB_BUSY_TIMEOUT": _busy_timeout(env),
        # Deferral period plus the appeal window (docs/operations.md, "Retention").
        "RETENTION_DAYS": _positive(env, "EWS_RETENTION_DAYS", 730),
        # The random follow-up sample of interviews below review (ews.outcomes.sample).
        "FOLLOWUP_SAMPLE": _followup_sample(env),
        "MAX_CONTENT_LENGTH": MAX_BODY,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env, "EWS_SECURE_COOKIES", not development),
        "WTF_CSRF_TIME_LIMIT": None,
        # On a field instance: its kit id and office (ews.field); None at the office.
        "FIELD": None if field is None else {"kit_id": field["kit_id"],
                                             "office_code": field["office_code"]},
    }
    return config
