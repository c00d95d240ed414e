"""The audit chain and the operator commands: init, user add, token create, audit verify."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ews import audit
from ews.config import ConfigError, load_config
from ews.store.guards import maintenance
from ews.store.models import AuditEvent, RuleSetRecord, User


@pytest.fixture
def cli(ews_cli):
    """Return a function running `ews ...` against the emptied test database."""
    return ews_cli


def test_init_is_idempotent_and_prints_the_password_once(cli, db):
    first = cli("init")
    assert first.exit_code == 0, first.output
    password = re.search(r"one-time password.*: (\S+)", first.output).group(1)
    second = cli("init")
    assert second.exit_code == 0 and "one-time password" not in second.output
    admin = db.scalar(select(User))
    assert (admin.username, admin.role, admin.office_code) == ("admin", "admin", "PST")
    assert admin.must_change_password and password not in admin.password_hash
    live = db.scalars(select(RuleSetRecord).where(RuleSetRecord.status == "live")).all()
    assert [r.ruleset_id for r in live] == ["tppo-pmi-default"]
    assert live[0].created_by is None  # installed by the system, the one unreviewed version
    assert cli("audit", "verify").exit_code == 0


def test_user_add_and_token_create(cli, db, app):
    assert cli("init").exit_code == 0
    added = cli("user", "add", "budi", "--role", "officer", "--office", "pmk",
                EWS_PASSWORD="lantai-tiga-meja-kiri")
    assert added.exit_code == 0, added.output
    assert cli("user", "add", "budi", "--role", "officer", "--office", "PMK",
               EWS_PASSWORD="lantai-tiga-meja-kiri").exit_code == 1
    assert cli("user", "add", "x", "--role", "officer", "--office", "PMK",
               EWS_PASSWORD="short").exit_code == 1
    made = cli("token", "create", "budi")
    assert made.exit_code == 0
    token = made.stdout.strip().splitlines()[-1]
    client = app.test_client()
    resp = client.get("/api/v1/assessments", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    token_id = re.search(r"^(\d+)\t", cli("token", "list", "budi").output, re.M).group(1)
    assert cli("token", "revoke", token_id).exit_code == 0
    resp = client.get("/api/v1/assessments", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401


def bypass_guards(engine, *statements: str) -> None:
    """Run SQL as someone who gets past the append-only triggers (the table owner could)."""
    with Session(engine) as session:
        with maintenance(session, "tests: tamper"):
            for statement in statements:
                session.execute(text(statement))
        session.commit()


@pytest.fixture
def chain(client, accounts, payload, db):
    """Create a few events of every kind and return their count."""
    for i in range(3):
        client.post("/api/v1/assessments", json=payload(f"A-{i}"),
                    headers=accounts["officer"].headers)
    client.post("/login", data={"username": "officer-pmk", "password": "wrong"})
    return db.scalar(select(func.count()).select_from(AuditEvent))


def test_chain_records_every_kind_and_verifies(cli, chain, db):
    kinds = set(db.scalars(select(AuditEvent.kind)))
    assert {"ruleset.registered", "ruleset.activated", "user.created", "token.created",
            "assessment.created", "login.failure"} <= kinds
    result = cli("audit", "verify")
    assert result.exit_code == 0 and f"{chain} audit events" in result.output


def test_concurrent_appends_chain_in_order_whatever_they_hold(engine, db):
    """Writers racing for the head queue up: one chain, each hash the one verify expects
    (on PostgreSQL the server hashes: quotes, backslashes, non-ASCII and nulls included)."""
    awkward = ['"quoted" \\ back\nline', "Bu Siti – Sumenep é𝔘", None]
    barrier = threading.Barrier(6)

    def write(i: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            for j in range(5):
                audit.record(session, "test.race", actor=awkward[(i + j) % 3],
                             office_code="PMK", subject=None if j % 2 else f"s-{i}-{j}",
                             data={"note": awkward[i % 2], "n": i * 10 + j})
                session.commit()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert audit.verify(db) == (30, None)
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.seq for e in events] == list(range(1, 31))
    assert all(e.hash == audit.event_hash(e) for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)  # stamped under the lock
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", e.at) for e in events)
    assert {e.actor for e in events} == set(awkward)


@pytest.mark.parametrize("tamper, named", [
    ("UPDATE audit_events SET data = '{\"action\":\"proceed\"}' WHERE seq = 9", 9),
    ("UPDATE audit_events SET actor = 'someone' WHERE seq = 4", 4),
    ("DELETE FROM audit_events WHERE seq = 6", 6),
    ("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)", None),
])
def test_tampering_is_detected_and_named(cli, chain, engine, tamper, named):
    bypass_guards(engine, tamper)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "TAMPERED" in result.output
    expected = named if named is not None else chain
    assert f"audit event {expected}:" in result.output


def test_production_refuses_missing_secrets_by_name():
    with pytest.raises(ConfigError, match="EWS_SECRET_KEY"):
        load_config({"EWS_ENV": "production", "EWS_PII_KEY": "p" * 32})
    with pytest.raises(ConfigError, match="EWS_PII_KEY"):
        load_config({"EWS_ENV": "production", "EWS_SECRET_KEY": "s" * 32})
    with pytest.raises(ConfigError, match="EWS_ENV"):
        load_config({"EWS_ENV": "prod"})


def test_cli_refuses_to_start_without_secrets(cli):
    result = cli("serve", EWS_SECRET_KEY="")
    assert result.exit_code == 1 and "EWS_SECRET_KEY is not set" in result.output


def test_development_secrets_are_generated_once_with_mode_600(tmp_path):
    env = {"EWS_INSTANCE_PATH": str(tmp_path)}
    first, second = load_config(env), load_config(env)
    assert first["PII_KEY"] == second["PII_KEY"] and len(first["PII_KEY"]) >= 32
    assert (tmp_path / "ews_pii_key.secret").stat().st_mode & 0o777 == 0o600
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'ews.sqlite3'}"
