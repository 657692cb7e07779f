"""The EOL keywords' rules (how expected and actual values compare and show) and their Python API outside a
Robot Framework run (the station configuration, the report and its database row)."""

from __future__ import annotations

from pathlib import Path

import pytest
from robot.api.types import Secret

from UdsLibrary import UdsLibrary
from UdsLibrary.eol.database import QualityDatabase
from UdsLibrary.eol.report import read_report
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.eol import as_text, expected_value, matches

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "stations" / "demo_station.yaml"
GOOD = "03L906018A;SN00000042;WVWZZZ1JZXW000001"


@pytest.mark.parametrize(("expected", "actual"), [
    ("0x03", 3), ("3", 3), ("03", 3), (3, 3), ("50.0", 50), ("1.5", 1.5),
    ("00", "00"), ("0A0B", "0A 0B"), ("0a 0b", "0A 0B"), ("WVWZZZ1JZXW000001", "WVWZZZ1JZXW000001"),
    ("none", "none"), ("a=1, b=2", {"a": 1, "b": 2}),
])
def test_values_that_match(expected: object, actual: object) -> None:
    assert matches(expected, actual)


@pytest.mark.parametrize(("expected", "actual"), [
    ("0x04", 3), ("three", 3), ("01", "00"), ("0A0B", "0A 0C"), ("wvwzzz1jzxw000001", "WVWZZZ1JZXW000001"),
    ("00", "0"), ("SN42", "SN 42"),
])
def test_values_that_do_not_match(expected: object, actual: object) -> None:
    assert not matches(expected, actual)


def test_values_as_the_report_shows_them() -> None:
    assert as_text(3, "0x03") == "0x03"
    assert as_text(3, "3") == "3"
    assert as_text(None) is None
    assert as_text(True) == "true"
    assert as_text(0.1 + 0.2) == "0.3"
    assert as_text({"VIN": "X", "speed": 50}) == "VIN=X, speed=50"
    assert as_text(["a", 1]) == "a, 1"
    assert as_text(Secret("A5A5")) == "<secret>"
    assert expected_value("${NONE}") is None and expected_value("") is None and expected_value(None) is None
    assert expected_value("00") == "00"


def station_overrides(tmp_path: Path) -> dict[str, str]:
    return {"mes_folder": str(tmp_path / "mes"), "spool_folder": str(tmp_path / "spool"),
            "database": str(tmp_path / "q.sqlite")}


def test_the_keywords_from_python_report_a_test_that_ran_no_step(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UDS_SIM1_SECRET", raising=False)
    library = UdsLibrary()
    station = library.run_keyword("Load EOL Station", [str(DEMO)], station_overrides(tmp_path))
    assert station["station_id"] == "EOL-DEMO-01" and station["secret"] is None
    assert library.run_keyword("Get EOL Test", [], {}) is None
    unit = library.run_keyword("Start EOL Report", [GOOD], {"run_id": "12345678-1234-5678-1234-567812345678"})
    assert unit["variant_code"] == 3 and unit["report_id"] == "12345678123456781234567812345678"
    test = library.run_keyword("Get EOL Test", [], {})
    assert test["unit"]["serial"] == "SN00000042" and test["connected"] is False
    library.run_keyword("Record EOL Identification", [], {"software_version": "0420"})
    path = library.run_keyword("Write EOL Report", [], {"status": "FAIL", "message": "Setup failed: no bench"})
    data = read_report(path)
    assert data["result"] == "FAIL" and data["failure"] == {"step": None, "reason": "Setup failed: no bench"}
    assert data["ecu"]["software_version"] == "0420"
    with QualityDatabase(tmp_path / "q.sqlite") as database:
        assert database.result("12345678123456781234567812345678").result == "FAIL"
    assert library.run_keyword("Write EOL Report", [], {}) is None  # nothing in progress any more
    summary = library.run_keyword("EOL Summary", [], {})
    assert summary[0]["tests"] == 1 and summary[0]["first_pass_yield"] == 0.0


def test_the_secret_from_the_environment_is_a_secret_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDS_SIM1_SECRET", "0BADC0DE")
    station = UdsLibrary().run_keyword("Load EOL Station", [str(DEMO)], station_overrides(tmp_path))
    assert isinstance(station["secret"], Secret) and station["secret"].value == "0BADC0DE"
    assert "0BADC0DE" not in repr(station) and "0BADC0DE" not in str(station)


def test_keywords_say_what_they_need_first(tmp_path: Path) -> None:
    library = UdsLibrary()
    with pytest.raises(UdsLibraryError, match="'Start EOL Report' needs a station: use 'Load EOL Station' first"):
        library.run_keyword("Start EOL Report", [GOOD], {})
    with pytest.raises(UdsLibraryError, match="'Record EOL Identification' needs an EOL report in progress"):
        library.run_keyword("Record EOL Identification", [], {"serial": "x"})
    library.run_keyword("Load EOL Station", [str(DEMO)], station_overrides(tmp_path))
    with pytest.raises(UdsLibraryError, match="run_id 'abc' is not a UUID"):
        library.run_keyword("Start EOL Report", [GOOD], {"run_id": "abc"})
    with pytest.raises(UdsLibraryError, match="there is no quality database at"):
        library.run_keyword("EOL Summary", [], {})
