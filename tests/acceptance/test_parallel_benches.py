"""Suites in parallel on the simulated benches with pabot, as `make run` and the Jenkinsfile run them.

- The merged xunit.xml, read with junitparser, agrees with Robot Framework's own statistics
  (pass, fail, skip), shows skipped tests as skipped and has no duplicate class/test names; no
  two suites held the same bench at the same time.
- A bench that dies mid-run (its ECU stops answering) and one that is dead from the start are
  disabled; the dying bench's remaining tests fail with the ECU's silence as the reason, the run
  finishes, and every other suite passes on the other benches.
- `Acquire Bench` gives up after its timeout when every bench stays reserved, a hung suite stopped
  by pabot's --processtimeout gives its bench back, and an unreachable PabotLib is named; under
  plain `robot` the suite runs on the bench in `${BENCH}`.
- Two bench hosts' results combine as the Jenkinsfile combines them: distinct test ids, and the
  combined log's links to artifacts open the files.

Every run has a subprocess timeout: a hang fails the test instead of hanging `make test`.
"""

from __future__ import annotations

import itertools
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from junitparser import JUnitXml, TestCase, TestSuite
from robot.api import ExecutionResult
from robot.libdoc import LibraryDocumentation
from robot.libraries.Remote import Remote
from robot.result import Result
from robot.result import TestSuite as RobotSuite

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PARALLEL = HERE / "parallel"
BENCHES = ROOT / "resources" / "benches"
RUN_TIMEOUT = 170  # seconds for one pabot run
SIM_BENCHES = {"sim-1", "sim-2", "sim-3", "sim-4"}


def _pabot(outputdir: Path, resourcefile: Path | None, *suites: Path, processes: int = 4, name: str = "Parallel",
           options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    values = ("--resourcefile", str(resourcefile)) if resourcefile is not None else ()
    command = [sys.executable, "-m", "pabot.pabot", "--command", sys.executable, "-m", "robot", "--end-command",
               *options, "--processes", str(processes), "--pabotlib", "--pabotlibport", "0",
               *values, "--artifacts", "blf,asc,json", "--artifactsinsubfolders",
               "--outputdir", str(outputdir), "--xunit", "xunit.xml", "--name", name,
               "--consolecolors", "off", *map(str, suites)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)


def _robot(outputdir: Path, suite: Path, *variables: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "robot", "--outputdir", str(outputdir), "--report", "NONE", "--log", "NONE",
               "--consolecolors", "off"]
    for variable in variables:
        command += ["--variable", variable]
    return subprocess.run([*command, str(suite)], cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                          check=False)


def _the_one_message(result: Result) -> str:
    """The failure message every test of the run shares (a suite setup failed for all of them)."""
    messages = {test.message for test in result.suite.all_tests}
    assert len(messages) == 1, messages
    return messages.pop()


def _result(outputdir: Path, process: subprocess.CompletedProcess[str]) -> Result:
    output = outputdir / "output.xml"
    assert output.exists(), f"no output.xml (exit code {process.returncode}):\n{process.stdout[-3000:]}" \
                            f"{process.stderr[-3000:]}"
    return ExecutionResult(str(output))


def _leaf_suites(result: Result) -> list[RobotSuite]:
    leaves: list[RobotSuite] = []

    def walk(suite: RobotSuite) -> None:
        if suite.tests:
            leaves.append(suite)
        for child in suite.suites:
            walk(child)

    walk(result.suite)
    return leaves


def _xunit_cases(suite: TestSuite) -> list[tuple[str, TestCase]]:
    """Every test case of a Robot xUnit file (suites nest), with the class name it carries."""
    cases = [(case.classname, case) for case in suite.iterchildren(TestCase)]
    for child in suite.iterchildren(TestSuite):
        cases += _xunit_cases(child)
    return cases


def _xunit_tests(file: Path) -> list[tuple[str, TestCase]]:
    """(class name, test case) for every test of an xUnit file, whether its root is one suite or several."""
    xunit = JUnitXml.fromfile(str(file))
    roots = list(xunit.iterchildren(TestSuite)) if xunit._tag == "testsuites" else [xunit]
    return [entry for root in roots for entry in _xunit_cases(root)]


def _keywords(item: object, name: str) -> list:
    """Every keyword called `name` under `item` (a setup, teardown or keyword), in order."""
    found = []
    for child in getattr(item, "body", ()):
        if getattr(child, "type", None) == "KEYWORD" and child.name == name:
            found.append(child)
        found += _keywords(child, name)
    return found


def _no_bench_held_twice(result: Result) -> None:
    """Suites that ran on the same bench did not hold it at the same time: the one before gave it
    back (`Return Bench` or `Disable Bench` started) before the next one's `Reserve Bench` ended."""
    by_bench: dict[str, list[tuple[float, float, str]]] = {}
    for suite in _leaf_suites(result):
        bench = suite.metadata.get("Bench")
        if not bench:
            continue
        reserved = _keywords(suite.setup, "Reserve Bench")[-1].end_time.timestamp()
        given_back = _keywords(suite.teardown, "Return Bench") + _keywords(suite.teardown, "Disable Bench")
        released = min(k.start_time.timestamp() for k in given_back if k.status != "NOT RUN")
        by_bench.setdefault(bench, []).append((reserved, released, suite.full_name))
    for bench, spans in by_bench.items():
        spans.sort()
        for (_, released, first), (reserved, _, second) in itertools.pairwise(spans):
            assert released <= reserved, f"{first} and {second} held bench {bench} at the same time"


def _dead_bench(directory: Path) -> Path:
    """A copy of sim-4 whose simulated ECU never answers (a bench whose ECU is unplugged)."""
    ecu = (ROOT / "resources" / "ecus" / "demo_ecu.yaml").as_posix()
    file = directory / "sim-dead.yaml"
    file.write_text(
        "bench: {name: sim-dead, tags: [demo-ecu, simulated]}\n"
        "can: {interface: virtual, channel: sim-dead}\n"
        f"ecu: {{description: '{ecu}', profile: ci}}\n"
        f"simulator: {{file: '{ecu}', profile: ci, faults: {{not_responding: true}}}}\n",
        encoding="utf-8")
    return file


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("source", ["UdsLibrary.pabot_benches.BenchPool", str(ROOT / "resources" / "bench.resource")])
def test_bench_keywords_are_documented_with_an_example(source: str) -> None:
    documentation = LibraryDocumentation(source)
    assert documentation.doc.strip()
    assert documentation.keywords
    for keyword in documentation.keywords:
        if keyword.private:  # helpers of the resource, not for suites
            continue
        assert re.search(r"^\s*\| .+\|", keyword.doc, re.MULTILINE), f"{keyword.name}: no example table"


# ---------------------------------------------------------------------------------------------
# 1. the merged xUnit agrees with Robot Framework


@pytest.fixture(scope="module")
def counted_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    outputdir = tmp_path_factory.mktemp("parallel-counts")
    process = _pabot(outputdir, BENCHES / "simulated.dat", ROOT / "suites" / "smoke", PARALLEL / "counts")
    return outputdir, _result(outputdir, process)


def test_the_run_writes_the_four_result_files(counted_run: tuple[Path, Result]) -> None:
    outputdir, _ = counted_run
    for name in ("output.xml", "log.html", "report.html", "xunit.xml"):
        assert (outputdir / name).stat().st_size > 0, f"{name} is missing or empty"


def test_xunit_counts_equal_robot_statistics(counted_run: tuple[Path, Result]) -> None:
    outputdir, result = counted_run
    stats = result.statistics.total
    cases = [case for _, case in _xunit_tests(outputdir / "xunit.xml")]
    passed = sum(1 for case in cases if case.is_passed)
    skipped = sum(1 for case in cases if case.is_skipped)
    failed = len(cases) - passed - skipped
    assert (passed, failed, skipped) == (stats.passed, stats.failed, stats.skipped)
    root = JUnitXml.fromfile(str(outputdir / "xunit.xml"))  # the totals Jenkins shows first
    assert (root.tests, root.failures + root.errors, root.skipped) == (stats.total, stats.failed, stats.skipped)
    # the run has each outcome, so the comparison means something
    assert stats.passed >= 10 and stats.failed == 3 and stats.skipped == 2


def test_skipped_tests_appear_as_skipped(counted_run: tuple[Path, Result]) -> None:
    outputdir, result = counted_run
    robot_skipped = {test.name for test in result.suite.all_tests if test.status == "SKIP"}
    xunit_skipped = {case.name for _, case in _xunit_tests(outputdir / "xunit.xml") if case.is_skipped}
    assert robot_skipped == xunit_skipped == {"Is Skipped", "Is Skipped When Simulated"}


def test_class_and_test_names_are_unique(counted_run: tuple[Path, Result]) -> None:
    outputdir, _ = counted_run
    names = Counter((classname, case.name) for classname, case in _xunit_tests(outputdir / "xunit.xml"))
    duplicates = [name for name, count in names.items() if count > 1]
    assert not duplicates, f"duplicate class/test names: {duplicates}"
    # the two suites with the same file and test names differ by their class name
    timing = {classname for classname, _ in names if classname.endswith(".Timing")}
    assert timing == {"Parallel.Counts.Line A.Timing", "Parallel.Counts.Line B.Timing"}


def test_each_suite_holds_one_bench_at_a_time(counted_run: tuple[Path, Result]) -> None:
    _, result = counted_run
    benches = {suite.full_name: suite.metadata.get("Bench") for suite in _leaf_suites(result)}
    assert benches.pop("Parallel.Counts.Unknown Ecu") is None  # its setup failed: no bench
    assert set(benches.values()) <= SIM_BENCHES
    assert len(set(benches.values())) >= 2, f"the suites did not spread over the benches: {benches}"
    _no_bench_held_twice(result)


def test_a_suite_asking_for_a_missing_ecu_type_fails_clearly(counted_run: tuple[Path, Result]) -> None:
    _, result = counted_run
    suite = next(s for s in _leaf_suites(result) if s.name == "Unknown Ecu")
    for test in suite.tests:
        assert test.status == "FAIL"
        assert test.message == "Parent suite setup failed:\nno bench in the value-set file is tagged no-such-ecu"


def test_bench_hosts_combine_without_collisions_and_links_survive(tmp_path: Path) -> None:
    """What the Jenkinsfile does: pabot per host under --name <host>, then rebot with HostLinks."""
    results = tmp_path / "results"
    outputs = []
    for host in ("uds-bench-1", "uds-bench-2"):
        process = _pabot(results / host, BENCHES / "simulated.dat", ROOT / "suites" / "smoke", PARALLEL / "links",
                         name=host)
        outputs.append(str(_result(results / host, process).source))
    command = [sys.executable, "-m", "robot.rebot", "--name", "UdsLibrary", "--outputdir", str(results),
               "--output", "output.xml", "--log", "log.html", "--report", "report.html", "--xunit", "xunit.xml",
               "--prerebotmodifier", "UdsLibrary.pabot_benches.HostLinks", *outputs]
    rebot = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    assert rebot.returncode == 0, rebot.stdout + rebot.stderr
    tests = _xunit_tests(results / "xunit.xml")
    names = Counter((classname, case.name) for classname, case in tests)
    assert max(names.values()) == 1, names
    assert {classname.split(".")[1] for classname, _ in tests} == {"uds-bench-1", "uds-bench-2"}
    combined = ExecutionResult(str(results / "output.xml"))
    links = [href for message in _html_messages(combined.suite) for href in re.findall(r'href="([^"]+)"', message)
             if not href.startswith("file:")]  # Create File logs an absolute link, which stays as it is
    assert len(links) == 2, links
    for link in links:
        assert link.startswith(("uds-bench-1/traces/links/", "uds-bench-2/traces/links/")), link
        assert (results / link).is_file(), f"the link {link} of the combined log leads nowhere"


def _html_messages(item: object) -> list[str]:
    messages = []
    for child in [*getattr(item, "suites", ()), *getattr(item, "tests", ()), *getattr(item, "body", ())]:
        if getattr(child, "type", None) == "MESSAGE" and child.html:
            messages.append(child.message)
        messages += _html_messages(child)
    return messages


# ---------------------------------------------------------------------------------------------
# 2. a bench dies mid-run


@pytest.fixture(scope="module")
def dying_run(tmp_path_factory: pytest.TempPathFactory) -> Result:
    directory = tmp_path_factory.mktemp("parallel-dying")
    dead = _dead_bench(directory)
    values = directory / "benches.dat"
    values.write_text(
        f"[sim-dead]\nbench = {dead.as_posix()}\ntags = demo-ecu, simulated\n\n"
        f"[sim-1]\nbench = {(BENCHES / 'sim-1.yaml').as_posix()}\ntags = demo-ecu, simulated\n\n"
        f"[sim-2]\nbench = {(BENCHES / 'sim-2.yaml').as_posix()}\ntags = demo-ecu, simulated, mortal\n\n"
        f"[sim-3]\nbench = {(BENCHES / 'sim-3.yaml').as_posix()}\ntags = demo-ecu, simulated\n",
        encoding="utf-8")
    outputdir = directory / "results"
    process = _pabot(outputdir, values, PARALLEL / "dying", processes=3, name="Dying")
    return _result(outputdir, process)


def test_the_dying_benchs_remaining_tests_fail_with_a_clear_reason(dying_run: Result) -> None:
    suite = next(s for s in _leaf_suites(dying_run) if s.name == "A Dying Bench")
    assert suite.metadata["Bench"] == "sim-2"
    status = {test.name: (test.status, test.message) for test in suite.tests}
    assert status["ECU Answers While Alive"][0] == "PASS"
    assert status["ECU Dies"][0] == "PASS"
    for name in ("VIN Read After Death", "Session Change After Death"):
        state, message = status[name]
        assert state == "FAIL"
        assert message.startswith("ECU 'sim-2' (7E0/7E8) did not answer"), message
        assert "check that the ECU is powered and connected" in message


def test_the_other_benches_are_unaffected(dying_run: Result) -> None:
    others = [s for s in _leaf_suites(dying_run) if s.name != "A Dying Bench"]
    assert len(others) == 6
    for suite in others:
        for test in suite.tests:
            assert test.status == "PASS", f"{suite.name}: {test.name}: {test.message}"
        assert suite.metadata["Bench"] in {"sim-1", "sim-2", "sim-3"}
    _no_bench_held_twice(dying_run)


def test_dead_benches_are_disabled_for_the_rest_of_the_run(dying_run: Result) -> None:
    warnings = [m.message for m in dying_run.errors.messages if m.level == "WARN"]
    died = [w for w in warnings if w.startswith("Bench sim-2 ")]
    assert len(died) == 1, warnings
    assert ("is disabled for the rest of the run: the ECU stopped answering during suite 'Dying.A Dying Bench': "
            "ECU 'sim-2' (7E0/7E8) did not answer 3E 00") in died[0], died[0]
    dead = [w for w in warnings if w.startswith("Bench sim-dead ")]
    assert len(dead) == 1, warnings
    assert "is disabled for the rest of the run: ECU 'sim-dead' (7E0/7E8) did not answer 3E 00" in dead[0], dead[0]
    # no suite ran on the dead bench, none on sim-2 after it died
    suites = _leaf_suites(dying_run)
    dying = next(s for s in suites if s.name == "A Dying Bench")
    for suite in suites:
        assert suite.metadata.get("Bench") != "sim-dead"
        if suite is not dying and suite.start_time >= dying.end_time:
            assert suite.metadata["Bench"] != "sim-2", f"{suite.name} got the dead bench sim-2"


# ---------------------------------------------------------------------------------------------
# 3. never a hang; plain robot


def test_acquire_bench_gives_up_after_its_timeout(tmp_path: Path) -> None:
    values = tmp_path / "one.dat"
    values.write_text(f"[sim-1]\nbench = {(BENCHES / 'sim-1.yaml').as_posix()}\ntags = demo-ecu\n", encoding="utf-8")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "pabot.pabotlib", str(values), "127.0.0.1", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    uri = f"127.0.0.1:{port}"
    try:
        remote = Remote(uri, timeout=10)
        deadline = time.monotonic() + 30
        while True:  # the server takes a moment to listen
            try:
                holder = remote.run_keyword("acquire_value_set", ["someone-else"], {})
                break
            except RuntimeError:
                assert time.monotonic() < deadline, "PabotLib server did not start"
                time.sleep(0.2)
        assert holder[0] == "sim-1"
        process = _robot(tmp_path / "busy", PARALLEL / "waiting", "CALLER_ID:waiting-suite", f"PABOTLIBURI:{uri}")
        result = _result(tmp_path / "busy", process)
        failures = [f"{t.name}: {t.message}" for t in result.suite.all_tests if t.status != "PASS"]
        assert not failures, failures
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_hung_suite_stopped_by_pabot_gives_its_bench_back(tmp_path: Path) -> None:
    values = tmp_path / "one.dat"
    values.write_text(f"[sim-1]\nbench = {(BENCHES / 'sim-1.yaml').as_posix()}\ntags = demo-ecu\n", encoding="utf-8")
    process = _pabot(tmp_path / "out", values, PARALLEL / "hung", processes=1, name="Hung",
                     options=("--processtimeout", "10"))
    result = _result(tmp_path / "out", process)
    status = {test.name: (test.status, test.message) for test in result.suite.all_tests}
    assert status["Hangs"][0] == "FAIL" and "--processtimeout" in status["Hangs"][1]
    assert status["Gets The Bench The Hung Suite Held"] == ("PASS", "")


def test_an_unreachable_pabotlib_is_named(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there: pabot ran with --no-pabotlib
    process = _robot(tmp_path, ROOT / "suites" / "smoke", "CALLER_ID:x", f"PABOTLIBURI:127.0.0.1:{port}")
    result = _result(tmp_path, process)
    message = _the_one_message(result)
    assert message.startswith(f"Parent suite setup failed:\nPabotLib at 127.0.0.1:{port} is not reachable"), message
    assert "run pabot with its PabotLib (--pabotlib, not --no-pabotlib)" in message


def test_pabot_without_value_sets_runs_on_the_in_process_simulated_bench_in_bench_variable(tmp_path: Path) -> None:
    process = _pabot(tmp_path / "own", None, ROOT / "suites" / "smoke", processes=1, name="Own")
    result = _result(tmp_path / "own", process)
    assert result.statistics.total.failed == 0 and result.statistics.total.passed > 0
    assert _leaf_suites(result)[0].metadata["Bench"] == "sim-1"


def test_pabot_without_value_sets_never_shares_a_bench_other_processes_can_see(tmp_path: Path) -> None:
    shared = BENCHES / "sim-multicast.yaml"  # a simulator on udp_multicast: every process would see it
    process = _pabot(tmp_path / "shared", None, ROOT / "suites" / "smoke", processes=1, name="Shared",
                     options=("--variable", f"BENCH:{shared.as_posix()}"))
    result = _result(tmp_path / "shared", process)
    message = _the_one_message(result)
    assert message.startswith("Parent suite setup failed:\nPabotLib has no benches: start pabot with --resourcefile "
                              "<value-set file>"), message
    assert "only a bench simulated in-process (virtual bus) in ${BENCH} can be used, one per process" in message


def test_plain_robot_runs_on_the_bench_in_the_bench_variable(tmp_path: Path) -> None:
    process = _robot(tmp_path, ROOT / "suites" / "smoke", f"BENCH:{(BENCHES / 'sim-3.yaml').as_posix()}")
    result = _result(tmp_path, process)
    assert result.statistics.total.failed == 0 and result.statistics.total.passed > 0
    assert _leaf_suites(result)[0].metadata["Bench"] == "sim-3"


def test_plain_robot_on_a_dead_bench_fails_with_the_reason(tmp_path: Path) -> None:
    dead = _dead_bench(tmp_path)
    process = _robot(tmp_path / "out", ROOT / "suites" / "smoke", f"BENCH:{dead.as_posix()}")
    result = _result(tmp_path / "out", process)
    message = _the_one_message(result)
    assert message.startswith("Parent suite setup failed:\nno working bench tagged demo-ecu is left; disabled: "
                              "sim-dead: ECU 'sim-dead' (7E0/7E8) did not answer 3E 00"), message
