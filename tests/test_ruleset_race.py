"""Only approved text goes live: racing edits, submit and approvals; a text changed behind.

Real threads on the test database (SQLite file, or PostgreSQL with EWS_TEST_DATABASE_URL):
the text changes only in a conditional UPDATE, so no edit lands after the submit and the
approval records the sha256 of the text that ends approved.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text

from ews.engine import parse_ruleset
from ews.store.models import Evidence, RuleSetRecord, RuleSetTransition
from tests.evidence import approve, evidence_for
from tests.rulesets import MINI
from tests.test_web_pages import login

API = "/api/v1/rulesets"


@pytest.fixture
def people(make_account):
    return {"author": make_account("analyst", "PST", username="author"),
            "checker": make_account("analyst", "PST", username="checker"),
            "admin": make_account("admin", "PST", username="admin1")}


def _create(client, who, body=MINI) -> dict:
    resp = client.post(API, json={"text": body}, headers=who.headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _stored(db, pk: int) -> tuple[RuleSetRecord, list[RuleSetTransition]]:
    db.expire_all()
    row = db.get(RuleSetRecord, pk)
    steps = list(db.scalars(select(RuleSetTransition).where(RuleSetTransition.ruleset_pk == pk)
                            .order_by(RuleSetTransition.id)))
    return row, steps


def _race(app, engine, pk: int, people: dict, rounds: int) -> list[int]:
    """Edits (6 before, 4 after), a submit and 4 approvals, retried like impatient people."""
    barrier = threading.Barrier(15)
    codes: list[int] = []
    stop = time.monotonic() + 20

    def put(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        for n in range(rounds):
            body = {"text": f"{MINI}\n# edit {i}.{n}\n"}
            codes.append(client.put(f"{API}/{pk}", json=body,
                                    headers=people["author"].headers).status_code)

    def step(who, action: str) -> None:
        client = app.test_client()
        barrier.wait()
        while time.monotonic() < stop:  # until it is done, or done by someone else
            body = {}
            if action == "approve":  # a reviewer approves the text they read and backtested
                body["sha256"] = client.get(f"{API}/{pk}", headers=who.headers)\
                    .get_json()["sha256"]
                body["evidence"] = evidence_for(engine, body["sha256"], by=who.username)
            resp = client.post(f"{API}/{pk}/{action}", json=body, headers=who.headers)
            codes.append(resp.status_code)
            if resp.status_code == 200 or client.get(f"{API}/{pk}", headers=who.headers)\
                    .get_json()["status"] not in ("draft", "in_review"):
                return

    plan = [(put, (i,)) for i in range(6)] + [(step, (people["author"], "submit"))] + \
        [(step, (people["checker"], "approve")) for _ in range(4)] + \
        [(put, (i,)) for i in range(6, 10)]
    threads = [threading.Thread(target=f, args=a) for f, a in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return codes


def test_racing_edits_submit_and_approvals_leave_only_approved_text(app, db, engine, people):
    pk = _create(app.test_client(), people["author"])["id"]
    codes = _race(app, engine, pk, people, rounds=3)
    assert set(codes) <= {200, 409}, codes  # refused steps are 409, never 500
    row, steps = _stored(db, pk)
    actions = [s.action for s in steps]
    assert row.status == "approved", actions
    submitted = actions.index("submit")
    assert "edit" not in actions[submitted:], actions
    assert actions.count("approve") == 1 and actions.count("submit") == 1
    approval = steps[actions.index("approve")]
    assert approval.sha256 == row.sha256 == steps[submitted].sha256
    assert db.get(Evidence, approval.evidence_id).sha256 == row.sha256
    assert parse_ruleset(row.text, agencies=row.agencies_csv).sha256 == row.sha256
    # the approved version goes live; its text is the approved one
    admin = people["admin"]
    resp = app.test_client().post(f"{API}/{pk}/activate", headers=admin.headers)
    assert resp.status_code == 200 and resp.get_json()["status"] == "live"


@pytest.mark.parametrize("action", ["activate", "shadow"])
def test_text_changed_in_the_database_after_approval_is_refused(app, db, engine, people,
                                                                 action):
    client = app.test_client()
    pk = _create(client, people["author"])["id"]
    assert client.post(f"{API}/{pk}/submit", headers=people["author"].headers).status_code \
        == 200
    assert approve(client, people["checker"], pk).status_code == 200
    with engine.begin() as conn:
        conn.execute(text("UPDATE rulesets SET text = text || '#x' WHERE id = :pk"), {"pk": pk})
    resp = client.post(f"{API}/{pk}/{action}", headers=people["admin"].headers)
    assert resp.status_code == 409, resp.get_json()
    assert "not the text that was approved" in resp.get_json()["detail"]
    row, steps = _stored(db, pk)
    assert row.status == "approved" and [s.action for s in steps][-1] == "approve"


def test_approved_row_given_another_text_and_its_sha_is_refused(app, db, engine, people):
    """The issue's end state: the row's sha256 matches its text, the approval recorded another."""
    client = app.test_client()
    pk = _create(client, people["author"])["id"]
    client.post(f"{API}/{pk}/submit", headers=people["author"].headers)
    assert approve(client, people["checker"], pk).status_code == 200
    other = parse_ruleset(MINI + "\n# not reviewed\n")
    with engine.begin() as conn:
        conn.execute(text("UPDATE rulesets SET text = :t, sha256 = :s WHERE id = :pk"),
                     {"t": other.text, "s": other.sha256, "pk": pk})
    resp = client.post(f"{API}/{pk}/activate", headers=people["admin"].headers)
    assert resp.status_code == 409 and "not the text that was approved" in \
        resp.get_json()["detail"]


def test_an_edit_or_step_on_text_read_before_a_change_is_409(app, people):
    client = app.test_client()
    author = people["author"].headers
    first = _create(client, people["author"])
    pk, read = first["id"], first["sha256"]
    changed = client.put(f"{API}/{pk}", json={"text": MINI + "\n# a\n", "sha256": read},
                         headers=author)
    assert changed.status_code == 200
    stale = client.put(f"{API}/{pk}", json={"text": MINI + "\n# b\n", "sha256": read},
                       headers=author)
    assert stale.status_code == 409
    assert "changed since you read it" in stale.get_json()["detail"]
    by_header = client.put(f"{API}/{pk}", json={"text": MINI + "\n# b\n"},
                           headers=author | {"If-Match": f'"{read}"'})
    assert by_header.status_code == 409
    bad = client.put(f"{API}/{pk}", json={"text": MINI, "sha256": "x" * 64}, headers=author)
    assert bad.status_code == 422 and "sha256" in bad.get_json()["errors"]
    bad = client.put(f"{API}/{pk}", json={"text": MINI}, headers=author | {"If-Match": "x" * 64})
    assert bad.status_code == 422 and "If-Match" in bad.get_json()["errors"]
    assert client.post(f"{API}/{pk}/submit", json={"sha256": read},
                       headers=author).status_code == 409
    now = changed.get_json()["sha256"]
    assert client.post(f"{API}/{pk}/submit", json={"sha256": now},
                       headers=author).status_code == 200


def test_page_editor_refuses_a_save_over_a_newer_text(app, db, people):
    client = app.test_client()
    pk = _create(client, people["author"])
    login(client, people["author"])
    client.put(f"{API}/{pk['id']}", json={"text": MINI + "\n# newer\n"},
               headers=people["author"].headers)
    resp = client.post(f"/rules/{pk['id']}/edit",
                       data={"text": MINI + "\n# mine\n", "sha256": pk["sha256"]})
    assert resp.status_code == 409
    assert "berubah sejak Anda membukanya" in resp.get_data(as_text=True)
    row, _ = _stored(db, pk["id"])
    assert row.text.endswith("# newer\n")


def test_rollback_to_a_version_stored_before_histories_checks_its_own_sha(app, db, engine,
                                                                          people):
    client, admin = app.test_client(), people["admin"].headers
    default = client.get(f"{API}/active", headers=admin).get_json()["id"]
    pk = _create(client, people["author"])["id"]
    client.post(f"{API}/{pk}/submit", headers=people["author"].headers)
    assert approve(client, people["checker"], pk).status_code == 200
    assert client.post(f"{API}/{pk}/activate", headers=admin).status_code == 200
    with engine.begin() as conn:  # as a database migrated from before migration 0006
        conn.execute(text("DELETE FROM ruleset_transitions WHERE ruleset_pk = :pk"),
                     {"pk": default})
        conn.execute(text("UPDATE rulesets SET text = text || '#x' WHERE id = :pk"),
                     {"pk": default})
    back = client.post(f"{API}/{default}/rollback", json={"reason": "r"}, headers=admin)
    assert back.status_code == 409 and "not the text that was approved" in \
        back.get_json()["detail"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE rulesets SET text = substr(text, 1, length(text) - 2) "
                          "WHERE id = :pk"), {"pk": default})
    back = client.post(f"{API}/{default}/rollback", json={"reason": "r"}, headers=admin)
    assert back.status_code == 200 and back.get_json()["status"] == "live"


def test_a_stored_text_is_hashed_again_when_parsed(db, engine, people):
    from ews.lifecycle import compiled as stored

    row = db.scalar(select(RuleSetRecord).where(RuleSetRecord.status == "live"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE rulesets SET text = text || '#x' WHERE id = :pk"),
                     {"pk": row.id})
    db.expire_all()
    stored._COMPILED.clear()  # a worker that has not parsed it yet
    with pytest.raises(stored.TextMismatch, match="changed outside the lifecycle"):
        stored.compiled(db.get(RuleSetRecord, row.id))
