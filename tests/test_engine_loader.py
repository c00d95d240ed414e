"""Rule-set validation: every problem is named, with file and item; nothing unsafe runs."""

import subprocess
import sys

import pytest

from ews.engine import RuleSetError, parse_ruleset

from .rulesets import HEADER, MINI, with_change


def problems(text: str) -> list[str]:
    with pytest.raises(RuleSetError) as info:
        parse_ruleset(text, source="test.yaml")
    return info.value.errors


def test_valid_rule_set_is_identified_by_id_version_and_sha256():
    rs = parse_ruleset(MINI)
    assert (rs.id, rs.version, len(rs.sha256)) == ("mini", "1", 64)
    assert parse_ruleset(MINI + "\n").sha256 != rs.sha256


@pytest.mark.parametrize("field, role", [
    ("sex", "audit"), ("domicile_village", "audit"), ("age_band", "audit"),
    ("date_of_birth", "pii"), ("nik", "pii"), ("officer_notes", "admin"),
    ("office_code", "admin"),
])
def test_non_rule_fields_are_refused(field, role):
    text = with_change("indicators.0.when", {"field": field, "not_null": True})
    assert problems(text) == [
        f"test.yaml: indicator D1S: field '{field}' has role '{role}'; "
        "only 'rule' fields may be used"]


@pytest.mark.parametrize("path, value, message", [
    ("indicators.0.when", {"field": "religion", "eq": "x"}, "indicator D1S: unknown field "
     "'religion'"),
    ("indicators.0.when", {"field": "purpose", "like": "tour"}, "indicator D1S: unknown operator "
     "'like'"),
    ("indicators.0.when", {"field": "purpose", "eq": "holiday"}, "indicator D1S: value "
     "'holiday' is not allowed for field 'purpose'"),
    ("indicators.0.when", {"field": "destination_country", "eq": "XX"}, "indicator D1S: "
     "country code 'XX' is not allowed for field 'destination_country'"),
    ("indicators.0.when", {"field": "states_work_abroad", "eq": "yes"}, "indicator D1S: field "
     "'states_work_abroad' is true/false; got 'yes'"),
    ("indicators.0.when", {"field": "purpose", "lt": 3}, "indicator D1S: operator 'lt' needs a "
     "number field; 'purpose' is enum"),
    ("indicators.0.when", {"field": "purpose", "eq": "tourism", "ne": "other"}, "indicator D1S: "
     "field 'purpose' needs exactly one operator"),
    ("indicators.0.when", {"field": "destination_country", "in_list": "nowhere"},
     "indicator D1S: unknown list 'nowhere'"),
    ("indicators.0.when", {"all": []}, "indicator D1S: 'all' takes a non-empty list"),
    ("indicators.0.when", {"dimension_positive": "deceptive_recruitment"}, "indicator D1S: "
     "'dimension_positive' is allowed in escalations only"),
    ("indicators.0.when", None, "indicator D1S: needs a 'when' condition"),
    ("indicators.1.id", "D1S", "indicator D1S: duplicate id"),
    ("indicators.0.track", "smuggling", "indicator D1S: unknown track 'smuggling'"),
    ("indicators.0.dimension", "exploitation", "indicator D1S: unknown dimension "
     "'exploitation'"),
    ("indicators.0.severity", "huge", "indicator D1S: severity must be one of"),
    ("indicators.0.points", 101, "indicator D1S: 'points' must be a whole number 0-100"),
    ("indicators.0.source", "", "indicator D1S: needs a 'source'"),
    ("indicators.0.label", {"id": "x"}, "indicator D1S: needs label: {id: ..., en: ...}"),
    ("indicators.0.colour", "red", "indicator D1S: unknown key 'colour'"),
    ("escalations.0.min_action", "arrest", "escalation ESC-D1: unknown action 'arrest'"),
    ("escalations.0.when", {"dimension_positive": "abuse_of_vulnerability"},
     "escalation ESC-D1: a protective dimension alone may not raise the action"),
    ("tracks.trafficking.bands.1.below", 10, "track trafficking band 'medium': 'below' must "
     "increase (10 after 20): the band is unreachable"),
    ("tracks.trafficking.bands.3.below", 90, "track trafficking band 'critical': is the last "
     "band but ends below 90: scores 90-100 would have no band"),
    ("tracks.trafficking.bands.0.below", None, "track trafficking band 'low': has no 'below' "
     "limit, so the bands after it are unreachable"),
    ("tracks.trafficking.bands.2.action", "proceed", "track trafficking band 'high': its action "
     "is lower than the band before it"),
    ("tracks.nonprocedural.bands.0.action", "wait", "track nonprocedural band 'low': unknown "
     "action 'wait'"),
    ("actions.1.id", "interview", "actions: must be the ladder"),
    ("model", {"mode": "escalate", "threshold": 2}, "model: 'threshold' must be a probability"),
    ("model", {"mode": "escalate", "threshold": 0.5, "action": "defer_and_redirect"},
     "model: 'action' may raise a result at most to supervisor_review; got "
     "'defer_and_redirect'"),
    ("lists.scam", [], "list scam: must be a non-empty list"),
])
def test_each_problem_is_named(path, value, message):
    found = problems(with_change(path, value))
    assert any(p.startswith("test.yaml: ") and message in p for p in found), found


def test_all_problems_are_reported_at_once():
    text = with_change("indicators.0.when", {"field": "sex", "eq": "female"})
    text = text.replace("source: ILO 2009", "source: ''", 1)
    assert len(problems(text.replace("refer_protection\n", "refer\n", 1))) >= 2


def test_python_tag_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    text = MINI + f'\nx: !!python/object/apply:os.system ["touch {marker}"]\n'
    found = problems(text)
    assert "not a valid rule-set YAML" in found[0]
    assert not marker.exists()


def test_duplicate_yaml_key_is_refused():
    assert "duplicate key 'lists'" in problems(MINI + "\nlists: {}\n")[0]


def test_yaml_1_1_booleans_are_plain_words():
    rs = parse_ruleset(HEADER + """
indicators:
  - {id: X, track: trafficking, severity: weak, points: 5, when: {field: purpose_explained,
     eq: no}, label: {id: a, en: a}, source: s}
model: {mode: off}
""")
    assert rs.model_mode == "off"


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "ews.cli", *args], input=stdin,
                          capture_output=True, text=True)


def test_cli_check_exit_codes_and_no_traceback(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(MINI)
    bad.write_text(with_change("indicators.0.when", {"field": "sex", "eq": "female"}))
    ok = run_cli("rules", "check", str(good))
    assert ok.returncode == 0 and "ok (mini 1" in ok.stdout
    fail = run_cli("rules", "check", str(good), str(bad))
    assert fail.returncode == 1
    assert fail.stderr.strip() == (f"{bad}: indicator D1S: field 'sex' has role 'audit'; "
                                   "only 'rule' fields may be used")
    missing = run_cli("rules", "check", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
