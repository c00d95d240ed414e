"""The main menu by role: each role sees only the pages it can use.

Entries of pages that other parts of the application provide (reports, rule sets, user
administration, the audit trail) appear only when the application has a page at one of their
paths, so that no menu link leads to a 404 or a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Entry:
    """One menu entry: an endpoint of this application, or candidate paths of another part."""

    key: str
    label: object
    roles: frozenset[str]
    endpoint: str | None = None
    paths: tuple[str, ...] = ()


MENU = (
    Entry("desk", _l("Front desk"), frozenset({"intake"}), endpoint="desk.page"),
    Entry("today", _l("Today"), frozenset({"officer", "supervisor"}), endpoint="web.home"),
    Entry("new", _l("New interview"), frozenset({"officer", "supervisor"}),
          endpoint="web.new_interview"),
    Entry("queue", _l("Review queue"), frozenset({"supervisor"}), endpoint="review.queue"),
    # Supervisors read their office's reports from the case history (the menu stays one row).
    Entry("reports", _l("Reports"), frozenset({"analyst"}), paths=("/reports",)),
    Entry("history", _l("Case history"), frozenset({"supervisor", "analyst"}),
          endpoint="review.case_history"),
    Entry("users", _l("Users"), frozenset({"admin"}), paths=("/admin/users", "/users")),
    # An admin's work starts at the users; the reports come after.
    Entry("reports", _l("Reports"), frozenset({"admin"}), paths=("/reports",)),
    Entry("rules", _l("Rule sets"), frozenset({"analyst", "admin"}),
          paths=("/rules", "/rulesets", "/admin/rules")),
    Entry("audit", _l("Audit trail"), frozenset({"admin"}), paths=("/audit", "/admin/audit")),
)


def _page_paths() -> frozenset[str]:
    """Return the argument-free GET paths of the app's pages (cached per app)."""
    app = current_app._get_current_object()
    paths = app.extensions.get("ews_page_paths")
    if paths is None:
        paths = app.extensions["ews_page_paths"] = frozenset(
            rule.rule.rstrip("/") or "/" for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and not rule.arguments
            and not rule.rule.startswith("/api/"))
    return paths


def _url(entry: Entry) -> str | None:
    if entry.endpoint is not None:
        return url_for(entry.endpoint) if entry.endpoint in current_app.view_functions \
            else None
    available = _page_paths()
    return next((p for p in entry.paths if p in available), None)


def menu_for(role: str) -> list[dict]:
    """Return the menu of `role` as [{"key", "label", "url"}], only pages that exist."""
    out = []
    for entry in MENU:
        if role in entry.roles:
            url = _url(entry)
            if url is not None:
                out.append({"key": entry.key, "label": entry.label, "url": url})
    return out


def start_page(role: str) -> str | None:
    """Return where the work of `role` starts when it is not "today" (analyst, admin)."""
    if role in ("officer", "supervisor"):
        return None
    entries = menu_for(role)
    return entries[0]["url"] if entries else None
