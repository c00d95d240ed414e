"""Every error under /api is problem+json with a clear detail, and never echoes PII."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from ews.store.models import Assessment

PROBLEM = "application/problem+json"
NIK = "3528011201900001"


def check_problem(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in resp.get_data(as_text=True)
    return body


def test_400_malformed_json(client, accounts):
    resp = client.post("/api/v1/assessments", data=b'{"application_id": "A-1",',
                       content_type="application/json", headers=accounts["officer"].headers)
    assert "not valid JSON" in check_problem(resp, 400)["detail"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer ews_wrong"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}])
def test_401_without_valid_credentials(client, headers):
    resp = client.get("/api/v1/assessments", headers=headers)
    check_problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_403_other_office(client, accounts, payload, db):
    resp = client.post("/api/v1/assessments", json=payload(office_code="SBY"),
                       headers=accounts["officer"].headers)
    assert "SBY" in check_problem(resp, 403)["detail"]
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0


def test_404_unknown_assessment_and_route(client, accounts):
    check_problem(client.get("/api/v1/assessments/nope", headers=accounts["admin"].headers), 404)
    check_problem(client.get("/api/v1/nothing-here", headers=accounts["admin"].headers), 404)


def test_405_is_problem_json_too(client, accounts):
    check_problem(client.delete("/api/v1/assessments", headers=accounts["admin"].headers), 405)


def test_409_conflict(client, accounts, payload):
    client.post("/api/v1/assessments", json=payload(), headers=accounts["officer"].headers)
    resp = client.post("/api/v1/assessments", json=payload(purpose_explained="no"),
                       headers=accounts["officer"].headers)
    assert check_problem(resp, 409)["conflicts"] == ["purpose_explained"]


def test_413_body_too_large(client, accounts, payload):
    body = payload(officer_notes="x" * 300_000)
    resp = client.post("/api/v1/assessments", json=body, headers=accounts["officer"].headers)
    check_problem(resp, 413)


def test_415_not_json(client, accounts):
    resp = client.post("/api/v1/assessments", data="application_id=A-1",
                       content_type="application/x-www-form-urlencoded",
                       headers=accounts["officer"].headers)
    check_problem(resp, 415)


@pytest.mark.parametrize("change, field", [
    ({"nik": "35280112019X0001"}, "nik"),
    ({"phone": "call me 0812"}, "phone"),
    ({"purpose": "smuggling"}, "purpose"),
    ({"destination_country": "XX"}, "destination_country"),
    ({"lost_passport_count": 99}, "lost_passport_count"),
    ({"umrah_documents": None}, "umrah_documents"),  # required for umrah
    ({"favourite_colour": "red"}, "favourite_colour"),
    ({"application_id": None}, "application_id"),
])
def test_422_names_the_field_and_never_echoes_the_value(client, accounts, payload, change,
                                                         field, db):
    resp = client.post("/api/v1/assessments", json=payload(**change),
                       headers=accounts["officer"].headers)
    body = check_problem(resp, 422)
    assert list(body["errors"]) == [field]
    text = resp.get_data(as_text=True)
    for value in change.values():
        if isinstance(value, str):
            assert value not in text
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0


def test_422_in_indonesian_on_request(client, accounts, payload):
    resp = client.post("/api/v1/assessments", json=payload(nik="123"),
                       headers=accounts["officer"].headers | {"Accept-Language": "id"})
    assert check_problem(resp, 422)["errors"]["nik"] == ["NIK harus tepat 16 angka (0-9)."]


def test_422_non_object_body_and_bad_query(client, accounts):
    resp = client.post("/api/v1/assessments", json=[1, 2],
                       headers=accounts["officer"].headers)
    check_problem(resp, 422)
    resp = client.get("/api/v1/assessments?per_page=0&action=arrest",
                      headers=accounts["officer"].headers)
    assert set(check_problem(resp, 422)["errors"]) == {"per_page", "action"}


def test_422_unknown_office_for_admin(client, accounts, payload):
    resp = client.post("/api/v1/assessments", json=payload(office_code="NOPE"),
                       headers=accounts["admin"].headers)
    assert check_problem(resp, 422)["errors"] == {"office_code": ["Unknown office."]}


def test_503_without_active_rule_set(client, accounts, payload, db):
    from sqlalchemy import update

    from ews.store.models import RuleSetRecord

    db.execute(update(RuleSetRecord).values(status="retired"))
    db.commit()
    check_problem(client.post("/api/v1/assessments", json=payload(),
                              headers=accounts["officer"].headers), 503)
    check_problem(client.get("/readyz"), 503)


def test_500_is_problem_json_without_details(app, accounts, caplog):
    @app.route("/api/v1/boom")
    def boom():
        raise RuntimeError(f"secret {NIK}")

    resp = app.test_client().get("/api/v1/boom")
    body = check_problem(resp, 500)
    assert NIK not in resp.get_data(as_text=True) and body["request_id"]
    assert NIK not in caplog.text


def test_pii_never_reaches_the_logs(client, accounts, payload, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/api/v1/assessments", json=payload(), headers=accounts["officer"].headers)
    client.post("/api/v1/assessments", json=payload("B", nik="12"),
                headers=accounts["officer"].headers)
    client.get(f"/api/v1/assessments/{NIK}", headers=accounts["officer"].headers)
    assert caplog.records
    for value in (NIK, "Siti Contoh", "1990-01-12", "0000 0001", "+62 812"):
        assert value not in caplog.text


def test_access_log_names_the_user_that_made_the_request(client, accounts, payload):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    access = logging.getLogger("ews.access")
    access.addHandler(handler)
    try:
        client.post("/api/v1/assessments", json=payload(), headers=accounts["officer"].headers)
        client.get("/healthz")
        client.get("/api/v1/assessments")  # no credentials: 401
    finally:
        access.removeHandler(handler)
    by_path = [(r.path, r.status, r.user_id) for r in records]
    assert by_path == [("/api/v1/assessments", 201, accounts["officer"].id),
                       ("/healthz", 200, None), ("/api/v1/assessments", 401, None)]


def test_request_id_is_echoed_and_carried_by_problems(client):
    resp = client.get("/api/v1/nothing", headers={"X-Request-ID": "trace-42"})
    assert resp.status_code == 404
    assert resp.headers["X-Request-ID"] == "trace-42"
    assert resp.get_json()["request_id"] == "trace-42"
    # Not an id we echo (spaces, too long): a fresh one, on the answer and in its problem.
    for given in ("has spaces", "x" * 65):
        resp = client.get("/api/v1/nothing", headers={"X-Request-ID": given})
        assert resp.headers["X-Request-ID"] != given
        assert resp.get_json()["request_id"] == resp.headers["X-Request-ID"]
