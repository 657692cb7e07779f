"""The EOL report of one ECU: built step by step while the sequence runs, then a JSON document for the
MES that follows the versioned schema shipped with the package (``schemas/eol-report-1.json``).

`validate_report` checks a document against the schema and against what the schema cannot say
(the result is PASS exactly when every step passed and there is no failure). A new, incompatible
report layout gets a new schema file and ``schema_version``; readers pick the schema by that number.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from UdsLibrary.eol.barcode import Unit
from UdsLibrary.errors import UdsLibraryError

SCHEMA_VERSION = 1
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
PASS, FAIL = "PASS", "FAIL"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ReportError(UdsLibraryError):
    """A report that does not follow its schema, or that cannot be read."""


@cache
def schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    path = SCHEMA_DIR / f"eol-report-{version}.json"
    if not path.is_file():
        raise ReportError(f"unknown EOL report schema version {version} (this UdsLibrary knows {SCHEMA_VERSION})")
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _validator(version: int) -> Draft202012Validator:
    return Draft202012Validator(schema(version))


def validate_report(data: Any) -> None:
    """Raise `ReportError` naming the first problem if `data` is not a valid EOL report."""
    if not isinstance(data, dict):
        raise ReportError(f"an EOL report is a JSON object, got {type(data).__name__}")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ReportError("the report has no schema_version")
    errors = sorted(_validator(version).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        raise ReportError(f"the report does not follow schema eol-report-{version}: {where}: {error.message}")
    failed = [step["name"] for step in data["steps"] if not step["pass"]]
    if data["result"] == PASS and (failed or data["failure"] is not None or not data["steps"]):
        raise ReportError("the report says PASS but " + (f"step(s) {', '.join(failed)} failed" if failed else
                                                           "it has a failure" if data["failure"] else "has no steps"))
    if data["result"] == FAIL and data["failure"] is None:
        raise ReportError("the report says FAIL but gives no failure")


def read_report(path: str | Path) -> dict[str, Any]:
    """Read and validate a report file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ReportError(f"cannot read EOL report '{path}': {error.strerror or error}") from None
    except ValueError as error:
        raise ReportError(f"EOL report '{path}' is not JSON: {error}") from None
    try:
        validate_report(data)
    except ReportError as error:
        raise ReportError(f"EOL report '{path}': {error}") from None
    return data


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Step:
    name: str
    expected: str | None
    actual: str | None
    passed: bool
    duration: float
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "expected": self.expected, "actual": self.actual, "pass": self.passed,
                "duration_s": round(self.duration, 4), "reason": self.reason}


@dataclass
class EolReport:
    """The report of one ECU while its sequence runs; `finish` makes the JSON document."""

    unit: Unit
    station_id: str
    tester_serial: str
    bench: str
    variant_code: int | None = None
    report_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    timestamp: str = field(default_factory=utc_now)
    started: float = field(default_factory=time.perf_counter)
    steps: list[Step] = field(default_factory=list)
    identification: dict[str, str | None] = field(default_factory=dict)
    software_version: str | None = None

    def add(self, step: Step) -> None:
        self.steps.append(step)

    @property
    def failed_step(self) -> Step | None:
        return next((step for step in self.steps if not step.passed), None)

    def finish(self, *, test_failure: str | None = None, trace_file: str | None = None,
               log_file: str | None = None) -> dict[str, Any]:
        """The report as a JSON-ready dict. `test_failure`: the test failed (outside the steps too)."""
        failed = self.failed_step
        if failed is not None:
            failure: dict[str, Any] | None = {"step": failed.name, "reason": failed.reason or "the step failed"}
        elif test_failure:
            failure = {"step": None, "reason": test_failure}
        elif not self.steps:
            failure = {"step": None, "reason": "no EOL step was run"}
        else:
            failure = None
        data = {
            "schema_version": SCHEMA_VERSION,
            "report_id": self.report_id,
            "timestamp": self.timestamp,
            "finished": utc_now(),
            "station": {"id": self.station_id, "tester_serial": self.tester_serial},
            "bench": self.bench,
            "ecu": {
                "barcode": self.unit.barcode,
                "part_number": self.unit.part_number,
                "serial": self.unit.serial,
                "vin": self.unit.vin,
                "variant_code": self.variant_code,
                "software_version": self.software_version,
                "identification": dict(self.identification),
            },
            "steps": [step.as_dict() for step in self.steps],
            "result": FAIL if failure else PASS,
            "failure": failure,
            "cycle_time_s": round(time.perf_counter() - self.started, 3),
            "trace_file": trace_file,
            "log_file": log_file,
        }
        validate_report(data)
        return data


def file_name(report: dict[str, Any]) -> str:
    """``20250101T120000Z_EOL-1_SN42_PASS_1a2b3c4d.json``: sorts by time, unique by report id, readable."""
    stamp = re.sub(r"[-:]", "", report["timestamp"]).split(".")[0].rstrip("Z") + "Z"
    parts = (stamp, report["station"]["id"], report["ecu"]["serial"], report["result"], report["report_id"][:8])
    return "_".join(_UNSAFE.sub("-", part) for part in parts) + ".json"


def dump(report: dict[str, Any]) -> bytes:
    return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
