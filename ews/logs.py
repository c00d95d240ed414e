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


class AccessLog:
    """WSGI middleware: a request id (X-Request-ID in and out) and one log line per request.

    Outside Flask's hooks: the id is in the WSGI environ (`ews.request_id`, for problem
    bodies), the user is what the request loaded itself (`ews.user_id`, see `init_app`).
    """

    def __init__(self, app) -> None:
        self.app = app
        self.log = logging.getLogger("ews.access")

    def __call__(self, environ, start_response):
        """Call the application; log its status, time and user when it has answered."""
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = environ["ews.request_id"] = \
            given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        started, answered = time.perf_counter(), ["500 INTERNAL SERVER ERROR"]

        def start(status, headers, exc_info=None):
            answered[0] = status
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, start)
        finally:
            if self.log.isEnabledFor(logging.INFO):
                self._line(environ, request_id, answered[0], started)

    def _line(self, environ: dict, request_id: str, status: str, started: float) -> None:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        # makeRecord and handle: what `info` does, without looking up the caller's frame
        # (the formatter leaves file and line out).
        self.log.handle(self.log.makeRecord(self.log.name, logging.INFO, "(access)", 0,
                                            "request", (), None, extra={
            "request_id": request_id, "method": environ.get("REQUEST_METHOD"),
            "path": _LONG_NUMBER.sub("<number>", path), "status": int(status[:3]),
            "user_id": environ.get("ews.user_id"),
            "ms": round((time.perf_counter() - started) * 1000, 1)}))


def request_id() -> str | None:
    """Return the id of the current request (the one its log line and X-Request-ID carry)."""
    return request.environ.get("ews.request_id")


def init_app(app: Flask) -> None:
    """Give every request an id and a log line (see AccessLog)."""
    configure(app.config.get("LOG_LEVEL", "INFO"))
    app.wsgi_app = AccessLog(app.wsgi_app)

    @app.after_request
    def _user(response):
        # The user the request already loaded, if any: reading `current_user` here would
        # load one (a query) for requests that never needed it, such as /healthz.
        request.environ["ews.user_id"] = getattr(g.get("_login_user"), "id", None)
        return response
