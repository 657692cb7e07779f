"""The quality database: every EOL result in SQLite, behind a small repository, with yield figures.

One row per ECU test in ``results`` (who, where, what ECU, PASS/FAIL, the failed step and why, cycle
time, where the report went) and its steps in ``steps``. ``schema_version`` holds the layout's version:
a database of an older layout is migrated when opened, one of a newer layout is refused (it was
written by a newer UdsLibrary). The standard library's `sqlite3` is all this needs.

Figures per part number (`summary`):

- yield: units (distinct serial numbers) whose latest test passed / units tested;
- first-pass yield: units whose first test passed / units tested;
- median cycle time over every test.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from UdsLibrary.errors import UdsLibraryError

SCHEMA_VERSION = 1
BUSY_TIMEOUT = 30.0  # seconds: several stations (or pabot processes) may share one database file

_LAYOUT_1 = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    """CREATE TABLE results (
        report_id TEXT PRIMARY KEY,
        timestamp TEXT NOT NULL,
        station_id TEXT NOT NULL,
        tester_serial TEXT NOT NULL,
        bench TEXT NOT NULL,
        part_number TEXT NOT NULL,
        serial TEXT NOT NULL,
        vin TEXT NOT NULL,
        software_version TEXT,
        result TEXT NOT NULL CHECK (result IN ('PASS', 'FAIL')),
        failed_step TEXT,
        reason TEXT,
        cycle_time_s REAL NOT NULL,
        trace_file TEXT,
        report_file TEXT,
        delivery TEXT NOT NULL CHECK (delivery IN ('mes', 'spool', 'none'))
    )""",
    "CREATE INDEX results_by_part ON results (part_number, serial, timestamp)",
    """CREATE TABLE steps (
        report_id TEXT NOT NULL REFERENCES results (report_id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        expected TEXT,
        actual TEXT,
        pass INTEGER NOT NULL,
        duration_s REAL NOT NULL,
        reason TEXT,
        PRIMARY KEY (report_id, position)
    )""",
)
# Migrations: version N -> N + 1 (none yet; the next layout adds its statements here).
_MIGRATIONS: dict[int, tuple[str, ...]] = {}


class DatabaseError(UdsLibraryError):
    """The quality database cannot be opened, is of an unknown layout, or a write failed."""


@dataclass(frozen=True)
class ResultRow:
    report_id: str
    timestamp: str
    station_id: str
    part_number: str
    serial: str
    vin: str
    software_version: str | None
    result: str
    failed_step: str | None
    reason: str | None
    cycle_time_s: float
    trace_file: str | None
    report_file: str | None
    delivery: str


@dataclass(frozen=True)
class PartSummary:
    """The figures of one part number (see the module docstring for the definitions)."""

    part_number: str
    tests: int
    units: int
    passed_units: int
    first_pass_units: int
    median_cycle_time_s: float

    @property
    def yield_ratio(self) -> float:
        return self.passed_units / self.units if self.units else 0.0

    @property
    def first_pass_yield(self) -> float:
        return self.first_pass_units / self.units if self.units else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"part_number": self.part_number, "tests": self.tests, "units": self.units,
                "passed_units": self.passed_units, "first_pass_units": self.first_pass_units,
                "yield": round(self.yield_ratio, 4), "first_pass_yield": round(self.first_pass_yield, 4),
                "median_cycle_time_s": round(self.median_cycle_time_s, 3)}


_COLUMNS = ", ".join(ResultRow.__dataclass_fields__)


class QualityDatabase:
    """The repository: `add` a report, read `results`, compute `summary`. Each call is one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
        except (OSError, sqlite3.Error) as error:
            raise DatabaseError(f"cannot open the quality database {self.path}: {error}") from None
        self._connection.execute("PRAGMA foreign_keys = ON")
        try:
            self._prepare()
        except sqlite3.DatabaseError as error:
            self._connection.close()
            raise DatabaseError(f"{self.path} is not a usable quality database: {error}") from None
        except DatabaseError:
            self._connection.close()
            raise

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> QualityDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._connection:
                yield self._connection
        except sqlite3.Error as error:
            raise DatabaseError(f"quality database {self.path}: {error}") from None

    # ------------------------------------------------------------------ layout
    def _prepare(self) -> None:
        with self._connection:
            self._connection.execute("BEGIN IMMEDIATE")  # two stations creating the file at once
            version = self.schema_version()
            if version is None:
                for statement in _LAYOUT_1:
                    self._connection.execute(statement)
                self._connection.execute("INSERT INTO schema_version (version) VALUES (1)")
                version = 1
            if version > SCHEMA_VERSION:
                raise DatabaseError(f"the quality database {self.path} has layout version {version}, written by a "
                                    f"newer UdsLibrary (this one knows up to {SCHEMA_VERSION})")
            while version < SCHEMA_VERSION:
                for statement in _MIGRATIONS[version]:
                    self._connection.execute(statement)
                version += 1
                self._connection.execute("UPDATE schema_version SET version = ?", (version,))

    def schema_version(self) -> int | None:
        """The layout version, or None for a new (empty) database."""
        with closing(self._connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")) as cursor:
            if cursor.fetchone() is None:
                tables = self._connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise DatabaseError(f"{self.path} is an SQLite database, but not a quality database (it has "
                                        "tables but no schema_version)")
                return None
        row = self._connection.execute("SELECT version FROM schema_version").fetchone()
        return int(row[0]) if row else None

    # ------------------------------------------------------------------ writing
    def add(self, report: dict[str, Any], *, report_file: str | None, delivery: str) -> None:
        """One EOL report (a validated dict, see `UdsLibrary.eol.report`) and its steps."""
        ecu, failure = report["ecu"], report["failure"] or {}
        with self._transaction() as db:
            db.execute(
                "INSERT INTO results (report_id, timestamp, station_id, tester_serial, bench, part_number, serial, "
                "vin, software_version, result, failed_step, reason, cycle_time_s, trace_file, report_file, delivery) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (report["report_id"], report["timestamp"], report["station"]["id"], report["station"]["tester_serial"],
                 report["bench"], ecu["part_number"], ecu["serial"], ecu["vin"], ecu["software_version"],
                 report["result"], failure.get("step"), failure.get("reason"), report["cycle_time_s"],
                 report["trace_file"], report_file, delivery))
            db.executemany(
                "INSERT INTO steps (report_id, position, name, expected, actual, pass, duration_s, reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(report["report_id"], position, step["name"], step["expected"], step["actual"], int(step["pass"]),
                  step["duration_s"], step["reason"]) for position, step in enumerate(report["steps"], 1)])

    def mark_delivered(self, spooled_file: str, report_file: str) -> int:
        """A spooled report reached the MES folder: record where it is now. Returns the rows changed."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE results SET report_file = ?, delivery = 'mes' WHERE delivery = 'spool' AND report_file = ?",
                (report_file, spooled_file))
            return cursor.rowcount

    # ------------------------------------------------------------------ reading
    def result(self, report_id: str) -> ResultRow | None:
        with self._transaction() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM results WHERE report_id = ?", (report_id,)).fetchone()
        return ResultRow(*row) if row else None

    def results(self, part_number: str | None = None) -> list[ResultRow]:
        """Every result (of one part number), oldest first."""
        where, arguments = ("WHERE part_number = ?", (part_number,)) if part_number else ("", ())
        with self._transaction() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM results {where} ORDER BY timestamp, rowid",
                              arguments).fetchall()
        return [ResultRow(*row) for row in rows]

    def steps(self, report_id: str) -> list[dict[str, Any]]:
        with self._transaction() as db:
            rows = db.execute("SELECT name, expected, actual, pass, duration_s, reason FROM steps WHERE report_id = ? "
                              "ORDER BY position", (report_id,)).fetchall()
        return [{"name": r[0], "expected": r[1], "actual": r[2], "pass": bool(r[3]), "duration_s": r[4],
                 "reason": r[5]} for r in rows]

    def summary(self, part_number: str | None = None) -> list[PartSummary]:
        """Yield, first-pass yield and median cycle time per part number, sorted by part number."""
        by_part: dict[str, list[ResultRow]] = {}
        for row in self.results(part_number):
            by_part.setdefault(row.part_number, []).append(row)
        summaries = []
        for part, rows in sorted(by_part.items()):
            first: dict[str, str] = {}
            last: dict[str, str] = {}
            for row in rows:  # oldest first
                first.setdefault(row.serial, row.result)
                last[row.serial] = row.result
            summaries.append(PartSummary(
                part_number=part, tests=len(rows), units=len(first),
                passed_units=sum(result == "PASS" for result in last.values()),
                first_pass_units=sum(result == "PASS" for result in first.values()),
                median_cycle_time_s=statistics.median(row.cycle_time_s for row in rows)))
        return summaries


def format_summary(summaries: list[PartSummary]) -> str:
    """The summary as a text table (what `uds station --summary` prints)."""
    if not summaries:
        return "No EOL results yet."
    head = ("part number", "tests", "units", "yield", "first-pass yield", "median cycle time")
    rows = [(s.part_number, str(s.tests), str(s.units), f"{s.yield_ratio:.1%} ({s.passed_units}/{s.units})",
             f"{s.first_pass_yield:.1%} ({s.first_pass_units}/{s.units})", f"{s.median_cycle_time_s:.2f} s")
            for s in summaries]
    widths = [max(len(cell) for cell in column) for column in zip(head, *rows, strict=True)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in (head, *rows)]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
