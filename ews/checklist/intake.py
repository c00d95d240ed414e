"""Intake: what the front desk registers before the interview, validated by the registry.

The fields and their validators are the checklist's own (`FIELDS`); only which of them are
required differs. Identity is derived at registration exactly as at the interview: minor
status and age band from the date of birth (or the NIK's date part), the kecamatan of origin
from the NIK. Nothing here stores anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import ValidationError

from .derive import derive
from .schema import field_schema, identity_errors, message

INTAKE_FIELDS = ("application_id", "office_code", "nik", "full_name", "date_of_birth", "sex",
                 "phone", "domicile_regency", "domicile_district", "domicile_village",
                 "purpose", "application_type")
INTAKE_REQUIRED = ("application_id", "office_code", "nik")
# Carried from intake into the interview record (audit fields and the derived identity).
CARRIED = ("sex", "domicile_regency", "domicile_district", "domicile_village")


def validate_intake(payload: Any, lang: str = "en", *, now: dt.datetime) -> dict:
    """Validate one registration; return it with `is_minor`, `age_band`, `origin_kecamatan`.

    Raises ValidationError naming the fields; messages never echo a value. Blank text is
    "not given"; only application id, office and NIK are required.
    """
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": [message("type", lang)]})
    data = field_schema(INTAKE_FIELDS, lang, INTAKE_REQUIRED).load(payload)
    errors = identity_errors(data, lang, now)
    if errors:
        raise ValidationError(errors)
    record = {name: data.get(name) for name in INTAKE_FIELDS} | {"interviewed_at": now}
    return derive(record, {})
