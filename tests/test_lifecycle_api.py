"""The rule-set lifecycle through the API and the CLI: maker-checker, frozen text, audit."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from ews import audit
from ews.cli import main
from ews.engine import load_ruleset
from ews.store.models import AuditEvent, RuleSetRecord, RuleSetTransition
from tests.conftest import DEFAULT_RULES
from tests.evidence import approve, evidence_for
from tests.rulesets import MINI

DEFAULT_VERSION = load_ruleset(DEFAULT_RULES).version

V1 = MINI
V2 = MINI.replace('version: "1"', 'version: "2"')
V2_EDITED = V2.replace("points: 35", "points: 40")


@pytest.fixture
def people(make_account):
    """An author and a second analyst, and two admins."""
    return {"author": make_account("analyst", "PST", username="author"),
            "analyst2": make_account("analyst", "PST", username="analyst2"),
            "admin": make_account("admin", "PST", username="admin1"),
            "admin2": make_account("admin", "PST", username="admin2")}


def post(client, who, path, reason=None):
    body = {"reason": reason} if reason is not None else None
    return client.post(f"/api/v1/rulesets{path}", json=body, headers=who.headers)


def draft(client, who, text=V1):
    resp = client.post("/api/v1/rulesets", json={"text": text}, headers=who.headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def approved(client, people, text=V1):
    pk = draft(client, people["author"], text)
    assert post(client, people["author"], f"/{pk}/submit").status_code == 200
    assert approve(client, people["analyst2"], pk).status_code == 200
    return pk


def live_id(client, who) -> int:
    return client.get("/api/v1/rulesets/active", headers=who.headers).get_json()["id"]


def test_draft_review_approve_activate(client, people, db):
    pk = draft(client, people["author"])
    assert post(client, people["author"], f"/{pk}/submit").get_json()["status"] == "in_review"
    resp = approve(client, people["analyst2"], pk, reason="checked the points")
    assert resp.status_code == 200
    assert resp.get_json()["approved_by"] == "analyst2"
    resp = post(client, people["admin"], f"/{pk}/activate", reason="go")
    assert resp.status_code == 200 and resp.get_json()["status"] == "live"
    assert live_id(client, people["admin"]) == pk
    states = {r["ruleset_id"]: r["status"] for r in
              client.get("/api/v1/rulesets", headers=people["admin"].headers).get_json()}
    assert states == {"mini": "live", "tppo-pmi-default": "retired"}
    assert audit.verify(db)[1] is None  # every step re-sealed the rows it changed


@pytest.mark.parametrize("step", ["approve", "reject"])
def test_self_review_is_refused_with_403(client, people, step):
    pk = draft(client, people["author"])
    post(client, people["author"], f"/{pk}/submit")
    resp = post(client, people["author"], f"/{pk}/{step}", reason="looks fine to me")
    assert resp.status_code == 403 and resp.mimetype == "application/problem+json"
    assert "someone other than its author" in resp.get_json()["detail"]
    detail = client.get(f"/api/v1/rulesets/{pk}", headers=people["author"].headers).get_json()
    assert detail["status"] == "in_review"


def test_self_activation_is_refused_even_for_an_admin(client, people):
    pk = draft(client, people["admin"])
    post(client, people["admin"], f"/{pk}/submit")
    assert approve(client, people["analyst2"], pk).status_code == 200
    resp = post(client, people["admin"], f"/{pk}/activate")
    assert resp.status_code == 403
    assert "activated by someone other than its author" in resp.get_json()["detail"]
    assert post(client, people["admin2"], f"/{pk}/activate").status_code == 200


def test_activating_a_draft_or_unreviewed_version_is_refused(client, people):
    pk = draft(client, people["author"])
    resp = post(client, people["admin"], f"/{pk}/activate")
    assert resp.status_code == 409 and "'draft' cannot be activated" in resp.get_json()["detail"]
    post(client, people["author"], f"/{pk}/submit")
    assert post(client, people["admin"], f"/{pk}/activate").status_code == 409


def test_analyst_may_approve_but_not_activate(client, people):
    pk = approved(client, people)
    resp = post(client, people["analyst2"], f"/{pk}/activate")
    assert resp.status_code == 403 and "ruleset.activate" in resp.get_json()["detail"]


def test_reject_needs_a_reason_and_returns_to_draft(client, people):
    pk = draft(client, people["author"])
    post(client, people["author"], f"/{pk}/submit")
    resp = post(client, people["analyst2"], f"/{pk}/reject")
    assert resp.status_code == 422 and "give a reason" in resp.get_json()["detail"]
    resp = post(client, people["analyst2"], f"/{pk}/reject", reason="D1S too strong")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "draft" and body["review_note"] == "D1S too strong"


def test_text_is_frozen_from_review_on(client, people):
    pk = draft(client, people["author"], V2)
    put = client.put(f"/api/v1/rulesets/{pk}", json={"text": V2_EDITED},
                     headers=people["author"].headers)
    assert put.status_code == 200
    sha_draft = put.get_json()["sha256"]
    post(client, people["author"], f"/{pk}/submit")
    put = client.put(f"/api/v1/rulesets/{pk}", json={"text": V2},
                     headers=people["author"].headers)
    assert put.status_code == 409 and "frozen" in put.get_json()["detail"]
    detail = client.get(f"/api/v1/rulesets/{pk}", headers=people["author"].headers).get_json()
    assert detail["sha256"] == sha_draft and detail["text"] == V2_EDITED


def test_only_the_author_edits_a_draft(client, people):
    pk = draft(client, people["author"], V2)
    put = client.put(f"/api/v1/rulesets/{pk}", json={"text": V2_EDITED},
                     headers=people["analyst2"].headers)
    assert put.status_code == 403


def test_id_and_version_are_unique(client, people, db):
    draft(client, people["author"], V2)
    resp = client.post("/api/v1/rulesets", json={"text": V2_EDITED},
                       headers=people["analyst2"].headers)
    assert resp.status_code == 409 and "version '2'" in resp.get_json()["detail"]
    assert db.scalar(select(RuleSetRecord.id).where(RuleSetRecord.sha256 != "x")
                     .where(RuleSetRecord.text == V2_EDITED)) is None


def test_invalid_draft_names_lines_and_stores_nothing(client, people, db):
    before = db.scalar(select(RuleSetRecord.id).order_by(RuleSetRecord.id.desc()))
    bad = V2.replace("points: 35", "points: lots")
    resp = client.post("/api/v1/rulesets", json={"text": bad}, headers=people["author"].headers)
    assert resp.status_code == 422
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if "id: D1S" in text)
    assert resp.get_json()["errors"]["text"] == [
        f"line {line}: indicator D1S: 'points' must be a whole number 0-100; got 'lots'"]
    assert db.scalar(select(RuleSetRecord.id).order_by(RuleSetRecord.id.desc())) == before


def test_rollback_makes_the_earlier_version_live_again(client, people, db):
    default = live_id(client, people["admin"])
    pk = approved(client, people)
    post(client, people["admin"], f"/{pk}/activate")
    resp = post(client, people["admin"], f"/{default}/rollback")
    assert resp.status_code == 422
    resp = post(client, people["admin"], f"/{default}/rollback", reason="too many deferrals")
    assert resp.status_code == 200 and resp.get_json()["status"] == "live"
    assert live_id(client, people["admin"]) == default
    body = client.get(f"/api/v1/rulesets/{pk}", headers=people["admin"].headers).get_json()
    assert body["status"] == "retired"
    assert body["history"][-1]["action"] == "replaced"
    assert "too many deferrals" in body["history"][-1]["reason"]
    assert audit.verify(db)[1] is None


def test_the_author_cannot_roll_back_to_their_own_version(client, people):
    pk = approved(client, people)
    post(client, people["admin"], f"/{pk}/activate")
    second = approved(client, people, V2)
    post(client, people["admin"], f"/{second}/activate")
    resp = post(client, people["author"], f"/{pk}/rollback", reason="mine was better")
    assert resp.status_code == 403  # an analyst lacks the right, and is the author
    author_admin = draft(client, people["admin2"], V2.replace('"2"', '"3"'))
    post(client, people["admin2"], f"/{author_admin}/submit")
    approve(client, people["analyst2"], author_admin)
    post(client, people["admin"], f"/{author_admin}/activate")
    post(client, people["admin"], f"/{second}/rollback", reason="back to 2")
    resp = post(client, people["admin2"], f"/{author_admin}/rollback", reason="mine")
    assert resp.status_code == 403 and "rolled back to by someone other" in \
        resp.get_json()["detail"]


def test_shadow_one_at_a_time_then_activate(client, people, db):
    first, second = approved(client, people), approved(client, people, V2)
    assert post(client, people["analyst2"], f"/{first}/shadow").get_json()["status"] == "shadow"
    resp = post(client, people["analyst2"], f"/{second}/shadow")
    assert resp.status_code == 409 and "in shadow already" in resp.get_json()["detail"]
    assert post(client, people["admin"], f"/{first}/activate").get_json()["status"] == "live"
    assert post(client, people["analyst2"], f"/{second}/shadow").status_code == 200
    assert audit.verify(db)[1] is None


def test_every_step_is_audited_with_its_reason(client, people, db):
    pk = draft(client, people["author"])
    post(client, people["author"], f"/{pk}/submit", reason="please review")
    post(client, people["analyst2"], f"/{pk}/reject", reason="D1S too strong")
    post(client, people["author"], f"/{pk}/submit")
    approve(client, people["analyst2"], pk, reason="ok now")
    post(client, people["analyst2"], f"/{pk}/shadow", reason="watch a week")
    post(client, people["admin"], f"/{pk}/activate", reason="shadow agrees")
    events = [(e.kind, e.actor, json.loads(e.data)) for e in
              db.scalars(select(AuditEvent).where(AuditEvent.kind.like("ruleset.%"))
                         .order_by(AuditEvent.seq))]
    mine = [(k, a, d.get("reason")) for k, a, d in events if d.get("ruleset_id") == "mini"]
    assert mine == [("ruleset.registered", "author", None),
                    ("ruleset.submitted", "author", "please review"),
                    ("ruleset.rejected", "analyst2", "D1S too strong"),
                    ("ruleset.submitted", "author", ""),
                    ("ruleset.approved", "analyst2", "ok now"),
                    ("ruleset.shadow_started", "analyst2", "watch a week"),
                    ("ruleset.activated", "admin1", "shadow agrees")]
    retired = [e for e in events if e[0] == "ruleset.retired"]
    assert retired[-1][2]["ruleset_id"] == "tppo-pmi-default"
    steps = db.scalars(select(RuleSetTransition.action).where(RuleSetTransition.ruleset_pk == pk)
                       .order_by(RuleSetTransition.id)).all()
    assert steps == ["draft", "submit", "reject", "submit", "approve", "shadow", "activate"]


def test_unknown_version_is_404(client, people):
    assert post(client, people["admin"], "/999999/approve").status_code == 404
    assert client.get("/api/v1/rulesets/999999", headers=people["admin"].headers).status_code \
        == 404


@pytest.fixture
def cli(database_url, app, monkeypatch):
    for name in ("EWS_USER", "EWS_RULES_PATH"):
        monkeypatch.delenv(name, raising=False)
    env = {"EWS_ENV": "production", "EWS_DATABASE_URL": database_url,
           "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32}

    def run(*args):
        return CliRunner().invoke(main, ["rules", *args], env=env)

    return run


def test_cli_walks_the_lifecycle(cli, people, tmp_path, engine):
    path = tmp_path / "v2.yaml"
    path.write_text(V2.replace("points: 35", "points: many"), encoding="utf-8")
    out = cli("draft", str(path), "--user", "author")
    assert out.exit_code == 1 and f"{path}:" in out.output and "indicator D1S" in out.output
    path.write_text(V2, encoding="utf-8")
    out = cli("draft", str(path), "--user", "author")
    assert out.exit_code == 0, out.output
    assert cli("submit", "mini@2", "--user", "author").exit_code == 0
    out = cli("approve", "mini@2", "--user", "author")
    assert out.exit_code == 1 and "someone other than its author" in out.output
    out = cli("approve", "mini@2", "--user", "analyst2")
    assert out.exit_code == 1 and "name a stored backtest or shadow summary" in out.output
    sha = load_ruleset(path).sha256
    ev = evidence_for(engine, sha)
    out = cli("approve", "mini@2", "--user", "analyst2", "--evidence", str(ev),
              "--sha256", sha)
    assert out.exit_code == 0, out.output
    out = cli("activate", "mini@2", "--user", "admin1", "--reason", "approved")
    assert out.exit_code == 0 and "-> live" in out.output
    out = cli("rollback", f"tppo-pmi-default@{DEFAULT_VERSION}", "--user", "admin2")
    assert out.exit_code == 1 and "give a reason" in out.output
    out = cli("rollback", f"tppo-pmi-default@{DEFAULT_VERSION}", "--user", "admin2",
              "--reason", "r")
    assert out.exit_code == 0, out.output
    assert "retired" in cli("versions").output
    assert "no rule-set version" in cli("approve", "nope@9", "--user", "admin1").output


def test_cli_draft_carries_the_agency_lists_beside_the_file(cli, people, tmp_path, db):
    import shutil

    text = DEFAULT_RULES.read_text(encoding="utf-8")
    path = tmp_path / "next.yaml"
    path.write_text(text.replace(f"version: {DEFAULT_VERSION}", "version: 9999.2"),
                    encoding="utf-8")
    # The default rule set names two lists beside it: each missing one is named.
    for name in ("p3mi_licensed.csv", "manning_agencies.csv"):
        out = cli("draft", str(path), "--user", "author")
        assert out.exit_code == 1 and f"{name}: cannot read" in out.output
        shutil.copy(DEFAULT_RULES.parent / name, tmp_path)
    out = cli("draft", str(path), "--user", "author")
    assert out.exit_code == 0, out.output
    row = db.scalar(select(RuleSetRecord).where(RuleSetRecord.version == "9999.2"))
    stored = load_ruleset(path)
    assert row.sha256 == stored.sha256 and row.agencies_csv == stored.agencies_text
    assert stored.manning and stored.agencies  # both lists travelled with the draft
