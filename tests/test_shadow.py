"""Shadow scoring beside the live version: stored apart, isolated from failures, summarised."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, text

from ews.engine import parse_ruleset
from ews.lifecycle import compiled as stored_rulesets
from ews.scoring import score
from ews.store.models import ShadowResult
from tests.checklists import clock
from tests.evidence import approve
from tests.rulesets import MINI


@pytest.fixture
def shadow_pk(client, make_account):
    """MINI approved and put in shadow (by an analyst who did not write it)."""
    author = make_account("analyst", "PST", username="author")
    checker = make_account("analyst", "PST", username="checker")
    pk = client.post("/api/v1/rulesets", json={"text": MINI},
                     headers=author.headers).get_json()["id"]
    client.post(f"/api/v1/rulesets/{pk}/submit", headers=author.headers)
    assert approve(client, checker, pk).status_code == 200
    resp = client.post(f"/api/v1/rulesets/{pk}/shadow", headers=checker.headers)
    assert resp.get_json()["status"] == "shadow"
    return pk


def submit(client, accounts, payload, n: int, **extra):
    return client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                       json=payload(f"SH-{n}", nik=f"35280112019{n:05d}", **extra))


def test_shadow_result_is_stored_beside_the_live_one(client, accounts, payload, shadow_pk, db):
    resp = submit(client, accounts, payload, 1, risky=True)
    assert resp.status_code == 201
    live = resp.get_json()
    assert live["ruleset"]["id"] == "tppo-pmi-default"
    row = db.scalar(select(ShadowResult).where(ShadowResult.assessment_id == live["id"]))
    assert row.ruleset_pk == shadow_pk and row.live_rung == live["recommended_action"]["rung"]
    mini = parse_ruleset(MINI)
    from ews.checklist import validate_checklist

    record = validate_checklist(payload("SH-1", nik="3528011201900001", risky=True), now=clock())
    record |= {"prior_deferral_on_record": False, "repeat_applications_30d": 1,
               "phone_shared_30d": 1}
    assert row.rung == score(record, mini)["recommended_action"]["rung"]
    assert row.live_indicators == [r["indicator"] for r in live["reasons"]] + \
        [r["indicator"] for r in live["protective_flags"]]


def test_a_shadow_that_cannot_be_parsed_leaves_the_request_alone(
        client, accounts, payload, shadow_pk, db, engine, caplog):
    expected = submit(client, accounts, payload, 2, risky=True).get_json()
    with engine.begin() as conn:  # a stored text that no longer parses
        conn.execute(text("UPDATE rulesets SET text = 'indicators: [' WHERE id = :pk"),
                     {"pk": shadow_pk})
    stored_rulesets._COMPILED.clear()
    with caplog.at_level(logging.ERROR, logger="ews.shadow"):
        resp = submit(client, accounts, payload, 3, risky=True)
    assert resp.status_code == 201
    got = resp.get_json()
    assert got["recommended_action"] == expected["recommended_action"]
    assert got["reasons"] == expected["reasons"]
    assert db.scalar(select(ShadowResult).where(ShadowResult.assessment_id == got["id"])) is None
    assert "shadow scoring failed" in caplog.text


def test_a_shadow_that_raises_on_evaluation_leaves_the_request_alone(
        client, accounts, payload, shadow_pk, db, monkeypatch, caplog):
    import ews.lifecycle.shadow as shadow

    def failing(record, ruleset, *args, **kwargs):
        if ruleset.id == "mini":
            raise ZeroDivisionError("evaluation blew up")
        return score(record, ruleset, *args, **kwargs)

    monkeypatch.setattr(shadow, "score", failing)  # fault injection into the shadow only
    with caplog.at_level(logging.ERROR, logger="ews.shadow"):
        resp = submit(client, accounts, payload, 4, risky=True)
    assert resp.status_code == 201
    assert resp.get_json()["ruleset"]["id"] == "tppo-pmi-default"
    assert db.scalar(select(ShadowResult)) is None
    assert "evaluation blew up" in caplog.text
    again = client.get(f"/api/v1/assessments/{resp.get_json()['id']}",
                       headers=accounts["officer"].headers)
    assert again.status_code == 200


def test_the_default_submit_path_looks_up_the_shadow_and_stores_its_result(
        accounts, payload, shadow_pk, db):
    """`submit` without `shadow=` (CLI, demo, tests) finds the version in shadow itself."""
    from ews.checklist import validate_checklist
    from ews.interviews import submit
    from ews.lifecycle.compiled import active_compiled
    from ews.store.models import User

    record = validate_checklist(payload("SH-D", risky=True), now=clock())
    done = submit(db, record, user=db.get(User, accounts["officer"].id),
                  ruleset=active_compiled(db), pii_key="k")
    row = db.scalar(select(ShadowResult)
                    .where(ShadowResult.assessment_id == done.assessment.id))
    assert row is not None and row.ruleset_pk == shadow_pk
    assert row.live_rung == done.assessment.rung


def test_no_shadow_no_rows(client, accounts, payload, db):
    assert submit(client, accounts, payload, 5).status_code == 201
    assert db.scalar(select(ShadowResult)) is None


def test_shadow_summary(client, accounts, payload, shadow_pk):
    for n, extra in enumerate([{}, {"risky": True}, {"return_ticket": "not_booked"}]):
        assert submit(client, accounts, payload, 10 + n, **extra).status_code == 201
    resp = client.get(f"/api/v1/rulesets/{shadow_pk}/shadow-summary",
                      headers=accounts["analyst"].headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["rows"] == 3 and sum(map(sum, body["flips"])) == 3
    assert body["agreement"] == round(body["agreeing"] / 3, 4)
    assert body["offices"] == {"PMK": [3, 3 - body["agreeing"]]}
    assert {"TICKET"} <= {i["id"] for i in body["indicators"] if i["shadow_hits"]}


def test_a_failing_shadow_insert_leaves_the_live_row_stored(
        client, accounts, payload, shadow_pk, db, engine, caplog):
    with engine.begin() as conn:  # the shadow table is gone: the insert fails in the database
        conn.execute(text("ALTER TABLE shadow_results RENAME TO shadow_results_away"))
    try:
        with caplog.at_level(logging.ERROR, logger="ews.shadow"):
            resp = submit(client, accounts, payload, 20, risky=True)
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE shadow_results_away RENAME TO shadow_results"))
    assert resp.status_code == 201
    again = client.get(f"/api/v1/assessments/{resp.get_json()['id']}",
                       headers=accounts["officer"].headers)
    assert again.status_code == 200
    assert again.get_json()["result"]["recommended_action"] == \
        resp.get_json()["recommended_action"]
    assert "storing the shadow result failed" in caplog.text
