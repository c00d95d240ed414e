"""The front desk's page (issue #24.4): register in the browser's form with the API's checks,
today's registrations of the office, and a correction while no interview has used it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ews import audit
from ews.store.models import Application, AuditEvent
from tests.test_intake import NIK, REGISTRATION
from tests.test_web_pages import login


@pytest.fixture
def desk(make_account):
    return make_account("intake", "PMK", "desk-pmk")


FORM = {k: v for k, v in REGISTRATION.items() if k != "office_code"} | {
    "date_of_birth": "05/12/2006"}


def test_desk_registers_lists_today_and_corrects_until_interviewed(client, db, desk,
                                                                     accounts, payload):
    login(client, desk)
    assert client.get("/").headers["Location"] == "/desk"
    bad = client.post("/desk", data=FORM | {"nik": "123"})
    assert bad.status_code == 422 and 'id="err-nik"' in bad.get_data(as_text=True)
    done = client.post("/desk", data=FORM)
    assert done.status_code == 303
    page = client.get("/desk").get_data(as_text=True)
    assert 'data-registration="PMK-2026-000777"' in page and "data-correct-registration" in page
    row = db.scalar(select(Application))
    assert row.registered_by == desk.id and row.age_band == "18_24" and row.nik_hash != NIK
    other = client.post("/desk", data=FORM | {"purpose": "umrah_hajj"})
    assert other.status_code == 409  # the same number with other data: the API's rule

    form = client.get(f"/desk/{row.id}/correct").get_data(as_text=True)
    assert 'value="PMK-2026-000777"' in form and 'name="nik" value=""' in form  # retyped
    fixed = client.post(f"/desk/{row.id}/correct",
                        data=FORM | {"application_id": "PMK-2026-000778"})
    assert fixed.status_code == 303
    db.expire_all()
    assert db.get(Application, row.id).application_id == "PMK-2026-000778"
    event = db.scalar(select(AuditEvent).where(AuditEvent.kind == "application.corrected"))
    assert "application_id" in event.data and "PMK-2026-000778" not in event.data
    assert audit.verify(db)[1] is None

    stored = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                         json=payload("PMK-2026-000778"))
    assert stored.status_code == 201
    assert "data-correct-registration" not in client.get("/desk").get_data(as_text=True)
    assert client.get(f"/desk/{row.id}/correct").status_code == 409
    assert client.post(f"/desk/{row.id}/correct", data=FORM).status_code == 409


def test_only_the_front_desk_registers_on_the_page(client, accounts):
    login(client, accounts["officer"])
    assert client.get("/desk").status_code == 403
