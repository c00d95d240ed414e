"""The random follow-up sample: drawn after scoring, unseen by the officer, audited, listed."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from ews.audit import verify
from ews.config import ConfigError, load_config
from ews.learn.frames import assessments_frame
from ews.outcomes.sample import Rates, Sampler, parse_rates, sample_key, selected
from ews.store.models import AuditEvent, FollowupSample, Outcome
from tests.test_review_flow import submit  # noqa: F401  (fixture)
from tests.test_web_pages import login

NIK = "3528011201900001"  # the NIK of tests.checklists.sound_umrah


def test_the_draw_takes_the_configured_share():
    key = sample_key("installation-secret")
    ids = [str(uuid.uuid4()) for _ in range(40_000)]
    drawn = sum(selected(key, i, 0.02) for i in ids)
    assert 0.0175 * len(ids) < drawn < 0.0225 * len(ids)  # 800 expected, sd ~28
    assert not any(selected(key, i, 0.0) for i in ids[:1000])
    assert all(selected(key, i, 1.0) for i in ids[:1000])


def test_the_draw_cannot_be_predicted_without_the_key():
    ids = [str(uuid.uuid4()) for _ in range(40_000)]
    mine = {i for i in ids if selected(sample_key("installation-secret"), i, 0.1)}
    guess = {i for i in ids if selected(sample_key("a guessed secret"), i, 0.1)}
    assert mine == {i for i in ids if selected(sample_key("installation-secret"), i, 0.1)}
    # Another key draws an independent sample: the overlap is what chance gives (~10%).
    assert 0.07 < len(mine & guess) / len(mine) < 0.13


@pytest.mark.parametrize(("text", "default", "offices"), [
    ("", 0.02, {}), ("0.05", 0.05, {}), ("0.02,PMK=0.05", 0.02, {"PMK": 0.05}),
    ("0, pmk = 1 ,SBY=0.1", 0.0, {"PMK": 1.0, "SBY": 0.1})])
def test_rates_parse(text, default, offices):
    rates = parse_rates(text)
    assert (rates.default, dict(rates.offices)) == (default, offices)
    assert rates.of("XYZ") == default


@pytest.mark.parametrize("text", ["2%", "1.5", "-0.1", "nan", "PMK=0.1,0.02", "P MK=0.1",
                                  "0.02,PMK="])
def test_bad_rates_name_the_variable(text, tmp_path):
    env = {"EWS_ENV": "development", "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32,
           "EWS_INSTANCE_PATH": str(tmp_path), "EWS_FOLLOWUP_SAMPLE": text}
    with pytest.raises(ConfigError, match="EWS_FOLLOWUP_SAMPLE"):
        load_config(env)


@pytest.fixture
def app_config(app_config):
    """Every interview below review of PMK drawn; none elsewhere."""
    return app_config | {"FOLLOWUP_SAMPLE": "0,PMK=1"}


def samples(db) -> dict[str, float]:
    db.expire_all()
    return dict(db.execute(select(FollowupSample.assessment_id,
                                  FollowupSample.probability)).all())


def test_only_interviews_below_review_are_drawn_and_the_officer_is_not_told(
        client, db, accounts, payload, caplog):
    officer = accounts["officer"]
    resp = client.post("/api/v1/assessments", headers=officer.headers,
                       json=payload("PMK-S-1"))
    sound = resp.get_json()
    assert resp.status_code == 201 and not sound["decision_required"]
    flagged = client.post("/api/v1/assessments", headers=officer.headers,
                          json=payload("PMK-S-2", risky=True)).get_json()
    assert flagged["decision_required"]
    assert samples(db) == {sound["id"]: 1.0}
    for body in (json.dumps(sound), json.dumps(flagged)):
        assert "sampl" not in body.lower() and "follow" not in body.lower()
    # ... nor on the officer's result page or the assessment the officer reads back
    login(client, officer)
    page = client.get(f"/assessments/{sound['id']}").get_data(as_text=True)
    assert "sampel" not in page.lower() and "sample" not in page.lower()
    read = client.get(f"/api/v1/assessments/{sound['id']}", headers=officer.headers)
    assert "sampl" not in read.get_data(as_text=True).lower()
    # audited, without personal data
    events = db.scalars(select(AuditEvent).where(AuditEvent.kind == "outcome.sampled")).all()
    assert [(e.subject, json.loads(e.data)) for e in events] == [(sound["id"],
                                                                  {"probability": 1.0})]
    assert NIK not in caplog.text and all(NIK not in e.data for e in events)
    assert verify(db)[1] is None


def test_a_replay_draws_nothing_more_and_other_offices_keep_their_share(
        client, db, accounts, payload):
    body = payload("PMK-S-3")
    for _ in range(2):
        client.post("/api/v1/assessments", headers=accounts["officer"].headers, json=body)
    client.post("/api/v1/assessments", headers=accounts["officer_sby"].headers,
                json=payload("SBY-S-1", office_code="SBY"))
    assert len(samples(db)) == 1


def test_supervisors_see_the_sample_and_its_label_stays_sample(client, db, accounts, payload):
    officer, sup = accounts["officer"], accounts["supervisor"]
    drawn = client.post("/api/v1/assessments", headers=officer.headers,
                        json=payload("PMK-S-4")).get_json()["id"]
    login(client, sup)
    page = client.get("/review/samples").get_data(as_text=True)
    assert "PMK-S-4" in page and f'data-sample="{drawn}"' in page
    assert "data-follow-up-sample" in client.get("/review/cases").get_data(as_text=True)
    resp = client.post(f"/api/v1/assessments/{drawn}/outcome", headers=sup.headers,
                       json={"outcome": "confirmed_nonprocedural"})
    assert resp.status_code == 201
    assert db.scalar(select(Outcome.origin)) == "sample"
    # recorded: it leaves the waiting list, stays in the full one
    assert "PMK-S-4" not in client.get("/review/samples").get_data(as_text=True)
    assert "PMK-S-4" in client.get("/review/samples?all=1").get_data(as_text=True)
    frame = assessments_frame(db)
    row = frame.set_index("assessment_id").loc[drawn]
    assert (row["outcome"], row["label_origin"], row["sample_probability"]) == (
        "confirmed_nonprocedural", "sample", 1.0)
    assert verify(db)[1] is None


def test_a_draw_cannot_be_undone(client, db, accounts, payload):
    client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                json=payload("PMK-S-6"))
    for statement in (delete(FollowupSample), update(FollowupSample).values(probability=0.5)):
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(statement)
        db.rollback()
    assert list(samples(db).values()) == [1.0]


def test_officers_do_not_see_the_sample_list(client, accounts, payload):
    client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                json=payload("PMK-S-5"))
    login(client, accounts["officer"])
    assert client.get("/review/samples").status_code == 403


def test_the_sampler_reads_the_app_config():
    sampler = Sampler.of_config({"SECRET_KEY": "k", "FOLLOWUP_SAMPLE": Rates(0.5, {"A": 0})})
    values = {"id": "x", "office_code": "A", "decision_required": False}
    assert sampler.draw(values, now=None) is None
    assert sampler.draw(values | {"office_code": "B", "decision_required": True},
                        now=None) is None
