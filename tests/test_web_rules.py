"""The analyst pages for rule sets (server-rendered): list, editor, diff, steps, backtest."""

from __future__ import annotations

from sqlalchemy import func, select

from ews.store.models import RuleSetRecord
from tests.conftest import PASSWORD
from tests.rulesets import MINI


def login(client, account) -> None:
    resp = client.post("/login", data={"username": account.username, "password": PASSWORD})
    assert resp.status_code == 302


def test_only_analysts_and_admins(client, accounts):
    login(client, accounts["officer"])
    assert client.get("/rules").status_code == 403
    client.post("/logout")
    login(client, accounts["analyst"])
    page = client.get("/rules")
    assert page.status_code == 200 and "tppo-pmi-default" in page.get_data(as_text=True)


def test_editor_shows_errors_by_line_and_stores_nothing(client, accounts, db):
    login(client, accounts["analyst"])
    before = db.scalar(select(func.count()).select_from(RuleSetRecord))
    bad = MINI.replace("points: 35", "points: lots")
    resp = client.post("/rules/new", data={"text": bad})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    line = next(n for n, t in enumerate(bad.splitlines(), 1) if "id: D1S" in t)
    assert f'data-line="{line}"' in html and "&#39;points&#39; must be a whole number" in html
    assert "points: lots" in html  # the text is kept for correction
    assert db.scalar(select(func.count()).select_from(RuleSetRecord)) == before


def test_draft_detail_shows_semantic_and_text_diff(client, accounts):
    login(client, accounts["analyst"])
    live = client.get("/api/v1/rulesets/active").get_json()["text"]
    old = client.get("/api/v1/rulesets/active").get_json()["version"]
    text = live.replace(f"version: {old}", "version: 9999.1")
    resp = client.post("/rules/new", data={"text": text})
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'data-change="ruleset:version:changed"' in html
    assert "+  version: 9999.1" in html and f"-  version: {old}" in html
    assert 'data-step="submit"' in html and 'data-step="approve"' not in html


def test_self_approval_from_the_page_is_refused_with_a_message(client, accounts, make_account):
    login(client, accounts["analyst"])
    pk = client.post("/api/v1/rulesets", json={"text": MINI}).get_json()
    assert pk.get("id"), pk
    client.post(f"/rules/{pk['id']}/step/submit", data={})
    resp = client.post(f"/rules/{pk['id']}/step/approve", data={}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    # Indonesian by default (the API and the CLI keep the English message)
    assert ("Setujui: langkah ini harus dilakukan oleh orang lain, bukan penyusun versi ini."
            in html and 'data-state="in_review"' in html)
    client.post("/language", data={"lang": "en"})
    resp = client.post(f"/rules/{pk['id']}/step/approve", data={}, follow_redirects=True)
    assert ("Approve: this must be done by someone other than the author of the version."
            in resp.get_data(as_text=True))


def test_backtest_page_and_empty_window(client, accounts, payload):
    client.post("/api/v1/assessments", json=payload("W-1"), headers=accounts["officer"].headers)
    login(client, accounts["analyst"])
    live = client.get("/api/v1/rulesets/active").get_json()
    html = client.get(f"/rules/{live['id']}/backtest").get_data(as_text=True)
    assert 'data-rows>1<' in html and 'data-changed>0<' in html
    assert 'data-tracks' in html and 'Per jalur, dibobot' in html  # Indonesian by default
    resp = client.get(f"/rules/{live['id']}/backtest?from=2001-01-01&to=2001-01-02")
    assert resp.status_code == 422
    assert ("Tidak ada wawancara tersimpan pada 2001-01-01 - 2001-01-02"
            in resp.get_data(as_text=True))
    resp = client.get(f"/rules/{live['id']}/backtest?against=nope@1")
    assert "Tidak ada versi perangkat aturan nope@1" in resp.get_data(as_text=True)


def test_backtest_page_refuses_dates_out_of_range(client, accounts):
    login(client, accounts["analyst"])
    live = client.get("/api/v1/rulesets/active").get_json()
    for query in ("to=9999-12-31", "from=0001-01-01"):
        assert client.get(f"/rules/{live['id']}/backtest?{query}").status_code == 400


def test_the_description_is_shown_in_the_pages_language(client, accounts):
    login(client, accounts["analyst"])
    text = MINI.replace("description: test}", 'description: {id: "Uji coba indikator", '
                        'en: "Indicator trial"}}').replace('version: "1"', 'version: "2"')
    made = client.post("/api/v1/rulesets", json={"text": text}).get_json()
    assert made["description"] == {"id": "Uji coba indikator", "en": "Indicator trial"}
    html = client.get(f"/rules/{made['id']}").get_data(as_text=True)
    assert '<p class="muted">Uji coba indikator ·' in html
    client.post("/language", data={"lang": "en"})
    html = client.get(f"/rules/{made['id']}").get_data(as_text=True)
    assert '<p class="muted">Indicator trial ·' in html
    # an older version's one-text description reads the same in both languages
    old = client.post("/api/v1/rulesets", json={"text": MINI}).get_json()
    assert old["description"] == {"id": "test", "en": "test"}
