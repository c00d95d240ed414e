"""Interview drafts: the answers of an open interview, kept per officer and application number.

A draft holds identity (NIK, name, date of birth), so a row keeps nothing readable: the
answers and the application number are one Fernet token under a key derived from the
installation's secret, and the row is found by a keyed hash of the application number.
A draft is deleted when its interview is stored and is worth nothing after `DRAFT_TTL`.
Drafts are read only by the interview form: no report, export or API lists this table.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import InterviewDraft

DRAFT_TTL = dt.timedelta(hours=24)
# A fixed label: the draft keys say nothing about the secret, and change with it.
KEY_LABEL = b"ews interview drafts v1"
MAX_DRAFT_CHARS = 32 * 1024  # a full checklist is about 3 KB of form values


class DraftTooLarge(ValueError):
    """The answers of a draft are larger than any interview form sends."""


@dataclass(frozen=True)
class Draft:
    """The answers of a draft as the form holds them (name -> string value)."""

    application_id: str
    values: dict[str, str]
    updated_at: dt.datetime


class DraftBox:
    """Encrypt, store, find and delete drafts under keys derived from the installation secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("SECRET_KEY is not set: drafts cannot be encrypted")
        keys = HKDF(algorithm=hashes.SHA256(), length=64, salt=None,
                    info=KEY_LABEL).derive(secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(keys[:32]))
        self._mac = keys[32:]

    def key_of(self, application_id: str) -> str:
        """Return the keyed hash that finds the draft of `application_id` ("" stays "")."""
        if not application_id:
            return ""
        return hmac.new(self._mac, application_id.encode(), hashlib.sha256).hexdigest()

    def save(self, db: Session, *, user_id: int, office_code: str, application_id: str,
             values: dict[str, str], now: dt.datetime, replaces: str = "") -> None:
        """Keep `values` as the draft of `application_id`; drop the one it `replaces`.

        `replaces` is the application number the same form was saved under before (typed
        further since, or blank before a number was typed). Raises DraftTooLarge.
        """
        text = json.dumps({"application_id": application_id, "values": values},
                          separators=(",", ":"))
        if len(text) > MAX_DRAFT_CHARS:
            raise DraftTooLarge(f"a draft holds at most {MAX_DRAFT_CHARS} characters")
        token = self._fernet.encrypt(text.encode()).decode()
        key = self.key_of(application_id)
        purge_expired(db, now=now)
        if replaces != application_id:
            db.execute(delete(InterviewDraft).where(InterviewDraft.user_id == user_id,
                                                    InterviewDraft.draft_key.in_(
                                                        {self.key_of(replaces), ""} - {key})))
        for _ in range(2):  # two saves of one form may race (a beacon beside a timer)
            row = db.scalar(select(InterviewDraft).where(InterviewDraft.user_id == user_id,
                                                         InterviewDraft.draft_key == key))
            if row is None:
                row = InterviewDraft(user_id=user_id, draft_key=key)
                db.add(row)
            row.office_code, row.token, row.updated_at = office_code, token, now
            try:
                db.commit()
                return
            except IntegrityError:
                db.rollback()
        raise RuntimeError("the draft could not be saved")

    def find(self, db: Session, *, user_id: int, office_code: str, now: dt.datetime,
             application_id: str | None = None) -> Draft | None:
        """Return the draft of `application_id` (None: the user's latest) at the office."""
        query = select(InterviewDraft).where(InterviewDraft.user_id == user_id,
                                             InterviewDraft.office_code == office_code,
                                             InterviewDraft.updated_at > now - DRAFT_TTL)
        if application_id is not None:
            query = query.where(InterviewDraft.draft_key == self.key_of(application_id))
        row = db.scalar(query.order_by(InterviewDraft.updated_at.desc()).limit(1))
        if row is None:
            return None
        try:
            data = json.loads(self._fernet.decrypt(row.token.encode()))
        except InvalidToken:  # written under another secret: worthless, not an error
            return None
        return Draft(data["application_id"], dict(data["values"]), row.updated_at)

    def forget(self, db: Session, *, user_id: int, application_id: str) -> None:
        """Delete the user's draft of `application_id` and the blank one (commit)."""
        db.execute(delete(InterviewDraft).where(
            InterviewDraft.user_id == user_id,
            InterviewDraft.draft_key.in_({self.key_of(application_id), ""})))
        db.commit()


def purge_expired(db: Session, *, now: dt.datetime) -> int:
    """Delete every draft older than `DRAFT_TTL` at `now`; return how many (no commit)."""
    done = db.execute(delete(InterviewDraft).where(InterviewDraft.updated_at <= now - DRAFT_TTL))
    return done.rowcount or 0
