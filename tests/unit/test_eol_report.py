"""The EOL report: built from steps, it follows the versioned schema shipped in the package; the schema and
`validate_report` refuse what a MES must not receive."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import UdsLibrary
from UdsLibrary.eol.barcode import parse_barcode
from UdsLibrary.eol.report import (
    SCHEMA_DIR,
    EolReport,
    ReportError,
    Step,
    dump,
    file_name,
    read_report,
    schema,
    validate_report,
)

UNIT = parse_barcode("03L906018A;SN00000042;WVWZZZ1JZXW000001")


def new_report(**kwargs: Any) -> EolReport:
    return EolReport(unit=UNIT, station_id="EOL-1", tester_serial="TS-1", bench="sim-1", variant_code=3, **kwargs)


def passed_report() -> dict[str, Any]:
    report = new_report()
    report.add(Step("Extended session", "0x03", "0x03", True, 0.002))
    report.add(Step("Security access", None, None, True, 0.01))
    report.identification.update(software_version="0420", serial="SN00000042")
    report.software_version = "0420"
    return report.finish(trace_file="traces/eol.blf", log_file="log.html")


def test_the_schema_is_shipped_in_the_package_and_is_a_valid_json_schema() -> None:
    assert SCHEMA_DIR.parent.parent == Path(UdsLibrary.__file__).parent
    path = SCHEMA_DIR / "eol-report-1.json"
    Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))
    assert schema(1)["properties"]["schema_version"] == {"const": 1, "description": schema(1)["properties"][
        "schema_version"]["description"]}


def test_a_passing_report_has_every_field_of_the_issue() -> None:
    data = passed_report()
    validate_report(data)
    assert data["schema_version"] == 1
    assert re.fullmatch(r"[0-9a-f]{32}", data["report_id"])
    assert data["timestamp"].endswith("Z") and data["finished"] >= data["timestamp"]
    assert data["station"] == {"id": "EOL-1", "tester_serial": "TS-1"}
    assert data["bench"] == "sim-1"
    assert data["ecu"]["part_number"] == "03L906018A" and data["ecu"]["serial"] == "SN00000042"
    assert data["ecu"]["vin"] == "WVWZZZ1JZXW000001" and data["ecu"]["software_version"] == "0420"
    assert data["steps"][0] == {"name": "Extended session", "expected": "0x03", "actual": "0x03", "pass": True,
                                "duration_s": 0.002, "reason": None}
    assert data["result"] == "PASS" and data["failure"] is None
    assert data["cycle_time_s"] >= 0
    assert data["trace_file"] == "traces/eol.blf"


def test_the_first_failed_step_is_the_failure() -> None:
    report = new_report()
    report.add(Step("Extended session", "0x03", "NRC 0x22 conditionsNotCorrect", False, 0.003, "low voltage"))
    report.add(Step("Default session", "0x01", "NRC 0x22 conditionsNotCorrect", False, 0.003, "again"))
    data = report.finish()
    assert data["result"] == "FAIL"
    assert data["failure"] == {"step": "Extended session", "reason": "low voltage"}


def test_a_test_that_failed_outside_the_steps_fails_the_report() -> None:
    report = new_report()
    report.add(Step("VIN", "X", "X", True, 0.001))
    data = report.finish(test_failure="Setup failed: the bench is not connected")
    assert data["result"] == "FAIL"
    assert data["failure"] == {"step": None, "reason": "Setup failed: the bench is not connected"}
    assert new_report().finish()["failure"] == {"step": None, "reason": "no EOL step was run"}


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("cycle_time_s"), "'cycle_time_s' is a required property"),
    (lambda d: d.update(result="MAYBE"), "result: 'MAYBE' is not one of"),
    (lambda d: d["steps"][0].update(duration_s=-1), "steps/0/duration_s"),
    (lambda d: d["steps"][0].update(extra=1), "Additional properties are not allowed"),
    (lambda d: d["ecu"].update(vin="WVWZZZ1JZXWO00001"), "ecu/vin"),
    (lambda d: d.update(timestamp="yesterday"), "timestamp"),
    (lambda d: d.update(report_id="42"), "report_id"),
    (lambda d: d["steps"][1].update({"pass": False}), "the report says PASS but step(s) Security access failed"),
    (lambda d: d.update(steps=[]), "the report says PASS but has no steps"),
    (lambda d: d.update(result="FAIL"), "the report says FAIL but gives no failure"),
    (lambda d: d.update(schema_version=7), "unknown EOL report schema version 7"),
    (lambda d: d.pop("schema_version"), "the report has no schema_version"),
])
def test_invalid_reports_are_refused_with_the_place_of_the_problem(change: Any, message: str) -> None:
    data = copy.deepcopy(passed_report())
    change(data)
    with pytest.raises(ReportError) as error:
        validate_report(data)
    assert message in str(error.value)


def test_file_names_sort_by_time_and_are_unique_and_safe() -> None:
    data = passed_report()
    data["timestamp"] = "2025-03-04T05:06:07.890Z"
    data["ecu"]["serial"] = "SN/42 x"
    name = file_name(data)
    assert name == f"20250304T050607Z_EOL-1_SN-42-x_PASS_{data['report_id'][:8]}.json"


def test_dump_and_read_round_trip(tmp_path: Path) -> None:
    data = passed_report()
    path = tmp_path / file_name(data)
    path.write_bytes(dump(data))
    assert read_report(path) == data
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ReportError, match=r"is not JSON"):
        read_report(path)
    with pytest.raises(ReportError, match="cannot read EOL report"):
        read_report(tmp_path / "missing.json")
