"""Intelligence products (IKK 9.1): made from any report, followed up until closed, audited.

The service functions take a session and the acting user's role, office and name, enforce
who may do what, and commit with their audit event. `ikk` is the report: per quarter of the
due date, the products, the share followed up and the share followed up on time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ews import audit
from ews.store.models import (
    FOLLOW_UP_AGENCIES,
    SUBJECT_KINDS,
    IntelFollowUp,
    IntelProduct,
    Office,
)

from .model import Column, Params, Report, Table
from .stats import rate

WRITERS = ("analyst", "admin", "supervisor")
OFFICE = validate.Regexp(r"^[A-Z0-9]{2,16}$", error="2-16 capital letters or digits")


class ProductSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    finding = fields.String(required=True, validate=validate.Length(1, 4000))
    subject_kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    subject = fields.String(required=True, validate=validate.Length(1, 120))
    source_report = fields.String(required=True, validate=validate.Length(1, 32))
    recommended_follow_up = fields.String(required=True, validate=validate.Length(1, 4000))
    owner_office = fields.String(required=True, validate=OFFICE)
    due_date = fields.Date(required=True)


class FollowUpSchema(Schema):
    agency = fields.String(required=True, validate=validate.OneOf(FOLLOW_UP_AGENCIES))
    action = fields.String(required=True, validate=validate.Length(1, 2000))
    closes = fields.Boolean(load_default=False)


class IkkError(Exception):
    """A refused IKK action: `status` 403 (role/office), 404 (no such product), 409 (closed)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Actor:
    """Who acts: role, office, name and user id."""

    id: int
    username: str
    role: str
    office_code: str


def _reach(actor: Actor, office_code: str) -> None:
    if actor.role not in WRITERS:
        raise IkkError(403, f"role {actor.role!r} does not handle intelligence products")
    if actor.role == "supervisor" and office_code != actor.office_code:
        raise IkkError(403, f"a supervisor handles only products of office {actor.office_code}")


def create_product(session: Session, actor: Actor, payload: dict) -> IntelProduct:
    """Validate and store a product; ValidationError names bad fields. Audited."""
    data = ProductSchema().load(payload)
    _reach(actor, data["owner_office"])
    if session.get(Office, data["owner_office"]) is None:
        raise ValidationError({"owner_office": ["no such office"]})
    row = IntelProduct(**data, created_by=actor.id, created_at=dt.datetime.now(dt.UTC))
    session.add(row)
    session.flush()
    audit.record(session, "ikk.product_created", actor=actor.username,
                 office_code=row.owner_office, subject=str(row.id),
                 data={"source_report": row.source_report, "subject_kind": row.subject_kind,
                       "due_date": row.due_date.isoformat()})
    session.commit()
    return row


def add_follow_up(session: Session, actor: Actor, product_id: int,
                  payload: dict) -> IntelFollowUp:
    """Record a follow-up (closing the product when `closes`). Audited."""
    data = FollowUpSchema().load(payload)
    product = session.get(IntelProduct, product_id)
    if product is None:
        raise IkkError(404, "no such intelligence product")
    _reach(actor, product.owner_office)
    if product.closed_at is not None:
        raise IkkError(409, "this product is closed")
    now = dt.datetime.now(dt.UTC)
    row = IntelFollowUp(product_id=product.id, recorded_by=actor.id, recorded_at=now, **data)
    session.add(row)
    if data["closes"]:
        product.closed_at = now
    session.flush()
    audit.record(session, "ikk.follow_up_recorded", actor=actor.username,
                 office_code=product.owner_office, subject=str(product.id),
                 data={"agency": row.agency, "closes": row.closes, "follow_up_id": row.id})
    session.commit()
    return row


def products(session: Session, actor: Actor) -> list[tuple[IntelProduct, int]]:
    """Return the products the actor may see (newest first) with their follow-up counts."""
    counts = (select(IntelFollowUp.product_id, func.count().label("n"))
              .group_by(IntelFollowUp.product_id).subquery())
    stmt = (select(IntelProduct, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.product_id == IntelProduct.id)
            .order_by(IntelProduct.created_at.desc(), IntelProduct.id.desc()))
    if actor.role == "supervisor":
        stmt = stmt.where(IntelProduct.owner_office == actor.office_code)
    return [(p, n) for p, n in session.execute(stmt).all()]


def ikk(conn: Connection, params: Params) -> Report:
    """Return per quarter of the due date: products, followed up, on time (reads the tables)."""
    where = "p.due_date >= :start AND p.due_date < :end"
    values: dict = {"start": params.start, "end": params.end}
    if params.offices is not None:
        where += " AND p.owner_office IN :offices"
        values["offices"] = list(params.offices)
    sql = text("SELECT p.id, p.due_date, MIN(f.recorded_at) AS first_follow_up "
               "FROM intel_products p LEFT JOIN intel_followups f ON f.product_id = p.id "
               f"WHERE {where} GROUP BY p.id, p.due_date")
    if params.offices is not None:
        sql = sql.bindparams(bindparam("offices", expanding=True))
    got = conn.execute(sql, values).all()
    frame = pd.DataFrame(got, columns=["id", "due_date", "first_follow_up"])
    return ikk_from(frame, params)


def ikk_from(frame: pd.DataFrame, params: Params) -> Report:
    """Build the report from one row per product: due_date, first_follow_up (or None)."""
    rows = []
    if len(frame):
        due = pd.to_datetime(frame["due_date"])
        first = pd.to_datetime(frame["first_follow_up"], utc=True).dt.tz_localize(None)
        frame = frame.assign(quarter=due.dt.year.astype(str) + "Q" + due.dt.quarter.astype(str),
                             followed=first.notna(),
                             on_time=first.notna() & (first.dt.normalize() <= due))
        for q, sub in frame.groupby("quarter"):
            n, f, t = len(sub), int(sub["followed"].sum()), int(sub["on_time"].sum())
            rows.append((q, n, f, rate(f, n), t, rate(t, n)))
    table = Table("summary", "Intelligence products by quarter of the due date", (
        Column("quarter", "Quarter", "key"), Column("products", "Products"),
        Column("followed_up", "Followed up"),
        Column("followed_share", "Share followed up", "rate", ("followed_up", "products")),
        Column("on_time", "Followed up by the due date"),
        Column("on_time_share", "Share on time", "rate", ("on_time", "products"))),
        tuple(rows))
    return Report("ikk", "Intelligence products (IKK 9.1)", params, (table,), (),
                  ("IKK 9.1 components: the share of intelligence products followed up and "
                   "the timeliness of that follow-up.",))
