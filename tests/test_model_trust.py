"""Issue 20, C1: no code path deserialises model bytes this installation did not write.

A hostile file comes with a manifest whose SHA-256 matches it: only the signature under the
installation's model key, checked before anything is read, and skops' allowed types stand
between it and the process. Each payload creates a marker file if it ever runs.
"""

from __future__ import annotations

import copy
import json
import os
import pickle

import pytest
import skops.io
from sqlalchemy import func, select

from ews.config import ConfigError, load_config, model_key
from ews.store.models import ModelRecord
from ews.store.trust import ManifestError, ModelIntegrityError, load, load_from
from ews.store.users import create_user

from .evidence import evidence_for
from .model_artefacts import evil_pickle, evil_skops, fitted_model, hostile, trained

KEY = model_key("s" * 32)  # the key of the `ews_cli` fixture's configuration
OTHER = model_key("another installation's secret")


@pytest.fixture(scope="module")
def model():
    return fitted_model()


@pytest.fixture
def marker(tmp_path):
    path = tmp_path / "ran"
    yield path
    assert not path.exists(), "the payload ran"


def test_the_payloads_are_live_when_loaded_the_unsafe_way(tmp_path):
    pickle.loads(evil_pickle(tmp_path / "a"))
    data = evil_skops(tmp_path / "b")
    skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
    assert (tmp_path / "a").exists() and (tmp_path / "b").exists()


@pytest.mark.parametrize("name, message", [
    ("../../x", "not a plain file name"), ("/etc/passwd", "not a plain file name"),
    ("sub/m.skops", "not a plain file name"), ("..", "not a plain file name"),
    ("m\\..\\x", "not a plain file name"), ("", "missing"), (None, "missing"),
])
def test_a_manifest_file_is_a_plain_name_inside_the_folder(tmp_path, name, message):
    with pytest.raises(ManifestError, match=f"manifest field 'file': .*{message}") as err:
        load_from(tmp_path, {"version": "m", "file": name}, KEY)
    assert err.value.field == "file"


def test_a_link_leading_out_of_the_folder_is_refused(tmp_path, model):
    outside = tmp_path / "outside"
    manifest = trained(model, outside, "m", KEY)
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "m.skops").symlink_to(outside / "m.skops")
    with pytest.raises(ManifestError, match="'m.skops' is a link leading out"):
        load_from(folder, manifest, KEY)


def test_a_model_signed_here_loads_and_answers_as_trained(tmp_path, model):
    manifest = trained(model, tmp_path, "m-good", KEY)
    assert manifest["file"] == "m-good.skops" and manifest["format"] == "skops"
    assert (tmp_path / "m-good.skops").read_bytes()[:2] == b"PK"  # a zip, not a pickle
    loaded = load_from(tmp_path, manifest, KEY)
    record = {"scripted_answers": True, "purpose": "work", "destination_country": "KH"}
    assert loaded.probability(record) == model.probability(record)
    (tmp_path / "renamed.skops").write_bytes((tmp_path / "m-good.skops").read_bytes())
    with pytest.raises(ManifestError, match="does not name the file being loaded"):
        load(tmp_path / "renamed.skops", manifest, KEY)


@pytest.mark.parametrize("case, message", [
    ("unsigned pickle", "is not signed by this installation"),
    ("pickle signed with another key", "is signed with another key"),
    ("pickle signed here", "is signed but cannot be loaded"),
    ("skops with a foreign type, signed here", "is signed but cannot be loaded"),
    ("signed field edited", "the signature does not match"),
])
def test_hostile_files_are_refused_before_they_run(tmp_path, marker, case, message):
    data = evil_skops(marker) if "skops" in case else evil_pickle(marker)
    key = None if case == "unsigned pickle" else OTHER if "another" in case else KEY
    fmt = {} if case == "unsigned pickle" else {"format": "skops"}
    manifest = hostile(tmp_path, "evil", data, key=key, **fmt)
    if case == "signed field edited":
        manifest["trained_by"] = "someone-else"
    with pytest.raises(ModelIntegrityError, match=message):
        load_from(tmp_path, manifest, KEY)
    if "foreign type" in case:
        with pytest.raises(ModelIntegrityError, match="tests.model_artefacts.Touch"):
            load(tmp_path / "evil.joblib", manifest, KEY)


def test_no_key_no_model(tmp_path, model):
    manifest = trained(model, tmp_path, "m", KEY)
    with pytest.raises(ModelIntegrityError, match="no model key is configured"):
        load_from(tmp_path, manifest, None)


def test_the_model_key_comes_from_the_secret_key_or_its_own_variable(tmp_path):
    base = {"EWS_ENV": "production", "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32,
            "EWS_DATABASE_URL": "sqlite://"}
    assert load_config(base)["MODEL_KEY"] == KEY == load_config(dict(base))["MODEL_KEY"]
    own = load_config(base | {"EWS_MODEL_KEY": "m" * 32})["MODEL_KEY"]
    assert own == model_key("m" * 32) != KEY
    with pytest.raises(ConfigError, match="EWS_MODEL_KEY is too short"):
        load_config(base | {"EWS_MODEL_KEY": "short"})
    with pytest.raises(ConfigError, match="EWS_SECRET_KEY is not set"):
        load_config({k: v for k, v in base.items() if k != "EWS_SECRET_KEY"})
    # Development: derived from the secret generated into instance/, the same for every worker.
    dev = {"EWS_INSTANCE_PATH": str(tmp_path / "instance"), "EWS_DATABASE_URL": "sqlite://"}
    first = load_config(dev)["MODEL_KEY"]
    assert first == load_config(dev)["MODEL_KEY"] and len(first) == 32


@pytest.fixture
def people(db, password_hash):
    for name, role in (("analyst-one", "analyst"), ("analyst-two", "analyst"),
                       ("admin-one", "admin")):
        create_user(db, name, role, "PST", password_hash)
    db.commit()


def _models(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(ModelRecord))


def test_the_attack_through_the_commands_is_refused_at_each_step(db, people, ews_cli, tmp_path,
                                                                 marker):
    folder = tmp_path / "drop"
    manifest = hostile(folder, "evil", evil_pickle(marker))
    d = ("--dir", str(folder))
    submitted = ews_cli("model", "submit", "evil", "--as", "analyst-one", *d)
    assert submitted.exit_code == 1 and "is not signed by this installation" in submitted.output
    assert _models(db) == 0
    evaluated = ews_cli("model", "evaluate", "evil", *d)
    assert evaluated.exit_code == 1 and "is not signed" in evaluated.output
    assert ews_cli("model", "card", "evil", *d).exit_code == 1
    # A row put in by hand (or registered before signatures) gets no further either.
    db.add(ModelRecord(version="evil", sha256=manifest["sha256"],
                       path=str(folder / "evil.joblib"), estimator="logistic",
                       manifest=manifest, status="submitted", submitted_by=1))
    db.commit()
    approved = ews_cli("model", "approve", "evil", "--as", "admin-one")
    assert approved.exit_code == 1 and "is not signed" in approved.output
    db.execute(ModelRecord.__table__.update().values(status="approved"))
    db.commit()
    activated = ews_cli("model", "activate", "evil", "--as", "admin-one")
    assert activated.exit_code == 1 and "is not signed" in activated.output
    db.expire_all()
    assert db.scalar(select(ModelRecord.status)) == "approved"


@pytest.mark.parametrize("command", ["submit", "evaluate", "card"])
def test_a_manifest_pointing_outside_the_folder_is_refused(db, people, ews_cli, tmp_path,
                                                            model, command):
    trained(model, tmp_path / "elsewhere", "real", KEY)
    folder = tmp_path / "drop" / "models"
    manifest = json.loads((tmp_path / "elsewhere" / "real.manifest.json").read_text())
    folder.mkdir(parents=True)
    (folder / "real.manifest.json").write_text(json.dumps(manifest | {"file": "../../x"}))
    extra = ("--as", "analyst-one") if command == "submit" else ()
    result = ews_cli("model", command, "real", "--dir", str(folder), *extra)
    assert result.exit_code == 1, result.output
    assert "manifest field 'file': '../../x' is not a plain file name" in result.output
    assert _models(db) == 0


def test_a_model_trained_under_another_key_is_refused_ours_passes(db, people, ews_cli, tmp_path,
                                                                  model):
    folder = tmp_path / "models"
    trained(model, folder, "theirs", OTHER)
    trained(model, folder, "ours", KEY)
    d = ("--dir", str(folder))
    theirs = ews_cli("model", "submit", "theirs", "--as", "analyst-one", *d)
    assert theirs.exit_code == 1 and "is signed with another key" in theirs.output
    assert ews_cli("model", "card", "ours", *d).output.startswith("# Model card: ours")
    assert ews_cli("model", "submit", "ours", "--as", "analyst-two", *d).exit_code == 0
    sha = db.scalar(select(ModelRecord.sha256).where(ModelRecord.version == "ours"))
    proof = str(evidence_for(db.get_bind(), sha, "model"))
    assert ews_cli("model", "approve", "ours", "--as", "admin-one",
                   "--evidence", proof).exit_code == 0
    # Replaced after approval by another file signed here: the approved SHA-256 decides.
    retrained = copy.deepcopy(model).set_params(n_threads=2)
    trained(retrained, tmp_path / "again", "ours", KEY)
    os.replace(tmp_path / "again" / "ours.skops", folder / "ours.skops")
    late = ews_cli("model", "activate", "ours", "--as", "admin-one")
    assert late.exit_code == 1 and "the approved record says" in late.output
    verified = ews_cli("audit", "verify")  # submit and approve re-sealed the model's row
    assert verified.exit_code == 0, verified.output
