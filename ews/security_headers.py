"""Security headers on every response: CSP without inline script, no framing, no caching.

Pages and API answers may carry case data, so everything except the static assets is sent
with `Cache-Control: no-store`. The same policy serves the Swagger UI page at /api/docs: its
initialisation is a file of its own and its bundle styles elements through the DOM, which
style-src does not restrict (tests/browser/test_csp.py checks that nothing is blocked).
HSTS is sent in production only (development runs on plain HTTP on loopback).

A WSGI middleware around the Flask application: the headers are fixed, so they are built
once and added to the response's header list, replacing any a view set itself.
"""

from __future__ import annotations

from flask import Flask

POLICY = "; ".join(("default-src 'self'", "script-src 'self'", "style-src 'self'",
                     "img-src 'self' data:", "connect-src 'self'", "font-src 'self'",
                     "object-src 'none'", "base-uri 'none'", "form-action 'self'",
                     "frame-ancestors 'none'"))
# The static files and the Swagger UI bundle (endpoints "static" and "api_docs.asset").
CACHEABLE = ("/static/", "/api/docs/assets/")
HSTS = "max-age=31536000; includeSubDomains"
HEADERS = (("Content-Security-Policy", POLICY), ("X-Frame-Options", "DENY"),
           ("X-Content-Type-Options", "nosniff"),
           # Not no-referrer: Flask-WTF checks that an HTTPS form post comes from this site.
           ("Referrer-Policy", "same-origin"), ("Cross-Origin-Opener-Policy", "same-origin"))


class SecurityHeaders:
    """WSGI middleware: the headers above (HSTS in production) and no-store off the assets."""

    def __init__(self, app, production: bool) -> None:
        self.app = app
        fixed = HEADERS + ((("Strict-Transport-Security", HSTS),) if production else ())
        private = (*fixed, ("Cache-Control", "no-store"))
        # (headers, the names they replace) for the assets and for everything else
        self.cacheable = (list(fixed), {name.lower() for name, _ in fixed})
        self.private = (list(private), {name.lower() for name, _ in private})

    def __call__(self, environ, start_response):
        """Call the application, adding the headers when it starts its response."""
        ours, names = self.cacheable if environ.get("PATH_INFO", "").startswith(CACHEABLE) \
            else self.private

        def start(status, headers, exc_info=None):
            kept = [h for h in headers if h[0].lower() not in names]
            return start_response(status, kept + ours, exc_info)

        return self.app(environ, start)


def init_app(app: Flask) -> None:
    """Add the security headers to every response of `app`."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app, app.config.get("ENV_NAME") == "production")
