"""Operators, the ILO combination rule, and per-record vs DataFrame agreement."""


import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ews.checklist import FIELDS, validate_checklist
from ews.engine import evaluate, evaluate_frame, load_ruleset, parse_ruleset
from ews.engine.conditions import typed_frame
from ews.engine.evaluate import positive_dimensions
from ews.engine.loader import ILO_2009, Indicator
from ews.scoring import score, score_frame

from .checklists import checklists, clock, desa_for, history
from .rulesets import HEADER, MINI


def one_indicator(condition: str):
    return parse_ruleset((HEADER + f"""
lists: {{scam: [KH, MM], counts: [2, 3]}}
indicators:
  - {{id: T, track: trafficking, severity: weak, points: 5, when: {condition},
     label: {{id: a, en: a}}, source: s}}
""").replace("lists:\n  scam: [KH, MM]\n", "", 1))


def fires(condition: str, field: str, values: list) -> list[bool]:
    """Evaluate a one-indicator rule set per record and per frame; both must agree."""
    rs = one_indicator(condition)
    records = [{field: v} for v in values]
    per_record = [bool(evaluate(r, rs).indicators) for r in records]
    frame = pd.DataFrame({field: pd.Series(values, dtype=object)})
    per_frame = evaluate_frame(frame, rs).indicators[:, 0].tolist()
    assert per_record == per_frame
    return per_record


@pytest.mark.parametrize("condition, field, values, expected", [
    ("{field: purpose, eq: tourism}", "purpose", ["tourism", "umrah_hajj", None],
     [True, False, False]),
    ("{field: purpose, ne: tourism}", "purpose", ["tourism", "umrah_hajj", None],
     [False, True, False]),
    ("{field: purpose, in: [tourism, other]}", "purpose", ["other", "study", None],
     [True, False, False]),
    ("{field: purpose, not_in: [tourism, other]}", "purpose", ["other", "study", None],
     [False, True, False]),
    ("{field: destination_country, in_list: scam}", "destination_country", ["KH", "SA", None],
     [True, False, False]),
    ("{field: lost_passport_count, in_list: counts}", "lost_passport_count", [2, 1, None],
     [True, False, False]),
    ("{field: lost_passport_count, lt: 2}", "lost_passport_count", [1, 2, None],
     [True, False, False]),
    ("{field: lost_passport_count, le: 2}", "lost_passport_count", [2, 3, None],
     [True, False, False]),
    ("{field: lost_passport_count, gt: 2}", "lost_passport_count", [3, 2, None],
     [True, False, False]),
    ("{field: lost_passport_count, ge: 2}", "lost_passport_count", [2, 1, None],
     [True, False, False]),
    ("{field: lost_passport_count, eq: 0}", "lost_passport_count", [0, 1, None],
     [True, False, False]),
    ("{field: states_work_abroad, eq: true}", "states_work_abroad", [True, False, None],
     [True, False, False]),
    ("{field: states_work_abroad, eq: false}", "states_work_abroad", [True, False, None],
     [False, True, False]),
    ("{field: states_work_abroad, ne: true}", "states_work_abroad", [True, False, None],
     [False, True, False]),
    ("{field: return_ticket, is_null: true}", "return_ticket", ["return_booked", None],
     [False, True]),
    ("{field: return_ticket, not_null: true}", "return_ticket", ["return_booked", None],
     [True, False]),
    ("{not: {field: return_ticket, eq: return_booked}}", "return_ticket",
     ["return_booked", "one_way_booked", None],
     [False, True, True]),
    ("{all: [{field: purpose, ne: study}, {field: purpose, ne: medical}]}", "purpose",
     ["tourism", "study", None], [True, False, False]),
    ("{any: [{field: purpose, eq: study}, {field: purpose, is_null: true}]}", "purpose",
     ["tourism", "study", None], [False, True, True]),
])
def test_operator(condition, field, values, expected):
    assert fires(condition, field, values) == expected


def ind(dimension: str, severity: str) -> Indicator:
    return Indicator(0, "x", "trafficking", dimension, severity, 1, False, {}, "s", None)


@pytest.mark.parametrize("severities, positive", [
    (["strong", "strong"], True),
    (["strong", "medium"], True),
    (["strong", "weak"], True),
    (["medium", "medium", "medium"], True),
    (["medium", "medium", "weak"], True),
    (["strong"], False),
    (["medium", "medium"], False),
    (["medium", "weak"], False),
    (["medium", "weak", "weak"], False),
    (["weak", "weak", "weak"], False),
    ([], False),
])
def test_ilo_2009_combination_rule(severities, positive):
    dims = positive_dimensions([ind("deceptive_recruitment", s) for s in severities], ILO_2009)
    assert ("deceptive_recruitment" in dims) is positive


def test_ilo_rule_counts_each_dimension_separately():
    hits = [ind("deceptive_recruitment", "strong"), ind("coercive_recruitment", "medium")]
    assert positive_dimensions(hits, ILO_2009) == frozenset()


def test_dimension_rule_is_configurable():
    text = MINI.replace("dimension_rule: ilo_2009", "dimension_rule: {combinations: "
                        "[{strong: 1}]}")
    rs = parse_ruleset(text)
    record = validate_checklist({"application_id": "A", "office_code": "PMK",
                                 "purpose": "tourism", "destination_country": "MY",
                                 "job_changed": True}, now=clock())
    assert evaluate(record, rs).dimensions == {"deceptive_recruitment"}


RULESETS = {"mini": parse_ruleset(MINI), "default": None}


def ruleset_named(name):
    if RULESETS[name] is None:
        RULESETS[name] = load_ruleset("rules/tppo_pmi.yaml")
    return RULESETS[name]


@pytest.mark.parametrize("name", ["mini", "default"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(st.tuples(checklists(), history), min_size=20, max_size=60))
def test_frame_and_record_scoring_agree(name, batch):
    """Thousands of generated checklists: the backtest path equals the request path."""
    rs = ruleset_named(name)
    records = [validate_checklist(payload, now=clock()) | hist for payload, hist in batch]
    frame = score_frame(pd.DataFrame.from_records(records), rs, details=True)
    typed = score_frame(typed_frame(records), rs, details=True)
    pd.testing.assert_frame_equal(frame, typed)
    for record, (_, row) in zip(records, frame.iterrows(), strict=True):
        one = score(record, rs)
        assert (one["score"], one["band"], one["recommended_action"]["id"],
                one["completeness"]) == (row.score, row.band, row.action, row.completeness)
        assert [r["indicator"] for r in one["reasons"]] == list(row.indicators)
        assert [r["indicator"] for r in one["protective_flags"]] == list(row.protective_flags)
        assert [e["id"] for e in one["escalations"]] == list(row.escalations)
        assert one["tracks"]["trafficking"]["score"] == row.score_trafficking


NON_RULE = [f for f in FIELDS.values() if f.role != "rule" and not f.derived
            and f.name not in ("application_id", "office_code", "interviewed_at")]


@pytest.mark.parametrize("name", ["mini", "default"])
@settings(max_examples=150, deadline=None)
@given(payload=checklists(), data=st.data())
def test_audit_pii_admin_fields_never_change_the_outcome(name, payload, data):
    rs = ruleset_named(name)
    other = dict(payload)
    for f in NON_RULE:
        # Only derived rule fields may carry these: is_minor (from the date of birth, or the
        # NIK's date when none is entered) and the agencies' licence status (from their names).
        if f.name in ("date_of_birth", "agency_name", "manning_agency_name",
                      "domicile_desa") or (f.name == "nik" and not payload.get("date_of_birth")):
            continue
        other[f.name] = data.draw(st.none() | checklists().map(lambda p, n=f.name: p.get(n)))
    # the village must lie in the (possibly changed) NIK's kecamatan, as validation requires
    other["domicile_desa"] = data.draw(st.none() | desa_for(other.get("nik")))
    other["application_id"] = "OTHER-1"
    other["office_code"] = "ZZZ"
    now = clock()
    a = score(validate_checklist(payload, now=now), rs)
    b = score(validate_checklist(other, now=now), rs)
    assert (a["score"], a["recommended_action"], a["reasons"], a["escalations"]) == \
           (b["score"], b["recommended_action"], b["reasons"], b["escalations"])
