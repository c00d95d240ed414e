"""Supervisor review: queue, take, decisions, outcomes, KPIs (service functions and pages).

The service functions in `service`, `history` and `kpi` are the only implementation; the
pages (`views`) and the JSON API (`ews.api.review`) both call them.
"""
