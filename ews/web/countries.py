"""Country names for the interview form and every page: typed by name, stored as a code.

Names come from Babel's CLDR territory names in Indonesian and English; the destinations
Madura's officers see most (umrah, Malaysia, the Gulf, East Asia, the scam-compound region)
keep their everyday short names and come first in the suggestions. `resolve` turns what was
typed (a code, or a name in either language) into the ISO code that is stored.
"""

from __future__ import annotations

import functools
import unicodedata

from babel import Locale

from ews.checklist.countries import ISO_COUNTRIES

# Suggested first; any ISO 3166-1 alpha-2 code is accepted.
COMMON_DESTINATIONS = {
    "SA": {"id": "Arab Saudi", "en": "Saudi Arabia"}, "MY": {"id": "Malaysia", "en": "Malaysia"},
    "SG": {"id": "Singapura", "en": "Singapore"}, "HK": {"id": "Hong Kong", "en": "Hong Kong"},
    "TW": {"id": "Taiwan", "en": "Taiwan"}, "KR": {"id": "Korea Selatan", "en": "South Korea"},
    "JP": {"id": "Jepang", "en": "Japan"}, "AE": {"id": "Uni Emirat Arab", "en": "UAE"},
    "QA": {"id": "Qatar", "en": "Qatar"}, "BN": {"id": "Brunei", "en": "Brunei"},
    "KH": {"id": "Kamboja", "en": "Cambodia"}, "MM": {"id": "Myanmar", "en": "Myanmar"},
    "LA": {"id": "Laos", "en": "Laos"}, "TH": {"id": "Thailand", "en": "Thailand"},
    "PH": {"id": "Filipina", "en": "Philippines"}, "VN": {"id": "Vietnam", "en": "Vietnam"},
    "TR": {"id": "Turki", "en": "Turkey"}, "EG": {"id": "Mesir", "en": "Egypt"},
}
LANGS = ("id", "en")


def _fold(text: str) -> str:
    """Return text without accents, case or spacing differences (for matching)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().split())


@functools.cache
def names(lang: str) -> dict[str, str]:
    """Return code -> country name in `lang` ("id" or "en") for every accepted code."""
    cldr = Locale(lang if lang in LANGS else "id").territories
    return {code: COMMON_DESTINATIONS.get(code, {}).get(lang) or cldr.get(code, code)
            for code in sorted(ISO_COUNTRIES)}


@functools.cache
def _index() -> dict[str, str]:
    """Return folded name (every language, CLDR and short names) -> code."""
    out: dict[str, str] = {}
    for lang in LANGS:
        cldr = Locale(lang).territories
        for code in ISO_COUNTRIES:
            for text in (names(lang)[code], cldr.get(code)):
                if text:
                    out.setdefault(_fold(text), code)
    return out


def name(code: str | None, lang: str) -> str:
    """Return the name of country `code` in `lang`; anything not a code is returned as is."""
    if not code:
        return ""
    return names(lang).get(code, code)


def resolve(typed: str) -> str:
    """Return the code of what was typed: a code (any case) or a full name in id or en.

    Anything else is returned unchanged, for validation to refuse with the field's message.
    """
    text = typed.strip()
    if text.upper() in ISO_COUNTRIES:
        return text.upper()
    return _index().get(_fold(text), text)


@functools.cache
def picker(lang: str) -> list[list[str]]:
    """Return [code, name in lang, name in the other language, ...] rows for the page script:
    the common destinations first, then every other country by name."""
    other = "en" if lang == "id" else "id"
    cldr = [Locale(x).territories for x in LANGS]

    def row(code: str) -> list[str]:
        texts = [code, names(lang)[code], names(other)[code]] + [t.get(code, "") for t in cldr]
        return list(dict.fromkeys(t for t in texts if t))

    rest = sorted((c for c in ISO_COUNTRIES if c not in COMMON_DESTINATIONS),
                  key=lambda c: _fold(names(lang)[c]))
    return [row(code) for code in [*COMMON_DESTINATIONS, *rest]]
