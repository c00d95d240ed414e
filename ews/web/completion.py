"""Completeness in plain words: which applicable rule questions of an assessment were not asked."""

from __future__ import annotations

from dataclasses import dataclass

from ews.checklist import stored_record
from ews.store.models import Assessment

from .form import form_sections


@dataclass(frozen=True)
class Completion:
    """How many applicable rule questions were answered, and the ones not asked."""

    answered: int
    applicable: int
    not_asked: tuple[tuple[str, str], ...]  # (section key, field name)


def completion_of(row: Assessment) -> Completion:
    """Return the completion of a stored assessment (v1 rows through the v1 mapping)."""
    record = stored_record(row.answers, row.features, row.checklist_version)
    answered = applicable = 0
    missing = []
    for section in form_sections():
        for ff in section.fields:
            f = ff.field
            if f.role != "rule" or not f.counts_in_completeness or not f.applies(record):
                continue
            applicable += 1
            if record.get(f.name) is None:
                missing.append((section.key, f.name))
            else:
                answered += 1
    return Completion(answered, applicable, tuple(missing))
