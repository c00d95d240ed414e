"""Free text as it may be stored: no invisible format characters, place names in one shape.

Unicode format characters (category Cf: zero-width joiners and spaces, soft hyphens, bidi
marks, the byte-order mark) and the line and paragraph separators (U+2028, U+2029) are
invisible: they make two stored texts that read the same differ, or text read differently
from what was written. Free text that holds one is refused (the officer sees the field).
"""

from __future__ import annotations

import unicodedata

INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp"})


def has_invisible(text: str) -> bool:
    """Return True when `text` holds a format character or a line/paragraph separator."""
    if text.isascii():  # the usual case, in C: no character to look up
        return False
    return any(unicodedata.category(c) in INVISIBLE_CATEGORIES for c in text if c > "\x7f")


def collapse_spaces(text: str) -> str:
    """Return `text` trimmed, every run of white space one plain space (place names)."""
    return " ".join(text.split())
