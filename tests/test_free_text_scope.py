"""Free text (decision reasons, outcome notes) stays in its office; codes travel, text not.

Analysts and admins see every office, pseudonymised: they get the decision and the outcome
label of another office's item, never the text its staff wrote (it may name people).
"""

from __future__ import annotations

import pytest

from tests.test_review_flow import submit  # noqa: F401 - fixture
from tests.test_web_pages import login

REASON = "Alasan khusus PMK"
NOTES = "Catatan khusus PMK"


@pytest.fixture
def item(client, accounts, submit):  # noqa: F811
    """Return a PMK item with a decision and an outcome, both with free text."""
    item = submit("SCOPE-1")
    sup = accounts["supervisor"]
    assert client.post(f"/api/v1/assessments/{item}/decision", headers=sup.headers,
                       json={"decision": "deferred", "reason": REASON}).status_code == 201
    assert client.post(f"/api/v1/assessments/{item}/outcome", headers=sup.headers,
                       json={"outcome": "no_information", "notes": NOTES}).status_code == 201
    return item


def page(client, account, path: str) -> str:
    client.post("/logout")
    login(client, account)
    resp = client.get(path)
    assert resp.status_code == 200, (account.username, path)
    return resp.get_data(as_text=True)


@pytest.mark.parametrize("who", ["analyst", "admin"])
def test_other_offices_do_not_get_the_text(client, accounts, item, who):
    for path in (f"/assessments/{item}", f"/review/{item}") if who == "analyst" else \
            (f"/assessments/{item}",):
        html = page(client, accounts[who], path)
        assert REASON not in html and NOTES not in html, path
        assert 'data-decision="deferred"' in html and "data-text-hidden" in html


def test_own_office_gets_the_text(client, accounts, make_account, item):
    html = page(client, accounts["supervisor"], f"/review/{item}")
    assert REASON in html and NOTES in html and "data-text-hidden" not in html
    assert REASON in page(client, accounts["officer"], f"/assessments/{item}")
    local_analyst = make_account("analyst", "PMK", username="analyst-pmk")
    html = page(client, local_analyst, f"/review/{item}")
    assert REASON in html and NOTES in html


def test_authors_keep_their_own_text(client, accounts, item):
    analyst = accounts["analyst"]
    resp = client.post(f"/api/v1/assessments/{item}/outcome", headers=analyst.headers,
                       json={"outcome": "confirmed_nonprocedural", "notes": "Catatan analis"})
    assert resp.status_code == 201 and resp.get_json()["notes"] == "Catatan analis"
    html = page(client, analyst, f"/review/{item}")
    assert "Catatan analis" in html and NOTES not in html


def test_the_api_does_not_send_the_text_either(client, accounts, item):
    for who in ("analyst", "admin"):
        resp = client.get(f"/api/v1/assessments/{item}", headers=accounts[who].headers)
        assert resp.status_code == 200
        body = resp.get_data(as_text=True)
        assert REASON not in body and NOTES not in body
