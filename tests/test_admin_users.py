"""User administration for admins: CLI and pages, audited, never locks out the last admin."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ews.store.models import ApiToken, AuditEvent, User
from tests.conftest import PASSWORD


def kinds(db) -> list[str]:
    db.expire_all()
    return db.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)).all()


def user(db, name) -> User:
    db.expire_all()
    return db.scalar(select(User).where(User.username == name))


def one_time(text: str) -> str:
    return re.search(r"one-time password[^:]*: (\S+)", text, re.I).group(1)


# ---- CLI ---------------------------------------------------------------------------------

def test_cli_user_list_disable_enable(ews_cli, db, accounts):
    listing = ews_cli("user", "list")
    assert listing.exit_code == 0
    assert "officer-pmk" in listing.output and "supervisor" in listing.output
    assert ews_cli("user", "disable", "officer-pmk").exit_code == 0
    assert user(db, "officer-pmk").active is False
    assert "disabled" in ews_cli("user", "list").output
    assert ews_cli("user", "enable", "officer-pmk").exit_code == 0
    assert user(db, "officer-pmk").active is True
    assert kinds(db)[-2:] == ["user.disabled", "user.enabled"]


def test_cli_reset_password_prints_a_one_time_password(ews_cli, app, db, accounts):
    result = ews_cli("user", "reset-password", "officer-pmk")
    assert result.exit_code == 0, result.output
    password = one_time(result.output)
    assert user(db, "officer-pmk").must_change_password is True
    client = app.test_client()
    assert client.post("/login", data={"username": "officer-pmk",
                                       "password": PASSWORD}).status_code == 401
    resp = client.post("/login", data={"username": "officer-pmk", "password": password})
    assert resp.headers["Location"].endswith("/password")
    assert kinds(db)[-3:] == ["user.password_reset", "login.failure", "login.success"]


def test_cli_change_role_and_office(ews_cli, db, accounts):
    result = ews_cli("user", "change", "officer-pmk", "--role", "supervisor", "--office", "sby")
    assert result.exit_code == 0, result.output
    row = user(db, "officer-pmk")
    assert (row.role, row.office_code) == ("supervisor", "SBY")
    assert kinds(db)[-1] == "user.changed"


def test_cli_never_disables_or_demotes_the_last_admin(ews_cli, db, accounts):
    result = ews_cli("user", "change", "admin-pst", "--role", "analyst")
    assert result.exit_code != 0 and "last active admin" in result.output
    assert user(db, "admin-pst").role == "admin"
    result = ews_cli("user", "disable", "admin-pst")
    assert result.exit_code != 0 and "last active admin" in result.output
    assert user(db, "admin-pst").active is True
    # With a second admin, the first may step down.
    assert ews_cli("user", "change", "analyst-pst", "--role", "admin").exit_code == 0
    assert ews_cli("user", "disable", "admin-pst").exit_code == 0


def test_cli_token_list_and_revoke(ews_cli, app, db, accounts):
    officer = accounts["officer"]
    listing = ews_cli("token", "list", "officer-pmk")
    token_id = listing.output.split()[0]
    assert ews_cli("token", "revoke", token_id).exit_code == 0
    assert app.test_client().get("/api/v1/assessments",
                                 headers=officer.headers).status_code == 401


# ---- pages -------------------------------------------------------------------------------

@pytest.fixture
def admin_client(client, accounts):
    resp = client.post("/login", data={"username": "admin-pst", "password": PASSWORD})
    assert resp.status_code == 302
    return client


def test_only_admins_see_user_administration(client, admin_client, app, accounts):
    page = admin_client.get("/admin/users")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("officer-pmk", "supervisor-sby", "analyst-pst"):
        assert name in html
    assert 'href="/admin/users"' in admin_client.get("/").get_data(as_text=True)
    other = app.test_client()
    other.post("/login", data={"username": "supervisor-pmk", "password": PASSWORD})
    assert other.get("/admin/users").status_code == 403
    assert 'href="/admin/users"' not in other.get("/").get_data(as_text=True)


def test_admin_adds_a_user_and_sees_the_one_time_password_once(admin_client, app, db):
    resp = admin_client.post("/admin/users", data={"username": "budi.s", "role": "officer",
                                                   "office_code": "pmk"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    password = re.search(r'data-one-time-password>([^<]+)<', resp.get_data(as_text=True)).group(1)
    row = user(db, "budi.s")
    assert (row.role, row.office_code, row.must_change_password) == ("officer", "PMK", True)
    assert password not in admin_client.get(f"/admin/users/{row.id}").get_data(as_text=True)
    resp = app.test_client().post("/login", data={"username": "budi.s", "password": password})
    assert resp.headers["Location"].endswith("/password")
    assert "user.created" in kinds(db)


def test_admin_page_refuses_bad_names_clearly(admin_client, db):
    resp = admin_client.post("/admin/users", data={"username": "<script>", "role": "officer",
                                                   "office_code": "PMK"})
    assert resp.status_code == 400
    assert "a-z" in resp.get_data(as_text=True)
    assert user(db, "<script>") is None


def test_admin_disables_resets_changes_and_revokes_in_pages(admin_client, app, db, accounts):
    officer = accounts["officer"]
    uid = officer.id
    asked = admin_client.post(f"/admin/users/{uid}/active", data={"active": "0"})
    assert asked.status_code == 200 and "data-confirm-disable" in asked.get_data(as_text=True)
    assert user(db, officer.username).active is True  # nothing changed before "Yes"
    assert admin_client.post(f"/admin/users/{uid}/active",
                             data={"active": "0", "confirm": "1"}).status_code == 302
    assert user(db, officer.username).active is False
    assert admin_client.post(f"/admin/users/{uid}/active",
                             data={"active": "1"}).status_code == 302
    resp = admin_client.post(f"/admin/users/{uid}/role", data={"role": "supervisor",
                                                               "office_code": "SBY"})
    assert resp.status_code == 302
    assert (user(db, officer.username).role, user(db, officer.username).office_code) == \
        ("supervisor", "SBY")
    resp = admin_client.post(f"/admin/users/{uid}/password")
    assert resp.status_code == 200 and "data-one-time-password" in resp.get_data(as_text=True)
    token_id = db.scalars(select(ApiToken.id).where(ApiToken.user_id == uid)).first()
    assert admin_client.post(f"/admin/tokens/{token_id}/revoke").status_code == 302
    assert app.test_client().get("/api/v1/assessments",
                                 headers=officer.headers).status_code == 401
    assert {"user.disabled", "user.enabled", "user.changed", "user.password_reset",
            "token.revoked"} <= set(kinds(db))


def test_the_last_admin_cannot_demote_or_disable_themself(admin_client, db, accounts):
    uid = accounts["admin"].id
    resp = admin_client.post(f"/admin/users/{uid}/role", data={"role": "analyst",
                                                               "office_code": "PST"},
                             follow_redirects=True)
    assert resp.status_code == 409
    assert user(db, "admin-pst").role == "admin"
    resp = admin_client.post(f"/admin/users/{uid}/active", data={"active": "0", "confirm": "1"})
    assert resp.status_code == 409
    assert user(db, "admin-pst").active is True


def test_admin_actions_need_the_csrf_token(app_config, accounts, db):
    from ews import create_app

    app = create_app(app_config | {"WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "admin-pst", "password": PASSWORD,
                                "csrf_token": token})
    resp = client.post(f"/admin/users/{accounts['officer'].id}/active", data={"active": "0"})
    assert resp.status_code == 400
    assert user(db, "officer-pmk").active is True
    app.extensions["ews_engine"].dispose()


def test_user_search_and_the_disabled_account_told_only_with_its_password(
        admin_client, app, db, accounts):
    found = admin_client.get("/admin/users?q=SBY").get_data(as_text=True)
    assert '<tr data-user="officer-sby"' in found and '<tr data-user="officer-pmk"' not in found
    none = admin_client.get("/admin/users?q=nobody").get_data(as_text=True)
    assert "data-no-users" in none and '<tr data-user="' not in none
    admin_client.post(f"/admin/users/{accounts['officer'].id}/active",
                      data={"active": "0", "confirm": "1"})
    guest = app.test_client()
    wrong = guest.post("/login", data={"username": "officer-pmk", "password": "not-it"})
    assert wrong.status_code == 401 and "dinonaktifkan" not in wrong.get_data(as_text=True)
    right = guest.post("/login", data={"username": "officer-pmk", "password": PASSWORD})
    assert right.status_code == 401 and "dinonaktifkan" in right.get_data(as_text=True)
