"""The learning commands against a stored history: loader, `ews learn weights`."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from click.testing import CliRunner

from ews.checklist import stored_record
from ews.cli import main
from ews.config import model_key
from ews.demo.bulk import store_frame
from ews.demo.frame import demo_frame
from ews.demo.plan import Window
from ews.engine import load_ruleset, ruleset_files
from ews.engine.conditions import typed_frame
from ews.learn.frames import _order, assessments_frame
from ews.learn.weights import hit_frame
from ews.lifecycle.compiled import active_compiled
from ews.lifecycle.service import activate_ruleset, register_ruleset
from ews.store.models import Assessment, FollowupSample, Office, Outcome
from ews.store.users import create_user
from tests.checklists import STORED_V1, STORED_V1_FEATURES, clock

from .conftest import DEFAULT_RULES

KEY = model_key("s" * 32)  # the model key of the `cli` fixture's configuration


@pytest.fixture
def stored(db, password_hash):
    """Store 3000 demo interviews (Jan-Jun 2026, risky profiles enriched) under the default set."""
    text, agencies = ruleset_files(DEFAULT_RULES)
    activate_ruleset(db, register_ruleset(db, text, None, agencies=agencies), None)
    db.merge(Office(code="PMK", name="Pamekasan"))
    db.flush()
    officer = create_user(db, "officer-pmk", "officer", "PMK", password_hash)
    analyst = create_user(db, "analyst-pst", "analyst", "PMK", password_hash)
    trainer = create_user(db, "analyst-two", "analyst", "PMK", password_hash)
    admin = create_user(db, "admin-pst", "admin", "PMK", password_hash)
    db.commit()
    frame = demo_frame(3000, seed=2, risk=10, window=Window(6, dt.date(2026, 7, 1)))
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


def test_chunked_loading_equals_the_stored_records_typed_at_once(db, stored):
    from sqlalchemy import select

    labelled = db.scalars(select(Outcome).order_by(Outcome.id)).all()
    again = labelled[0]  # a second outcome: the latest one is the label
    db.add(Outcome(assessment_id=again.assessment_id, outcome="no_information",
                   recorded_by=again.recorded_by, origin="external"))
    first = db.scalars(select(Assessment).order_by(Assessment.id)).first()
    db.add(Assessment(**{c.key: getattr(first, c.key) for c in Assessment.__table__.columns
                         if c.key != "id"} | {"application_id": "V1-1", "answers": STORED_V1,
                                              "features": STORED_V1_FEATURES,
                                              "checklist_version": 1}))
    db.commit()
    latest = {o.assessment_id: o for o in db.scalars(select(Outcome).order_by(Outcome.id))}
    drawn = dict(db.execute(select(FollowupSample.assessment_id,
                                   FollowupSample.probability)).all())
    records = []
    for a in db.scalars(select(Assessment)):  # row by row, as the loader once did
        label = latest.get(a.id)
        records.append(stored_record(a.answers, a.features, a.checklist_version) | {
            "assessment_id": a.id, "office_code": a.office_code,
            "interviewed_at": a.interviewed_at, "stored_score": a.score,
            "stored_rung": a.rung, "outcome": label and label.outcome,
            "label_origin": label and label.origin,
            "sample_probability": drawn.get(a.id, float("nan"))})
    expected = typed_frame(records)
    expected["interviewed_at"] = pd.to_datetime(expected["interviewed_at"], utc=True)
    expected = expected.sort_values(["interviewed_at", "assessment_id"], kind="stable",
                                    ignore_index=True)
    for chunk in (700, 5000):
        pd.testing.assert_frame_equal(assessments_frame(db, chunk=chunk), expected)
    assert expected.set_index("assessment_id").loc[again.assessment_id, "outcome"] \
        == "no_information"


def test_rows_are_ordered_by_time_then_id_ties_included():
    # many rows share an interview time (a third of a national year shares its minute): each tie is
    # ordered by id, whatever order the rows arrived in
    times = pd.Series(pd.to_datetime([5, 3, 5, 1, 3, 5, 2, 5], unit="s", utc=True))
    ids = pd.Series(["h", "q", "a", "z", "b", "c", "y", "d"], dtype="str")
    expected = pd.DataFrame({"t": times, "id": ids}).sort_values(["t", "id"]).index
    assert _order(times, ids).tolist() == expected.tolist() == [3, 6, 4, 1, 2, 5, 7, 0]
    assert _order(times.iloc[expected].reset_index(drop=True),
                  ids.iloc[expected].reset_index(drop=True)) is None  # already in order


def test_learn_weights_writes_a_draft_and_its_justification(db, stored, cli, tmp_path):
    args = ("learn", "weights", "--from", "2026-01-01", "--to", "2026-07-01",
            "--version", "2026.12-learned", "--as", "analyst-pst")
    # The frame's outcomes follow the rules' own flags (supervisors follow up what was
    # flagged): a track's fit separates them perfectly, and the draft is refused with the reason.
    refused = cli(*args)
    assert refused.exit_code == 1 and "separates its" in refused.output
    result = cli(*args, "--force")
    assert result.exit_code == 0, result.output
    assert "stored as draft #" in result.output
    draft = tmp_path / "rules" / "drafts" / "tppo-pmi-default-2026.12-learned.yaml"
    text = draft.read_text()
    assert text.startswith("# REFUSED (written with --force): track ")
    assert "the fit separates its" in text.splitlines()[0]
    assert "# DRAFT suggested by `ews learn weights`" in text
    parsed = load_ruleset(draft)  # a valid rule set with the agency lists written beside it
    assert parsed.agencies and parsed.manning
    points = {i.id: i.points for i in parsed.indicators}
    # DOK01 fires on the demo's false alarms only; the largest weight goes to an indicator
    # of the planted risky profiles
    assert points["DOK01"] < 15
    top = max(points, key=points.get)
    fired = hit_frame(stored["frame"], active_compiled(db))[top].to_numpy(bool)
    assert set(stored["frame"].truth[fired]) <= {"nonprocedural", "trafficking", "scam",
                                                 "network"}
    table = draft.with_suffix(".md").read_text()
    assert "| KOE08 | trafficking | 10 |" in table
    assert "Reported on the later months only: 2026-05-01" in table  # fit Jan-Apr
    assert "| trafficking | refer_protection | live |" in table
    from sqlalchemy import select

    from ews.store.models import RuleSetRecord

    db.expire_all()
    stored_draft = db.scalar(select(RuleSetRecord).where(
        RuleSetRecord.version == "2026.12-learned"))
    assert stored_draft.status == "draft" and stored_draft.sha256 == parsed.sha256
    assert active_compiled(db).version != "2026.12-learned"  # nothing applied


@pytest.mark.parametrize("args, message", [
    (("--from", "2030-01-01", "--to", "2030-02-01"), "no assessments interviewed from 2030-01-01"),
    (("--from", "2026-03-01", "--to", "2026-01-01"), "is not before --to"),
    (("--from", "2026-01-01", "--to", "2026-01-15", "--min-positives", "1"),
     "needs at least two calendar months"),
    (("--from", "2026-01-01", "--to", "2026-04-01", "--min-positives", "200"),
     "at least 200 are needed"),
])
def test_learn_weights_bad_windows_get_clear_messages(db, stored, cli, args, message):
    result = cli("learn", "weights", *args)
    assert result.exit_code == 1 and message in result.output, result.output


def _train(cli, *extra):
    return cli("model", "train", "--from", "2026-01-01", "--to", "2026-07-01",
               "--estimator", "logistic", "--version", "m1", "--as", "analyst-two", *extra)


def test_model_train_submit_approve_activate_by_another_person(db, stored, cli, tmp_path):
    trained = _train(cli)
    assert trained.exit_code == 0, trained.output
    assert "PR-AUC" in trained.output and "rule set alone" in trained.output
    card = (tmp_path / "models" / "m1.card.md").read_text()
    for heading in ("## Intended use", "## Out-of-scope uses", "## Data window", "## Features",
                    "## Metrics", "## Fairness", "## Limits",
                    "Excluded fields: financial_pressure",
                    "## Unlabelled rows (positive-unlabelled sensitivity)",
                    "are excluded from training", "Counting them all as negatives",
                    "exact 95% intervals", "| Group | Applicants | Alert rate"):
        assert heading in card
    assert "0.8-1.25" in card  # the fairness report's reading
    assert cli("model", "card", "m1").output.startswith("# Model card: m1")
    assert cli("model", "submit", "m1", "--as", "analyst-two").exit_code == 0
    self_approval = cli("model", "approve", "m1", "--as", "analyst-two")
    assert self_approval.exit_code == 1 and "may not approve" in self_approval.output
    early = cli("model", "activate", "m1", "--as", "admin-pst")
    assert early.exit_code == 1 and "approve it first" in early.output
    blind = cli("model", "approve", "m1", "--as", "admin-pst")
    assert blind.exit_code == 1 and "name a stored evaluation of this model file" in \
        blind.output
    assert cli("model", "approve", "m1", "--as", "admin-pst", "--evidence", "999").exit_code \
        == 1
    assert cli("model", "approve", "m1", "--as", "admin-pst",
               "--evidence", _evaluated(cli)).exit_code == 0
    assert cli("model", "activate", "m1", "--as", "admin-pst").exit_code == 0
    from sqlalchemy import select

    from ews.store.models import AuditEvent, ModelRecord

    db.expire_all()
    assert db.scalar(select(ModelRecord.status)) == "active"
    kinds = db.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("model.%"))
                       .order_by(AuditEvent.seq)).all()
    assert kinds == ["model.submitted", "model.refused", "model.refused", "model.refused",
                     "model.refused", "model.approved", "model.activated"]


def test_trainer_who_is_an_admin_cannot_approve_their_own_model(db, stored, cli):
    assert cli("model", "train", "--from", "2026-01-01", "--estimator", "logistic",
               "--version", "m2", "--as", "admin-pst").exit_code == 0
    assert cli("model", "submit", "m2", "--as", "analyst-two").exit_code == 0
    refused = cli("model", "approve", "m2", "--as", "admin-pst")
    assert refused.exit_code == 1 and "someone other than" in refused.output


@pytest.mark.parametrize("args, message", [
    (("model", "card", "nope"), "unknown model version 'nope'"),
    (("model", "evaluate", "nope"), "unknown model version 'nope'"),
    (("model", "submit", "nope", "--as", "analyst-two"), "unknown model version 'nope'"),
    (("model", "activate", "nope", "--as", "admin-pst"), "unknown model version 'nope'"),
    (("model", "approve", "nope", "--as", "admin-pst"), "unknown model version 'nope'"),
    (("model", "train", "--from", "2031-01-01", "--as", "analyst-two"), "no assessments"),
    (("model", "train", "--from", "2026-01-01", "--to", "2026-02-01", "--as", "analyst-two"),
     "at least two calendar months"),
    (("model", "train", "--as", "nobody"), "no user named 'nobody'"),
])
def test_model_commands_bad_input_clear_messages(db, stored, cli, args, message):
    result = cli(*args)
    assert result.exit_code == 1 and message in result.output, result.output


def _evaluated(cli, version: str = "m1") -> str:
    """Evaluate a trained model on the last months; return the stored evaluation's number."""
    out = cli("model", "evaluate", version, "--from", "2026-05-01", "--as", "admin-pst")
    assert out.exit_code == 0, out.output
    return out.output.rsplit("evidence #", 1)[1].split(":")[0]


def _submit_approve_activate(cli) -> None:
    assert cli("model", "submit", "m1", "--as", "analyst-two").exit_code == 0
    assert cli("model", "approve", "m1", "--as", "admin-pst",
               "--evidence", _evaluated(cli)).exit_code == 0
    assert cli("model", "activate", "m1", "--as", "admin-pst").exit_code == 0


def _escalating(db, admin):
    """Activate the default rule set with the model in escalate mode (threshold 0.2)."""
    text, agencies = ruleset_files(DEFAULT_RULES)
    text = text.replace(b"model: {mode: off}", b"model: {mode: escalate, threshold: 0.2, "
                        b"action: supervisor_review}").replace(b"\n  version: ",
                                                               b"\n  version: model-", 1)
    activate_ruleset(db, register_ruleset(db, text, None, agencies=agencies), None)
    db.commit()
    return active_compiled(db)


def _record(application_id: str, truth: str = "sound"):
    """Return a validated record of the demo's first case of `truth`, as interviewed later."""
    from ews.checklist import validate_checklist
    from ews.demo import generate

    case = next(c for c in generate(100, Window(3), ("PMK",), 1) if c.truth == truth)
    return validate_checklist(case.payload | {"application_id": application_id,
                                              "interviewed_at": "2026-11-20T09:00:00+07:00"},
                              now=clock())


def test_active_model_reaches_the_scorer_and_only_raises(db, stored, cli, caplog):
    from ews.interviews import submit
    from ews.interviews.advice import forget_loaded

    assert _train(cli).exit_code == 0
    _submit_approve_activate(cli)
    ruleset = _escalating(db, stored["admin"])
    forget_loaded()
    user = stored["analyst"]
    risky = submit(db, _record("PMK-RISKY", "network"), user=user, ruleset=ruleset,
                   pii_key="k", model_key=KEY).assessment
    assert risky.model_version == "m1"
    model = risky.result["model"]
    assert model["mode"] == "escalate" and model["version"] == "m1"
    assert model["flagged"] and risky.result["recommended_action"]["rung"] >= 2
    sound = submit(db, _record("PMK-SOUND"), user=user, ruleset=ruleset, pii_key="k",
                   model_key=KEY).assessment
    assert not sound.result["model"]["flagged"]
    assert sound.result["recommended_action"]["id"] == "proceed"


def test_a_model_file_whose_hash_differs_is_refused_at_load(db, stored, cli, tmp_path, caplog):
    from ews.interviews import submit
    from ews.interviews.advice import forget_loaded

    assert _train(cli).exit_code == 0
    _submit_approve_activate(cli)
    path = tmp_path / "models" / "m1.skops"
    path.write_bytes(path.read_bytes() + b"\0")  # replaced after approval
    ruleset = _escalating(db, stored["admin"])
    forget_loaded()
    with caplog.at_level("ERROR", logger="ews.models"):
        row = submit(db, _record("PMK-RISKY", "network"), user=stored["analyst"],
                     ruleset=ruleset, pii_key="k", model_key=KEY).assessment
    assert row.model_version is None and row.result["model"] is None
    assert "model m1 refused" in caplog.text and "approved record says" in caplog.text
    again = cli("model", "evaluate", "m1", "--from", "2026-05-01")
    assert again.exit_code == 1 and "refused" in again.output


def test_learn_drift_prints_monthly_psi_with_its_reading(db, stored, cli):
    result = cli("learn", "drift", "--from", "2026-01-01", "--to", "2026-07-01")
    assert result.exit_code == 0, result.output
    assert "PSI < 0.1 stable" in result.output
    for month in ("2026-02", "2026-03", "2026-06"):
        assert month in result.output
    one_month = cli("learn", "drift", "--from", "2026-01-01", "--to", "2026-02-01")
    assert one_month.exit_code == 1 and "at least two calendar months" in one_month.output


def test_a_window_without_labels_gets_a_clear_message_from_each_command(db, stored, cli):
    """Interviews of September 2026 with no outcome yet: nothing to learn or evaluate from."""
    late = demo_frame(60, seed=9, window=Window(1, dt.date(2026, 10, 1)))
    late["outcome"] = [None, "no_information"] * 30
    late["application_id"] = [f"LATE-{i:04d}" for i in range(len(late))]
    store_frame(db, late, active_compiled(db), officer_id=stored["analyst"].id,
                recorder_id=stored["analyst"].id)
    window = ("--from", "2026-09-01", "--to", "2026-10-01")
    weights = cli("learn", "weights", *window)
    assert weights.exit_code == 1 and "has no labelled outcomes" in weights.output
    assert "2026-09-01 to 2026-10-01" in weights.output
    assert _train(cli).exit_code == 0
    evaluated = cli("model", "evaluate", "m1", *window)
    assert evaluated.exit_code == 1 and "has no labelled outcomes" in evaluated.output


def test_model_evaluate_defaults_to_the_held_out_period_and_warns_on_training_rows(
        db, stored, cli, tmp_path):
    assert _train(cli).exit_code == 0
    held_out = cli("model", "evaluate", "m1")
    assert held_out.exit_code == 0, held_out.output
    assert "held-out period of m1: 2026-05-01" in held_out.output
    assert "fall in the training period" not in held_out.output
    assert "conditional on an outcome being recorded" in held_out.output
    assert "weighted model trafficking: precision" in held_out.output
    everything = cli("model", "evaluate", "m1", "--from", "2026-01-01", "--to", "2026-07-01")
    assert everything.exit_code == 0
    assert "rows fall in the training period (2026-01-01 to 2026-04-30)" in everything.output
    card = (tmp_path / "models" / "m1.card.md").read_text()
    assert "## What these figures rest on" in card
    assert "had any outcome recorded" in card and "| model | trafficking |" in card


def test_model_rollback_serves_the_replaced_model_again_and_retire_serves_none(
        db, stored, cli):
    from sqlalchemy import select

    from ews.store.models import AuditEvent, ModelRecord

    for version in ("m1", "m3"):
        assert _train(cli, "--version", version).exit_code == 0
        assert cli("model", "submit", version, "--as", "analyst-two").exit_code == 0
        assert cli("model", "approve", version, "--as", "admin-pst",
                   "--evidence", _evaluated(cli, version)).exit_code == 0
        assert cli("model", "activate", version, "--as", "admin-pst").exit_code == 0
    assert cli("model", "rollback", "--as", "analyst-pst").exit_code == 1  # not an admin
    back = cli("model", "rollback", "--as", "admin-pst")
    assert back.exit_code == 0 and "model m1: active" in back.output
    db.expire_all()
    status = dict(db.execute(select(ModelRecord.version, ModelRecord.status)).all())
    assert status == {"m1": "active", "m3": "retired"}
    assert cli("model", "retire", "m1", "--as", "admin-pst").exit_code == 0
    none = cli("model", "rollback", "--as", "admin-pst")
    assert none.exit_code == 1 and "no active model" in none.output
    kinds = db.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("model.%"))).all()
    assert "model.rolled_back" in kinds and "model.retired" in kinds
