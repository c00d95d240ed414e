"""The interview form is generated from the field registry, not written by hand."""


from ews.checklist import FIELDS, INPUT_FIELDS, validate_checklist
from ews.web.form import (
    SERVER_SET,
    form_sections,
    initial_values,
    payload_from_form,
)
from tests.checklists import clock

EXPECTED_SECTIONS = ["application", "travel", "work", "observation", "minor", "history",
                     "protection"]


def test_sections_in_order_and_every_input_field_once():
    sections = form_sections()
    assert [s.key for s in sections] == EXPECTED_SECTIONS
    names = [ff.name for s in sections for ff in s.fields]
    assert len(names) == len(set(names))
    # a legacy question (v2.0 answers only) is never asked on the form
    assert set(names) == {f.name for f in INPUT_FIELDS if not f.legacy} - set(SERVER_SET)
    assert "lost_passport_count" not in names and "earlier_lost_passports" in names


def test_runs_keep_registry_order():
    for section in form_sections():
        flat = [ff.name for _, run in section.runs for ff in run]
        assert flat == [ff.name for ff in section.fields]


def test_widgets_follow_field_kinds():
    widgets = {ff.name: ff.widget for s in form_sections() for ff in s.fields}
    for name, widget in widgets.items():
        kind = FIELDS[name].kind
        expected = {"bool": "yesno", "enum": "choice", "country": "country", "date": "date",
                    "int": "number"}.get(kind)
        assert widget == expected or (kind == "str" and widget in ("text", "textarea")) or (
            name == "domicile_desa" and widget == "desa")


def test_conditions_exposed_as_form_values():
    ff = next(ff for s in form_sections() for ff in s.fields
              if ff.name == "disnaker_recommendation")
    assert '"states_work_abroad":["true"]' in ff.applies_when_json()
    assert "procedural_work" in ff.applies_when_json()


def test_no_question_is_pre_answered():
    assert initial_values() == {}


def test_three_answers_validate_and_the_rest_is_not_asked():
    form = {"application_id": "A1", "purpose": "tourism", "destination_country": "my",
            "states_work_abroad": "false", "earlier_lost_passports": "2"}
    record = validate_checklist(payload_from_form(form, "PMK"), "id", now=clock())
    assert record["office_code"] == "PMK"
    assert record["destination_country"] == "MY"
    assert record["states_work_abroad"] is False
    assert record["earlier_lost_passports"] == 2
    assert record["purpose_explained"] is None  # blank = not asked, never "no"
    assert record["distress_observed"] is None


def test_payload_ignores_foreign_keys_and_blanks():
    payload = payload_from_form({"csrf_token": "x", "office_code": "OTHER", "nik": "  ",
                                 "purpose": "umrah_hajj"}, "PMK")
    assert payload == {"office_code": "PMK", "purpose": "umrah_hajj"}
