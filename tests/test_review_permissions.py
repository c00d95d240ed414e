"""Who may open which page and call which review endpoint: role x own/other office."""

from __future__ import annotations

import pytest

from tests.test_web_pages import login

# Accounts: officer/supervisor at PMK and SBY, analyst and admin at PST. Items belong to PMK.
ROLES = ("officer", "supervisor", "officer_sby", "supervisor_sby", "analyst", "admin")


@pytest.fixture
def items(client, accounts, payload) -> dict[str, str]:
    """Return PMK assessments: a sound one (rung 0) and a flagged one (rung 2+)."""
    out = {}
    for name, risky in (("sound", False), ("flagged", True)):
        resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                           json=payload(f"PERM-{name}", risky=risky))
        assert resp.status_code == 201
        out[name] = resp.get_json()["id"]
    return out


PAGES = [  # (path, {role: status}); 200 = page shown, 403 = refused
    # analysts start at the case history, admins at user administration
    ("/", dict.fromkeys(ROLES, 200) | {"analyst": 303, "admin": 303}),
    ("/interviews/new", {"officer": 200, "supervisor": 200, "officer_sby": 200,
                         "supervisor_sby": 200, "analyst": 403, "admin": 200}),
    ("/review", {"officer": 403, "supervisor": 200, "officer_sby": 403, "supervisor_sby": 200,
                 "analyst": 403, "admin": 403}),
    ("/assessments/{flagged}", {"officer": 200, "supervisor": 200, "officer_sby": 403,
                                "supervisor_sby": 403, "analyst": 200, "admin": 200}),
    ("/review/{flagged}", {"officer": 403, "supervisor": 200, "officer_sby": 403,
                           "supervisor_sby": 403, "analyst": 200, "admin": 403}),
    ("/review/cases", {"officer": 403, "supervisor": 200, "officer_sby": 403,
                       "supervisor_sby": 200, "analyst": 200, "admin": 403}),
]


@pytest.mark.parametrize(("path", "expected"), PAGES, ids=[p for p, _ in PAGES])
def test_pages_by_role_and_office(client, accounts, items, path, expected):
    url = path.format(**items)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for role in ROLES:
        login(client, accounts[role])
        status = client.get(url).status_code
        assert status == expected[role], (role, url, status)
        client.post("/logout")


@pytest.mark.parametrize(("role", "item", "expected"), [
    ("officer", "sound", 303), ("officer", "flagged", 403),
    ("supervisor", "flagged", 303), ("supervisor_sby", "flagged", 403),
    ("officer_sby", "sound", 403), ("analyst", "sound", 403), ("admin", "sound", 403),
])
def test_decision_page_by_role_rung_and_office(client, accounts, items, role, item, expected):
    login(client, accounts[role])
    resp = client.post(f"/assessments/{items[item]}/decision",
                       data={"decision": "issued", "reason": "Sesuai"})
    assert resp.status_code == expected


def test_officer_sees_why_review_is_closed(client, accounts, items):
    login(client, accounts["officer"])
    resp = client.get("/review")
    assert resp.status_code == 403
    assert "Hanya supervisor" in resp.get_data(as_text=True)


API = [  # (method, path, body, {role: status})
    ("get", "/api/v1/review-queue", None,
     {"officer": 403, "supervisor": 200, "officer_sby": 403, "supervisor_sby": 200,
      "analyst": 403, "admin": 403}),
    ("post", "/api/v1/assessments/{flagged}/claim", None,
     {"officer": 403, "supervisor": 200, "officer_sby": 403, "supervisor_sby": 403,
      "analyst": 403, "admin": 403}),
    # The officer decides first; the supervisor may decide too, but it is decided already.
    ("post", "/api/v1/assessments/{sound}/decision", {"decision": "issued", "reason": "ok"},
     {"officer": 201, "supervisor": 409, "officer_sby": 403, "supervisor_sby": 403,
      "analyst": 403, "admin": 403}),
    ("post", "/api/v1/assessments/{flagged}/decision", {"decision": "deferred", "reason": "x"},
     {"officer": 403, "supervisor": 201, "officer_sby": 403, "supervisor_sby": 403,
      "analyst": 403, "admin": 403}),
    ("post", "/api/v1/assessments/{flagged}/outcome", {"outcome": "no_information"},
     {"officer": 403, "supervisor": 201, "officer_sby": 403, "supervisor_sby": 403,
      "analyst": 201, "admin": 403}),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), API,
                         ids=[f"{m} {p}" for m, p, _, _ in API])
def test_api_by_role_and_office(client, accounts, items, method, path, body, expected):
    url = path.format(**items)
    call = getattr(client, method)
    anonymous = call(url, json=body) if body else call(url)
    assert anonymous.status_code == 401
    assert anonymous.content_type == "application/problem+json"
    for role in ROLES:
        kw = {"headers": accounts[role].headers} | ({"json": body} if body else {})
        resp = call(url, **kw)
        assert resp.status_code == expected[role], (role, url, resp.get_json())
        if resp.status_code >= 400:
            assert resp.content_type == "application/problem+json"


def test_unknown_assessment_is_404(client, accounts, items):
    resp = client.post("/api/v1/assessments/nope/decision", headers=accounts["supervisor"].headers,
                       json={"decision": "issued", "reason": "x"})
    assert resp.status_code == 404
    login(client, accounts["supervisor"])
    assert client.get("/review/nope").status_code == 404
    assert client.get("/assessments/nope").status_code == 404


def test_queue_shows_only_own_office(client, accounts, payload):
    for acct in (accounts["officer"], accounts["officer_sby"]):
        client.post("/api/v1/assessments", headers=acct.headers,
                    json=payload(f"Q-{acct.office_code}", acct.office_code, risky=True))
    for sup, office in ((accounts["supervisor"], "PMK"), (accounts["supervisor_sby"], "SBY")):
        items = client.get("/api/v1/review-queue", headers=sup.headers).get_json()["items"]
        assert [i["office_code"] for i in items] == [office]
