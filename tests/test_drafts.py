"""Interview drafts: kept encrypted per officer and application, restored, deleted, expired.

The store on the test database (SQLite, or PostgreSQL with EWS_TEST_DATABASE_URL) and the
`/interviews/draft` endpoint through the pages, CSRF on where it matters.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ews.store.drafts import DRAFT_TTL, DraftBox, DraftTooLarge, InterviewDraft, purge_expired
from ews.store.models import Assessment
from ews.web.drafts import KEPT
from tests.checklists import sound_umrah
from tests.conftest import PASSWORD
from tests.test_web_pages import form_data, login

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
APP_ID = "PMK-2026-000555"
IDENTITY = {"application_id": APP_ID, "nik": "3528011201900001", "full_name": "Siti Contoh",
            "purpose": "umrah_hajj"}


@pytest.fixture
def box() -> DraftBox:
    return DraftBox("test-secret")


def _restored(html: str) -> bool:
    """Return True when the page shows the "Answers restored" notice (not just holds it)."""
    notice = re.search(r"<div[^>]*data-restored[^>]*>", html)
    return notice is not None and " hidden" not in notice.group(0) \
        and "Jawaban dipulihkan" in html


def _rows(db) -> list[InterviewDraft]:
    db.expire_all()
    return list(db.scalars(select(InterviewDraft)))


def test_a_draft_row_holds_nothing_readable(db, box, accounts):
    officer = accounts["officer"]
    box.save(db, user_id=officer.id, office_code="PMK", application_id=APP_ID,
             values=IDENTITY, now=NOW)
    (row,) = _rows(db)
    stored = f"{row.draft_key} {row.token} {row.office_code}"
    for clear in (APP_ID, "000555", "3528011201900001", "Siti", "umrah"):
        assert clear not in stored
    found = box.find(db, user_id=officer.id, office_code="PMK", now=NOW, application_id=APP_ID)
    assert found.values == IDENTITY and found.application_id == APP_ID
    # another installation's secret reads nothing, and finds nothing by the number
    other = DraftBox("another-secret")
    assert other.find(db, user_id=officer.id, office_code="PMK", now=NOW,
                      application_id=APP_ID) is None
    assert other.find(db, user_id=officer.id, office_code="PMK", now=NOW) is None


def test_drafts_are_per_officer_and_office(db, box, accounts):
    box.save(db, user_id=accounts["officer"].id, office_code="PMK", application_id=APP_ID,
             values=IDENTITY, now=NOW)
    assert box.find(db, user_id=accounts["supervisor"].id, office_code="PMK", now=NOW) is None
    assert box.find(db, user_id=accounts["officer"].id, office_code="SBY", now=NOW) is None


def test_a_draft_expires_after_24_hours(db, box, accounts):
    officer = accounts["officer"]
    box.save(db, user_id=officer.id, office_code="PMK", application_id=APP_ID,
             values=IDENTITY, now=NOW)
    almost = NOW + DRAFT_TTL - dt.timedelta(minutes=1)
    assert box.find(db, user_id=officer.id, office_code="PMK", now=almost) is not None
    later = NOW + DRAFT_TTL
    assert box.find(db, user_id=officer.id, office_code="PMK", now=later) is None
    assert purge_expired(db, now=almost) == 0
    assert purge_expired(db, now=later) == 1
    db.commit()
    assert _rows(db) == []


def test_typing_the_number_further_keeps_one_draft(db, box, accounts):
    officer = accounts["officer"]
    for typed, before in (("", ""), ("PMK-2026", ""), (APP_ID, "PMK-2026")):
        box.save(db, user_id=officer.id, office_code="PMK", application_id=typed,
                 values={"application_id": typed}, now=NOW, replaces=before)
    (row,) = _rows(db)
    assert row.draft_key == box.key_of(APP_ID)
    box.forget(db, user_id=officer.id, application_id=APP_ID)
    assert _rows(db) == []


def test_refusals(db, box, accounts):
    with pytest.raises(ValueError, match="SECRET_KEY"):
        DraftBox("")
    with pytest.raises(DraftTooLarge):
        box.save(db, user_id=accounts["officer"].id, office_code="PMK", application_id=APP_ID,
                 values={"notes": "x" * 40_000}, now=NOW)


def test_the_form_comes_back_from_the_draft_and_storing_deletes_it(client, db, accounts):
    login(client, accounts["officer"])
    sent = {"application_id": APP_ID, "nik": "3528011201900001", "purpose": "umrah_hajj",
            "destination_country": "SA", "not_a_field": "x", "draft_previous": ""}
    assert client.post("/interviews/draft", data=sent).status_code == 204
    html = client.get("/interviews/new").get_data(as_text=True)
    assert _restored(html)
    assert f'value="{APP_ID}"' in html and 'value="3528011201900001"' in html
    assert re.search(r'name="purpose" value="umrah_hajj"\s+checked', html)
    assert "not_a_field" not in str([r.token for r in _rows(db)])
    # the review step shows what would be stored and stores nothing
    answers = sound_umrah(application_id=APP_ID)
    review = client.post("/interviews/new", data=form_data(answers, store=False))
    assert review.status_code == 200
    page = review.get_data(as_text=True)
    assert "Periksa jawaban" in page and "data-store" in page
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0
    assert len(_rows(db)) == 1  # the review kept the checked answers as the draft
    stored = client.post("/interviews/new", data=form_data(answers))
    assert stored.status_code == 303
    assert _rows(db) == []
    assert not _restored(client.get("/interviews/new").get_data(as_text=True))


def test_discard_starts_an_empty_form(client, db, accounts):
    login(client, accounts["officer"])
    client.post("/interviews/draft", data={"application_id": APP_ID})
    resp = client.post("/interviews/draft/discard", data={"draft_of": APP_ID})
    assert resp.status_code == 303 and _rows(db) == []
    assert not _restored(client.get("/interviews/new").get_data(as_text=True))


def test_only_interviewers_keep_drafts(client, db, accounts):
    login(client, accounts["analyst"])
    assert client.post("/interviews/draft", data={"application_id": APP_ID}).status_code == 403
    assert _rows(db) == []


def test_a_draft_too_large_is_refused_by_name(client, db, accounts):
    login(client, accounts["officer"])
    resp = client.post("/interviews/draft", data=dict.fromkeys(KEPT, "x" * 1000))
    assert resp.status_code == 413
    assert "draft" in resp.get_json()["errors"]
    assert _rows(db) == []


def test_the_draft_endpoint_needs_the_csrf_token(app_config, accounts, db):
    from ews import create_app

    app = create_app(app_config | {"WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": accounts["officer"].username,
                                "password": PASSWORD, "csrf_token": token})
    assert client.post("/interviews/draft", data={"application_id": APP_ID}).status_code == 400
    assert _rows(db) == []
    form = client.get("/interviews/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = client.post("/interviews/draft", data={"application_id": APP_ID, "csrf_token": token})
    assert resp.status_code == 204 and len(_rows(db)) == 1
    app.extensions["ews_engine"].dispose()


def test_only_the_interview_form_reads_drafts():
    """Drafts never reach reports, exports, the API or the CLI: one page module reads them."""
    root = Path(__file__).resolve().parents[1] / "ews"
    imports = re.compile(r"^\s*(from \S*drafts\b|(from \S+ )?import .*\bdrafts\b)", re.M)
    readers = sorted(str(f.relative_to(root)) for f in root.rglob("*.py")
                     if imports.search(f.read_text()))
    assert readers == ["web/__init__.py", "web/drafts.py", "web/views.py"]
