"""Sessions end on the server: logout, password change, disabling and role changes (issue 8)."""

from __future__ import annotations

import pytest

from ews.admin import service as admin
from ews.store.models import User
from tests.conftest import PASSWORD

READ = "/api/v1/assessments"


def signed_in(app, account):
    """Return a client signed in as `account` through the login page."""
    client = app.test_client()
    resp = client.post("/login", data={"username": account.username, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client


def copy_of(app, client):
    """Return another client carrying the same session cookie (a stolen copy)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_copied_cookie_dies_with_logout(app, accounts):
    client = signed_in(app, accounts["officer"])
    stolen = copy_of(app, client)
    assert stolen.get(READ).status_code == 200
    client.post("/logout")
    assert stolen.get(READ).status_code == 401
    assert stolen.get("/").status_code == 302  # pages send it to the login form


def test_logout_ends_the_sessions_on_other_devices_too(app, accounts):
    tablet = signed_in(app, accounts["officer"])
    desktop = signed_in(app, accounts["officer"])
    desktop.post("/logout")
    assert tablet.get(READ).status_code == 401


def test_password_change_ends_other_sessions_and_keeps_this_one(app, accounts):
    client = signed_in(app, accounts["supervisor"])
    stolen = copy_of(app, client)
    resp = client.post("/password", data={"current": PASSWORD, "new": "a-brand-new-secret-9",
                                          "confirm": "a-brand-new-secret-9"})
    assert resp.status_code == 302
    assert client.get(READ).status_code == 200
    assert stolen.get(READ).status_code == 401


@pytest.mark.parametrize("change", ["disable", "role", "office", "reset"])
def test_admin_changes_end_every_session_of_the_user(app, db, accounts, change):
    officer = accounts["officer"]
    client = signed_in(app, officer)
    user = db.get(User, officer.id)
    if change == "disable":
        admin.set_active(db, user, False, actor="admin-pst")
    elif change == "role":
        admin.change_role_office(db, user, role="supervisor", office_code=None, actor="admin-pst")
    elif change == "office":
        admin.change_role_office(db, user, role=None, office_code="SBY", actor="admin-pst")
    else:
        admin.reset_password(db, user, actor="admin-pst")
    db.commit()
    assert client.get(READ).status_code == 401


def test_bearer_tokens_of_a_disabled_user_stop_working(app, db, client, accounts):
    officer = accounts["officer"]
    assert client.get(READ, headers=officer.headers).status_code == 200
    admin.set_active(db, db.get(User, officer.id), False, actor="admin-pst")
    db.commit()
    assert client.get(READ, headers=officer.headers).status_code == 401
    admin.set_active(db, db.get(User, officer.id), True, actor="admin-pst")
    db.commit()
    assert client.get(READ, headers=officer.headers).status_code == 200


def test_the_page_user_key_survives_a_new_session(app, accounts):
    """ews.js keeps unsent answers under the page's user key: a new session must not drop them."""
    import re

    def key(client) -> str:
        return re.search(r'<body[^>]*data-user="([^"]*)"', client.get("/").get_data(as_text=True)
                         ).group(1)

    client = signed_in(app, accounts["officer"])
    before = key(client)
    client.post("/logout")
    client.post("/login", data={"username": accounts["officer"].username, "password": PASSWORD})
    assert key(client) == before == str(accounts["officer"].id)
