"""After the decision, start pages and menus by role, the one-tap rung-0 decision, small pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from ews.store.models import Assessment, Decision
from tests.checklists import sound_umrah
from tests.conftest import ONLINE_SCAM
from tests.test_web_pages import count, form_data, login


def _scam() -> dict:
    return {k: v for k, v in (sound_umrah(application_id="PMK-2026-000900") | ONLINE_SCAM).items()
            if v is not None}


def _menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    return re.findall(r'data-nav="([a-z]+)"', nav.group(0)) if nav else []


def test_officer_sees_the_supervisors_decision_instead_of_the_hold(app, client, db, accounts):
    login(client, accounts["officer"])
    loc = client.post("/interviews/new", data=form_data(_scam())).headers["Location"]
    assert "data-held" in client.get(loc).get_data(as_text=True)
    supervisor = app.test_client()
    login(supervisor, accounts["supervisor"])
    row = db.scalar(select(Assessment))
    resp = supervisor.post(f"/review/{row.id}/decision",
                           data={"decision": "redirected", "reason": "Arahkan ke Disnaker"})
    assert resp.status_code == 303
    page = client.get(loc).get_data(as_text=True)
    assert "data-held" not in page and "Jangan terbitkan paspor" not in page
    assert 'data-recorded-decision="redirected"' in page
    assert accounts["supervisor"].username in page and "Arahkan ke Disnaker" in page
    assert 'name="decision"' not in page  # the officer may not amend a rung 2+ decision
    detail = supervisor.get(f"/review/{row.id}").get_data(as_text=True)
    assert 'data-recorded-decision="redirected"' in detail
    # the supervisor gets an explicit, folded "amend" action, not a second decision form
    amend = re.search(r'<details class="more amend".*?</details>', detail, re.S).group(0)
    assert detail.count('name="decision"') == amend.count('name="decision"') > 0
    assert 'name="amends"' in amend
    # a stale second form is refused without a second decision
    again = supervisor.post(f"/review/{row.id}/decision",
                            data={"decision": "issued", "reason": "berubah pikiran"})
    assert again.status_code == 409 and count(db, Decision) == 1


def test_rung_0_is_one_tap_with_the_standard_reason(client, db, accounts):
    login(client, accounts["officer"])
    loc = client.post("/interviews/new", data=form_data(sound_umrah())).headers["Location"]
    page = client.get(loc).get_data(as_text=True)
    assert "data-quick-decision" in page and "Tidak ada indikator risiko" in page
    resp = client.post(loc + "/decision", data={"quick": "issued"})
    assert resp.status_code == 303
    decision = db.scalar(select(Decision))
    assert decision.decision == "issued" and decision.reason == "Tidak ada indikator risiko"
    page = client.get(loc).get_data(as_text=True)
    assert 'data-recorded-decision="issued"' in page and "data-quick-decision" not in page


def test_quick_decision_is_refused_above_rung_0(client, db, accounts):
    login(client, accounts["supervisor"])
    loc = client.post("/interviews/new", data=form_data(_scam())).headers["Location"]
    resp = client.post(loc + "/decision", data={"quick": "issued"})
    assert resp.status_code == 422 and count(db, Decision) == 0


def test_supervisor_today_is_the_offices_day_officer_sees_own(app, client, accounts,
                                                              make_account):
    other = make_account("officer", "PMK", "officer-two")
    for acct, app_id in ((accounts["officer"], "PMK-A-1"), (other, "PMK-B-2")):
        c = app.test_client()
        login(c, acct)
        assert c.post("/interviews/new", data=form_data(
            sound_umrah(application_id=app_id))).status_code == 303
    login(client, accounts["supervisor"])
    html = client.get("/").get_data(as_text=True)
    assert "PMK-A-1" in html and "PMK-B-2" in html and "officer-two" in html
    officer = app.test_client()
    login(officer, accounts["officer"])
    mine = officer.get("/").get_data(as_text=True)
    assert "PMK-A-1" in mine and "PMK-B-2" not in mine


# Per role: the menu in order; entries of pages built elsewhere appear once the page exists.
MENUS = {"officer": ["today", "new"],
         "supervisor": ["today", "new", "queue", "history"],
         "analyst": ["reports", "history", "rules"],
         "admin": ["users", "reports", "rules", "audit"]}
ALWAYS = {"officer": ["today", "new"], "supervisor": ["today", "new", "queue", "history"],
          "analyst": ["history", "reports"], "admin": ["reports"]}


def test_menus_and_start_pages_by_role(app, accounts):
    for role, allowed in MENUS.items():
        c = app.test_client()
        login(c, accounts[role])
        home = c.get("/")
        if role in ("analyst", "admin") and home.status_code == 303:  # where their work starts
            html = c.get(home.headers["Location"]).get_data(as_text=True)
            assert _menu(html)[0] in ("reports", "history", "rules", "users")
        else:
            assert home.status_code == 200
            html = home.get_data(as_text=True)
        keys = _menu(html)
        assert keys == [k for k in allowed if k in keys], role
        assert set(ALWAYS[role]) <= set(keys), role
        for href in re.findall(r'<nav class="mainnav".*?</nav>', html, re.S)[0:1]:
            for url in re.findall(r'href="([^"]+)"', href):
                assert c.get(url).status_code == 200, (role, url)
        if role in ("analyst", "admin"):
            assert "/interviews/new" not in html
    admin = app.test_client()
    login(admin, accounts["admin"])
    home = admin.get("/")
    if "/admin/users" in {r.rule for r in app.url_map.iter_rules()}:
        assert home.headers["Location"] == "/admin/users"
    else:
        assert "ews user add" in home.get_data(as_text=True)


def test_menu_shows_pages_of_other_parts_once_they_exist(app, accounts):
    app.add_url_rule("/reports", "reports_stub", lambda: "reports")
    app.extensions.pop("ews_page_paths", None)
    c = app.test_client()
    login(c, accounts["analyst"])
    assert c.get("/").headers["Location"] == "/reports"
    assert _menu(c.get("/review/cases").get_data(as_text=True)) == ["reports", "history",
                                                                    "rules"]


def test_login_required_message_is_indonesian_information(client):
    resp = client.get("/review/cases")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Silakan masuk untuk membuka halaman ini." in html
    assert 'data-flash="info"' in html and "Please log in" not in html


def test_favicon(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert b"<svg" in resp.data


def test_date_of_birth_is_typed_day_first(client, db, accounts):
    login(client, accounts["officer"])
    html = client.get("/interviews/new").get_data(as_text=True)
    assert re.search(r'<input type="text" id="in-date_of_birth" name="date_of_birth"', html)
    assert 'type="date"' not in html
    bad = client.post("/interviews/new", data=form_data(sound_umrah(date_of_birth="31/02/1990")))
    assert bad.status_code == 422
    assert "Tanggal tidak valid (HH/BB/TTTT)." in bad.get_data(as_text=True)
    assert count(db, Assessment) == 0
    minor = sound_umrah(date_of_birth="12/01/2012")
    ok = client.post("/interviews/new", data=form_data(minor))
    assert ok.status_code == 303
    assert db.scalar(select(Assessment)).features["is_minor"] is True
