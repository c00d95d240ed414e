"""Intake: the front desk registers applications; officers open them without retyping identity."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ews import audit
from ews.cli import main
from ews.store.models import Application, Assessment, AuditEvent
from tests.test_web_pages import form_data, login

NIK = "3528014512060003"  # a girl born 5 December 2006: an adult from December 2024
CHILD_NIK = "3528015203150002"  # a girl born 12 March 2015
REGISTRATION = {"application_id": "PMK-2026-000777", "office_code": "PMK", "nik": NIK,
                "full_name": "Siti Contoh", "date_of_birth": "2006-12-05", "sex": "female",
                "phone": "0812 0000 0777", "domicile_regency": "Pamekasan",
                "domicile_district": "Pademawu", "domicile_village": "Bunder",
                "purpose": "tourism", "application_type": "new"}
# A sound tourist, as answered on the form (identity comes from the registration).
SOUND_TOURIST = {"destination_country": "MY", "purpose_explained": "yes",
                 "destination_address_known": "yes", "return_ticket": "return_booked",
                 "visa_status": "not_yet", "job_offer_channel": "none",
                 "accompanied_by": "immediate_family"}


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def desk(make_account, accounts):
    return make_account("intake", "PMK", "desk-pmk")


def register(client, account, **overrides):
    return client.post("/api/v1/applications", json=REGISTRATION | overrides,
                       headers=account.headers)


def test_registration_keeps_identity_only_as_hashes_and_is_audited(client, desk, db, engine):
    resp = register(client, desk)
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["status"] == "waiting" and body["application_id"] == "PMK-2026-000777"
    assert body["is_minor"] is False and "nik" not in body and "nik_hash" not in body
    row = db.scalar(select(Application))
    assert row.nik_hash and row.nik_hash != NIK and row.phone_hash
    assert row.origin_kecamatan == "352801" and row.age_band == "18_24"
    assert row.sex == "female" and row.domicile_village == "Bunder"
    with engine.connect() as conn:  # nothing in clear anywhere: name, NIK, birth date, phone
        dump = "\n".join(str(r) for t in ("applications", "audit_events")
                         for r in conn.exec_driver_sql(f"SELECT * FROM {t}"))
    for secret in (NIK, "Siti", "2006-12-05", "0000 0777", "6281200000777"):
        assert secret not in dump
    event = db.scalar(select(AuditEvent).where(AuditEvent.kind == "application.registered"))
    assert event.actor == "desk-pmk" and event.subject == row.id
    # the same registration again changes nothing; other data under the same id is refused
    assert register(client, desk).status_code == 200
    assert register(client, desk, phone="0812 9999 0000").status_code == 409
    assert count(db, Application) == 1
    assert audit.verify(db)[1] is None  # the registration is sealed by its event


@pytest.mark.parametrize(("field", "value", "words"), [
    ("nik", "35280145120600", "16 digits"), ("nik", "3528019912060003", "date part"),
    ("nik", "9928014512060003", "area code"), ("date_of_birth", "2999-01-01", "future"),
    ("purpose", "holiday", "Must be one of"), ("application_id", None, "empty"),
])
def test_bad_registration_is_422_naming_the_field_and_stores_nothing(client, desk, db, field,
                                                                     value, words):
    resp = register(client, desk, **{field: value})
    assert resp.status_code == 422
    assert resp.content_type == "application/problem+json"
    assert words in " ".join(resp.json["errors"][field])
    assert "35280145120600" not in resp.get_data(as_text=True)
    assert count(db, Application) == 0
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.kind == "application.registered")) == 0


def test_intake_role_registers_only_its_office_and_reads_no_assessment(client, desk, accounts,
                                                                       payload):
    assert register(client, desk, office_code="SBY").status_code == 403
    assert register(client, accounts["officer"]).status_code == 403
    assert register(client, accounts["analyst"]).status_code == 403
    assert register(client, accounts["admin"], office_code="SBY").status_code == 201
    assert register(client, accounts["admin"], application_id="X1",
                    office_code="NOPE").status_code == 422
    client.post("/api/v1/assessments", json=payload(), headers=accounts["officer"].headers)
    assert client.get("/api/v1/assessments", headers=desk.headers).status_code == 403
    assert client.post("/api/v1/assessments", json=payload("Z1"),
                       headers=desk.headers).status_code == 403
    listed = client.get("/api/v1/applications", headers=desk.headers).json["items"]
    assert listed == []  # the SBY registration is not this desk's office


def test_v2_field_in_a_v1_payload_is_422_naming_the_field(client, accounts, payload, db):
    body = {"checklist_version": 1, "application_id": "V1-1", "office_code": "PMK",
            "purpose": "tourism", "destination_country": "MY", "job_sector": "domestic"}
    resp = client.post("/api/v1/assessments", json=body, headers=accounts["officer"].headers)
    assert resp.status_code == 422
    assert "job_sector" in resp.json["errors"]
    assert count(db, Assessment) == 0


def test_officer_opens_a_registration_and_identity_is_not_retyped(client, desk, accounts, db):
    register(client, desk)
    register(client, desk, application_id="PMK-2026-000778", nik=CHILD_NIK,
             date_of_birth=None, phone=None)
    login(client, accounts["officer"])
    home = client.get("/").get_data(as_text=True)
    assert "PMK-2026-000777" in home and "PMK-2026-000778" in home
    row = db.scalar(select(Application).where(Application.application_id == "PMK-2026-000777"))
    html = client.get(f"/interviews/new?intake={row.id}").get_data(as_text=True)
    assert f'name="intake_id" value="{row.id}"' in html
    assert re.search(r'name="purpose" value="tourism"\s+checked', html)
    assert re.search(r'name="application_type" value="new"\s+checked', html)
    for name in ("nik", "full_name", "date_of_birth", "phone", "sex"):
        assert f'name="{name}"' not in html, name
    # a typed NIK is ignored: the registered identity is used
    resp = client.post("/interviews/new", data=form_data(SOUND_TOURIST | {
        "intake_id": row.id, "application_id": "TAMPERED", "purpose": "tourism",
        "application_type": "new", "nik": CHILD_NIK}))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    stored = db.scalar(select(Assessment))
    assert stored.application_id == "PMK-2026-000777"
    assert stored.nik_hash == row.nik_hash and stored.phone_hash == row.phone_hash
    assert stored.origin_kecamatan == "352801"
    assert stored.features["is_minor"] is False and stored.features["age_band"] == "18_24"
    assert stored.answers["sex"] == "female" and stored.answers["domicile_regency"] == "Pamekasan"
    waiting = client.get("/api/v1/applications?status=waiting", headers=desk.headers).json
    assert [w["application_id"] for w in waiting["items"]] == ["PMK-2026-000778"]
    assert "PMK-2026-000777" not in client.get("/").get_data(as_text=True).split(
        "data-waiting")[1].split("</section>")[0]
    # the child's registration: the minor section applies without any date typed
    child = db.scalar(select(Application).where(Application.application_id == "PMK-2026-000778"))
    assert child.is_minor is True
    html = client.get(f"/interviews/new?intake={child.id}").get_data(as_text=True)
    assert 'data-minor="true"' in html


def test_a_registration_of_another_office_cannot_be_opened(client, accounts, make_account, db):
    other = make_account("intake", "SBY", "desk-sby")
    register(client, other, office_code="SBY")
    row = db.scalar(select(Application))
    login(client, accounts["officer"])
    html = client.get(f"/interviews/new?intake={row.id}").get_data(as_text=True)
    assert 'name="intake_id"' not in html  # not pre-filled: a plain form
    resp = client.post("/interviews/new", data=form_data(SOUND_TOURIST | {
        "intake_id": row.id, "application_id": "X", "purpose": "tourism"}))
    assert resp.status_code == 404
    assert count(db, Assessment) == 0


def test_none_of_without_script_fills_the_rest_of_the_section_with_no(client, accounts, db):
    login(client, accounts["officer"])
    data = {"application_id": "T-1", "purpose": "tourism", "prior_overstay": "true",
            "none_of": "history"}
    resp = client.post("/interviews/new", data=data)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert re.search(r'name="prior_deportation" value="false"\s+checked', html)
    assert re.search(r'name="prior_overstay" value="true"\s+checked', html)  # kept
    # checklist v2.1 asks for the earlier lost passports; the v2.0 count is not asked any more
    assert re.search(r'id="in-earlier_lost_passports" name="earlier_lost_passports" value="0"',
                     html)
    assert 'name="lost_passport_count"' not in html
    assert not re.search(r'name="distress_observed" value="false"\s+checked', html)
    assert count(db, Assessment) == 0
    # the minor question is a tap target only while the age is unknown
    html = client.post("/interviews/new", data={"none_of": "minor"}).get_data(as_text=True)
    assert re.search(r'name="appears_minor" value="false"\s+checked', html)
    html = client.post("/interviews/new", data={"none_of": "minor",
                                                "date_of_birth": "1990-01-01"}).get_data(
        as_text=True)
    assert not re.search(r'name="appears_minor" value="false"\s+checked', html)


def test_result_page_lists_questions_not_asked(client, accounts, db):
    login(client, accounts["officer"])
    resp = client.post("/interviews/new", data=form_data(SOUND_TOURIST | {
        "application_id": "N-1", "purpose": "tourism", "purpose_explained": None}),
        follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "data-not-asked" in html
    assert 'data-not-asked-field="purpose_explained"' in html
    assert 'data-not-asked-field="prior_overstay"' in html
    assert "pertanyaan belum ditanyakan" in html


def _cli(database_url, *args):
    env = {"EWS_ENV": "production", "EWS_DATABASE_URL": database_url,
           "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32}
    return CliRunner().invoke(main, ["intake", *map(str, args)], env=env)


HEADER = ",".join(REGISTRATION)


def _csv(tmp_path, *rows: dict) -> str:
    lines = [HEADER] + [",".join(str(r.get(k) or "") for k in REGISTRATION) for r in rows]
    path = tmp_path / "today.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_registers_a_file_and_a_bad_row_stores_nothing(app, accounts, db, database_url,
                                                           tmp_path):
    good = _csv(tmp_path, REGISTRATION, REGISTRATION | {"application_id": "PMK-2", "nik":
                                                        CHILD_NIK})
    result = _cli(database_url, good)
    assert result.exit_code == 0, result.output
    assert "registered 2 application(s)" in result.output
    assert _cli(database_url, good).output.strip().endswith("2 already registered")
    assert count(db, Application) == 2

    bad = _csv(tmp_path, REGISTRATION | {"application_id": "PMK-3"},
               REGISTRATION | {"application_id": "PMK-4", "nik": "3528019912060003"},
               REGISTRATION | {"application_id": "PMK-5", "office_code": "ZZZ"})
    result = _cli(database_url, bad)
    assert result.exit_code == 1
    assert "line 3: nik: The NIK's date part" in result.output
    assert "line 4: office_code: unknown office" in result.output
    assert "3528019912060003" not in result.output and "Siti" not in result.output
    assert "nothing was stored" in result.output
    assert count(db, Application) == 2

    (tmp_path / "cols.csv").write_text("application_id,nik\nA,1\n")
    result = _cli(database_url, tmp_path / "cols.csv")
    assert result.exit_code == 1 and "line 1: missing column(s): office_code" in result.output


def test_front_desk_pages_show_the_waiting_list_and_nothing_else(client, desk, accounts,
                                                                 payload):
    register(client, desk)
    stored = client.post("/api/v1/assessments", json=payload("OTHER-1"),
                         headers=accounts["officer"].headers).json
    login(client, desk)
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "PMK-2026-000777" in home and "Mulai wawancara" not in home
    assert client.get("/interviews/new").status_code == 403
    assert client.get(f"/assessments/{stored['id']}").status_code == 403
