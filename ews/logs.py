"""Structured logs: one JSON object a line, with a request id, never personal data.

Only the method, path, status, timing, user id and request id of a request are logged;
bodies, query strings and form values never are.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import orjson
from flask import Flask, g, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LONG_NUMBER = re.compile(r"\+?\d{9,}")  # a NIK or phone number pasted into a URL
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Format records as JSON lines (time, level, logger, message, extras)."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one JSON line."""
        out = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
               "level": record.levelname, "logger": record.name,
               "message": record.getMessage()}
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        return orjson.dumps(out, default=str).decode()


def configure(level: str = "INFO") -> None:
    """Send the `ews` loggers to stderr as JSON lines (idempotent)."""
    logger = logging.getLogger("ews")
    if not any(getattr(h, "_ews", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._ews = True
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def init_app(app: Flask) -> None:
    """Give every request an id (X-Request-ID in and out) and log one line per request."""
    configure(app.config.get("LOG_LEVEL", "INFO"))
    access = logging.getLogger("ews.access")

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        # The user the request already loaded, if any: reading `current_user` here would
        # load one (a query) for requests that never needed it, such as /healthz.
        user = getattr(g.get("_login_user"), "id", None)
        access.info("request", extra={
            "request_id": g.get("request_id"), "method": request.method,
            "path": _LONG_NUMBER.sub("<number>", request.path),
            "status": response.status_code, "user_id": user,
            "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000,
                        1)})
        return response
