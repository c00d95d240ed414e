"""Sign-in, throttling kept in the database, tokens, one-time passwords and CSRF."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ews import create_app
from ews.auth.passwords import check_password, hash_password
from ews.store.models import AuditEvent, User
from ews.store.users import create_token, create_user, revoke_token
from tests.conftest import PASSWORD


def login(client, username, password=PASSWORD, **kw):
    return client.post("/login", data={"username": username, "password": password}, **kw)


def test_passwords_are_argon2_and_verified():
    stored = hash_password("a long passphrase")
    assert stored.startswith("$argon2id$")
    assert check_password(stored, "a long passphrase")
    assert not check_password(stored, "a long passphrasE") and not check_password(None, "x")


def test_login_page_has_the_scriptable_inputs(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page


def test_login_success_and_failure_are_audited(client, accounts, db):
    officer = accounts["officer"]
    assert login(client, officer.username, "wrong-password").status_code == 401
    resp = login(client, officer.username)
    assert resp.status_code == 302
    kinds = db.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)).all()
    assert kinds[-2:] == ["login.failure", "login.success"]
    assert db.scalars(select(AuditEvent.actor).order_by(AuditEvent.seq)).all()[-2:] == \
        [officer.username, officer.username]
    # The session cookie now works on the API (reads).
    assert client.get("/api/v1/assessments").status_code == 200
    client.post("/logout")
    assert client.get("/api/v1/assessments").status_code == 401


def test_a_mistyped_username_never_reaches_the_audit_trail(client, db):
    """People type their NIK into the username box; the permanent trail must not keep it."""
    nik = "3528011201900001"
    assert login(client, nik, "whatever").status_code == 401
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.kind == "login.failure" and event.actor == "(unknown user)"
    assert nik not in str(event.data)


def test_throttle_is_shared_through_the_database(app_config, accounts, db):
    """Failures seen by one worker lock the account in another (no per-process state)."""
    officer = accounts["officer"]
    worker_a, worker_b = create_app(app_config), create_app(app_config)
    for _ in range(5):
        assert login(worker_a.test_client(), officer.username, "nope").status_code == 401
    resp = login(worker_b.test_client(), officer.username)  # right password, but locked
    assert resp.status_code == 429
    for w in (worker_a, worker_b):
        w.extensions["ews_engine"].dispose()


def test_successful_login_resets_the_count(client, accounts):
    officer = accounts["officer"]
    for _ in range(4):
        login(client, officer.username, "nope")
    assert login(client, officer.username).status_code == 302
    client.post("/logout")
    for _ in range(4):
        login(client, officer.username, "nope")
    assert login(client, officer.username).status_code == 302


def test_revoked_token_is_refused(client, accounts, db, payload):
    officer = accounts["officer"]
    assert client.get("/api/v1/assessments", headers=officer.headers).status_code == 200
    user = db.get(User, officer.id)
    row, token = create_token(db, user, "second")
    revoke_token(db, row.id)
    db.commit()
    assert client.get("/api/v1/assessments",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_tokens_are_stored_hashed(accounts, engine):
    from sqlalchemy import text

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token_sha256 FROM api_tokens")).scalars().all()
    assert stored and not any(a.token in stored for a in accounts.values())


def test_one_time_password_must_be_changed(client, db, password_hash):
    create_user(db, "fresh", "supervisor", "PMK", password_hash, must_change_password=True)
    db.commit()
    resp = login(client, "fresh")
    assert resp.headers["Location"].endswith("/password")
    assert client.get("/").status_code in (302, 404)
    assert client.get("/api/v1/assessments").status_code == 403
    resp = client.post("/password", data={"current": PASSWORD, "new": "a-better-secret-1",
                                          "confirm": "a-better-secret-1"})
    assert resp.status_code == 302
    db.expire_all()
    assert db.scalar(select(User).where(User.username == "fresh")).must_change_password is False
    assert client.get("/api/v1/assessments").status_code == 200


@pytest.fixture
def csrf_client(app_config, accounts):
    app_config["WTF_CSRF_ENABLED"] = True
    app = create_app(app_config)
    yield app.test_client()
    app.extensions["ews_engine"].dispose()


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_login_form_needs_its_csrf_token(csrf_client, accounts):
    officer = accounts["officer"]
    assert login(csrf_client, officer.username).status_code == 400
    token = _token(csrf_client.get("/login").get_data(as_text=True))
    resp = csrf_client.post("/login", data={"username": officer.username,
                                            "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302


def test_sign_in_renews_the_csrf_token_and_the_session(csrf_client, accounts, payload):
    officer = accounts["officer"]
    csrf_client.post("/language", data={"lang": "en", "csrf_token": _token(
        csrf_client.get("/login").get_data(as_text=True))})
    before = _token(csrf_client.get("/login").get_data(as_text=True))
    with csrf_client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
        raw = planted["csrf_token"]
    resp = csrf_client.post("/login", data={"username": officer.username,
                                            "password": PASSWORD, "csrf_token": before})
    assert resp.status_code == 302
    with csrf_client.session_transaction() as fresh:
        assert "planted" not in fresh and fresh.get("csrf_token") != raw
        assert fresh["lang"] == "en"  # the language chosen before stays
    after = _token(csrf_client.get("/").get_data(as_text=True))
    assert after != before
    stale = csrf_client.post("/api/v1/assessments", json=payload("S-1"),
                             headers={"X-CSRFToken": before})
    assert stale.status_code == 403
    assert csrf_client.post("/api/v1/assessments", json=payload("S-1"),
                            headers={"X-CSRFToken": after}).status_code == 201


def test_cookie_writes_to_the_api_need_csrf_but_tokens_do_not(csrf_client, accounts, payload):
    officer = accounts["officer"]
    assert csrf_client.post("/api/v1/assessments", json=payload("T-1"),
                            headers=officer.headers).status_code == 201
    token = _token(csrf_client.get("/login").get_data(as_text=True))
    csrf_client.post("/login", data={"username": officer.username, "password": PASSWORD,
                                     "csrf_token": token})
    token = _token(csrf_client.get("/").get_data(as_text=True))  # renewed at sign-in
    resp = csrf_client.post("/api/v1/assessments", json=payload("C-1"))
    assert resp.status_code == 403 and "X-CSRFToken" in resp.get_json()["detail"]
    resp = csrf_client.post("/api/v1/assessments", json=payload("C-1"),
                            headers={"X-CSRFToken": token})
    assert resp.status_code == 201
