"""The acceptance suites (`tests/acceptance/*.robot`) run by pytest, so `make test` runs them too.

Each suite runs in its own Robot Framework process (at most one per CPU at a time: the simulated
benches use python-can's in-process `virtual` bus, so processes cannot disturb each other); the
results are read back with `robot.api.ExecutionResult` and every failed test is reported with its
message. A second check makes sure every keyword of the library is used by at least one suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from robot.api import ExecutionResult, get_tokens
from robot.api.parsing import Token

from UdsLibrary import UdsLibrary

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SUITES = sorted(HERE.glob("*.robot"))
SUITE_TIMEOUT = 300  # seconds; a hanging suite must not hang `make test`


def _run_suite(suite: Path, outputdir: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = outputdir / suite.stem
    command = [sys.executable, "-m", "robot", "--outputdir", str(out), "--report", "NONE",
               "--consolecolors", "off", "--consolemarkers", "off", str(suite)]
    process = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=SUITE_TIMEOUT,
                             check=False)
    return out / "output.xml", process


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path, subprocess.CompletedProcess[str]]]:
    outputdir = tmp_path_factory.mktemp("acceptance")
    workers = max(1, min(len(SUITES), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        runs = list(pool.map(lambda suite: _run_suite(suite, outputdir), SUITES))
    return [(suite, output, process) for suite, (output, process) in zip(SUITES, runs, strict=True)]


def test_there_are_acceptance_suites() -> None:
    assert SUITES, f"no .robot files in {HERE}"


def test_every_acceptance_test_passes(outputs: list[tuple[Path, Path, subprocess.CompletedProcess[str]]]) -> None:
    problems: list[str] = []
    total = 0
    for suite, output, process in outputs:
        if not output.exists():
            problems.append(f"{suite.name}: Robot Framework wrote no output (exit code {process.returncode}):\n"
                            f"{process.stdout[-2000:]}{process.stderr[-2000:]}")
            continue
        result = ExecutionResult(str(output))
        total += result.suite.statistics.total
        if result.suite.statistics.total == 0:
            problems.append(f"{suite.name}: no tests ran")
        for test in result.suite.all_tests:
            if test.status != "PASS":
                problems.append(f"{suite.name}: {test.name}: {test.status}: {test.message}")
        for message in result.errors.messages:
            if message.level == "ERROR":
                problems.append(f"{suite.name}: execution error: {message.message}")
    logs = outputs[0][1].parent.parent if outputs else "?"
    assert not problems, f"{len(problems)} problem(s) in the acceptance suites (logs under {logs}):\n" + "\n".join(
        problems)
    assert total > 0


def _normalize(name: str) -> str:
    name = name.lower().replace(" ", "").replace("_", "")
    return name.removeprefix("udslibrary.")


def _used_names() -> set[str]:
    """Every keyword call and argument cell of the acceptance files (arguments catch keywords run
    through `Run Keyword And Expect Error`, `Wait Until Keyword Succeeds` and the like)."""
    used: set[str] = set()
    files = sorted(HERE.glob("*.robot")) + sorted(HERE.glob("*.resource"))
    for path in files:
        for token in get_tokens(str(path), data_only=True):
            if token.type in (Token.KEYWORD, Token.ARGUMENT, Token.NAME):
                used.add(_normalize(token.value))
    return used


def test_every_keyword_is_exercised() -> None:
    used = _used_names()
    names = UdsLibrary().get_keyword_names()
    assert names
    unused = sorted(name for name in names if _normalize(name) not in used)
    assert not unused, f"keywords no acceptance suite uses: {', '.join(unused)}"
