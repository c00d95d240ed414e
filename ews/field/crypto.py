"""The kit and bundle files: encrypted and authenticated, so a lost one tells nothing.

A kit is Fernet (AES-128-CBC with an HMAC-SHA256 over the whole token) under a key derived
from the passphrase with scrypt and a random salt: without the passphrase it cannot be read,
and a changed byte makes it unreadable. A bundle is Fernet under the kit's own key, which the
office derives again from its secret and the kit id (`kit_key`): only the field instance
opened from that kit can write a bundle the office accepts, and one flipped byte is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import zlib

import orjson
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KIT_MAGIC = b"EWS-FIELD-KIT 1\n"
BUNDLE_MAGIC = b"EWS-FIELD-BUNDLE 1 "
KIT_LABEL = b"ews field kit v1:"
MIN_PASSPHRASE = 12
SCRYPT_N = 2**15  # about 0.1 s and 32 MiB per derivation: slow for guessing, quick to open


class FieldError(ValueError):
    """A kit, bundle or step the field kit refuses; the message says what and why."""


def check_passphrase(passphrase: str) -> None:
    """Raise FieldError when a passphrase is too short to protect a lost kit."""
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise FieldError(f"passphrase: use at least {MIN_PASSPHRASE} characters (a lost kit "
                         "is only as safe as its passphrase)")


def kit_key(secret: str, kit_id: str) -> bytes:
    """Return the key of a kit: HMAC-SHA256 of its id under the office's secret key."""
    return hmac.new(secret.encode(), KIT_LABEL + kit_id.encode(), hashlib.sha256).digest()


def _fernet(key: bytes, label: bytes) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


def _scrypt(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=8, p=1).derive(passphrase.encode())


def _pack(payload: dict) -> bytes:
    return zlib.compress(orjson.dumps(payload), 6)


def _unpack(data: bytes) -> dict:
    return orjson.loads(zlib.decompress(data))


def lock_kit(payload: dict, passphrase: str) -> bytes:
    """Return the bytes of a kit file: the payload encrypted under the passphrase."""
    check_passphrase(passphrase)
    salt = os.urandom(16)
    token = _fernet(_scrypt(passphrase, salt), b"kit").encrypt(_pack(payload))
    return KIT_MAGIC + base64.urlsafe_b64encode(salt) + b"\n" + token


def unlock_kit(data: bytes, passphrase: str) -> dict:
    """Return a kit's payload; FieldError when it is no kit, changed, or the passphrase wrong."""
    if not data.startswith(KIT_MAGIC) or data.count(b"\n") < 2:
        raise FieldError("this file is not an EWS field kit")
    salt_text, _, token = data[len(KIT_MAGIC):].partition(b"\n")
    try:
        salt = base64.urlsafe_b64decode(salt_text)
        return _unpack(_fernet(_scrypt(passphrase, salt), b"kit").decrypt(token))
    except (InvalidToken, ValueError, zlib.error):
        raise FieldError("the kit cannot be opened: wrong passphrase, or the file was changed "
                         "or damaged") from None


def lock_bundle(payload: dict, kit_id: str, key: bytes) -> bytes:
    """Return the bytes of a bundle file: the kit id in clear, the payload under the kit key."""
    return BUNDLE_MAGIC + kit_id.encode() + b"\n" + _fernet(key, b"bundle").encrypt(
        _pack(payload))


def bundle_kit(data: bytes) -> str:
    """Return the kit id a bundle names; FieldError when the file is no bundle."""
    head, sep, _ = data[:200].partition(b"\n")
    if not head.startswith(BUNDLE_MAGIC) or not sep:
        raise FieldError("this file is not an EWS field bundle")
    try:
        return head[len(BUNDLE_MAGIC):].decode("ascii")
    except UnicodeDecodeError:
        raise FieldError("this file is not an EWS field bundle") from None


def unlock_bundle(data: bytes, key: bytes) -> dict:
    """Return a bundle's payload; FieldError when its signature does not hold."""
    token = data.partition(b"\n")[2]
    try:
        return _unpack(_fernet(key, b"bundle").decrypt(token))
    except (InvalidToken, ValueError, zlib.error):
        raise FieldError("the bundle's signature does not hold: the file was changed or "
                         "damaged after `ews field close`, or it was not written by this "
                         "kit; nothing was imported") from None
