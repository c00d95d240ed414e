"""The licensed-P3MI list ships beside the rule set: validated with it, a bad row named by its
line, never half-stored; and an assessment records whether the named agency is on it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ews.checklist import agency_key, validate_checklist
from ews.engine import RuleSetError, load_ruleset, parse_ruleset, ruleset_files
from ews.store.models import RuleSetRecord

from .checklists import clock, sound_umrah
from .conftest import DEFAULT_RULES

AGENCIES = (DEFAULT_RULES.parent / "p3mi_licensed.csv").read_text(encoding="utf-8")
# The default rule set with its P3MI list alone (the manning list has its own tests below).
TEXT = DEFAULT_RULES.read_text(encoding="utf-8").replace(
    "\n  version: ", "\n  version: p3mi-", 1).replace(
    "manning_agencies: manning_agencies.csv\n", "")


@pytest.mark.parametrize("bad_row, problem", [
    ("PT Baru,KEP.9/2025,31-12-2029,active,", "line 9: 'valid_until' must be a date YYYY-MM-DD"),
    ("PT Baru,KEP.9/2025", "line 9: expected 5 columns, got 2"),
    ("PT Contoh Sarana Kerja,KEP.9/2025,2029-12-31,active,", "line 9: agency listed twice"),
    (",KEP.9/2025,2029-12-31,active,", "line 9: 'name' must be 1-200 characters"),
])
def test_a_bad_row_is_named_by_its_line(bad_row, problem):
    with pytest.raises(RuleSetError) as info:
        parse_ruleset(TEXT, source="draft.yaml", agencies=AGENCIES + bad_row + "\n")
    assert any(e.endswith(problem) and "p3mi_licensed.csv" in e for e in info.value.errors)


def test_a_rule_set_naming_a_list_needs_it():
    with pytest.raises(RuleSetError) as info:
        parse_ruleset(TEXT)
    assert "licensed_agencies: the list file 'p3mi_licensed.csv' was not supplied" in \
        str(info.value)


def test_the_list_is_part_of_the_rule_sets_identity():
    a = parse_ruleset(TEXT, agencies=AGENCIES)
    b = parse_ruleset(TEXT, agencies=AGENCIES + "PT Baru,KEP.9/2025,2029-12-31,active,\n")
    assert a.sha256 != b.sha256 and len(b.agencies) == len(a.agencies) + 1


def test_rules_check_names_the_line(tmp_path):
    shutil.copy(DEFAULT_RULES, tmp_path / "tppo_pmi.yaml")
    shutil.copy(DEFAULT_RULES.parent / "manning_agencies.csv", tmp_path)
    (tmp_path / "p3mi_licensed.csv").write_text(AGENCIES + "PT Baru,KEP.9,soon,active,\n")
    done = subprocess.run([sys.executable, "-m", "ews.cli", "rules", "check",
                           str(tmp_path / "tppo_pmi.yaml")], capture_output=True, text=True)
    assert done.returncode == 1
    assert "p3mi_licensed.csv: line 9: 'valid_until' must be a date YYYY-MM-DD" in \
        done.stdout + done.stderr


def test_upload_with_a_bad_row_is_refused_and_nothing_stored(client, db, accounts):
    before = db.scalar(select(func.count()).select_from(RuleSetRecord))
    resp = client.post("/api/v1/rulesets", headers=accounts["analyst"].headers,
                       json={"text": TEXT,
                             "agencies_csv": AGENCIES + "PT X,K,2029-02-30,active,\n"})
    assert resp.status_code == 422
    assert any("line 9" in e for e in resp.get_json()["errors"]["text"])
    assert db.scalar(select(func.count()).select_from(RuleSetRecord)) == before
    ok = client.post("/api/v1/rulesets", headers=accounts["analyst"].headers,
                     json={"text": TEXT, "agencies_csv": AGENCIES})
    assert ok.status_code == 201


def test_the_assessment_records_the_agency_licence(client, accounts):
    ruleset = load_ruleset(DEFAULT_RULES)
    assert ruleset.agencies  # the shipped sample list
    body = sound_umrah(purpose="procedural_work", umrah_documents=None,
                       destination_country="HK", states_work_abroad=True,
                       job_offer_channel="licensed_agency", recruiter_type="licensed_agency",
                       agency_name="PT Tidak Terdaftar", job_sector="caregiver",
                       disnaker_recommendation="verified", job_order="present",
                       placement_agreement="present", job_unclear=False, job_changed=False,
                       offer_unrealistic=False)
    resp = client.post("/api/v1/assessments", json=body, headers=accounts["officer"].headers)
    assert resp.status_code == 201, resp.get_json()
    assert "PMI11" in {r["indicator"] for r in resp.get_json()["reasons"]}
    view = client.get(f"/api/v1/assessments/{resp.get_json()['id']}",
                      headers=accounts["officer"].headers).get_json()
    assert view["features"]["agency_licence"] == "unverified"


LIST_V21 = """name,licence_number,valid_until,status,status_from
PT Contoh Sarana Kerja,KEP.100/CONTOH/2024,2029-12-31,active,
PT Mitra Buruh Contoh,KEP.101/CONTOH/2023,2028-06-30,suspended,2026-10-01
PT Jasa Penempatan Contoh Madura,KEP.102/CONTOH/2021,2026-01-31,active,
"""


@pytest.mark.parametrize("name, on, licence", [
    ("PT Contoh Sarana Kerja", "2026-11-20", "licensed"),
    # BP2MI suspended it on 1 October: an interview before that read it as licensed.
    ("PT Mitra Buruh Contoh", "2026-09-15", "licensed"),
    ("PT Mitra Buruh Contoh", "2026-11-20", "suspended"),
    # The licence ran to the end of January: lapsed by November, valid in January.
    ("PT Jasa Penempatan Contoh Madura", "2026-01-20", "licensed"),
    ("PT Jasa Penempatan Contoh Madura", "2026-11-20", "expired"),
    ("PT Tidak Terdaftar", "2026-11-20", "unverified"),
])
def test_the_licence_is_read_as_on_the_interview_day(name, on, licence):
    agencies = parse_ruleset(TEXT, agencies=LIST_V21).agencies
    record = validate_checklist(sound_umrah(states_work_abroad=True, agency_name=name,
                                            interviewed_at=f"{on}T09:00:00+07:00"),
                                agencies=agencies, now=clock())
    assert record["agency_licence"] == licence


def test_a_list_without_status_columns_still_loads_every_agency_active():
    old = "name,licence_number,valid_until\nPT Contoh Sarana Kerja,KEP.100,2029-12-31\n"
    assert parse_ruleset(TEXT, agencies=old).agencies[agency_key("PT Contoh Sarana Kerja")] \
        == (dt.date(2029, 12, 31), "active", None)


@pytest.mark.parametrize("bad_row, problem", [
    ("PT Baru,KEP.9,2029-12-31,dibekukan,", "line 5: 'status' must be one of: active, "
     "suspended, revoked"),
    ("PT Baru,KEP.9,2029-12-31,revoked,kemarin", "line 5: 'status_from' must be a date"),
    ("PT Baru,KEP.9,2029-12-31", "line 5: expected 5 columns, got 3"),
])
def test_a_bad_status_is_named_by_its_line(bad_row, problem):
    with pytest.raises(RuleSetError) as info:
        parse_ruleset(TEXT, agencies=LIST_V21 + bad_row + "\n")
    assert any(problem in e for e in info.value.errors), info.value.errors


MANNING = (DEFAULT_RULES.parent / "manning_agencies.csv").read_text(encoding="utf-8")


def _with_manning(tmp_path, manning: str) -> Path:
    """Write the default rule set with both agency lists beside it; return the YAML path."""
    (tmp_path / "p3mi_licensed.csv").write_text(AGENCIES, encoding="utf-8")
    (tmp_path / "manning_agencies.csv").write_text(manning, encoding="utf-8")
    path = tmp_path / "tppo_pmi.yaml"
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    if "manning_agencies:" not in text:
        text = text.replace("licensed_agencies: p3mi_licensed.csv\n",
                            "licensed_agencies: p3mi_licensed.csv\n"
                            "manning_agencies: manning_agencies.csv\n")
    path.write_text(text, encoding="utf-8")
    return path


def test_the_manning_list_has_the_same_format_and_checks(tmp_path):
    path = _with_manning(tmp_path, MANNING + "PT Baru Bahari,SIUKAK.9,2029-12-31,dibekukan,\n")
    with pytest.raises(RuleSetError) as info:
        load_ruleset(path)
    assert any("manning_agencies.csv: line " in e and "'status' must be one of" in e
               for e in info.value.errors), info.value.errors
    (tmp_path / "manning_agencies.csv").unlink()
    with pytest.raises(RuleSetError, match="manning_agencies.csv: cannot read"):
        load_ruleset(path)


@pytest.mark.parametrize("name, on, licence", [
    ("PT Contoh Awak Kapal Samudra", "2026-11-20", "licensed"),
    # SIUPPAK not converted to SIUKAK by 30 September 2025: lapsed
    ("PT Contoh Manning Nusantara", "2026-11-20", "expired"),
    ("PT Contoh Manning Nusantara", "2025-09-01", "licensed"),
    # revoked from 1 August 2026
    ("PT Contoh Bahari Perikanan", "2026-11-20", "suspended"),
    # a P3MI placing crew that needs a work visa may hold a P3MI licence instead
    ("PT Contoh Sarana Kerja", "2026-11-20", "licensed"),
    ("PT Kapal Tidak Terdaftar", "2026-11-20", "unverified"),
])
def test_the_manning_agency_is_read_on_the_interview_day(tmp_path, name, on, licence):
    ruleset = load_ruleset(_with_manning(tmp_path, MANNING))
    record = validate_checklist(
        sound_umrah(purpose="seafarer", umrah_documents=None, supporting_document=None,
                    destination_country="TW", states_work_abroad=True,
                    seafarer_documents="complete", manning_agency_name=name,
                    interviewed_at=f"{on}T09:00:00+07:00"),
        agencies=ruleset.agencies, manning=ruleset.manning, now=clock())
    assert record["manning_agency_licence"] == licence


def test_both_lists_are_stored_with_the_rule_set_and_part_of_its_identity(
        tmp_path, client, accounts):
    path = _with_manning(tmp_path, MANNING)
    text, lists = ruleset_files(path)
    first = parse_ruleset(text, agencies=lists)
    other = parse_ruleset(text, agencies=lists.replace(b"2029-06-30", b"2030-06-30"))
    assert first.sha256 != other.sha256 and len(first.manning) == 3
    text = text.replace(b"\n  version: ", b"\n  version: both-", 1)
    made = client.post("/api/v1/rulesets", headers=accounts["analyst"].headers,
                       json={"text": text.decode(), "agencies_csv": lists.decode()})
    assert made.status_code == 201, made.get_json()
    row = client.get(f"/api/v1/rulesets/{made.get_json()['id']}",
                     headers=accounts["analyst"].headers).get_json()
    assert row["sha256"] == parse_ruleset(text, agencies=lists).sha256
    # without the manning list the text is refused, naming the file
    refused = client.post("/api/v1/rulesets", headers=accounts["analyst"].headers,
                          json={"text": text.decode(), "agencies_csv": AGENCIES})
    assert refused.status_code == 422
    assert "manning_agencies: the list file 'manning_agencies.csv' was not supplied" in \
        str(refused.get_json())
