"""How a model artefact is trusted: signed by this installation, loaded without pickle.

A SHA-256 in a manifest only proves that a file was not changed after whoever wrote it, and
the manifest travels with the file. So `ews model train` also signs: HMAC-SHA256, under the
installation's model key (`MODEL_KEY` in the configuration, see `ews.config.model_key`), of
the manifest's identifying fields and the file's bytes. Every load then

1. takes the manifest's `file` only as a plain file name inside the models folder,
2. reads the bytes once and checks their SHA-256 (and the approved one, when there is one),
3. checks the signature - before anything is deserialised, and
4. deserialises with skops, never pickle, allowing only the types the trainer produces
   (`TRUSTED`, beside skops' own list of scikit-learn and numpy types).

A file that fails any step raises `ModelIntegrityError` (or `ManifestError` for a bad field);
nothing in it has run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import zipfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

FORMAT = "skops"
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # a model version, a file name
ALGORITHM = "HMAC-SHA256"
# What the signature binds besides the bytes: which model this is and who made it.
SIGNED_FIELDS = ("version", "file", "format", "sha256", "estimator", "trained_by",
                 "trained_at", "features")
# The types `ews model train` writes that skops does not trust by default (found with
# `skops.io.get_untrusted_types` on both estimators). Anything else in a file is refused.
TRUSTED = (
    "ews.learn.classifier.ChecklistClassifier",
    "ews.learn.features.ChecklistEncoder",
    "ews.learn.features.Exclusions",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)


class ModelIntegrityError(ValueError):
    """A model file that is missing, changed, unsigned or signed with another key."""


class ManifestError(ValueError):
    """A manifest field that cannot be used; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"manifest field '{field}': {message}")
        self.field = field


def sha256_of(data: bytes) -> str:
    """Return the hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=8)  # the request path names the key on every scored submission
def key_id(key: bytes) -> str:
    """Return a short public name of a key (tells which key signed, reveals nothing of it)."""
    return hmac.new(key, b"ews model key id", hashlib.sha256).hexdigest()[:12]


def dumps(model) -> bytes:
    """Return the bytes of a model in skops' format (no pickle inside)."""
    import skops.io  # scikit-learn loads only where a model is written or read

    return skops.io.dumps(model, compression=zipfile.ZIP_DEFLATED)


def _mac(manifest: Mapping, data: bytes, key: bytes) -> str:
    # JSON without newlines, then a newline, then the bytes: the split is unambiguous.
    head = json.dumps({f: manifest.get(f) for f in SIGNED_FIELDS}, sort_keys=True,
                      ensure_ascii=True, separators=(",", ":"), default=str)
    mac = hmac.new(key, head.encode("ascii") + b"\n", hashlib.sha256)
    mac.update(data)
    return mac.hexdigest()


def sign(manifest: Mapping, data: bytes, key: bytes) -> dict:
    """Return the manifest's `signature` entry for `data` under `key`."""
    if not key:
        raise ModelIntegrityError("no model key is configured: nothing can be signed")
    return {"algorithm": ALGORITHM, "key_id": key_id(key), "value": _mac(manifest, data, key)}


def artefact_path(folder: Path | str, manifest: Mapping) -> Path:
    """Return the model file of a manifest: a plain file name inside `folder`, else refused."""
    name = manifest.get("file")
    if not isinstance(name, str) or not name:
        raise ManifestError("file", "missing; it names the model file beside the manifest")
    if (name in (".", "..") or "/" in name or "\\" in name or "\0" in name
            or Path(name).is_absolute()):
        raise ManifestError("file", f"{name!r} is not a plain file name inside the models "
                                    "folder; refused")
    base = Path(folder).resolve()
    path = base / name
    if path.resolve().parent != base:
        raise ManifestError("file", f"{name!r} is a link leading out of the models folder; "
                                    "refused")
    return path


def verify(manifest: Mapping, data: bytes, key: bytes | None, *,
           approved_sha256: str | None = None) -> None:
    """Check `data` against the manifest's SHA-256 and signature (and the approved SHA-256)."""
    version = manifest.get("version")
    found = sha256_of(data)
    if approved_sha256 is not None and found != approved_sha256:
        raise ModelIntegrityError(f"model {version!r}: the file has SHA-256 {found[:12]}..., "
                                  f"the approved record says {approved_sha256[:12]}...; "
                                  "refused")
    if found != manifest.get("sha256"):
        raise ModelIntegrityError(f"model {version!r}: the file has SHA-256 {found[:12]}..., "
                                  "its manifest says otherwise; refused")
    if not key:
        raise ModelIntegrityError(f"model {version!r}: no model key is configured, so no "
                                  "signature can be checked; refused")
    signature = manifest.get("signature")
    if not isinstance(signature, Mapping) or manifest.get("format") != FORMAT:
        raise ModelIntegrityError(f"model {version!r} is not signed by this installation "
                                  "(manifest field 'signature' missing, or not a skops file): "
                                  "only models written by `ews model train` are loaded; "
                                  "refused")
    if signature.get("algorithm") != ALGORITHM or signature.get("key_id") != key_id(key):
        raise ModelIntegrityError(f"model {version!r} is signed with another key (key id "
                                  f"{str(signature.get('key_id'))[:12]!r}, this installation's "
                                  f"is {key_id(key)!r}); refused")
    if not hmac.compare_digest(str(signature.get("value")), _mac(manifest, data, key)):
        raise ModelIntegrityError(f"model {version!r}: the signature does not match the file "
                                  "and its manifest; refused")


def read_verified(path: Path | str, manifest: Mapping, key: bytes | None, *,
                  approved_sha256: str | None = None) -> bytes:
    """Return the bytes of `path` once they pass `verify` (and `path` is the signed `file`)."""
    if Path(path).name != manifest.get("file"):
        raise ManifestError("file", f"{manifest.get('file')!r} does not name the file being "
                                    f"loaded ({Path(path).name!r}); refused")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ModelIntegrityError(f"model {manifest.get('version')!r}: the file cannot be "
                                  f"read ({exc.strerror}); refused") from None
    verify(manifest, data, key, approved_sha256=approved_sha256)
    return data


def load(path: Path | str, manifest: Mapping, key: bytes | None, *,
         approved_sha256: str | None = None):
    """Return the model in `path` after `verify`, deserialised with the `TRUSTED` types only."""
    data = read_verified(path, manifest, key, approved_sha256=approved_sha256)
    try:
        import skops.io

        return skops.io.loads(data, trusted=list(TRUSTED))
    except Exception as exc:  # noqa: BLE001 - signed, but not loadable here (library versions)
        raise ModelIntegrityError(f"model {manifest.get('version')!r} is signed but cannot be "
                                  f"loaded ({type(exc).__name__}: {str(exc)[:200]}); "
                                  "refused") from None


def verify_in(folder: Path | str, manifest: Mapping, key: bytes | None) -> Path:
    """Return the model file of a manifest in `folder` once its path and bytes verify."""
    path = artefact_path(folder, manifest)
    read_verified(path, manifest, key)
    return path


def load_from(folder: Path | str, manifest: Mapping, key: bytes | None):
    """Return the model of a manifest in `folder` (path checked, signature verified)."""
    return load(artefact_path(folder, manifest), manifest, key)
