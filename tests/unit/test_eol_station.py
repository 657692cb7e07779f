"""`uds station`: barcodes from a pipe, one EOL run per ECU against the simulated bench, a PASS/FAIL line
per ECU, a report and a database row per ECU; malformed barcodes are rejected without a run; Ctrl-C stops
after the ECU under test; `--summary` prints the figures per part number.

The station runs as a real process (`python -m UdsLibrary.cli station`), its standard input a pipe.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from UdsLibrary.eol.database import QualityDatabase
from UdsLibrary.eol.report import read_report
from UdsLibrary.eol.station import banner

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "stations" / "demo_station.yaml"
GOOD_1 = "03L906018A;SN00000042;WVWZZZ1JZXW000001"
GOOD_2 = "03L906018A;SN00000043;WVWZZZ1JZXW000001"
WRONG_VIN = "03L906018A;SN00000044;WVWZZZ1JZXW000999"  # the label does not belong to the ECU on the fixture
TIMEOUT = 180


def station(tmp_path: Path, bench: Path | None = None) -> Path:
    """The demo station with everything it writes under tmp_path."""
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["station"].update(bench=str(bench or ROOT / "resources" / "benches" / "sim-1.yaml"),
                           suite=str(ROOT / "suites" / "eol" / "eol.robot"), output=str(tmp_path / "station"))
    data["mes"] = {"folder": str(tmp_path / "mes"), "create_folder": True, "spool_folder": str(tmp_path / "spool")}
    data["database"] = str(tmp_path / "quality.sqlite")
    path = tmp_path / "station.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def uds(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "UdsLibrary.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=TIMEOUT, check=False)


def verdict_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("PASS  ", "FAIL  ", "REJECTED  "))]


def test_three_scans_from_a_pipe_give_three_verdicts_reports_and_database_rows(tmp_path: Path) -> None:
    config = station(tmp_path)
    result = uds("station", "--config", str(config), stdin=f"{GOOD_1}\n{GOOD_2}\n{WRONG_VIN}\n")
    assert result.returncode == 1, result.stdout + result.stderr  # one ECU failed
    lines = verdict_lines(result.stdout)
    assert [line.split()[:2] for line in lines] == [["PASS", "SN00000042"], ["PASS", "SN00000043"],
                                                    ["FAIL", "SN00000044"]]
    assert all("cycle time" in line for line in lines)
    assert "step 'VIN': expected 'WVWZZZ1JZXW000999', got 'WVWZZZ1JZXW000001'; hint:" in result.stdout
    assert result.stdout.count(banner("PASS")[0]) == 2 and result.stdout.count(banner("FAIL")[0]) == 1
    assert "Station EOL-DEMO-01 stopped: 2 passed, 1 failed, 0 barcode(s) rejected." in result.stdout

    reports = sorted((tmp_path / "mes").glob("*.json"))
    assert len(reports) == 3
    by_serial = {data["ecu"]["serial"]: data for data in (read_report(path) for path in reports)}
    assert {serial: data["result"] for serial, data in by_serial.items()} == {
        "SN00000042": "PASS", "SN00000043": "PASS", "SN00000044": "FAIL"}
    assert by_serial["SN00000044"]["failure"]["step"] == "VIN"
    for data in by_serial.values():
        assert Path(data["trace_file"]).is_file()  # each ECU's CAN trace, in its own output folder
        assert Path(data["log_file"]).is_file()
    with QualityDatabase(tmp_path / "quality.sqlite") as database:
        rows = database.results()
    assert [(row.serial, row.result, row.delivery) for row in rows] == [
        ("SN00000042", "PASS", "mes"), ("SN00000043", "PASS", "mes"), ("SN00000044", "FAIL", "mes")]

    summary = uds("station", "--summary", "--config", str(config))
    assert summary.returncode == 0, summary.stderr
    assert "03L906018A" in summary.stdout and "66.7% (2/3)" in summary.stdout
    figures = json.loads(uds("station", "--summary", "--database", str(tmp_path / "quality.sqlite"),
                             "--json").stdout)
    assert figures[0]["tests"] == 3 and figures[0]["first_pass_yield"] == pytest.approx(0.6667)


def test_a_malformed_barcode_is_rejected_without_a_run(tmp_path: Path) -> None:
    result = uds("station", "--config", str(station(tmp_path)), stdin="NOT-A-BARCODE\n\n")
    assert result.returncode == 1
    assert verdict_lines(result.stdout) == [
        "REJECTED  NOT-A-BARCODE: barcode 'NOT-A-BARCODE' does not match the station's barcode pattern "
        "'(?P<part_number>[0-9A-Z]{10});(?P<serial>[0-9A-Z]{4,24});(?P<vin>[A-HJ-NPR-Z0-9]{17})', e.g. "
        "'03L906018A;SN00000042;WVWZZZ1JZXW000001'; nothing was sent to the ECU"]
    assert not (tmp_path / "station").exists() and not (tmp_path / "mes").exists()


def test_user_mistakes_are_one_line_without_a_traceback(tmp_path: Path) -> None:
    result = uds("station")
    assert result.returncode == 2
    assert result.stderr.strip() == ("uds station: error: give the station file: uds station --config "
                                     "resources/stations/demo_station.yaml")
    result = uds("station", "--summary", "--database", str(tmp_path / "none.sqlite"))
    assert result.returncode == 2 and "there is no quality database at" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="signal masks are POSIX")
def test_ctrl_c_stops_after_the_ecu_under_test_and_its_report(tmp_path: Path) -> None:
    # A slow NvM (writes and the clear take 1.5 s each) keeps the ECU under test long enough for the signal.
    bench = yaml.safe_load((ROOT / "resources" / "benches" / "sim-1.yaml").read_text(encoding="utf-8"))
    bench["bench"]["name"] = "sim-slow"
    bench["can"]["channel"] = "sim-slow"
    bench["ecu"]["description"] = str(ROOT / "resources" / "ecus" / "demo_ecu.yaml")
    bench["simulator"].update(file=str(ROOT / "resources" / "ecus" / "demo_ecu.yaml"), faults={"slow_nvm": 1.5})
    bench_file = tmp_path / "sim-slow.yaml"
    bench_file.write_text(yaml.safe_dump(bench), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "UdsLibrary.cli", "station", "--config",
                                str(station(tmp_path, bench_file))], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{GOOD_1}\n")
    process.stdin.flush()
    seen = []
    while not any("Testing ECU SN00000042" in line for line in seen):
        line = process.stdout.readline()
        assert line, "".join(seen)
        seen.append(line)
    time.sleep(0.5)  # inside the ECU's sequence (it takes more than 3 s)
    process.send_signal(signal.SIGINT)
    process.stdin.write(f"{GOOD_2}\n")  # scanned meanwhile: must not be tested
    process.stdin.flush()
    rest, errors = process.communicate(timeout=TIMEOUT)
    output = "".join(seen) + rest
    assert process.returncode == 0, output + errors
    assert "Ctrl-C: the station stops after this ECU" in output
    assert [line.split()[:2] for line in verdict_lines(output)] == [["PASS", "SN00000042"]]
    assert "SN00000043" not in output
    assert len(list((tmp_path / "mes").glob("*_SN00000042_PASS_*.json"))) == 1


def test_the_secret_from_the_environment_is_in_no_output_file(tmp_path: Path) -> None:
    secret = "0BADC0DE"  # the simulated ECU takes it from the same variable, so the unlock must pass
    result = subprocess.run([sys.executable, "-m", "UdsLibrary.cli", "station", "--config", str(station(tmp_path))],
                            input=f"{GOOD_1}\n", capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT,
                            check=False, env={**os.environ, "UDS_SIM1_SECRET": secret})
    assert result.returncode == 0, result.stdout + result.stderr
    spellings = {secret, secret.lower(), "0B AD C0 DE", "0b ad c0 de", "\\x0b\\xad\\xc0\\xde"}
    files = [path for path in tmp_path.rglob("*") if path.is_file() and path.suffix in (".xml", ".json", ".sqlite")]
    assert any(path.name == "output.xml" for path in files)
    for path in files:
        text = path.read_bytes().decode("latin-1")
        assert not any(spelling in text for spelling in spellings), path
    assert "secret from environment variable UDS_SIM1_SECRET" in (next(tmp_path.rglob("output.xml"))).read_text()
