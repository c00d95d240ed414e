"""Security headers on every response: CSP without inline script, no framing, no caching.

Pages and API answers may carry case data, so everything except the static assets is sent
with `Cache-Control: no-store`. The same policy serves the Swagger UI page at /api/docs: its
initialisation is a file of its own and its bundle styles elements through the DOM, which
style-src does not restrict (tests/browser/test_csp.py checks that nothing is blocked).
HSTS is sent in production only (development runs on plain HTTP on loopback).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

POLICY = "; ".join(("default-src 'self'", "script-src 'self'", "style-src 'self'",
                     "img-src 'self' data:", "connect-src 'self'", "font-src 'self'",
                     "object-src 'none'", "base-uri 'none'", "form-action 'self'",
                     "frame-ancestors 'none'"))
CACHEABLE = ("static", "api_docs.asset")
HSTS = "max-age=31536000; includeSubDomains"


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = POLICY
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    # Not no-referrer: Flask-WTF checks that an HTTPS form post comes from this site.
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config.get("ENV_NAME") == "production":
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint not in CACHEABLE:
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Add the security headers to every response of `app`."""
    app.after_request(_set_headers)
