"""The JSON API under /api/v1 (flask-smorest), its OpenAPI spec and docs page.

Every error under /api is problem+json (see `errors`); the spec documents it that way.
Bearer-token requests are exempt from CSRF; cookie-authenticated writes are not.
"""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from . import applications, assessments, docs, errors, health, jsonbody, rulesets
from .schemas import ProblemSchema, checklist_request_schema, intake_request_schema

API_VERSION = "1"


class ProblemApi(Api):
    """flask-smorest's Api with RFC 9457 problem details as the one error shape."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        self._app.register_error_handler(Exception, errors.handle_unexpected)

    def handle_http_exception(self, error):
        """Render HTTP errors as problem+json (under /api)."""
        return errors.handle_http_exception(error)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, errors.PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error (problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, errors.PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app: Flask, csrf) -> Api:
    """Create the Api on `app`, register the resources, the probes and the docs page."""
    app.config.update(
        API_TITLE="EWS - early warning at the passport interview", API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3", OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json", OPENAPI_REDOC_PATH=None,
        OPENAPI_SWAGGER_UI_PATH=None,
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"}}},
            "security": [{"bearerAuth": []}, {"cookieAuth": []}],
            "info": {"description": "Design: docs/design.md; API notes: docs/api.md. Errors are "
                                    "application/problem+json (RFC 9457)."}},
    )
    jsonbody.init_app(app)
    api = ProblemApi(app)
    api.spec.components.schema("Checklist", schema=checklist_request_schema())
    api.spec.components.schema("Intake", schema=intake_request_schema())
    from . import outcomes, reports, review  # import this package's auth and service modules

    for blp in (assessments.bp, applications.bp, rulesets.bp, review.bp, reports.bp,
                outcomes.bp):
        csrf.exempt(blp)  # checked in ews.api.auth: only for cookie-authenticated writes
        api.register_blueprint(blp)
    api.register_blueprint(health.bp, url_prefix="/")
    app.register_blueprint(docs.bp)
    return api
