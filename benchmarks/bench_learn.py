"""Benchmark the learning code: training on 1,000,000 stored assessments, and what an active
model adds to one submission on the request path.

Targets (issue 11): training <= 120 s on 1,000,000 stored assessments; the model adds
<= 0.2 ms per request (median, same run, with and without an active model). Issue 25: on a
national year (5,000,000) training and `ews learn weights` each <= 10 min, peak memory
<= 4 GB.

    python benchmarks/bench_learn.py [--n 1000000] [--requests 400] [--write docs/performance.md]
        [--database-url URL | --postgres]

Builds a throwaway database (SQLite in a temporary folder, or the PostgreSQL given/started):
stores `--n` interviews of the demo's world (`ews.demo.frame.demo_frame`) and their outcomes
(setup, not timed against the target), then times loading them
(`ews.learn.frames.assessments_frame`), fitting the logistic classifier (the model the
service answers from its coefficients), what `ews model train` does with the frame (compare
both estimators, refit, evaluate) and suggesting weights (`ews.learn.propose`, what
`ews learn weights` runs), with wall and CPU seconds and the process's peak memory after each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dbsetup import add_arguments, database, is_postgres, label, office_with_rules, reset
from sqlalchemy.orm import Session

from ews.checklist import validate_checklist
from ews.demo.bulk import store_frame
from ews.demo.frame import demo_frame
from ews.engine import parse_ruleset, ruleset_files
from ews.interviews import submit
from ews.learn import LabelError, labels, time_split
from ews.learn.artefacts import save
from ews.learn.classifier import ESTIMATORS, ChecklistClassifier
from ews.learn.frames import assessments_frame
from ews.learn.propose import propose
from ews.learn.selection import choose_and_evaluate
from ews.lifecycle import evidence, models
from ews.lifecycle.service import activate_ruleset, register_ruleset
from ews.store import make_engine
from ews.store.migrate import upgrade
from ews.store.users import create_user

KEY = secrets.token_bytes(32)  # a throwaway installation's model key

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"train_s": 120.0, "model_ms": 0.2}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(url: str, n: int, text: bytes, agencies: bytes, risk: float) -> dict:
    if is_postgres(url):
        reset(url)
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as s:
        office_with_rules(s, text, agencies)
        users = {r: create_user(s, f"{r}-bench", r, "PMK", "x") for r in
                 ("officer", "analyst", "admin")}
        s.commit()
        ruleset = parse_ruleset(text, agencies=agencies)
        t = time.perf_counter()
        frame = demo_frame(n, seed=11, risk=risk, agencies=ruleset.agencies)  # 12 months
        log(f"generated {n:,} rows in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        store_frame(s, frame, ruleset, officer_id=users["officer"].id,
                    recorder_id=users["analyst"].id, progress=True)
        stored = time.perf_counter() - t
    engine.dispose()
    return {"users": users, "store_s": stored}


class Clock:
    """Wall and CPU seconds (the process's own: the machine may be shared) of a step."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.1f} s ({self.cpu:.1f} s CPU)"


def train(url: str) -> dict:
    engine = make_engine(url)
    with Session(engine) as s, Clock() as load:
        frame = assessments_frame(s, progress=True)
    engine.dispose()
    load_mb = peak_mb()
    with Clock() as fit:
        early, _ = time_split(frame)
        y = labels(early["outcome"])
        known = y.notna().to_numpy()
        model = ChecklistClassifier("logistic").fit(early[known], y[known])
    text, agencies = ruleset_files(ROOT / "rules" / "tppo_pmi.yaml")
    live = parse_ruleset(text, agencies=agencies)
    with Clock() as command:  # what `ews model train` does after loading (default: compare)
        before, after = time_split(frame)
        kept = choose_and_evaluate(before, after, live, ESTIMATORS, budget=0.05)[0]
        del before, after
    train_mb = peak_mb()
    with Clock() as weights:
        try:
            proposal = propose(frame, live, version="bench")
            outcome = f"{len(proposal.refusals)} refusals" if proposal.refusals else "a draft"
        except LabelError as exc:
            outcome = f"refused: {exc}"
    return {"rows": len(frame), "labelled": int(known.sum()), "load": load, "load_mb": load_mb,
            "fit": fit, "model": model, "command": command, "kept": kept,
            "train_mb": train_mb, "weights": weights, "outcome": outcome,
            "weights_mb": peak_mb()}


def per_request(url: str, model, folder: str, users: dict, text: bytes, agencies: bytes,
                requests: int) -> dict:
    """Median wall time of submit() with the rule set in escalate mode, model off vs on."""
    engine = make_engine(url)
    escalate = text.replace(b"model: {mode: off}", b"model: {mode: escalate, threshold: 0.5, "
                            b"action: supervisor_review}").replace(
        b"\n  version: ", b"\n  version: model-", 1)
    manifest = save(model, folder=folder, version="bench", trainer="analyst-bench",
                    window={}, evaluation=None, now=dt.datetime.now(dt.UTC), key=KEY)
    from sqlalchemy import select

    from ews.store.models import User

    sample = validate_checklist(
        {"application_id": "X", "office_code": "PMK", "application_type": "new",
         "purpose": "tourism", "destination_country": "MY", "purpose_explained": "yes",
         "destination_address_known": "yes", "return_ticket": "return_booked",
         "visa_status": "not_yet", "job_offer_channel": "none", "accompanied_by": "alone",
         "scripted_answers": True}, "en", now=dt.datetime.now(dt.UTC))
    times: dict[str, list] = {}
    with Session(engine, expire_on_commit=False) as s:
        admin, analyst, officer = (s.scalar(select(User).where(User.username == f"{r}-bench"))
                                   for r in ("admin", "analyst", "officer"))
        activate_ruleset(s, register_ruleset(s, escalate, None, agencies=agencies), None)
        row = models.submit(s, Path(folder) / "bench.manifest.json", analyst, key=KEY)
        proof = evidence.record(s, subject_kind="model", sha256=row.sha256, kind="evaluation",
                                by=analyst.username, summary={"stored_for": "the benchmark"})
        models.approve(s, "bench", admin, key=KEY, evidence=proof.id)
        s.commit()
        ruleset = parse_ruleset(escalate, agencies=agencies)
        for mode in ("without", "with"):  # same run, same database, one after the other
            if mode == "with":
                models.activate(s, "bench", admin, key=KEY)
                s.commit()
            spent = []
            for i in range(requests + 20):
                record = sample | {"application_id": f"REQ-{mode}-{i}"}
                t = time.perf_counter()
                result = submit(s, record, user=officer, ruleset=ruleset, pii_key="k",
                                model_key=KEY)
                spent.append(time.perf_counter() - t)
            assert (result.assessment.model_version is not None) == (mode == "with")
            times[mode] = spent[20:]  # warm-up (and the first load of the model) discarded
    engine.dispose()
    return {k: statistics.median(v) * 1000 for k, v in times.items()} | {
        "sha256": manifest["sha256"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--risk", type=float, default=1.0, help="multiplies the demo's risky "
                        "shares (training needs 30 labelled positives: raise it for a small --n)")
    parser.add_argument("--write", type=Path, help="update the Learning section of this file")
    parser.add_argument("--reuse", action="store_true",
                        help="on PostgreSQL: train on the rows already there (e.g. a national "
                             "`ews demo --bulk`); with --requests 0 the database is not changed")
    add_arguments(parser)
    args = parser.parse_args()
    text, agencies = ruleset_files(ROOT / "rules" / "tppo_pmi.yaml")
    with tempfile.TemporaryDirectory() as tmp, \
            database(args, Path(tmp) / "bench.sqlite3") as url:
        name = label(url)
        made = {"users": None, "store_s": None} if args.reuse and is_postgres(url) else \
            setup(url, args.n, text, agencies, args.risk)
        trained = train(url)
        latency = per_request(url, trained["model"], tmp, made["users"], text, agencies,
                              args.requests) if args.requests else None
    total = trained["load"].wall + trained["fit"].wall
    stored = "-" if made["store_s"] is None else f"{made['store_s']:.1f} s"
    target = TARGETS["train_s"] if trained["rows"] <= 1_000_000 else 600
    national = "<= 600 s at 5,000,000"
    command = trained["load"].wall + trained["command"].wall
    weights = trained["load"].wall + trained["weights"].wall
    rows = [
        ("store the synthetic history (setup, not a target)", stored, "-"),
        (f"load {trained['rows']:,} stored assessments with outcomes (assessments_frame)",
         str(trained["load"]), "-"),
        ("peak memory after loading", f"{trained['load_mb']:,.0f} MB", "-"),
        (f"fit the calibrated logistic classifier ({trained['labelled']:,} labelled rows of "
         "the earlier months)", str(trained["fit"]), "-"),
        ("training on the stored assessments: load + fit", f"{total:.1f} s",
         f"<= {target:.0f} s: " + ("meets target" if total <= target else "misses target")),
        ("`ews model train` after loading: compare both estimators on the training months, "
         f"refit ({trained['kept']}), evaluate on the later months", str(trained["command"]),
         "-"),
        ("`ews model train` in all: load + compare, fit, evaluate", f"{command:.1f} s",
         national),
        ("peak memory after training", f"{trained['train_mb']:,.0f} MB", "<= 4 GB"),
        (f"suggest weights on the same rows (`ews learn weights`: {trained['outcome']})",
         str(trained["weights"]), "-"),
        ("`ews learn weights` in all: load + suggest", f"{weights:.1f} s", national),
        ("peak memory after suggesting weights", f"{trained['weights_mb']:,.0f} MB",
         "<= 4 GB"),
    ]
    if latency is not None:
        added = latency["with"] - latency["without"]
        rows += [
            ("submit(), escalate mode, no active model (median)",
             f"{latency['without']:.3f} ms", "-"),
            ("submit(), escalate mode, active model (median)", f"{latency['with']:.3f} ms",
             "-"),
            ("added by the model", f"{added:.3f} ms", f"<= {TARGETS['model_ms']} ms: "
             + ("meets target" if added <= TARGETS["model_ms"] else "misses target")),
        ]
    table = "\n".join(["| measure | figure | target |", "|---|---|---|"]
                      + [f"| {a} | {b} | {c} |" for a, b, c in rows])
    print(table)
    if args.write:
        section = ("## Learning\n\nMeasured by `python benchmarks/bench_learn.py --write "
                   f"docs/performance.md` ({name}, 2 shared cores).\n\n" + table + "\n")
        doc = args.write.read_text(encoding="utf-8")
        start = doc.find("## Learning")
        if start >= 0:
            end = doc.find("\n## ", start + 1)
            doc = doc[:start] + section + (doc[end + 1:] if end >= 0 else "")
        else:
            doc = doc.rstrip("\n") + "\n\n" + section
        args.write.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
