"""Approving names a stored backtest or shadow summary of exactly that text; refusals audited."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from ews.cli import main
from ews.store.models import AuditEvent, Evidence, RuleSetTransition
from tests.evidence import evidence_for
from tests.rulesets import MINI
from tests.test_web_pages import login

API = "/api/v1/rulesets"


@pytest.fixture
def people(accounts, make_account):
    """The author (analyst), a checker, and one stored interview to replay."""
    return {"author": accounts["analyst"],
            "checker": make_account("analyst", "PST", username="checker"),
            "admin": accounts["admin"], "officer": accounts["officer"]}


@pytest.fixture
def in_review(client, people, payload):
    """MINI drafted and submitted; one interview stored (so a backtest has rows)."""
    assert client.post("/api/v1/assessments", json=payload("EV-1"),
                       headers=people["officer"].headers).status_code == 201
    body = client.post(API, json={"text": MINI}, headers=people["author"].headers).get_json()
    assert client.post(f"{API}/{body['id']}/submit",
                       headers=people["author"].headers).status_code == 200
    return body


def refusals(db) -> list[dict]:
    db.expire_all()
    return [json.loads(e.data) | {"actor": e.actor} for e in db.scalars(
        select(AuditEvent).where(AuditEvent.kind == "ruleset.refused")
        .order_by(AuditEvent.seq))]


def test_approval_without_evidence_is_refused_and_audited(client, db, people, in_review):
    pk, checker = in_review["id"], people["checker"]
    resp = client.post(f"{API}/{pk}/approve", json={"reason": "looks right"},
                       headers=checker.headers)
    assert resp.status_code == 422
    assert "name a stored backtest or shadow summary of this text" in resp.get_json()["detail"]
    [refused] = refusals(db)
    assert refused["action"] == "approve" and refused["refusal"] == "evidence_required"
    assert refused["actor"] == "checker" and refused["ruleset_pk"] == pk
    detail = client.get(f"{API}/{pk}", headers=checker.headers).get_json()
    assert detail["status"] == "in_review"


def test_a_backtest_of_the_text_is_the_evidence_of_its_approval(client, db, people,
                                                                in_review):
    pk, checker = in_review["id"], people["checker"]
    run = client.post(f"{API}/{pk}/backtest", json={}, headers=checker.headers)
    assert run.status_code == 200 and run.get_json()["rows"] == 1
    ev = run.get_json()["evidence_id"]
    stored = db.get(Evidence, ev)
    assert (stored.sha256, stored.kind, stored.created_by) == (in_review["sha256"],
                                                               "backtest", "checker")
    assert stored.summary["rows"] == 1 and stored.summary["baseline"]["id"] == \
        "tppo-pmi-default"
    resp = client.post(f"{API}/{pk}/approve", json={"evidence": ev}, headers=checker.headers)
    assert resp.status_code == 200 and resp.get_json()["status"] == "approved"
    step = db.scalar(select(RuleSetTransition).where(RuleSetTransition.ruleset_pk == pk,
                                                     RuleSetTransition.action == "approve"))
    assert (step.evidence_id, step.sha256) == (ev, in_review["sha256"])
    approved = db.scalar(select(AuditEvent).where(AuditEvent.kind == "ruleset.approved"))
    assert json.loads(approved.data)["evidence_id"] == ev


def test_evidence_of_another_text_is_refused(client, db, engine, people, in_review):
    pk, checker = in_review["id"], people["checker"]
    other = evidence_for(engine, "a" * 64)
    resp = client.post(f"{API}/{pk}/approve", json={"evidence": other},
                       headers=checker.headers)
    assert resp.status_code == 422
    assert f"evidence #{other} is not a stored backtest" in resp.get_json()["detail"]
    # a backtest of the draft before its last edit does not vouch for the edited text
    author = people["author"].headers
    client.post(f"{API}/{pk}/withdraw", headers=author)
    before = client.post(f"{API}/{pk}/backtest", json={}, headers=author).get_json()
    client.put(f"{API}/{pk}", json={"text": MINI + "\n# edited\n"}, headers=author)
    client.post(f"{API}/{pk}/submit", headers=author)
    resp = client.post(f"{API}/{pk}/approve", json={"evidence": before["evidence_id"]},
                       headers=checker.headers)
    assert resp.status_code == 422
    assert [r["refusal"] for r in refusals(db)] == ["evidence_mismatch", "evidence_mismatch"]


def test_refused_edits_and_steps_are_audited(client, db, people, in_review):
    pk = in_review["id"]
    assert client.put(f"{API}/{pk}", json={"text": MINI + "\n# x\n"},
                      headers=people["author"].headers).status_code == 409  # frozen
    assert client.post(f"{API}/{pk}/activate",
                       headers=people["admin"].headers).status_code == 409
    assert client.post(f"{API}/{pk}/approve", json={"evidence": 1},
                       headers=people["author"].headers).status_code == 403
    got = [(r["action"], r["refusal"], r["actor"]) for r in refusals(db)]
    assert got == [("edit", "frozen", people["author"].username),
                   ("activate", "wrong_state", people["admin"].username),
                   ("approve", "not_by_author", people["author"].username)]


def test_pages_store_the_backtest_and_offer_it_to_the_approver(client, db, people,
                                                               in_review):
    pk = in_review["id"]
    login(client, people["checker"])
    page = client.get(f"/rules/{pk}").get_data(as_text=True)
    assert "data-no-evidence" in page
    resp = client.post(f"/rules/{pk}/step/approve", data={"sha256": in_review["sha256"]},
                       follow_redirects=True)
    assert "pilih uji balik atau ringkasan bayangan" in resp.get_data(as_text=True)
    html = client.get(f"/rules/{pk}/backtest").get_data(as_text=True)
    ev = db.scalar(select(Evidence.id).where(Evidence.sha256 == in_review["sha256"]))
    assert f'data-evidence="{ev}"' in html
    page = client.get(f"/rules/{pk}").get_data(as_text=True)
    assert f'<option value="{ev}">' in page
    resp = client.post(f"/rules/{pk}/step/approve",
                       data={"sha256": in_review["sha256"], "evidence": str(ev)},
                       follow_redirects=True)
    assert 'data-state="approved"' in resp.get_data(as_text=True)


def test_cli_backtest_stores_evidence_that_approve_names(database_url, db, people, in_review,
                                                        tmp_path):
    env = {"EWS_ENV": "production", "EWS_DATABASE_URL": database_url,
           "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32}
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    run = CliRunner().invoke(main, ["backtest", str(path), "--workers", "1", "--format", "json",
                                    "--user", "checker"], env=env)
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["rows"] == 1
    ev = int(run.stderr.split("evidence #")[1].split(":")[0])
    assert db.get(Evidence, ev).sha256 == in_review["sha256"]
    out = CliRunner().invoke(main, ["rules", "approve", str(in_review["id"]), "--user",
                                    "checker", "--evidence", str(ev)], env=env)
    assert out.exit_code == 0 and "approve -> approved" in out.output, out.output
