"""The conformance suites (suites/conformance) pass against the simulated demo ECU.

One Robot Framework run of every conformance suite on bench sim-1 (the demo ECU with the short-timer
``ci`` profile): every test must pass - none failed, none skipped, since the demo ECU supports every
case of the catalogue. The run time is reported (pytest ``-s`` shows it, and it is recorded as the
test's ``conformance_run_seconds`` property), never asserted: the machine may be busy.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from robot.api import ExecutionResult

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "suites" / "conformance"
BENCH = ROOT / "resources" / "benches" / "sim-1.yaml"
RUN_TIMEOUT = 1200  # seconds; a hanging run must not hang `make test`


def test_conformance_suites_pass_on_the_simulated_bench(tmp_path: Path,
                                                        record_property: Callable[[str, object], None]) -> None:
    command = [sys.executable, "-m", "robot", "--outputdir", str(tmp_path), "--report", "NONE",
               "--consolecolors", "off", "--consolemarkers", "off", "--variable", f"BENCH:{BENCH}", str(SUITES)]
    start = time.perf_counter()
    process = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    seconds = time.perf_counter() - start
    record_property("conformance_run_seconds", round(seconds, 1))
    output = tmp_path / "output.xml"
    assert output.exists(), (f"Robot Framework wrote no output (exit code {process.returncode}):\n"
                             f"{process.stdout[-3000:]}{process.stderr[-3000:]}")
    result = ExecutionResult(str(output))
    stats = result.suite.statistics
    print(f"\nconformance run on {BENCH.name}: {stats.total} tests, {stats.passed} passed, {stats.failed} failed, "
          f"{stats.skipped} skipped in {seconds:.1f} s")
    problems = [f"{test.parent.name}: {test.name}: {test.status}: {test.message}"
                for test in result.suite.all_tests if test.status != "PASS"]
    problems += [f"execution error: {message.message}" for message in result.errors.messages
                 if message.level == "ERROR"]
    assert not problems, f"{len(problems)} problem(s) (log: {tmp_path / 'log.html'}):\n" + "\n".join(problems)
    assert stats.total >= 143
