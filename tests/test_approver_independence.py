"""#20 M2: `--user`/`--as` is a name, not a credential. The operating-system account is
recorded beside it, an approver's account must be independent of the author (not created
by them, not newer than the draft), and an admin made by an admin shows on the users page."""

from __future__ import annotations

import getpass
import json

from sqlalchemy import select

from ews.store.models import AuditEvent, ModelRecord, RuleSetRecord
from ews.store.users import create_user
from tests.evidence import evidence_for
from tests.test_admin_users import admin_client  # noqa: F401 - a fixture
from tests.test_lifecycle_api import V2, cli, people  # noqa: F401 - fixtures


def _draft(cli, tmp_path, db) -> str:  # noqa: F811
    """Store and submit version 2 of `mini`; return the id of a backtest of its text."""
    path = tmp_path / "v2.yaml"
    path.write_text(V2, encoding="utf-8")
    assert cli("draft", str(path), "--user", "author").exit_code == 0
    assert cli("submit", "mini@2", "--user", "author").exit_code == 0
    sha = db.scalar(select(RuleSetRecord.sha256).where(RuleSetRecord.ruleset_id == "mini",
                                                       RuleSetRecord.version == "2"))
    return str(evidence_for(db.get_bind(), sha))


def test_an_account_created_after_the_draft_may_not_approve(cli, people, db, tmp_path,  # noqa: F811
                                                            password_hash):
    proof = _draft(cli, tmp_path, db)
    create_user(db, "newcomer", "analyst", "PST", password_hash, actor="admin1")
    db.commit()
    out = cli("approve", "mini@2", "--user", "newcomer")
    assert out.exit_code == 1 and "'newcomer' was created after the work" in out.output
    out = cli("approve", "mini@2", "--user", "analyst2",  # older, made by someone else
              "--evidence", proof)
    assert out.exit_code == 0, out.output


def test_an_account_the_author_created_may_not_approve(cli, people, db, tmp_path,  # noqa: F811
                                                       password_hash):
    create_user(db, "sockpuppet", "analyst", "PST", password_hash, actor="author")
    db.commit()
    _draft(cli, tmp_path, db)
    out = cli("approve", "mini@2", "--user", "sockpuppet")
    assert out.exit_code == 1 and "created by 'author', who made the work" in out.output


def test_the_api_refuses_the_same_with_403(client, people, db, password_hash, make_account):  # noqa: F811
    from tests.test_lifecycle_api import draft, post

    pk = draft(client, people["author"])
    assert post(client, people["author"], f"/{pk}/submit").status_code == 200
    late = make_account("analyst", "PST", username="late-analyst")
    resp = post(client, late, f"/{pk}/approve")
    assert resp.status_code == 403 and "created after" in resp.get_json()["detail"]


def test_rule_set_commands_record_the_operating_system_user(cli, people, db, tmp_path):  # noqa: F811
    proof = _draft(cli, tmp_path, db)
    assert cli("approve", "mini@2", "--user", "analyst2", "--evidence", proof).exit_code == 0
    db.expire_all()
    events = db.scalars(select(AuditEvent).where(
        AuditEvent.kind.in_(("ruleset.registered", "ruleset.submitted", "ruleset.approved"))))
    data = {e.kind: (e.actor, json.loads(e.data).get("os_user")) for e in events}
    assert data["ruleset.approved"] == ("analyst2", getpass.getuser())
    assert data["ruleset.submitted"] == ("author", getpass.getuser())


def test_an_admin_made_by_an_admin_is_audited_and_shown(admin_client, accounts, db):  # noqa: F811
    admin = accounts["admin"].username
    resp = admin_client.post("/admin/users", data={"username": "admin-two", "role": "admin",
                                                   "office_code": "PST"})
    assert resp.status_code == 200, resp.status_code
    event = db.scalar(select(AuditEvent).where(AuditEvent.kind == "user.created",
                                               AuditEvent.subject == "admin-two"))
    assert event.actor == admin and json.loads(event.data)["role"] == "admin"
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert f'data-created-by="{admin}"' in html


def test_a_model_approver_made_by_the_submitter_or_after_it_is_refused(db, ews_cli, tmp_path,
                                                                      password_hash):
    from tests.model_artefacts import fitted_model, trained
    from tests.test_model_trust import KEY

    create_user(db, "analyst-one", "analyst", "PST", password_hash)
    create_user(db, "admin-made", "admin", "PST", password_hash, actor="analyst-one")
    create_user(db, "admin-old", "admin", "PST", password_hash, actor="system")
    db.commit()
    folder = tmp_path / "models"
    trained(fitted_model(), folder, "m1", KEY)
    out = ews_cli("model", "submit", "m1", "--as", "analyst-one", "--dir", str(folder))
    assert out.exit_code == 0, out.output
    create_user(db, "admin-new", "admin", "PST", password_hash, actor="system")
    db.commit()
    out = ews_cli("model", "approve", "m1", "--as", "admin-made")
    assert out.exit_code == 1 and "created by 'analyst-one'" in out.output
    out = ews_cli("model", "approve", "m1", "--as", "admin-new")
    assert out.exit_code == 1 and "created after the work" in out.output
    sha = db.scalar(select(ModelRecord.sha256).where(ModelRecord.version == "m1"))
    out = ews_cli("model", "approve", "m1", "--as", "admin-old",
                  "--evidence", str(evidence_for(db.get_bind(), sha, "model")))
    assert out.exit_code == 0, out.output
    event = db.scalar(select(AuditEvent).where(AuditEvent.kind == "model.approved"))
    assert json.loads(event.data)["os_user"] == getpass.getuser()
