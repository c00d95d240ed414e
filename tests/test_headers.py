"""Security headers on every response (issue 8, finding 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ews import create_app
from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parent.parent / "ews" / "templates"


def csp(resp) -> dict[str, str]:
    """Return the Content-Security-Policy as {directive: sources}."""
    policy = resp.headers.get("Content-Security-Policy", "")
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";")
                if part.strip())


@pytest.fixture
def officer_client(client, accounts):
    client.post("/login", data={"username": accounts["officer"].username, "password": PASSWORD})
    return client


@pytest.mark.parametrize("path", ["/login", "/", "/interviews/new", "/api/v1/assessments",
                                  "/no-such-page", "/api/v1/nothing", "/healthz"])
def test_every_response_has_the_security_headers(officer_client, path):
    resp = officer_client.get(path)
    policy = csp(resp)
    assert policy.get("default-src") == "'self'"
    assert "unsafe-inline" not in policy.get("script-src", policy["default-src"])
    assert policy.get("frame-ancestors") == "'none'" and policy.get("object-src") == "'none'"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    # same-origin, not no-referrer: Flask-WTF checks the Referer of HTTPS form posts
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in resp.headers  # development mode


@pytest.mark.parametrize("path", ["/", "/interviews/new", "/api/v1/assessments", "/login"])
def test_pages_and_api_answers_are_not_stored_by_caches(officer_client, path):
    assert "no-store" in officer_client.get(path).headers["Cache-Control"]


def test_static_files_stay_cacheable(client):
    resp = client.get("/static/ews.css")
    assert "no-store" not in resp.headers.get("Cache-Control", "")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_in_production(app_config):
    app = create_app(app_config | {"ENV_NAME": "production"})
    resp = app.test_client().get("/login")
    assert "max-age=" in resp.headers["Strict-Transport-Security"]
    app.extensions["ews_engine"].dispose()


def test_swagger_ui_has_a_policy_that_lets_it_run(client):
    policy = csp(client.get("/api/docs"))
    assert "unsafe-inline" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'"


# A JSON data block is never executed (browsers and CSP treat it as data); it may carry only
# `| tojson`, which escapes <, >, & and ' so that the data cannot close the element.
DATA_BLOCK = re.compile(r'<script type="application/json" id="[\w-]+">\{\{ [\w.]+ \| tojson \}\}'
                        r"</script>")


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")),
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_carry_no_inline_script(template):
    html = DATA_BLOCK.sub("", template.read_text(encoding="utf-8"))
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert "javascript:" not in html
