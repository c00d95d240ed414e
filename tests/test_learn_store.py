"""The learning commands against a stored history: loader, `ews learn weights`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ews.cli import main
from ews.engine import parse_ruleset, ruleset_files
from ews.learn.synthetic import planted_frame
from ews.store.frames import assessments_frame
from ews.store.models import Office
from ews.store.rulesets import activate_ruleset, active_compiled, register_ruleset
from ews.store.synthetic import store_frame
from ews.store.users import create_user

from .conftest import DEFAULT_RULES


@pytest.fixture
def stored(db, password_hash):
    """Store 3000 planted interviews (Jan-Jun 2026) under the active default rule set."""
    text, agencies = ruleset_files(DEFAULT_RULES)
    activate_ruleset(db, register_ruleset(db, text, None, agencies=agencies), None)
    db.merge(Office(code="PMK", name="Pamekasan"))
    db.flush()
    officer = create_user(db, "officer-pmk", "officer", "PMK", password_hash)
    analyst = create_user(db, "analyst-pst", "analyst", "PMK", password_hash)
    trainer = create_user(db, "analyst-two", "analyst", "PMK", password_hash)
    admin = create_user(db, "admin-pst", "admin", "PMK", password_hash)
    db.commit()
    frame = planted_frame(3000, seed=2)
    store_frame(db, frame, active_compiled(db), officer_id=officer.id, recorder_id=analyst.id)
    return {"frame": frame, "analyst": analyst, "trainer": trainer, "admin": admin}


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"EWS_ENV": "production", "EWS_DATABASE_URL": database_url,
           "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32,
           "EWS_INSTANCE_PATH": str(tmp_path / "instance")}
    return lambda *args: CliRunner().invoke(main, list(args), env=env)


def test_loader_returns_v2_records_with_the_latest_outcome(db, stored):
    frame = assessments_frame(db, chunk=700)
    assert len(frame) == 3000
    assert frame["interviewed_at"].is_monotonic_increasing
    assert (frame["outcome"].value_counts().to_dict()
            == stored["frame"]["outcome"].value_counts().to_dict())
    assert frame["scripted_answers"].sum() == stored["frame"]["scripted_answers"].sum()
    assert "nik" not in frame or frame["nik"].isna().all()


def test_learn_weights_writes_a_draft_and_its_justification(db, stored, cli, tmp_path):
    result = cli("learn", "weights", "--from", "2026-01-01", "--to", "2026-07-01",
                 "--version", "2026.12-learned")
    assert result.exit_code == 0, result.output
    draft = tmp_path / "rules" / "drafts" / "tppo-pmi-default-2026.12-learned.yaml"
    text = draft.read_text()
    assert text.startswith("# DRAFT suggested by `ews learn weights`")
    parsed = parse_ruleset(text, agencies=(draft.parent / "p3mi_licensed.csv").read_text())
    points = {i.id: i.points for i in parsed.indicators}
    assert points["KOE08"] > 10 and points["DOK01"] < 15
    table = draft.with_suffix(".md").read_text()
    assert "| KOE08 | trafficking | 10 |" in table and "Live rule set: alert rate" in table
    assert active_compiled(db).version == "2026.11.2"  # nothing applied


@pytest.mark.parametrize("args, message", [
    (("--from", "2030-01-01", "--to", "2030-02-01"), "no assessments interviewed from 2030-01-01"),
    (("--from", "2026-03-01", "--to", "2026-01-01"), "is not before --to"),
    (("--from", "2026-01-01", "--to", "2026-01-15", "--min-positives", "200"),
     "at least 200 are needed"),
])
def test_learn_weights_bad_windows_get_clear_messages(db, stored, cli, args, message):
    result = cli("learn", "weights", *args)
    assert result.exit_code == 1 and message in result.output, result.output
