"""The API docs page at /api/docs: Swagger UI served from the installed package (no CDN)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, Response, send_from_directory, url_for

bp = Blueprint("api_docs", __name__, url_prefix="/api/docs")
ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EWS API</title>
<link rel="stylesheet" href="{css}"></head>
<body><div id="swagger-ui"></div>
<script src="{js}"></script>
<script src="{init}"></script>
</body></html>"""
INIT = """window.onload = function () {
  window.ui = SwaggerUIBundle({url: %r, dom_id: "#swagger-ui", deepLinking: true});
};"""


@bp.route("")
@bp.route("/")
def page() -> Response:
    """Return the Swagger UI page for the generated spec."""
    html = PAGE.format(css=url_for(".asset", name="swagger-ui.css"),
                       js=url_for(".asset", name="swagger-ui-bundle.js"),
                       init=url_for(".init"))
    return Response(html, mimetype="text/html")


@bp.route("/init.js")
def init() -> Response:
    """Point Swagger UI at the spec (a file, so a strict CSP needs no inline script)."""
    return Response(INIT % url_for("api-docs.openapi_json"), mimetype="text/javascript")


@bp.route("/assets/<path:name>")
def asset(name: str):
    """Serve a file of the swagger-ui bundle."""
    return send_from_directory(ASSETS, name, max_age=86400)
