"""The permission matrix (docs/design.md, Roles): every role x every endpoint x own/other office."""

from __future__ import annotations

import pytest

from tests.evidence import approve
from tests.rulesets import MINI

ROLES = ("officer", "supervisor", "analyst", "admin", "anonymous")
OWN = {"officer": "PMK", "supervisor": "PMK", "analyst": "PST", "admin": "PST",
       "anonymous": "PMK"}
OTHER = {"officer": "SBY", "supervisor": "SBY", "analyst": "PMK", "admin": "PMK",
         "anonymous": "SBY"}


def _submit(c, h, office, ids, payload):
    return c.post("/api/v1/assessments", json=payload(f"NEW-{office}", office), headers=h)


def _score(c, h, office, ids, payload):
    return c.post("/api/v1/score", json=payload(f"S-{office}", office), headers=h)


def _read(c, h, office, ids, payload):
    return c.get(f"/api/v1/assessments/{ids[office]}", headers=h)


def _list(c, h, office, ids, payload):
    return c.get(f"/api/v1/assessments?office_code={office}", headers=h)


def _rulesets(c, h, office, ids, payload):
    return c.get("/api/v1/rulesets", headers=h)


def _active(c, h, office, ids, payload):
    return c.get("/api/v1/rulesets/active", headers=h)


def _draft(c, h, office, ids, payload):
    text = MINI.replace('version: "1"', f'version: "{office}-{len(ids)}"')
    ids["n"] = ids.get("n", 0) + 1  # every call a new version: (id, version) is unique
    return c.post("/api/v1/rulesets", json={"text": text}, headers=h)


def _activate(c, h, office, ids, payload):
    return c.post(f"/api/v1/rulesets/{ids['draft']}/activate", headers=h)


ENDPOINTS = {"submit": _submit, "score": _score, "read": _read, "list": _list,
             "rulesets": _rulesets, "active": _active, "draft": _draft, "activate": _activate}
OK = {"submit": 201, "draft": 201}

# endpoint -> role -> (own office, other office); None means "the success status"
ALLOWED = {
    "submit": {"officer": (1, 0), "supervisor": (1, 0), "analyst": (0, 0), "admin": (1, 1)},
    "score": {"officer": (1, 0), "supervisor": (1, 0), "analyst": (1, 1), "admin": (1, 1)},
    "read": {"officer": (1, 0), "supervisor": (1, 0), "analyst": (1, 1), "admin": (1, 1)},
    "list": {"officer": (1, 0), "supervisor": (1, 0), "analyst": (1, 1), "admin": (1, 1)},
    "rulesets": {"officer": (1, 1), "supervisor": (1, 1), "analyst": (1, 1), "admin": (1, 1)},
    "active": {"officer": (1, 1), "supervisor": (1, 1), "analyst": (1, 1), "admin": (1, 1)},
    "draft": {"officer": (0, 0), "supervisor": (0, 0), "analyst": (1, 1), "admin": (1, 1)},
    "activate": {"officer": (0, 0), "supervisor": (0, 0), "analyst": (0, 0), "admin": (1, 1)},
}
CASES = [(endpoint, role, scope) for endpoint in ENDPOINTS for role in ROLES
         for scope in ("own", "other")]


def expected(endpoint: str, role: str, scope: str) -> int:
    if role == "anonymous":
        return 401
    allowed = ALLOWED[endpoint][role][0 if scope == "own" else 1]
    return OK.get(endpoint, 200) if allowed else 403


@pytest.fixture
def world(client, accounts, make_account, payload):
    """Assessments at PMK, SBY and PST, and an approved rule set by a second analyst."""
    admin = accounts["admin"]
    ids = {}
    for office in ("PMK", "SBY", "PST"):
        resp = client.post("/api/v1/assessments", json=payload(f"OLD-{office}", office),
                           headers=admin.headers)
        ids[office] = resp.get_json()["id"]
    author = make_account("analyst", "PST", username="rule-author")
    checker = make_account("analyst", "PST", username="rule-checker")  # older than the draft
    resp = client.post("/api/v1/rulesets", json={"text": MINI}, headers=author.headers)
    ids["draft"] = resp.get_json()["id"]
    client.post(f"/api/v1/rulesets/{ids['draft']}/submit", headers=author.headers)
    backtest = client.post(f"/api/v1/rulesets/{ids['draft']}/backtest", json={},
                           headers=checker.headers).get_json()
    client.post(f"/api/v1/rulesets/{ids['draft']}/approve",
                json={"evidence": backtest["evidence_id"]}, headers=checker.headers)
    return ids


@pytest.mark.parametrize("endpoint, role, scope", CASES)
def test_permission_matrix(client, accounts, world, payload, endpoint, role, scope):
    headers = accounts[role].headers if role != "anonymous" else {}
    office = OWN[role] if scope == "own" else OTHER[role]
    resp = ENDPOINTS[endpoint](client, headers, office, world, payload)
    assert resp.status_code == expected(endpoint, role, scope), resp.get_data(as_text=True)
    if resp.status_code >= 400:
        assert resp.mimetype == "application/problem+json"


def test_rule_set_author_cannot_activate_own_version(client, make_account):
    admin = make_account("admin", "PST", username="maker")
    checker = make_account("admin", "PST", username="checker")
    draft = client.post("/api/v1/rulesets", json={"text": MINI}, headers=admin.headers)
    assert draft.status_code == 201 and draft.get_json()["status"] == "draft"
    pk = draft.get_json()["id"]
    client.post(f"/api/v1/rulesets/{pk}/submit", headers=admin.headers)
    assert approve(client, checker, pk).status_code == 200
    resp = client.post(f"/api/v1/rulesets/{pk}/activate", headers=admin.headers)
    assert resp.status_code == 403 and "someone other" in resp.get_json()["detail"]
    resp = client.post(f"/api/v1/rulesets/{pk}/activate", headers=checker.headers)
    assert resp.status_code == 200 and resp.get_json()["activated_by"] == "checker"
    active = client.get("/api/v1/rulesets/active", headers=checker.headers).get_json()
    assert active["id"] == pk and active["ruleset_id"] == "mini"
    statuses = {r["id"]: r["status"] for r in
                client.get("/api/v1/rulesets", headers=checker.headers).get_json()}
    assert sorted(statuses.values()) == ["live", "retired"]


def test_invalid_rule_set_is_refused_with_every_error(client, accounts):
    resp = client.post("/api/v1/rulesets", json={"text": "ruleset: {id: x}\nindicators: 3\n"},
                       headers=accounts["analyst"].headers)
    assert resp.status_code == 422
    assert len(resp.get_json()["errors"]["text"]) >= 2
    active = client.get("/api/v1/rulesets/active", headers=accounts["analyst"].headers)
    assert active.get_json()["ruleset_id"] == "tppo-pmi-default"
