"""Officer pages: the form, server-side validation in the chosen language, the result page."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select, update

from ews import create_app
from ews.store.models import Assessment, AuditEvent, Decision, RuleSetRecord
from ews.web.form import form_sections, form_value
from tests.checklists import sound_umrah
from tests.conftest import ONLINE_SCAM, PASSWORD


def form_data(answers: dict, store: bool = True) -> dict:
    """Return checklist answers as a browser would post them (no office: the user's).

    `store` is the review step's `data-store` button; without it the page only checks them.
    """
    data = {k: form_value(v) for k, v in answers.items() if k != "office_code" and v is not None}
    return data | ({"store": "1"} if store else {})


def login(client, account) -> None:
    """Sign in through the login page."""
    resp = client.post("/login", data={"username": account.username, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)


def count(db, model) -> int:
    """Return the number of rows of `model`."""
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def block(html: str, element_id: str) -> str:
    """Return the HTML of the question block with `element_id` (up to the next question)."""
    start = html.index(f'id="{element_id}"')
    nxt = html.find('class="q ', start + 1)
    return html[start:nxt if nxt != -1 else len(html)]


@pytest.fixture
def officer(client, accounts):
    login(client, accounts["officer"])
    return accounts["officer"]


def test_form_has_every_registry_input_in_its_sections(client, officer):
    html = client.get("/interviews/new").get_data(as_text=True)
    for title in ("Permohonan", "Tujuan perjalanan", "Pekerjaan dan perekrutan",
                  "Pengamatan wawancara", "Anak (di bawah 18 tahun)", "Dokumen dan riwayat",
                  "Pelindungan"):
        assert title in html
    for section in form_sections():
        for ff in section.fields:
            assert f'name="{ff.name}"' in html, ff.name
    # labels are tied to inputs; conditional questions carry their condition for the script
    assert '<label for="in-application_id">' in html and 'id="in-application_id"' in html
    assert 'aria-labelledby="lbl-states_work_abroad"' in html
    assert re.search(r'id="q-umrah_documents"[^>]*data-applies-when="\{&#34;purpose&#34;', html)
    # no question is pre-answered: not asked stays not asked
    assert not re.search(r'name="instructed_to_lie" value="[a-z]+"\s+checked', html)


def test_sound_umrah_proceeds_and_is_listed_today(client, db, officer):
    resp = client.post("/interviews/new", data=form_data(sound_umrah()))
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'data-action="proceed"' in page
    assert "Lanjutkan proses penerbitan" in page and "Tingkat tindakan 1 dari 5" in page
    assert 'name="decision"' in page and 'name="reason"' in page  # officer decides rung 0
    assert count(db, Assessment) == 1
    home = client.get("/").get_data(as_text=True)
    assert "PMK-2026-000101" in home and 'data-action="proceed"' in home


def test_retry_returns_the_same_assessment(client, db, officer):
    first = client.post("/interviews/new", data=form_data(sound_umrah()))
    again = client.post("/interviews/new", data=form_data(sound_umrah()))
    assert first.headers["Location"] == again.headers["Location"]
    assert "sudah dinilai" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert count(db, Assessment) == 1


def test_same_number_other_answers_is_refused_next_to_the_number(client, db, officer):
    client.post("/interviews/new", data=form_data(sound_umrah()))
    resp = client.post("/interviews/new",
                       data=form_data(sound_umrah(return_ticket="one_way_booked")))
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "sudah dinilai dengan jawaban lain" in block(html, "q-application_id")
    assert "Tiket perjalanan" in block(html, "q-application_id")
    assert count(db, Assessment) == 1


@pytest.mark.parametrize(("lang", "nik_msg", "required_msg"), [
    ("id", "NIK harus tepat 16 angka (0-9).", "Wajib diisi."),
    ("en", "A NIK is exactly 16 digits (0-9).", "This field is required."),
])
def test_errors_next_to_fields_in_chosen_language_and_nothing_stored(
        client, db, officer, lang, nik_msg, required_msg):
    client.post("/language", data={"lang": lang, "next": "/interviews/new"})
    events = count(db, AuditEvent)
    answers = sound_umrah(nik="12345", umrah_documents=None)
    del answers["purpose"]
    resp = client.post("/interviews/new", data=form_data(answers | {"purpose": "umrah_hajj"})
                       | {"purpose": ""})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert nik_msg in block(html, "q-nik")
    assert required_msg in block(html, "q-purpose")
    assert nik_msg not in block(html, "q-purpose")
    assert 'id="error-summary"' in html and 'href="#q-nik"' in html
    assert "12345" in block(html, "q-nik")  # the officer's input is kept for correction
    assert count(db, Assessment) == 0 and count(db, AuditEvent) == events


def test_conditional_requirement_names_the_field(client, db, officer):
    resp = client.post("/interviews/new",
                       data=form_data(sound_umrah(umrah_documents=None)))
    assert resp.status_code == 422
    assert "Wajib diisi bila Tujuan perjalanan: Umrah/haji" in block(resp.get_data(as_text=True),
                                                               "q-umrah_documents")
    assert count(db, Assessment) == 0


def test_flagged_result_lists_reasons_and_holds_for_supervisor(client, db, officer):
    answers = {k: v for k, v in (sound_umrah() | ONLINE_SCAM).items() if v is not None}
    resp = client.post("/interviews/new", data=form_data(answers))
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    row = db.scalar(select(Assessment))
    assert row.rung >= 2
    assert f'data-action="{row.action}"' in page
    for reason in row.result["reasons"]:
        assert f'data-indicator="{reason["indicator"]}"' in page
        assert str(escape(reason["source"]["id"])) in page  # the source in the officer's language
    assert "data-held" in page and "Menunggu keputusan supervisor" in page
    assert 'name="decision"' not in page  # officers do not decide rung 2+
    assert "SISKOP2MI" in page or not row.result["protective_flags"]


def test_officer_records_decision_on_rung_0(client, db, officer):
    loc = client.post("/interviews/new", data=form_data(sound_umrah())).headers["Location"]
    bad = client.post(loc + "/decision", data={"decision": "issued", "reason": "  "})
    assert bad.status_code == 422
    assert "Wajib diisi." in bad.get_data(as_text=True)
    assert count(db, Decision) == 0
    ok = client.post(loc + "/decision", data={"decision": "issued", "reason": "Dokumen lengkap"})
    assert ok.status_code == 303
    page = client.get(loc).get_data(as_text=True)
    assert 'data-decision="issued"' in page and "Dokumen lengkap" in page
    assert count(db, Decision) == 1
    event = db.scalar(select(AuditEvent).where(AuditEvent.kind == "decision.recorded"))
    assert event is not None and "Dokumen lengkap" not in event.data


def test_unknown_page_is_an_indonesian_page_but_api_stays_json(client, officer):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "Halaman ini tidak ada." in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.content_type == "application/problem+json"


def test_login_errors_in_indonesian(client):
    resp = client.post("/login", data={"username": "", "password": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and html.count("Wajib diisi.") == 2
    assert "This field is required." not in html


def test_no_active_rule_set_is_said_plainly_and_nothing_is_stored(client, db, officer):
    db.execute(update(RuleSetRecord).values(status="retired"))
    db.commit()
    resp = client.post("/interviews/new", data=form_data(sound_umrah()))
    assert resp.status_code == 503
    assert "tidak ada perangkat aturan aktif" in resp.get_data(as_text=True)
    assert count(db, Assessment) == 0


def test_language_switch_keeps_to_local_paths(client, officer):
    resp = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert resp.headers["Location"] == "/"
    assert "New interview" in client.get("/interviews/new").get_data(as_text=True)
    client.post("/language", data={"lang": "id", "next": "/"})
    assert "Wawancara baru" in client.get("/interviews/new").get_data(as_text=True)


def test_csrf_is_required_on_the_form(app_config, accounts, db):
    app = create_app(app_config | {"WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": accounts["officer"].username,
                                       "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    form = client.get("/interviews/new").get_data(as_text=True)
    assert 'name="csrf_token"' in form
    resp = client.post("/interviews/new", data=form_data(sound_umrah()))
    assert resp.status_code == 400
    assert "Permintaan ditolak" in resp.get_data(as_text=True)  # a page, in Indonesian
    assert count(db, Assessment) == 0
    app.extensions["ews_engine"].dispose()


@pytest.mark.parametrize("new, confirm, message", [
    ("short", "short", "Gunakan sedikitnya"),
    ("a-long-enough-secret", "a-different-secret", "Kedua kata sandi baru tidak sama."),
])
def test_password_form_errors_are_in_indonesian(client, officer, new, confirm, message):
    resp = client.post("/password", data={"current": PASSWORD, "new": new, "confirm": confirm})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)


def test_protective_flags_tell_the_officer_where_bp3mi_is(client, officer):
    client.application.config["BP3MI_INFO"] = "UPT BP3MI Jawa Timur, Jl. Contoh 1, Surabaya"
    answers = sound_umrah(financial_pressure=True, unaware_of_legal_route=True)
    resp = client.post("/interviews/new", data=form_data(answers))
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "UPT BP3MI Jawa Timur, Jl. Contoh 1, Surabaya" in page
    assert 'data-action="proceed"' in page  # protective flags alone add no scrutiny
