"""Password hashing with Argon2id (memory-hard), via argon2-cffi, and the password policy."""

from __future__ import annotations

import re
import secrets
import string
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
# Verified against when the user does not exist, so that timing does not reveal it.
_DUMMY = _hasher.hash("not-a-real-password")
MIN_LENGTH = 12
MIN_DISTINCT = 5
# zxcvbn's score (0-4) a new password must reach: 3 is "safely unguessable" (about 10^8
# guesses), which refuses repeated words ("Tppo-Tppo-Tppo-1"), names with a year and
# keyboard patterns the rules below miss. Only the first ZXCVBN_CHARS characters are rated
# (zxcvbn's time grows fast with length; a longer password has passed the rules anyway).
MIN_SCORE = 3
ZXCVBN_CHARS = 64
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
_EDGES = string.digits + string.punctuation + " "
_SWAPS = str.maketrans("013457@$", "oieastas")
# Runs on a keyboard or in the alphabet: any stretch of them (wrapping round) is refused.
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl",
              "zxcvbnm", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb")


def hash_password(password: str) -> str:
    """Return the Argon2id hash of a password."""
    return _hasher.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """Return True when `password` matches the stored hash (constant work when none)."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """Return a random one-time password (about 120 bits)."""
    return secrets.token_urlsafe(15)


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords (lower case)."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and line[0] != "#")


def _is_common(low: str) -> bool:
    base = low.strip(_EDGES)
    candidates = {low, base, base.translate(_SWAPS), low.translate(_SWAPS)}
    return bool(candidates & common_passwords()) or not base


def _is_sequence(low: str) -> bool:
    return any(low in run * 3 or low in run[::-1] * 3 for run in _SEQUENCES)


def _repeats(low: str) -> bool:
    """Return True when `low` is one short pattern repeated ("abcabcabcabc")."""
    return any(len(low) % size == 0 and low == low[:size] * (len(low) // size)
               for size in range(1, len(low) // 2 + 1))


def _one_word_repeated(low: str) -> bool:
    """Return True when the words of `low` are one word again and again ("tppo-tppo-tppo-1")."""
    words = re.findall(r"[^\W\d_]{3,}", low)
    return len(words) >= 2 and len(set(words)) == 1


def _score(password: str, username: str | None) -> int:
    """Return zxcvbn's score, the username and its parts ("siti", "aminah") known to it."""
    known = [username, *re.split(r"[\W_]+", username)] if username else []
    return zxcvbn(password[:ZXCVBN_CHARS], user_inputs=[w for w in known if w])["score"]


def password_problem(password: str, username: str | None = None,
                     previous_hash: str | None = None) -> LazyString | None:
    """Return why a new password is unacceptable (a translatable message), or None."""
    low = password.lower()
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(min)d characters.", min=MIN_LENGTH)
    if len(set(low)) < MIN_DISTINCT or _repeats(low) or _is_sequence(low):
        return _l("This password is too simple: use a few words or a mix of characters.")
    if _is_common(low):
        return _l("This password is too common: choose one that is harder to guess.")
    if username and (low == username.lower() or (len(username) >= 3
                                                 and username.lower() in low)):
        return _l("The password must not contain the username.")
    if _one_word_repeated(low) or _score(password, username) < MIN_SCORE:
        return _l("This password is too easy to guess (repeated words, names, dates or "
                  "keyboard patterns): add another uncommon word.")
    if previous_hash and check_password(previous_hash, password):
        return _l("The new password must differ from the previous one.")
    return None
