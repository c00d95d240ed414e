"""The NIK's structure: 16 ASCII digits, an area code and a date part.

Digits 1-6 are the Kemendagri area code (province 2, regency 2, kecamatan 2), digits 7-12 the
date of birth with 40 added to the day for women, digits 13-16 a serial. Only the structure
is checked here; no rule may read the digits (the date part encodes sex). The service keeps
the kecamatan code as an audit field for aggregate maps, and uses the date only to know a
minor when no date of birth was entered.
"""

from __future__ import annotations

import datetime as dt

# Province codes in use (Kemendagri), the 2022 Papua provinces included.
PROVINCES = frozenset([11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52,
                       53, 61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94,
                       95, 96, 97])
MESSAGES = {
    "nik": {"id": "NIK harus tepat 16 angka (0-9).", "en": "A NIK is exactly 16 digits (0-9)."},
    "nik_area": {"id": "Kode wilayah NIK (6 angka pertama) tidak dikenal.",
                 "en": "The NIK's area code (first 6 digits) is not a known area."},
    "nik_date": {"id": "Bagian tanggal lahir NIK (angka 7-12) tidak valid.",
                 "en": "The NIK's date part (digits 7-12) is not a valid date."},
    "nik_serial": {"id": "Nomor urut NIK (4 angka terakhir) tidak boleh 0000.",
                   "en": "The NIK's serial (last 4 digits) may not be 0000."},
}


def problem(nik: str) -> str | None:
    """Return the message key of what is wrong with a 16-digit NIK, or None."""
    if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        return "nik"
    province, regency, kecamatan = int(nik[0:2]), int(nik[2:4]), int(nik[4:6])
    if province not in PROVINCES or regency == 0 or kecamatan == 0:
        return "nik_area"
    day, month = int(nik[6:8]), int(nik[8:10])
    day = day - 40 if day > 40 else day
    try:
        dt.date(2000, month, day)  # a leap year: 29 February is a valid NIK date
    except ValueError:
        return "nik_date"
    if nik[12:] == "0000":
        return "nik_serial"
    return None


def birth_date(nik: str, on: dt.date) -> dt.date | None:
    """Return the date of birth a valid NIK encodes, in the century that fits `on`."""
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    day = day - 40 if day > 40 else day
    year = 2000 + yy if 2000 + yy <= on.year else 1900 + yy
    try:
        return dt.date(year, month, day)
    except ValueError:  # 29 February of a year that is not a leap year
        return dt.date(year, month, 28)


def kecamatan_code(nik: str) -> str:
    """Return the Kemendagri kecamatan code of origin (the NIK's first six digits)."""
    return nik[:6]
