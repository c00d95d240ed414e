"""#20 L3: `ews intake` reads its CSV as a stream and refuses what it cannot trust, by line.

A column named twice, a cell over 131,072 characters and a file past the 100,000-row cap
are each one clear "line N: ..." problem (never a traceback), and nothing is stored.
"""

from __future__ import annotations

from ews.cli.intake_csv import MAX_CELL, MAX_ROWS
from ews.store.models import Application
from tests.test_intake import HEADER, REGISTRATION, _cli, _csv, count


def test_a_column_named_twice_is_refused(app, db, database_url, tmp_path):
    path = _csv(tmp_path, REGISTRATION)
    text = path.read_text()
    path.write_text(text.replace(HEADER, HEADER.replace("full_name", "phone"), 1))
    result = _cli(database_url, path)
    assert result.exit_code == 1, result.output
    assert "line 1: column(s) named twice: phone" in result.output
    assert count(db, Application) == 0


def test_a_cell_over_the_limit_names_its_line_and_column(app, db, database_url, tmp_path):
    long_name = "S" * (MAX_CELL + 1)
    path = _csv(tmp_path, REGISTRATION, REGISTRATION | {"application_id": "PMK-9",
                                                         "full_name": long_name})
    result = _cli(database_url, path)
    assert result.exit_code == 1, result.output
    assert f"line 3: full_name: the cell is longer than {MAX_CELL} characters" \
        in result.output
    assert "Traceback" not in result.output and "SSSS" not in result.output
    assert count(db, Application) == 0


def test_a_quoted_multi_line_cell_over_the_limit_is_refused_too(app, db, database_url,
                                                                tmp_path):
    path = tmp_path / "quoted.csv"
    half = "x" * (MAX_CELL // 2 + 10)
    path.write_text(f'{HEADER}\nPMK-1,PMK,3528014512060003,"{half}\n{half}"\n',
                    encoding="utf-8")
    result = _cli(database_url, path)
    assert result.exit_code == 1
    assert "full_name: the cell is longer than" in result.output, result.output


def test_the_row_cap_stops_reading_before_the_end_of_the_file(app, db, database_url,
                                                              tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.write(HEADER.encode() + b"\n")
        fh.write(b"A,PMK,1,,,,,,,,,\n" * (MAX_ROWS + 5000))  # the cap, then 85 kB more
        fh.write(b"\xff\xfe not even UTF-8 after the cap\n")  # never read
    result = _cli(database_url, path)
    assert result.exit_code == 1
    assert f"more than {MAX_ROWS} rows: split the file" in result.output, result.output
    assert "not UTF-8" not in result.output
