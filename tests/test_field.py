"""The Jemput Bola field kit (issue #27): pack at the office, a real field instance served by
`ews serve`, interviews through its API, close, import into the office (SQLite or PG)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ews.admin.service import AdminError, add_user
from ews.field.crypto import FieldError, unlock_kit
from ews.field.instance import open_kit
from ews.lifecycle.service import register_ruleset
from ews.store import make_engine
from ews.store.db import utcnow
from ews.store.fieldkits import FieldInstanceError
from ews.store.models import (
    Assessment,
    AssessmentFact,
    AuditEvent,
    Decision,
    FieldKit,
    User,
)
from tests.conftest import DEFAULT_RULES
from tests.test_crash import free_port, request

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "balai-desa-larangan-2026"
REPEAT_NIK = "3528014403950002"
NOVEMBER = "2026-11-28T10:00:00+07:00"


@pytest.fixture
def app_config(database_url) -> dict:
    """The app on the keys `ews_cli` uses: the kit carries the office's PII key."""
    return {"TESTING": True, "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "s" * 32, "PII_KEY": "p" * 32, "RULES_PATH": str(DEFAULT_RULES)}


def _serve(field_dir: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EWS_")}
    env |= {"EWS_ENV": "production", "EWS_INSTANCE_PATH": str(field_dir),
            "EWS_BIND": f"127.0.0.1:{port}", "EWS_WORKERS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "ews.cli", "serve"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/login")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("the field instance did not serve its login page")


def _field_session(field_dir: Path) -> Session:
    return Session(make_engine(f"sqlite:///{field_dir / 'ews.sqlite3'}"),
                   expire_on_commit=False)


def _events(db) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(AuditEvent))


def test_a_field_day_from_kit_to_the_office_log(app, client, db, ews_cli, make_account,
                                                payload, tmp_path):
    make_account("admin", "PMK", "adm")
    siti = make_account("officer", "PMK", "siti")
    rudi = make_account("supervisor", "PMK", "rudi")
    make_account("supervisor", "SBY", "sup-sby")
    # Office history: an applicant interviewed last month, deferred by the supervisor.
    earlier = client.post("/api/v1/assessments", headers=siti.headers, json=payload(
        "PMK-OFF-1", risky=True, nik=REPEAT_NIK, phone="+62 812 5555 0001",
        interviewed_at="2026-11-09T09:00:00+07:00")).get_json()
    assert client.post(f"/api/v1/assessments/{earlier['id']}/decision", headers=rudi.headers,
                       json={"decision": "deferred", "reason": "dokumen"}).status_code == 201

    kit, field_dir, bundle = tmp_path / "pmk.kit", tmp_path / "laptop", tmp_path / "day.bundle"
    with_pass = {"EWS_FIELD_PASSPHRASE": PASSPHRASE}
    refused = ews_cli("field", "pack", "--office", "PMK", "--users", "siti,adm", "--out",
                      str(kit), "--as", "adm", **with_pass)
    assert refused.exit_code == 1 and "'adm' is admin" in refused.output and not kit.exists()
    packed = ews_cli("field", "pack", "--office", "PMK", "--users", "siti,rudi", "--out",
                     str(kit), "--as", "adm", **with_pass)
    assert packed.exit_code == 0, packed.output
    assert PASSPHRASE.encode() not in kit.read_bytes() and b"siti" not in kit.read_bytes()
    # Meanwhile the office interviews an applicant the team will meet in the village too.
    assert client.post("/api/v1/assessments", headers=siti.headers,
                       json=payload("PMK-F-031")).status_code == 201

    wrong = ews_cli("field", "open", str(kit), "--dir", str(field_dir),
                    EWS_FIELD_PASSPHRASE="not-the-passphrase")
    assert wrong.exit_code == 1 and "wrong passphrase" in wrong.output
    opened = ews_cli("field", "open", str(kit), "--dir", str(field_dir), **with_pass)
    assert opened.exit_code == 0, opened.output
    in_field = {"EWS_INSTANCE_PATH": str(field_dir)}
    tokens = {}
    for name in ("siti", "rudi"):
        made = ews_cli("token", "create", name, **in_field)
        assert made.exit_code == 0, made.output
        tokens[name] = made.output.strip().splitlines()[-1]
    # Users and rule sets are the kit's: the services refuse, whatever asks.
    with _field_session(field_dir) as fs:
        with pytest.raises(AdminError, match="field instance"):
            add_user(fs, "baru", "officer", "PMK", actor="x", password="a-long-passphrase-1")
        fs.rollback()
        with pytest.raises(FieldInstanceError):
            register_ruleset(fs, DEFAULT_RULES.read_text().replace("version:", "# x\nversion:"),
                             None)
        fs.rollback()
    assert ews_cli("user", "add", "baru", "--role", "officer", "--office", "PMK",
                   **in_field).exit_code == 1

    port = free_port()
    server = _serve(field_dir, port)
    try:
        flagged, stored = [], {}
        for i in range(31):
            app_id = "PMK-F-031" if i == 30 else f"PMK-F-{i:03d}"
            body = payload(app_id, risky=i % 3 == 0 and i < 30, nik=f"352801120190{i + 1:04d}",
                           phone=f"+62 813 7000 {i:04d}")
            if i == 1:
                body |= {"nik": REPEAT_NIK, "phone": "+62 812 5555 0001"}
            if i < 5:
                body["interviewed_at"] = NOVEMBER
            status, result = request(port, "POST", "/api/v1/assessments", body,
                                      tokens["siti"])
            assert status == 201, result
            stored[app_id] = result["id"]
            if result["status"] == "awaiting_review":
                flagged.append(result["id"])
        # Ten risky answers, and the repeat applicant: its office history flags it here too.
        assert len(flagged) == 11 and stored["PMK-F-001"] in flagged
        for item in flagged[:3]:
            status, _ = request(port, "POST", f"/api/v1/assessments/{item}/decision",
                                 {"decision": "redirected", "reason": "ke BP3MI"},
                                 tokens["rudi"])
            assert status == 201
        closed = ews_cli("field", "close", "--dir", str(field_dir), "--out", str(bundle))
        assert closed.exit_code == 0, closed.output
        status, _ = request(port, "POST", "/api/v1/assessments", payload("PMK-F-099"),
                             tokens["siti"])
        assert status == 403  # closed: read-only
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    with _field_session(field_dir) as fs:
        repeat = fs.get(Assessment, stored["PMK-F-001"])
        assert repeat.features["repeat_applications_30d"] == 1
        assert repeat.features["prior_supervisor_decision"] is True
    assert "chain intact" in ews_cli("audit", "verify", **in_field).output

    before = _events(db)
    damaged = bytearray(bundle.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    (tmp_path / "damaged.bundle").write_bytes(bytes(damaged))
    out = ews_cli("field", "import", str(tmp_path / "damaged.bundle"), "--as", "adm")
    assert out.exit_code == 1 and "signature does not hold" in out.output
    kit_id = bundle.read_bytes().split(b"\n", 1)[0].rsplit(b" ", 1)[1]
    (tmp_path / "stranger.bundle").write_bytes(bundle.read_bytes().replace(
        kit_id, b"00000000-0000-4000-8000-000000000000", 1))
    out = ews_cli("field", "import", str(tmp_path / "stranger.bundle"), "--as", "adm",
                  "--format", "json")
    assert out.exit_code == 1 and "unknown kit" in json.loads(out.output)["errors"][0]
    assert _events(db) == before and not db.scalar(
        select(func.count()).select_from(Assessment).where(Assessment.id.in_(
            list(stored.values()))))

    out = ews_cli("field", "import", str(bundle), "--as", "sup-sby")
    assert out.exit_code == 1 and "supervisor of office PMK" in out.output
    assert _events(db) == before

    started = utcnow()
    out = ews_cli("field", "import", str(bundle), "--as", "rudi", "--format", "json")
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    assert (summary["assessments"], summary["decisions"], summary["duplicates"]) == (30, 3, 0)
    assert [c["application_id"] for c in summary["conflicts"]] == ["PMK-F-031"]
    assert summary["errors"] == [] and summary["events"] > 30
    db.rollback()
    rows = db.scalars(select(Assessment).where(Assessment.id.in_(list(stored.values())))).all()
    assert len(rows) == 30 and {r.officer_id for r in rows} == {siti.id}
    assert db.scalar(select(func.count()).select_from(Decision).where(
        Decision.assessment_id.in_(flagged[:3]), Decision.decided_by == rudi.id)) == 3
    queue = [r for r in rows if r.status == "awaiting_review"]
    assert sorted(r.id for r in queue) == sorted(flagged[3:])
    assert all(r.due_at.replace(tzinfo=started.tzinfo) > started for r in queue)
    months = dict(db.execute(select(AssessmentFact.assessment_id, AssessmentFact.month).where(
        AssessmentFact.assessment_id.in_(list(stored.values())))).all())
    assert months[stored["PMK-F-000"]] == "2026-11"  # imported in December, counted in Nov
    verified = ews_cli("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.kind == "field.imported")) == 1

    after = _events(db)
    again = json.loads(ews_cli("field", "import", str(bundle), "--as", "adm",
                               "--format", "json").output)
    assert (again["assessments"], again["decisions"], again["events"],
            again["duplicates"]) == (0, 0, 0, 30)
    assert _events(db) == after

    db.execute(text("UPDATE field_kits SET expires_at = :t"), {"t": started.replace(year=2025)})
    db.commit()
    out = ews_cli("field", "import", str(bundle), "--as", "adm")
    assert out.exit_code == 1 and "expired" in out.output and _events(db) == after


def test_an_expired_or_foreign_kit_does_not_open(app, db, ews_cli, make_account, tmp_path):
    make_account("admin", "PMK", "adm")
    make_account("officer", "PMK", "siti")
    kit = tmp_path / "pmk.kit"
    assert ews_cli("field", "pack", "--office", "PMK", "--users", "siti", "--days", "2",
                   "--out", str(kit), "--as", "adm",
                   EWS_FIELD_PASSPHRASE=PASSPHRASE).exit_code == 0
    payload = unlock_kit(kit.read_bytes(), PASSPHRASE)
    later = utcnow().replace(year=utcnow().year + 1)
    with pytest.raises(FieldError, match="expired"):
        open_kit(payload, tmp_path / "late", now=later)
    assert not (tmp_path / "late").exists()
    flipped = bytearray(kit.read_bytes())
    flipped[-10] ^= 0x01
    with pytest.raises(FieldError, match="changed or damaged"):
        unlock_kit(bytes(flipped), PASSPHRASE)
    assert db.scalar(select(FieldKit.usernames)) == ["siti"]
    assert db.scalar(select(User.username).where(User.role == "officer")) == "siti"


def test_the_active_model_travels_re_signed_for_the_field_only(app, db, ews_cli, make_account,
                                                                tmp_path):
    from ews.config import load_config, model_key
    from ews.interviews.advice import active_model, forget_loaded
    from ews.store.models import ModelRecord
    from tests.model_artefacts import fitted_model, trained

    admin = make_account("admin", "PMK", "adm")
    make_account("officer", "PMK", "siti")
    models = tmp_path / "models"
    manifest = trained(fitted_model(), models, "m-2026-12", model_key("s" * 32))
    path = models / manifest["file"]
    db.add(ModelRecord(version="m-2026-12", sha256=manifest["sha256"], path=str(path),
                       estimator=manifest["estimator"], manifest=manifest, status="active",
                       submitted_by=admin.id))
    db.commit()
    pack = ("field", "pack", "--office", "PMK", "--users", "siti", "--as", "adm")
    good = bytes(path.read_bytes())
    path.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # changed after approval: refused
    out = ews_cli(*pack, "--out", str(tmp_path / "bad.kit"), EWS_FIELD_PASSPHRASE=PASSPHRASE)
    assert out.exit_code == 1 and "active model cannot go into the kit" in out.output
    path.write_bytes(good)
    kit, field_dir = tmp_path / "pmk.kit", tmp_path / "laptop"
    assert ews_cli(*pack, "--out", str(kit), EWS_FIELD_PASSPHRASE=PASSPHRASE).exit_code == 0
    assert ews_cli("field", "open", str(kit), "--dir", str(field_dir),
                   EWS_FIELD_PASSPHRASE=PASSPHRASE).exit_code == 0
    field_key = load_config({"EWS_INSTANCE_PATH": str(field_dir)})["MODEL_KEY"]
    assert field_key != model_key("s" * 32)
    forget_loaded()
    with _field_session(field_dir) as fs:
        served = active_model(fs, field_key)
        assert served is not None and served.version == "m-2026-12"
        assert active_model(fs, model_key("s" * 32)) is None  # the office key is not the field's
    forget_loaded()
