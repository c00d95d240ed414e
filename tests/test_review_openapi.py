"""The review API keeps to its generated spec on success paths too (as a supervisor)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.test_openapi import CHECKS

REVIEW_PATHS = ("/api/v1/review-queue", "/api/v1/assessments/{assessment_id}/claim",
                "/api/v1/assessments/{assessment_id}/decision",
                "/api/v1/assessments/{assessment_id}/outcome")


def test_review_operations_conform(app, accounts, payload):
    spec = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ops = [r.ok() for r in spec.get_all_operations() if r.ok().path in REVIEW_PATHS]
    assert {op.path for op in ops} == set(REVIEW_PATHS)
    client = app.test_client()
    sup = accounts["supervisor"]
    known = [client.post("/api/v1/assessments", json=payload(f"R-{i}", risky=True),
                         headers=accounts["officer"].headers).get_json()["id"]
             for i in range(3)]
    statuses = set()
    for op in ops:

        @given(case=op.as_strategy())
        @settings(max_examples=20, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            if "assessment_id" in (case.path_parameters or {}) and len(statuses) % 3:
                case.path_parameters["assessment_id"] = known[len(statuses) % 3]
            resp = case.call_and_validate(headers=sup.headers, checks=CHECKS)
            statuses.add((case.operation.label, resp.status_code))

        check()
    assert ("GET /api/v1/review-queue", 200) in statuses
    assert ("POST /api/v1/assessments/{assessment_id}/claim", 200) in statuses
    assert any(label.endswith("/decision") and code == 201 for label, code in statuses)
    assert any(label.endswith("/outcome") and code == 201 for label, code in statuses)
