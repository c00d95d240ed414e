"""#20 L4: free text holds no invisible format characters; application ids are plain ASCII.

Zero-width joiners and spaces, soft hyphens, the byte-order mark (Unicode category Cf) and
the line and paragraph separators (U+2028, U+2029) make stored text differ from what it
reads: notes, reasons and place names refuse them with a 422 naming the field.
"""

from __future__ import annotations

import pytest

from ews.lifecycle.states import ReasonRequired, check

INVISIBLE = ["\u2028", "\u2029", "\u200d", "\u200b", "\u00ad", "\ufeff", "\u2060"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_notes_and_village_with_a_format_character_are_422(client, accounts, payload, char):
    for field in ("officer_notes", "domicile_village"):
        resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                           json=payload("PMK-L4-1", **{field: f"Bun{char}der"}))
        assert resp.status_code == 422, (field, resp.get_json())
        assert list(resp.get_json()["errors"]) == [field]


@pytest.mark.parametrize("app_id", ["ПМК-1", "PMK\u200d1", "PMK 1", "-PMK", "P" * 65])
def test_application_id_outside_the_ascii_pattern_is_422(client, accounts, payload, app_id):
    resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                       json=payload(app_id))
    assert resp.status_code == 422 and "application_id" in resp.get_json()["errors"]


@pytest.mark.parametrize("app_id", ["PMK-2026-000101", "2026/PMK/12.3", "a", "X" * 64])
def test_application_ids_valid_today_still_pass(client, accounts, payload, app_id):
    resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                       json=payload(app_id))
    assert resp.status_code == 201, resp.get_json()


def test_decision_reason_with_a_zero_width_joiner_is_422(client, accounts, payload):
    resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                       json=payload("PMK-L4-2", risky=True))
    item = resp.get_json()["id"]
    resp = client.post(f"/api/v1/assessments/{item}/decision",
                       headers=accounts["supervisor"].headers,
                       json={"decision": "deferred", "reason": "Dokumen\u200d kurang"})
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["reason"]


def test_rule_set_step_reason_with_a_line_separator_is_refused():
    with pytest.raises(ReasonRequired, match="reason: remove the invisible"):
        check("reject", status="in_review", is_author=False, has_right=True,
              reason="teks\u2028lain")
    assert check("reject", status="in_review", is_author=False, has_right=True,
                 reason="teks lain") == "draft"  # a rejected version goes back to draft
