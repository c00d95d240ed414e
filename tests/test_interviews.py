"""The interview step (`ews.interviews`): no leakage between versions of one application."""

from __future__ import annotations

from ews.store.models import Assessment, Decision


def post(client, account, body):
    return client.post("/api/v1/assessments", json=body, headers=account.headers)


def test_a_follow_up_does_not_learn_from_the_deferral_of_its_own_application(
        client, accounts, payload, db):
    """Issue #21.7: the supervisor's decision on the same case is not history about it."""
    officer = accounts["officer"]
    first = post(client, officer, payload("FU-1", risky=True)).get_json()
    db.add(Decision(assessment_id=first["id"], decision="deferred", reason="tunda",
                    decided_by=accounts["supervisor"].id))
    db.commit()
    follow = post(client, officer, payload("FU-1", risky=True, officer_notes="tindak lanjut",
                                           follow_up=True))
    assert follow.status_code == 201
    row = db.get(Assessment, follow.get_json()["id"])
    assert row.version == 2 and row.supersedes_id == first["id"]
    assert row.features["prior_supervisor_decision"] is False
    assert row.features["last_decided_by_supervisor"] is False
    assert row.features["repeat_applications_30d"] == 0
    assert row.features["phone_shared_30d"] == 1
    # Another application of the same person still carries that history.
    other = post(client, officer, payload("FU-2", risky=True)).get_json()
    features = db.get(Assessment, other["id"]).features
    assert features["prior_supervisor_decision"] is True
    assert features["last_decided_by_supervisor"] is True
    assert features["repeat_applications_30d"] == 2
