"""Scoring semantics (docs/design.md, Scoring) and the offline `ews score` command."""

import json
import subprocess
import sys

import pytest

from ews.checklist import validate_checklist
from ews.engine import parse_ruleset
from ews.scoring import score

from .checklists import clock, sound_umrah
from .rulesets import MINI

RS = parse_ruleset(MINI)
RESULT_KEYS = {"score", "band", "recommended_action", "tracks", "reasons", "escalations",
               "protective_flags", "completeness", "model", "ruleset", "decision_required"}


def scored(ruleset=RS, probability=None, **answers):
    return score(validate_checklist(sound_umrah(**answers), now=clock()), ruleset, probability)


@pytest.mark.parametrize("answers, action, score_, band", [
    ({}, "proceed", 0, "low"),
    ({"offer_unrealistic": True, "destination_address_known": "no"}, "in_depth_interview", 20,
     "medium"),
    ({"job_changed": True, "offer_unrealistic": True}, "supervisor_review", 50, "high"),
    ({"states_work_abroad": True, "disnaker_recommendation": "missing"}, "defer_and_redirect", 0,
     "low"),
    ({"threats_observed": True, "documents_held_by_other": True}, "refer_protection", 60,
     "high"),
    ({"date_of_birth": "2012-03-04", "accompanied_by": "alone"}, "supervisor_review", 0, "low"),
])
def test_each_rung_is_reachable(answers, action, score_, band):
    result = scored(**answers)
    assert set(result) == RESULT_KEYS
    assert (result["recommended_action"]["id"], result["score"], result["band"]) == \
           (action, score_, band)
    assert result["decision_required"] is (result["recommended_action"]["rung"] >= 2)


def test_reasons_escalations_and_dimensions_are_all_listed():
    result = scored(job_changed=True, offer_unrealistic=True)
    assert [r["indicator"] for r in result["reasons"]] == ["D1S", "D1M"]
    assert result["reasons"][0] == {
        "indicator": "D1S", "track": "trafficking", "dimension": "deceptive_recruitment",
        "severity": "strong", "points": 35,
        "label": {"id": "Pekerjaan tidak jelas", "en": "Job unclear"},
        "source": {"id": "ILO 2009", "en": "ILO 2009"}}  # one text: both languages
    assert result["escalations"] == [{"id": "ESC-D1", "min_action": "supervisor_review",
                                      "label": {}}]
    assert result["tracks"]["trafficking"]["dimensions_positive"] == ["deceptive_recruitment"]
    assert result["recommended_action"]["label"] == {"id": "Tinjauan supervisor",
                                                     "en": "Supervisor review"}
    assert result["ruleset"] == {"id": "mini", "version": "1", "sha256": RS.sha256}


def test_a_bilingual_source_is_kept_in_both_languages():
    result = scored(destination_address_known="no")
    assert result["reasons"][0]["source"] == {"id": "UNODC: tidak tahu alamat",
                                              "en": "UNODC: does not know the address"}


def test_a_reason_that_asks_for_a_check_never_lets_the_result_proceed():
    # Two lost passports: 15 points stay in the nonprocedural track's low band, but the
    # indicator's own min_action asks for the in-depth interview.
    result = scored(lost_passport_count=2)
    assert result["tracks"]["nonprocedural"]["action"] == "proceed"
    assert result["recommended_action"]["id"] == "in_depth_interview"


def test_procedural_points_without_work_in_view_stop_at_supervisor_review():
    # 60 points reach the track's top band (defer); without work in view the track stops at
    # supervisor review (`above_review_needs`), with it the band's own action holds.
    lost = "{id: LOST, track: nonprocedural, severity: medium, points: "
    rs = parse_ruleset(MINI.replace(lost + "15", lost + "60"))
    without = scored(rs, lost_passport_count=2)
    assert without["tracks"]["nonprocedural"]["score"] == 60
    assert without["recommended_action"]["id"] == "supervisor_review"
    with_work = scored(rs, lost_passport_count=2, states_work_abroad=True,
                       disnaker_recommendation="verified")
    assert with_work["recommended_action"]["id"] == "defer_and_redirect"


def test_track_score_is_capped_at_100():
    rs = parse_ruleset(MINI.replace("points: 35", "points: 100"))
    assert scored(rs, job_changed=True, offer_unrealistic=True)["score"] == 100


def test_protective_flags_alone_never_above_in_depth_interview():
    # 60 protective points would reach the 'high' band (supervisor_review) if they counted.
    result = scored(financial_pressure=True, unaware_of_legal_route=True)
    assert result["recommended_action"]["id"] == "in_depth_interview"
    assert [f["indicator"] for f in result["protective_flags"]] == ["KER01", "KER02"]
    assert result["reasons"] == [] and result["decision_required"] is False


def test_protective_flags_do_not_lower_a_real_signal():
    result = scored(job_changed=True, offer_unrealistic=True, financial_pressure=True)
    assert result["recommended_action"]["id"] == "supervisor_review"


def test_umrah_purpose_is_not_itself_a_signal():
    tourism = scored(purpose="tourism", umrah_documents=None, destination_country="SA")
    umrah = scored()
    assert (umrah["score"], umrah["recommended_action"]) == \
           (tourism["score"], tourism["recommended_action"])


MODEL = "model: {mode: %s, threshold: 0.8, action: supervisor_review}"


@pytest.mark.parametrize("mode, probability, action, flagged", [
    ("advisory", 0.95, "proceed", True),
    ("escalate", 0.95, "supervisor_review", True),
    ("escalate", 0.5, "proceed", False),
])
def test_model_modes(mode, probability, action, flagged):
    rs = parse_ruleset(MINI.replace("model: {mode: off}", MODEL % mode))
    result = scored(rs, probability)
    assert result["recommended_action"]["id"] == action
    assert result["model"]["flagged"] is flagged and result["model"]["mode"] == mode


def test_model_never_lowers_the_action():
    rs = parse_ruleset(MINI.replace("model: {mode: off}", MODEL % "escalate"))
    result = scored(rs, 0.01, threats_observed=True, documents_held_by_other=True)
    assert result["recommended_action"]["id"] == "refer_protection"


def test_model_off_reports_nothing():
    assert scored(RS, 0.99)["model"] is None


def run_score(stdin: str, tmp_path, *args):
    rules = tmp_path / "mini.yaml"
    rules.write_text(MINI)
    return subprocess.run([sys.executable, "-m", "ews.cli", "score", "--rules", str(rules),
                           *args, "-"], input=stdin, capture_output=True, text=True)


def test_score_cli_single_object(tmp_path):
    done = run_score(json.dumps(sound_umrah(job_changed=True)), tmp_path)
    assert done.returncode == 0
    result = json.loads(done.stdout)
    assert result["application_id"] == "PMK-2026-000101" and result["status"] == "not_stored"
    assert result["reasons"][0]["indicator"] == "D1S"


def test_score_cli_json_lines_keeps_order_and_reports_bad_lines(tmp_path):
    lines = [sound_umrah(application_id=f"A{i}") for i in range(5)]
    lines[2]["nik"] = "12345"
    lines[3]["threats_observed"] = True
    lines[3]["documents_held_by_other"] = True
    text = "\n".join(json.dumps(x) for x in lines) + "\n{not json\n"
    done = run_score(text, tmp_path, "--lang", "id")
    out = [json.loads(x) for x in done.stdout.splitlines()]
    assert done.returncode == 1 and len(out) == 6
    assert [o.get("application_id") for o in out[:5]] == ["A0", "A1", "A2", "A3", "A4"]
    assert out[2] == {"error": "validation", "application_id": "A2", "line": 3,
                      "errors": {"nik": ["NIK harus tepat 16 angka (0-9)."]}}
    assert out[3]["recommended_action"]["id"] == "refer_protection"
    assert out[4]["recommended_action"]["id"] == "proceed"
    assert out[5]["error"] == "json" and out[5]["line"] == 6
    assert "12345" not in done.stdout
