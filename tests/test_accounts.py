"""Account rules (issue 8, finding 13): password policy, token expiry, names and codes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ews.auth.passwords import password_problem
from ews.config import load_config
from ews.store.db import as_utc, utcnow
from ews.store.models import ApiToken, User
from ews.store.users import AccountError, create_token, create_user
from tests.conftest import PASSWORD


@pytest.mark.parametrize(("password", "username", "refused"), [
    ("aaaaaaaaaa", None, True),                # the attack's example: short and one letter
    ("aaaaaaaaaaaaaaaa", None, True),          # long enough, one letter
    ("short-1", None, True),
    ("password1234", None, True),              # a common password
    ("Passw0rd!2024", None, True),             # a common one dressed up
    ("qwertyuiop123", None, True),
    ("123456789012", None, True),
    ("indonesia12345", None, True),
    ("budi.santoso-2026", "budi.santoso", True),  # contains the username
    ("officer-pmk", "officer-pmk", True),
    ("Tppo-Tppo-Tppo-1", None, True),          # #20 L4: one word repeated
    ("Kantor-Kantor-Kantor", None, True),
    ("lantai tiga, meja kiri", "budi", False),
    ("jalan-kaki-ke-pasar-pagi", None, False),
    (PASSWORD, "officer-pmk", False),
])
def test_password_policy(password, username, refused):
    assert (password_problem(password, username=username) is not None) is refused


def test_the_one_time_password_cannot_be_kept(client, db, password_hash):
    create_user(db, "fresh", "officer", "PMK", password_hash, must_change_password=True)
    db.commit()
    client.post("/login", data={"username": "fresh", "password": PASSWORD})
    resp = client.post("/password", data={"current": PASSWORD, "new": PASSWORD,
                                          "confirm": PASSWORD})
    assert resp.status_code == 400
    assert "sebelumnya" in resp.get_data(as_text=True)  # "same as the previous one", in Indonesian


def test_a_repeated_word_password_is_refused_in_the_page_language(client, db,
                                                                   password_hash):
    create_user(db, "fresh", "officer", "PMK", password_hash, must_change_password=True)
    db.commit()
    client.post("/login", data={"username": "fresh", "password": PASSWORD})
    weak = "Tppo-Tppo-Tppo-1"
    resp = client.post("/password", data={"current": PASSWORD, "new": weak, "confirm": weak})
    assert resp.status_code == 400
    assert "terlalu mudah ditebak (kata yang diulang" in resp.get_data(as_text=True)


def test_cli_refuses_a_weak_password(ews_cli, db):
    result = ews_cli("user", "add", "budi", "--role", "officer", "--office", "PMK",
                     EWS_PASSWORD="a" * 12)
    assert result.exit_code != 0 and "password" in result.output.lower()
    assert db.scalar(select(User).where(User.username == "budi")) is None


@pytest.mark.parametrize(("name", "office", "wrong"), [
    ("<b>x</b>", "PMK", "username"),
    ("Budi", "PMK", "username"),
    ("b", "PMK", "username"),
    ("budi", "P<M>K", "office"),
    ("budi", "PM K", "office"),
])
def test_names_and_office_codes_have_a_restricted_charset(ews_cli, db, name, office, wrong):
    result = ews_cli("user", "add", name, "--role", "officer", "--office", office,
                     EWS_PASSWORD="a sound pass phrase")
    assert result.exit_code != 0
    assert wrong in result.output.lower() and ("a-z" in result.output or "A-Z" in result.output)
    assert db.scalar(select(User).where(User.username == name)) is None


def test_tokens_expire_after_90_days_by_default(db, password_hash):
    user = create_user(db, "budi", "officer", "PMK", password_hash)
    row, _ = create_token(db, user, "x")
    db.commit()
    left = as_utc(row.expires_at) - utcnow()
    assert dt.timedelta(days=89) < left <= dt.timedelta(days=90)
    assert load_config({"EWS_TOKEN_DAYS": "30"})["TOKEN_DAYS"] == 30
    assert load_config({})["TOKEN_DAYS"] == 90


def test_an_expired_token_gets_a_clear_401(client, db, accounts):
    officer = accounts["officer"]
    assert client.get("/api/v1/assessments", headers=officer.headers).status_code == 200
    for row in db.scalars(select(ApiToken)):
        row.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.commit()
    resp = client.get("/api/v1/assessments", headers=officer.headers)
    assert resp.status_code == 401
    assert resp.mimetype == "application/problem+json"
    assert "expired" in resp.get_json()["detail"]


def test_cli_token_days(ews_cli, db, password_hash):
    create_user(db, "budi", "officer", "PMK", password_hash)
    db.commit()
    result = ews_cli("token", "create", "budi", "--days", "7")
    assert result.exit_code == 0, result.output
    db.expire_all()
    row = db.scalars(select(ApiToken)).one()
    assert as_utc(row.expires_at) - utcnow() <= dt.timedelta(days=7)
    listing = ews_cli("token", "list", "budi").output
    assert "expires" in listing


def test_token_lifetime_is_capped_at_a_year(ews_cli, db, password_hash):
    user = create_user(db, "budi", "officer", "PMK", password_hash)
    db.commit()
    result = ews_cli("token", "create", "budi", "--days", "100000")
    assert result.exit_code == 2 and "--days" in result.output and "365" in result.output
    result = ews_cli("token", "create", "budi", EWS_TOKEN_DAYS="3650")
    assert result.exit_code != 0 and "EWS_TOKEN_DAYS must be at most 365" in result.output
    with pytest.raises(AccountError, match="at most 365 days"):
        create_token(db, user, "api", days=366)
    db.rollback()
    assert ews_cli("token", "create", "budi", "--days", "365").exit_code == 0
    db.expire_all()
    assert db.scalars(select(ApiToken)).one().expires_at is not None


def test_init_refuses_a_first_admin_name_outside_the_charset(ews_cli, db):
    result = ews_cli("init", EWS_ADMIN_USER="Admin <b>")
    assert result.exit_code != 0 and "EWS_ADMIN_USER" in result.output
    assert db.scalar(select(User)) is None
