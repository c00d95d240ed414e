"""`ews model ...`: train, evaluate, card, submit, approve and activate the classifier."""

from __future__ import annotations

import datetime as dt

import click

from .context import (
    DATE,
    db_session,
    load_window,
    named_user,
    read_config,
    utc_window,
    window_label,
)


@click.group("model")
def model_group() -> None:
    """Train, evaluate, card, submit, approve and activate the optional classifier."""


@model_group.command("train")
@click.option("--from", "since", type=DATE, help="first interview day (UTC), inclusive")
@click.option("--to", "until", type=DATE, help="last interview day (UTC), exclusive")
@click.option("--split", "split_at", type=DATE,
              help="train before this day, evaluate from it (default: last ~25% of months)")
@click.option("--estimator", type=click.Choice(["compare", "logistic",
                                                "hist_gradient_boosting"]),
              default="compare", show_default=True,
              help="compare: train both, keep the better PR-AUC on the last training months")
@click.option("--budget", type=click.FloatRange(0.001, 0.5), default=0.05, show_default=True)
@click.option("--version", "version", help="model version (default: model-<date of --to>)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="models",
              show_default=True)
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False))
@click.option("--as", "trainer", required=True, help="your user name (recorded as trainer)")
def model_train(since, until, split_at, estimator, budget, version, out_dir, rules_path,
                trainer) -> None:
    """Train on earlier months, evaluate on later ones, write model + card + manifest."""
    from ews.learn import LabelError, labels, time_split
    from ews.learn.artefacts import save
    from ews.learn.classifier import ESTIMATORS
    from ews.learn.selection import choose_and_evaluate

    since, until = utc_window(since, until)
    config = read_config()
    with db_session(config) as session:
        named_user(session, trainer)
    frame, ruleset = load_window(since, until, rules_path)
    try:
        train, test = time_split(frame, split_at.replace(tzinfo=dt.UTC) if split_at else None)
        y = labels(train["outcome"])
        known = y.notna().to_numpy()
        kinds = ESTIMATORS if estimator == "compare" else (estimator,)
        best, model, ev, comparison = choose_and_evaluate(train, test, ruleset, kinds,
                                                          budget=budget)
    except LabelError as exc:
        raise click.ClickException(f"{exc} (window {window_label(since, until)})") from None
    version = version or f"model-{(until or dt.datetime.now(dt.UTC)):%Y%m%d}"
    window = {"train_from": str(train["interviewed_at"].min().date()),
              "train_to": str(train["interviewed_at"].max().date()),
              "test_from": str(test["interviewed_at"].min().date()),
              "test_to": str(test["interviewed_at"].max().date()),
              "train_labelled": int(known.sum()), "train_positives": int(y.sum()),
              "ruleset": f"{ruleset.id} {ruleset.version}"}
    manifest = save(model, folder=out_dir, version=version, trainer=trainer, window=window,
                    evaluation=ev, comparison=comparison, now=dt.datetime.now(dt.UTC),
                    key=config["MODEL_KEY"])
    for kind, pr_auc in comparison.items():
        click.echo(f"{kind}: PR-AUC {pr_auc:.3f} on the last training months")
    click.echo(f"{best} on the later period: PR-AUC {ev.pr_auc:.3f} (rule set alone "
               f"{ev.rules_pr_auc:.3f}); at {budget:.1%}: precision {ev.model.precision:.2f}, "
               f"recall {ev.model.recall:.2f}")
    for warning in ev.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"kept {best}: {out_dir}/{manifest['file']} sha256 {manifest['sha256']} "
               f"(signed, key id {manifest['signature']['key_id']})")
    click.echo(f"card: {out_dir}/{version}.card.md; next: ews model submit {version} --as ...")


def _manifest(out_dir: str, version: str) -> dict:
    import json

    from ews.learn.artefacts import paths

    try:
        where = paths(out_dir, version)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if not where["manifest"].exists():
        raise click.ClickException(f"unknown model version {version!r}: no "
                                   f"{where['manifest']}")
    try:
        return json.loads(where["manifest"].read_text(encoding="utf-8"))
    except ValueError as exc:
        raise click.ClickException(f"{where['manifest']} is not JSON: {exc}") from None


@model_group.command("evaluate")
@click.argument("version")
@click.option("--from", "since", type=DATE, help="default: the model's held-out later period")
@click.option("--to", "until", type=DATE, help="default: the end of that period")
@click.option("--budget", type=click.FloatRange(0.001, 0.5), default=0.05, show_default=True)
@click.option("--dir", "out_dir", type=click.Path(file_okay=False), default="models")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False))
@click.option("--as", "name", default=None,
              help="your user name, stored with the evaluation (default: the shell's user)")
def model_evaluate(version, since, until, budget, out_dir, rules_path, name) -> None:
    """Evaluate a trained model next to the rule set (default: its held-out later period).

    Warns when the rows include training rows or a figure is perfect. The figures are
    stored (with the file's sha256, who, when) as the evidence that
    `ews model approve --evidence ID` names; the ID is printed last.
    """
    from ews.learn import LabelError
    from ews.learn.evaluate import evaluate
    from ews.learn.honest import CONDITIONAL, training_overlap
    from ews.store.trust import load_from

    manifest = _manifest(out_dir, version)
    try:
        model = load_from(out_dir, manifest, read_config()["MODEL_KEY"])
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    window = manifest.get("window") or {}
    if since is None and until is None and window.get("test_from"):
        since = dt.datetime.fromisoformat(window["test_from"])
        until = dt.datetime.fromisoformat(window["test_to"]) + dt.timedelta(days=1)
        click.echo(f"held-out period of {version}: {since.date()} to {window['test_to']}")
    since, until = utc_window(since, until)
    frame, ruleset = load_window(since, until, rules_path)
    try:
        ev = evaluate(model, frame, ruleset, budget=budget)
    except LabelError as exc:
        raise click.ClickException(f"{exc} (window {window_label(since, until)})") from None
    click.echo(f"rows {ev.rows}, labelled {ev.labelled}, positive {ev.positives}")
    click.echo(f"PR-AUC {ev.pr_auc:.3f} (rule set alone {ev.rules_pr_auc:.3f})")
    click.echo(f"at {budget:.1%}: model precision {ev.model.precision:.2f} recall "
               f"{ev.model.recall:.2f}; rule set precision {ev.rules.precision:.2f} recall "
               f"{ev.rules.recall:.2f}")
    click.echo(f"of the model's {ev.model.alerts} alerts {ev.model.confirmed} were confirmed "
               f"and {ev.model.with_outcome} had any outcome. {CONDITIONAL}")
    for which, tracks in ev.tracks.items():
        for track, f in tracks.items():
            click.echo(f"weighted {which} {track}: " + "; ".join(
                f"{k} {v['estimate']:.2f} [{v['low']:.2f}-{v['high']:.2f}] on {v['labels']}"
                if v["estimate"] is not None else f"{k} - (0 labels)" for k, v in f.items()))
    overlap = training_overlap(frame, window)
    warnings = ([f"{overlap} of the {len(frame)} rows fall in the training period "
                 f"({window['train_from']} to {window['train_to']}): the figures flatter the "
                 "model"] if overlap else []) + list(ev.warnings)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    _store_evaluation(manifest["sha256"], ev, name, window_label(since, until))


def _store_evaluation(sha256: str, ev, name: str | None, window: str) -> None:
    import getpass

    from ews.lifecycle.evidence import record_evaluation

    with db_session(read_config()) as session:
        by = named_user(session, name).username if name else f"os:{getpass.getuser()}"
        stored = record_evaluation(session, sha256, ev, by, window)
        session.commit()
    click.echo(f"evidence #{stored.id}: evaluation of sha256 {sha256[:12]} "
               f"(approve with --evidence {stored.id})")


@model_group.command("card")
@click.argument("version")
@click.option("--dir", "out_dir", type=click.Path(file_okay=False), default="models")
def model_card(version, out_dir) -> None:
    """Print the model card of a trained model (from its manifest, once its file verifies)."""
    from ews.learn.artefacts import card
    from ews.store.trust import verify_in

    manifest = _manifest(out_dir, version)
    try:
        verify_in(out_dir, manifest, read_config()["MODEL_KEY"])
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(card(manifest))


def _registry_step(step: str, version: str, name: str, out_dir: str = "models",
                   evidence: int | None = None) -> None:
    from ews.learn.artefacts import paths
    from ews.lifecycle import models as reg
    from ews.store.rulesets import MakerCheckerError

    config = read_config()
    with db_session(config) as session:
        user = named_user(session, name)
        try:
            if step == "submit":
                _manifest(out_dir, version)  # "unknown model version" when there is none
                row = reg.submit(session, paths(out_dir, version)["manifest"], user,
                                 key=config["MODEL_KEY"])
            elif step == "rollback":
                row = reg.rollback(session, user, key=config["MODEL_KEY"])
            elif step == "retire":
                row = reg.retire(session, version, user)
            else:
                extra = {"evidence": evidence} if step == "approve" else {}
                row = getattr(reg, step)(session, version, user, key=config["MODEL_KEY"],
                                         **extra)
            session.commit()
        except (MakerCheckerError, PermissionError, ValueError) as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from None
        click.echo(f"model {row.version}: {row.status} (sha256 {row.sha256[:12]}...)")


@model_group.command("submit")
@click.argument("version")
@click.option("--as", "name", required=True, help="your user name (analyst or admin)")
@click.option("--dir", "out_dir", type=click.Path(file_okay=False), default="models")
def model_submit(version, name, out_dir) -> None:
    """Register a trained model for approval (its file signed by this installation)."""
    _registry_step("submit", version, name, out_dir)


@model_group.command("approve")
@click.argument("version")
@click.option("--as", "name", required=True, help="your user name (admin, not the trainer)")
@click.option("--evidence", type=click.IntRange(1), default=None, metavar="ID",
              help="the stored evaluation of this model file (`ews model evaluate` prints it)")
def model_approve(version, name, evidence) -> None:
    """Approve a submitted model on its stored evaluation: not by its trainer or submitter."""
    _registry_step("approve", version, name, evidence=evidence)


@model_group.command("retire")
@click.argument("version")
@click.option("--as", "name", required=True, help="your user name (admin)")
def model_retire(version, name) -> None:
    """Stop serving a model (active or approved): results are scored without it."""
    _registry_step("retire", version, name)


@model_group.command("rollback")
@click.option("--as", "name", required=True, help="your user name (admin)")
def model_rollback(name) -> None:
    """Retire the active model and serve again the one it replaced."""
    _registry_step("rollback", None, name)


@model_group.command("activate")
@click.argument("version")
@click.option("--as", "name", required=True, help="your user name (admin, not the trainer)")
def model_activate(version, name) -> None:
    """Make an approved model the one the service serves (in the rule set's model mode)."""
    _registry_step("activate", version, name)

