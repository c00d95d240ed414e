"""Retention end to end: `ews retention apply` redacts old personal data, keeps aggregates and
a verifiable audit chain, and is audited."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ews.audit import verify
from ews.store.db import utcnow
from ews.store.models import (
    Assessment,
    AuditEvent,
    Decision,
    LoginAttempt,
    LoginThrottle,
    Outcome,
)
from tests.test_audit import bypass_guards, cli  # noqa: F401 - cli is a fixture

REASON = "Siti Aminah mengaku akan bekerja di Phnom Penh"
NOTES = "Kakak Siti, Budi, dihubungi lewat 0812-3456-7890"
THREE_YEARS_AGO = utcnow() - dt.timedelta(days=3 * 365)


@pytest.fixture
def history(client, accounts, payload, db, monkeypatch):
    """Return ids of an old decided case (3 years ago) and of a recent one."""
    def case(app_id: str) -> str:
        personal = {"officer_notes": f"Pemohon Siti ditemani Budi, berkas {app_id}",
                    "domicile_village": "Bettet"}
        resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                           json=payload(app_id, risky=True, **personal))
        assert resp.status_code == 201, resp.get_json()
        item = resp.get_json()["id"]
        resp = client.post(f"/api/v1/assessments/{item}/decision",
                           headers=accounts["supervisor"].headers,
                           json={"decision": "deferred", "reason": REASON})
        assert resp.status_code == 201, resp.get_json()
        resp = client.post(f"/api/v1/assessments/{item}/outcome",
                           headers=accounts["analyst"].headers,
                           json={"outcome": "confirmed_nonprocedural", "notes": NOTES})
        assert resp.status_code == 201, resp.get_json()
        return item

    with monkeypatch.context() as clock:  # the service's clock, three years back
        for module in ("ews.interviews.submit", "ews.review.service"):  # modules, not
            clock.setattr(importlib.import_module(module), "utcnow",  # same-named functions
                          lambda: THREE_YEARS_AGO)
        old = case("OLD-1")
    recent = case("NEW-1")
    db.add_all([LoginAttempt(name_hash="a" * 64, remote_addr="10.0.0.1", at=THREE_YEARS_AGO),
                LoginAttempt(name_hash="b" * 64, remote_addr="10.0.0.2"),
                LoginThrottle(key_hash="c" * 64, window_start=THREE_YEARS_AGO, attempts=9)])
    db.commit()
    return {"old": old, "recent": recent}


def snapshot(db, item: str) -> dict:
    db.expire_all()
    row = db.get(Assessment, item)
    decision = db.scalar(select(Decision).where(Decision.assessment_id == item))
    outcome = db.scalar(select(Outcome).where(Outcome.assessment_id == item))
    return {"row": row, "decision": decision, "outcome": outcome}


def test_dry_run_counts_and_changes_nothing(cli, history, db):  # noqa: F811
    result = cli("retention", "apply", "--dry-run")
    assert result.exit_code == 0, result.output
    assert ("would redact (older than 730 days" in result.output
            and "1 assessments, 1 decisions, 1 outcomes, 0 registrations; would delete 1 "
            "failed-login rows and 1 throttle counts" in result.output)
    assert snapshot(db, history["old"])["decision"].reason == REASON
    assert db.scalar(select(func.count()).where(AuditEvent.kind == "retention.applied")) == 0


def test_apply_redacts_old_personal_data_and_keeps_aggregates(cli, history, db):  # noqa: F811
    before = snapshot(db, history["old"])
    kept = {k: getattr(before["row"], k) for k in ("score", "rung", "action", "band",
                                                   "office_code", "created_at", "status")}
    answers = dict(before["row"].answers)
    result = cli("retention", "apply")
    assert result.exit_code == 0, result.output
    assert "redacted (older than 730 days" in result.output
    assert ("1 assessments, 1 decisions, 1 outcomes, 0 registrations; deleted 1 failed-login "
            "rows and 1 throttle counts") in result.output
    assert db.scalar(select(func.count()).select_from(LoginThrottle)) == 0

    old = snapshot(db, history["old"])
    row = old["row"]
    assert (row.nik_hash, row.phone_hash, row.answers_hash) == (None, None, "")
    assert row.recruiter_phone_hash is None
    assert row.application_id == row.id  # the application number no longer leads anywhere
    assert row.answers["officer_notes"] is None and row.answers["domicile_village"] is None
    assert {k: v for k, v in row.answers.items()
            if k not in ("officer_notes", "domicile_village")} == {
        k: v for k, v in answers.items() if k not in ("officer_notes", "domicile_village")}
    assert {k: getattr(row, k) for k in kept} == kept
    assert (old["decision"].decision, old["decision"].reason) == ("deferred", "")
    assert (old["outcome"].outcome, old["outcome"].notes) == ("confirmed_nonprocedural", None)

    recent = snapshot(db, history["recent"])
    assert recent["row"].nik_hash and recent["decision"].reason == REASON
    assert recent["outcome"].notes == NOTES
    assert [a.name_hash for a in db.scalars(select(LoginAttempt))] == ["b" * 64]

    event = db.scalar(select(AuditEvent).where(AuditEvent.kind == "retention.applied"))
    data = json.loads(event.data)
    assert (data["assessments"], data["decisions"], data["outcomes"], data["days"]) == (
        1, 1, 1, 730)
    for personal in ("Siti", "Budi", "OLD-1", "Bettet"):
        assert personal not in event.data
    assert cli("audit", "verify").exit_code == 0
    again = cli("retention", "apply")
    assert "0 assessments, 0 decisions, 0 outcomes, 0 registrations" in again.output
    assert cli("audit", "verify").exit_code == 0


def test_apply_leaves_no_trace_of_replaced_values_in_the_sqlite_files(cli, history, db,  # noqa: F811
                                                                     database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the files of an SQLite database")
    path = database_url.removeprefix("sqlite:///")
    marker = b"berkas OLD-1"  # in the old case's notes only

    def on_disk() -> bytes:
        data = b""
        for suffix in ("", "-wal"):
            try:
                with open(path + suffix, "rb") as fh:
                    data += fh.read()
            except FileNotFoundError:
                pass
        return data

    db.close()
    assert marker in on_disk()
    result = cli("retention", "apply")
    assert result.exit_code == 0 and "note:" not in result.output, result.output
    assert marker not in on_disk()
    assert b"berkas NEW-1" in on_disk()  # the recent case is untouched


def test_apply_blanks_the_hashes_and_village_of_old_report_facts(cli, history, db):  # noqa: F811
    facts = "SELECT nik_hash, phone_hash, domicile_village FROM assessment_facts WHERE " \
            "assessment_id = :i"
    # No fact row derived yet: retention derives them first, then blanks the old one's.
    assert db.scalar(text("SELECT COUNT(*) FROM assessment_facts")) == 0
    assert cli("retention", "apply").exit_code == 0
    db.expire_all()
    assert tuple(db.execute(text(facts), {"i": history["old"]}).one()) == (None, None, None)
    recent = db.execute(text(facts), {"i": history["recent"]}).one()
    assert recent.nik_hash and recent.domicile_village == "Bettet"


def test_redacted_case_is_still_served(cli, history, client, accounts):  # noqa: F811
    assert cli("retention", "apply").exit_code == 0
    resp = client.get(f"/api/v1/assessments/{history['old']}",
                      headers=accounts["supervisor"].headers)
    assert resp.status_code == 200 and resp.get_json()["application_id"] == history["old"]


def test_hand_made_redaction_of_a_recent_row_is_detected(cli, history, engine):  # noqa: F811
    assert cli("retention", "apply").exit_code == 0
    bypass_guards(engine, f"UPDATE decisions SET reason = '' WHERE assessment_id = "
                          f"'{history['recent']}'")
    _, broken = verify_with(engine)
    assert "personal or free-text fields differ" in str(broken)


def test_other_values_in_a_redacted_row_are_detected(cli, history, engine):  # noqa: F811
    assert cli("retention", "apply").exit_code == 0
    bypass_guards(engine, f"UPDATE decisions SET reason = 'diubah' WHERE assessment_id = "
                          f"'{history['old']}'")
    _, broken = verify_with(engine)
    assert "personal or free-text fields differ" in str(broken)


def test_retention_days_must_be_a_positive_number(cli):  # noqa: F811
    result = cli("retention", "apply", "--dry-run", EWS_RETENTION_DAYS="two years")
    assert result.exit_code == 1 and "EWS_RETENTION_DAYS must be a whole number" in result.output


def verify_with(engine):
    with Session(engine) as session:
        return verify(session)


def test_apply_redacts_old_registrations_and_clears_them_from_the_files(
        cli, client, accounts, make_account, db, database_url):  # noqa: F811
    """A registration back-dated past the cut-off loses its hashes, village and number in
    the database and, on SQLite, in the files (the write-ahead log is emptied too)."""
    from ews.store.models import Application
    from tests.test_intake import REGISTRATION

    desk = make_account("intake", "PMK", "desk-pmk")
    for app_id, village in (("PMK-OLD-7", "Bettet"), ("PMK-NEW-7", "Bunder")):
        resp = client.post("/api/v1/applications", headers=desk.headers, json=REGISTRATION | {
            "application_id": app_id, "domicile_village": village})
        assert resp.status_code == 201, resp.get_json()
    db.execute(update_registered_at("PMK-OLD-7"), {"at": dt.datetime(2000, 1, 1)})
    db.commit()
    old = db.scalar(select(Application).where(Application.application_id == "PMK-OLD-7"))
    old_id, intake_hash = old.id, old.intake_hash  # a hash only the old row holds

    def on_disk() -> bytes:
        data = b""
        for suffix in ("", "-wal"):
            try:
                with open(database_url.removeprefix("sqlite:///") + suffix, "rb") as fh:
                    data += fh.read()
            except FileNotFoundError:
                pass
        return data

    sqlite = database_url.startswith("sqlite")
    db.close()
    if sqlite:
        assert intake_hash.encode() in on_disk()
    dry = cli("retention", "apply", "--dry-run")
    assert "1 registrations; would delete" in dry.output, dry.output
    result = cli("retention", "apply")
    assert result.exit_code == 0 and "1 registrations; deleted" in result.output, result.output
    db.expire_all()
    row = db.get(Application, old_id)
    assert (row.nik_hash, row.phone_hash, row.intake_hash, row.domicile_village) == (
        "", None, "", None)
    assert row.application_id == row.id and row.office_code == "PMK"
    recent = db.scalar(select(Application).where(Application.application_id == "PMK-NEW-7"))
    assert recent.nik_hash and recent.domicile_village == "Bunder"
    event = db.scalar(select(AuditEvent).where(AuditEvent.kind == "retention.applied"))
    assert json.loads(event.data)["registrations"] == 1
    # the waiting list no longer shows the redacted registration
    listed = client.get("/api/v1/applications", headers=desk.headers).get_json()
    assert [a["application_id"] for a in listed["items"]] == ["PMK-NEW-7"]
    if sqlite:
        db.close()
        data = on_disk()
        assert intake_hash.encode() not in data and b"PMK-OLD-7" not in data
        assert b"PMK-NEW-7" in data
    # (no `audit verify` here: the back-dating above changed a sealed column behind the
    # service; tests/test_governed_seal.py shows that a redacted registration verifies)


def update_registered_at(app_id: str):
    return text("UPDATE applications SET registered_at = :at "
                f"WHERE application_id = '{app_id}'")
