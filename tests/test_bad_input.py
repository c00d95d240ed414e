"""Hostile request input is a clear 400/422 (problem+json or the 400 page), never a 500.

Every JSON body goes through one strict parser: too deep, lone surrogates, duplicate keys and
non-JSON constants are refused with the key named, and no session cookie is set.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ews.store.models import Assessment, Decision, Outcome, RuleSetRecord
from tests.conftest import PASSWORD
from tests.test_review_flow import submit  # noqa: F401 - fixture
from tests.test_web_pages import count

PROBLEM = "application/problem+json"


def problem(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == PROBLEM
    assert "Set-Cookie" not in resp.headers
    return resp.get_json()


@pytest.fixture
def bodies(submit, payload):  # noqa: F811 - the fixture imported above
    """Return (path, valid body) of every JSON API body."""
    item = submit("BAD-INPUT-1")
    return [("/api/v1/assessments", payload("BAD-INPUT-2")),
            ("/api/v1/score", payload("BAD-INPUT-3")),
            ("/api/v1/rulesets", {"text": "ruleset: {id: x, version: '1'}"}),
            (f"/api/v1/assessments/{item}/decision", {"decision": "issued", "reason": "ok"}),
            (f"/api/v1/assessments/{item}/outcome", {"outcome": "no_information"})]


def post(client, account, path: str, raw: str):
    return client.post(path, data=raw.encode(), content_type="application/json",
                       headers=account.headers)


def who(path: str, accounts):
    return accounts["analyst"] if path.endswith(("rulesets", "outcome")) else \
        accounts["supervisor"]


def test_deep_json_is_400_on_every_body(client, db, accounts, bodies):
    for path, _ in bodies:
        body = problem(post(client, who(path, accounts), path,
                            "[" * 50_000 + "]" * 50_000), 400)
        assert "nested" in body["detail"], path
        nested = problem(post(client, who(path, accounts), path,
                              '{"reason": ' + "[" * 100 + "]" * 100 + "}"), 400)
        assert "nested" in nested["detail"], path


def test_lone_surrogate_is_422_naming_the_field(client, db, accounts, bodies):
    for path, valid in bodies:
        key = next(k for k, v in valid.items() if isinstance(v, str))
        raw = json.dumps(valid | {key: "abc"}).replace("abc", "a\\ud800c")
        body = problem(post(client, who(path, accounts), path, raw), 422)
        assert key in body["errors"], (path, body)
    low = json.dumps({"decision": "issued", "reason": "x"}).replace('"x"', '"\\udfff"')
    path = bodies[3][0]
    assert "reason" in problem(post(client, accounts["supervisor"], path, low), 422)["errors"]
    assert count(db, Decision) == count(db, Outcome) == 0
    assert db.scalars(select(RuleSetRecord.ruleset_id)).all() == ["tppo-pmi-default"]


def test_a_valid_surrogate_pair_is_text(client, db, accounts, bodies):
    path = bodies[3][0]
    raw = json.dumps({"decision": "issued", "reason": "ok \U0001f600"})  # \ud83d\ude00
    assert "\\ud83d" in raw
    assert post(client, accounts["supervisor"], path, raw).status_code == 201


def test_duplicate_keys_are_422_naming_the_key(client, db, accounts, bodies):
    for path, valid in bodies:
        key = next(iter(valid))
        raw = json.dumps(valid)[:-1] + f', "{key}": {json.dumps(valid[key])}}}'
        body = problem(post(client, who(path, accounts), path, raw), 422)
        assert key in body["errors"] and "twice" in body["errors"][key][0], (path, body)
    nik = ('{"nik": "3528011201900001", "application_id": "DUP-1", "nik": '
           '"3528011201900002"}')
    assert "nik" in problem(post(client, accounts["officer"], "/api/v1/assessments", nik),
                            422)["errors"]
    assert count(db, Assessment) == 1  # the one the fixture submitted


@pytest.mark.parametrize("raw", ['{"decision": NaN, "reason": "x"}',
                                 '{"decision": "issued", "reason": Infinity}'])
def test_non_json_constants_are_400(client, db, accounts, bodies, raw):
    problem(post(client, accounts["supervisor"], bodies[3][0], raw), 400)


@pytest.mark.parametrize("query", ["next=/%0d%0aSet-Cookie:%20x=1", "next=/home%0a",
                                   "next=%00"])
def test_control_characters_in_next_are_the_400_page(client, accounts, query):
    resp = client.post(f"/login?{query}", data={"username": accounts["officer"].username,
                                                "password": PASSWORD})
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    assert "Set-Cookie" not in resp.headers
    assert "Permintaan tidak dapat dibaca" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in


def test_control_characters_in_any_query_are_refused(client, accounts):
    resp = client.get("/api/v1/assessments?band=low%0d%0a", headers=accounts["admin"].headers)
    assert "band" in problem(resp, 400)["detail"]


def test_json_arguments_of_any_api_blueprint_are_strict(app, accounts):
    from flask.views import MethodView
    from flask_smorest import Blueprint
    from marshmallow import Schema, fields

    from ews.api.auth import protect

    class Probe(Schema):
        a = fields.String()

    bp = protect(Blueprint("probe", __name__, url_prefix="/api/v1/probe"))

    @bp.route("")
    class Resource(MethodView):
        @bp.arguments(Probe)
        def post(self, data):
            return data

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.post("/api/v1/probe", json={"a": "x"},
                       headers=accounts["admin"].headers).get_json() == {"a": "x"}
    dup = post(client, accounts["admin"], "/api/v1/probe", '{"a": "x", "a": "y"}')
    assert "a" in problem(dup, 422)["errors"]
    problem(post(client, accounts["admin"], "/api/v1/probe", "[" * 50_000), 400)


def test_keys_that_look_like_personal_data_are_not_echoed(client, accounts, bodies):
    nik = "3528011201900001"
    raw = f'{{"{nik}": 1, "{nik}": 2}}'
    body = problem(post(client, accounts["supervisor"], bodies[3][0], raw), 422)
    assert nik not in json.dumps(body) and "_schema" in body["errors"]
