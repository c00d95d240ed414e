"""Model artefacts for the trust tests: a small trained model, and hostile files.

The hostile payloads only create a marker file when they run, so a test can show that they
are live (loading them the unsafe way creates it) and that EWS never runs them.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from pathlib import Path

import skops.io

from ews.demo.frame import demo_frame
from ews.demo.plan import Window
from ews.learn import labels, time_split
from ews.learn.artefacts import save
from ews.learn.classifier import ChecklistClassifier
from ews.store.trust import sha256_of, sign


class Touch:
    """Creates the file `marker` when unpickled (pickle) or rebuilt (skops)."""

    def __init__(self, marker: Path | str) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))  # opening for writing creates the file

    def __getstate__(self):
        return {"marker": self.marker}

    def __setstate__(self, state):
        Path(state["marker"]).touch()


def fitted_model() -> ChecklistClassifier:
    """Return a logistic model fitted on the demo's interviews (a few seconds)."""
    window = Window(6, dt.date(2026, 7, 1))  # January-June 2026
    train, _ = time_split(demo_frame(3000, seed=5, risk=10, window=window))
    y = labels(train["outcome"])
    known = y.notna().to_numpy()
    return ChecklistClassifier("logistic").fit(train[known], y[known])


def trained(model, folder: Path, version: str, key: bytes) -> dict:
    """Write `model` as `ews model train` does, signed with `key`; return the manifest."""
    return save(model, folder=folder, version=version, trainer="trainer-pst",
                window={"test_from": "2026-05-01", "test_to": "2026-06-30"}, evaluation=None,
                now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC), key=key)


def hostile(folder: Path, version: str, data: bytes, *, key: bytes | None = None,
            file: str | None = None, **fields) -> dict:
    """Write `data` and a matching manifest (valid SHA-256; signed when `key` is given)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = file or f"{version}.joblib"
    if file is None:
        (folder / name).write_bytes(data)
    manifest = {"version": version, "file": name, "sha256": sha256_of(data),
                "estimator": "logistic", "trained_by": "mallory",
                "trained_at": "2026-07-01T00:00:00+00:00", "features": [],
                "window": {}, "exclusions": {"fields": [], "values": []}} | fields
    if key is not None:
        manifest["signature"] = sign(manifest, data, key)
    (folder / f"{version}.manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def evil_pickle(marker: Path) -> bytes:
    """Return a pickle that creates `marker` when loaded."""
    return pickle.dumps(Touch(marker))


def evil_skops(marker: Path) -> bytes:
    """Return a skops file holding a type outside the allowed list (creates `marker`)."""
    return skops.io.dumps({"payload": Touch(marker)})
