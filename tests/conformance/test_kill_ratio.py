"""Proof that the conformance suites catch faults: the kill ratio over the simulator's deviations.

Mutation testing with hand-made mutants: each deviation of `UdsLibrary.simulator.deviations` makes
the simulated ECU non-conforming in one realistic way. The conformance suites (suites/conformance)
run against the simulator with the deviation switched on; the deviation is *killed* when a
conformance test fails, and fails again when it is re-run alone (a failure that does not come
back is a flake of a loaded machine, not a kill). With no deviation every test must pass, or a
kill means nothing. The test prints the kill ratio and which test killed which deviation, and
fails unless every deviation is killed (target: 100 %).

Each run is a Robot Framework process on a bench file written for it: a copy of
resources/benches/sim-1.yaml with its own virtual channel and ``simulator: {deviations: [name]}``,
given to the suites as ``--variable BENCH:<file>``; results are read back from output.xml with
``robot.api.ExecutionResult``.

The usual mutation-testing economies keep it within a few minutes on two cores:

- ``--exitonfailure``: a killed deviation stops at its first failing test (later tests are marked
  with the ``robot:exit`` tag and not counted);
- test selection by coverage: a deviation's first run is only the catalogue cases its registry
  entry names (``--test TC3607 *``, parsing only their suites with ``--parseinclude``; the suite
  initialisation file still applies); only if none of them fails, their complete suites, and then
  all suites, so a kill by any conformance test counts;
- two Robot processes at a time (each process has its own python-can ``virtual`` bus, and every
  bench its own channel);
- the "all pass with no deviation" run covers the complete suites once, in parallel with the
  deviation runs; tests that fail in it are re-run once (``--rerunfailed``) and reported as flaky
  when they pass then. Every conformance case starts from the ECU's power-on state, so a subset of
  the suites, or one test alone, passes when the complete run does.

Run it alone, with the report on the console: ``.venv/bin/pytest tests/conformance -s``, or
``.venv/bin/python -m tests.conformance.test_kill_ratio [DEVIATION ...]``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from robot.api import ExecutionResult
from robot.api import TestSuiteBuilder as SuiteBuilder  # not named Test*: pytest would try to collect it

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `python -m tests.conformance.test_kill_ratio` from a checkout
    sys.path.insert(0, str(ROOT))

from UdsLibrary.simulator.deviations import CAUGHT_BY, DEVIATIONS  # noqa: E402

SUITES = ROOT / "suites" / "conformance"
BENCH_TEMPLATE = ROOT / "resources" / "benches" / "sim-1.yaml"
WORKERS = 2
ATTEMPTS = 2  # runs of one selection of suites when its first failure does not come back alone
RUN_TIMEOUT = 900  # seconds per Robot process; a hanging run must not hang `make test`
CASE_ID = re.compile(r"^((?:TC|GEN)[0-9A-F]{2,4})\b")
EXIT_TAG = "robot:exit"  # tests not run because an earlier one failed under --exitonfailure

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Failure:
    test: str  # the test name (it starts with the catalogue case id)
    message: str
    source: Path  # the suite file

    def __str__(self) -> str:
        first_line = self.message.splitlines()[0] if self.message else ""
        return f"{self.test}: {first_line}"


@dataclass
class RobotRun:
    """One Robot Framework process: what it ran, what failed, how long it took."""

    label: str
    returncode: int = 0
    seconds: float = 0.0
    passed: int = 0
    skipped: int = 0
    failed: list[Failure] = field(default_factory=list)  # in run order
    error: str = ""  # Robot did not run (bad options, crash, timeout): no verdict at all


@dataclass
class Kill:
    deviation: str
    runs: list[RobotRun]
    killer: Failure | None = None  # the first failure that came back when its test ran alone
    killers: list[Failure] = field(default_factory=list)  # every failure of the run that killed it
    flakes: list[Failure] = field(default_factory=list)  # failures that did not come back
    missed: list[str] = field(default_factory=list)  # expected cases (CAUGHT_BY) that passed

    @property
    def error(self) -> str:
        return "; ".join(run.error for run in self.runs if run.error)

    @property
    def seconds(self) -> float:
        return sum(run.seconds for run in self.runs)


@dataclass
class Campaign:
    baseline: RobotRun
    flaky: list[Failure]  # baseline failures that passed when re-run
    kills: list[Kill]
    seconds: float

    @property
    def killed(self) -> list[Kill]:
        return [kill for kill in self.kills if kill.killer is not None and not kill.error]

    @property
    def ratio(self) -> float:
        return len(self.killed) / len(self.kills) if self.kills else 0.0


# --------------------------------------------------------------------------------------------
# the suites and the benches


def suite_files_by_case() -> dict[str, Path]:
    """Catalogue case id (the first word of a test name) -> the suite file holding it."""
    cases: dict[str, Path] = {}
    for test in SuiteBuilder().build(str(SUITES)).all_tests:
        match = CASE_ID.match(test.name)
        if match and test.source is not None:
            cases[match.group(1)] = Path(test.source)
    return cases


def case_id(test: str) -> str:
    match = CASE_ID.match(test)
    return match.group(1) if match else test


def write_bench(directory: Path, label: str, deviations: Iterable[str]) -> Path:
    """A copy of the sim-1 bench on a channel of its own, with the deviations switched on."""
    names = list(deviations)
    data = yaml.safe_load(BENCH_TEMPLATE.read_text(encoding="utf-8"))
    data["bench"]["name"] = f"kill-{label}"
    data["bench"]["description"] = f"sim-1 with deviation(s): {', '.join(names) or 'none'}"
    data["can"]["channel"] = f"kill-{label}-{os.getpid()}"
    for section, key in (("ecu", "description"), ("simulator", "file")):  # relative to the bench file
        data[section][key] = str((BENCH_TEMPLATE.parent / data[section][key]).resolve())
    data["simulator"]["deviations"] = names
    bench = directory / f"{label}.yaml"
    bench.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return bench


# --------------------------------------------------------------------------------------------
# running Robot


def run_robot(label: str, bench: Path, outputdir: Path, *, suites: Iterable[Path] = (), tests: Iterable[str] = (),
              exit_on_failure: bool = True, rerun_failed: Path | None = None) -> RobotRun:
    """The conformance suites (only `suites` and `tests` when given) against `bench`."""
    run = RobotRun(label)
    outputdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "robot", "--variable", f"BENCH:{bench}", "--outputdir", str(outputdir),
               "--log", "NONE", "--report", "NONE", "--console", "dotted", "--consolecolors", "off"]
    if exit_on_failure:
        command.append("--exitonfailure")
    if rerun_failed is not None:
        command += ["--rerunfailed", str(rerun_failed)]
    for suite in suites:
        command += ["--parseinclude", str(suite)]
    for test in tests:
        command += ["--test", test]
    command.append(str(SUITES))
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        console, _ = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        run.error = f"{label}: Robot Framework did not finish within {RUN_TIMEOUT} s"
    run.seconds = time.monotonic() - start
    run.returncode = process.returncode
    output = outputdir / "output.xml"
    if run.error:
        return run
    if process.returncode > 250 or not output.exists():
        run.error = f"{label}: Robot Framework failed (exit code {process.returncode}): {console[-1500:]}"
        return run
    for test in ExecutionResult(str(output)).suite.all_tests:
        if test.passed:
            run.passed += 1
        elif test.skipped:
            run.skipped += 1
        elif EXIT_TAG not in test.tags:
            run.failed.append(Failure(test.name, test.message, Path(test.source or SUITES)))
    return run


def kill(deviation: str, workdir: Path, cases: dict[str, Path]) -> Kill:
    """Run the cases that should catch `deviation`, then, if none fails, their suites, then all
    suites, until a failure comes back when its test runs alone."""
    bench = write_bench(workdir, deviation, [deviation])
    result = Kill(deviation, [])
    expected = [case for case in CAUGHT_BY[deviation] if case in cases]
    targeted = sorted({cases[case] for case in expected})
    selections: list[tuple[str, list[Path], list[str]]] = [("all", [], [])]
    if expected:
        selections[:0] = [("cases", targeted, [f"{case} *" for case in expected]), ("suites", targeted, [])]
    for selection, suites, tests in selections:
        for attempt in range(1, ATTEMPTS + 1):
            outputdir = workdir / deviation / f"{selection}-{attempt}"
            # the expected cases all run, to report which of them catch the deviation
            run = run_robot(deviation, bench, outputdir, suites=suites, tests=tests,
                            exit_on_failure=selection != "cases")
            result.runs.append(run)
            if selection == "cases" and not run.error:
                failed = {case_id(failure.test) for failure in run.failed}
                result.missed = [case for case in expected if case not in failed]
            if run.error or not run.failed:
                break
            first = run.failed[0]
            name = re.sub(r"([*?\[])", r"[\1]", first.test)  # the name as a pattern that matches only itself
            alone = run_robot(deviation, bench, outputdir / "alone", suites=[first.source], tests=[name])
            result.runs.append(alone)
            if alone.error:
                return result
            if alone.failed:
                result.killer, result.killers = first, run.failed
                return result
            result.flakes.append(first)
        if result.error:
            return result
    return result


def campaign(deviations: Iterable[str] = DEVIATIONS, workdir: Path | None = None,
             workers: int = WORKERS) -> Campaign:
    """The complete suites without deviation, and every deviation's kill run, `workers` at a time."""
    names = list(deviations)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kill-ratio-") as tmp:
        directory = workdir or Path(tmp)
        cases = suite_files_by_case()

        def no_deviation() -> tuple[RobotRun, list[Failure]]:
            bench = write_bench(directory, "none", [])
            run = run_robot("no deviation", bench, directory / "none", exit_on_failure=False)
            if not run.failed or run.error:
                return run, []
            rerun = run_robot("no deviation, failed tests re-run", bench, directory / "none-rerun",
                              exit_on_failure=False, rerun_failed=directory / "none" / "output.xml")
            rerun.seconds += run.seconds
            rerun.passed += run.passed
            rerun.skipped += run.skipped
            still = {failure.test for failure in rerun.failed}
            return rerun, [failure for failure in run.failed if failure.test not in still]

        with ThreadPoolExecutor(workers) as pool:
            baseline = pool.submit(no_deviation)
            kills = list(pool.map(lambda name: kill(name, directory, cases), names))
            run, flaky = baseline.result()
    return Campaign(run, flaky, kills, time.monotonic() - start)


def report(result: Campaign) -> str:
    base = result.baseline
    lines = [
        f"Conformance kill ratio: {len(result.killed)}/{len(result.kills)} deviations killed "
        f"({result.ratio:.0%}) in {result.seconds:.0f} s with {WORKERS} Robot processes",
        f"No deviation: {base.passed} passed, {len(base.failed)} failed, {base.skipped} skipped "
        f"in {base.seconds:.0f} s{' - ' + base.error if base.error else ''}",
    ]
    lines += [f"  flaky (passed when re-run): {failure}" for failure in result.flaky]
    lines += [f"  FAILED: {failure}" for failure in base.failed]
    lines += ["", f"{'deviation':36} {'s':>4}  killed by"]
    for item in result.kills:
        if item.error:
            verdict = f"ERROR {item.error[:300]}"
        elif item.killer is not None:
            others = sorted({case_id(failure.test) for failure in item.killers} - {case_id(item.killer.test)})
            verdict = f"{str(item.killer)[:150]}{' (also ' + ', '.join(others) + ')' if others else ''}"
        else:
            verdict = f"NOT KILLED (expected: {', '.join(CAUGHT_BY[item.deviation])})"
        lines.append(f"{item.deviation:36} {item.seconds:4.0f}  {verdict}")
        lines += [f"{'':42}flake (did not fail again alone): {flake}"[:200] for flake in item.flakes]
        if item.missed:
            lines.append(f"{'':42}expected to catch it, but passed: {', '.join(item.missed)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# the test


@pytest.fixture(scope="module")
def result() -> Campaign:
    assert any(SUITES.glob("*.robot")), f"no conformance suites in {SUITES.relative_to(ROOT)}"
    return campaign()


def test_conformance_suites_kill_every_deviation(result: Campaign, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + report(result))
    base = result.baseline
    assert not base.error, base.error
    assert base.passed > 0 and not base.failed, (
        "the conformance suites must pass against the conforming simulator: "
        + "; ".join(str(failure) for failure in base.failed))
    assert len(result.kills) >= 20
    errors = [item.error for item in result.kills if item.error]
    assert not errors, errors
    survivors = [item.deviation for item in result.kills if item.killer is None]
    assert not survivors, f"deviations no conformance test catches: {', '.join(survivors)}"


if __name__ == "__main__":
    print(report(campaign(sys.argv[1:] or DEVIATIONS)))
