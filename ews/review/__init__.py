"""Supervisor review: queue, take, decisions, outcomes, KPIs (service functions, no Flask).

The service functions in `service`, `history` and `kpi` are the only implementation; the
pages (`ews.web.review`) and the JSON API (`ews.api.review`) both call them.
"""
