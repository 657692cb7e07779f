"""The quality database: its repository stores reports and steps, knows its layout version, follows
spooled reports to the MES folder, and computes yield, first-pass yield and median cycle time."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from UdsLibrary.eol.barcode import Unit
from UdsLibrary.eol.database import SCHEMA_VERSION, DatabaseError, QualityDatabase, format_summary
from UdsLibrary.eol.report import EolReport, Step


def report(serial: str, passed: bool, *, part: str = "03L906018A", cycle: float = 1.0,
           timestamp: str | None = None) -> dict[str, Any]:
    unit = Unit(barcode=f"{part};{serial};WVWZZZ1JZXW000001", part_number=part, serial=serial,
                vin="WVWZZZ1JZXW000001")
    eol = EolReport(unit=unit, station_id="EOL-1", tester_serial="TS-1", bench="sim-1", variant_code=3)
    if timestamp:
        eol.timestamp = timestamp
    eol.add(Step("VIN", "A", "A" if passed else "B", passed, 0.01, None if passed else "expected 'A', got 'B'"))
    data = eol.finish()
    data["cycle_time_s"] = cycle
    return data


def test_a_new_database_has_the_current_layout(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "quality.sqlite"
    with QualityDatabase(path) as database:
        assert database.schema_version() == SCHEMA_VERSION == 1
    with QualityDatabase(path) as database:  # opening again changes nothing
        assert database.schema_version() == 1
        assert database.results() == []


def test_reports_and_their_steps_are_stored(tmp_path: Path) -> None:
    data = report("SN1", passed=False)
    with QualityDatabase(tmp_path / "q.sqlite") as database:
        database.add(data, report_file="/mes/r.json", delivery="mes")
        row = database.result(data["report_id"])
        assert row is not None
        assert (row.serial, row.part_number, row.result, row.failed_step) == ("SN1", "03L906018A", "FAIL", "VIN")
        assert row.reason == "expected 'A', got 'B'" and row.report_file == "/mes/r.json" and row.delivery == "mes"
        assert database.steps(data["report_id"]) == [{"name": "VIN", "expected": "A", "actual": "B", "pass": False,
                                                      "duration_s": 0.01, "reason": "expected 'A', got 'B'"}]
        assert database.result("0" * 32) is None
        with pytest.raises(DatabaseError, match="UNIQUE constraint failed"):
            database.add(data, report_file=None, delivery="none")


def test_a_spooled_report_is_followed_to_the_mes_folder(tmp_path: Path) -> None:
    data = report("SN1", passed=True)
    with QualityDatabase(tmp_path / "q.sqlite") as database:
        database.add(data, report_file="/spool/r.json", delivery="spool")
        assert database.mark_delivered("/spool/r.json", "/mes/r.json") == 1
        row = database.result(data["report_id"])
        assert row is not None and (row.report_file, row.delivery) == ("/mes/r.json", "mes")
        assert database.mark_delivered("/spool/r.json", "/mes/r.json") == 0


def test_yield_first_pass_yield_and_median_cycle_time_per_part_number(tmp_path: Path) -> None:
    with QualityDatabase(tmp_path / "q.sqlite") as database:
        for serial, passed, part, cycle, stamp in [
            ("SN1", False, "A", 2.0, "2025-01-01T10:00:00.000Z"),  # fails first ...
            ("SN1", True, "A", 1.0, "2025-01-01T10:01:00.000Z"),  # ... then passes
            ("SN2", True, "A", 1.5, "2025-01-01T10:02:00.000Z"),
            ("SN3", True, "A", 1.2, "2025-01-01T10:03:00.000Z"),  # passes first ...
            ("SN3", False, "A", 3.0, "2025-01-01T10:04:00.000Z"),  # ... then fails a retest
            ("SN9", False, "B", 0.5, "2025-01-01T10:05:00.000Z"),
        ]:
            database.add(report(serial, passed, part=part, cycle=cycle, timestamp=stamp), report_file=None,
                         delivery="none")
        a, b = database.summary()
        assert (a.part_number, a.tests, a.units) == ("A", 5, 3)
        assert (a.passed_units, a.yield_ratio) == (2, 2 / 3)  # SN1 and SN2 end passed, SN3 ends failed
        assert (a.first_pass_units, a.first_pass_yield) == (2, 2 / 3)  # SN2 and SN3 passed the first time
        assert a.median_cycle_time_s == 1.5
        assert (b.part_number, b.units, b.yield_ratio, b.first_pass_yield) == ("B", 1, 0.0, 0.0)
        assert [s.part_number for s in database.summary("B")] == ["B"]
        assert database.summary("C") == []
        assert a.as_dict()["yield"] == 0.6667
    text = format_summary([a, b])
    assert text.splitlines()[0].split() == ["part", "number", "tests", "units", "yield", "first-pass", "yield",
                                            "median", "cycle", "time"]
    assert "66.7% (2/3)" in text and "1.50 s" in text
    assert format_summary([]) == "No EOL results yet."


def test_a_database_of_a_newer_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite"
    QualityDatabase(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = 2")
    connection.close()
    with pytest.raises(DatabaseError, match="has layout version 2, written by a newer UdsLibrary"):
        QualityDatabase(path)


def test_other_files_are_not_taken_for_a_quality_database(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    with pytest.raises(DatabaseError, match="is an SQLite database, but not a quality database"):
        QualityDatabase(other)
    text = tmp_path / "notes.sqlite"
    text.write_text("hello, this is not SQLite at all, just some text")
    with pytest.raises(DatabaseError, match="is not a usable quality database"):
        QualityDatabase(text)


def test_two_stations_can_share_one_database(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite"
    with QualityDatabase(path) as first, QualityDatabase(path) as second:
        first.add(report("SN1", True), report_file=None, delivery="none")
        second.add(report("SN2", True), report_file=None, delivery="none")
        assert len(first.results()) == len(second.results()) == 2
