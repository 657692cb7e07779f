"""Trace capture: the recorder on a connection to the simulated ECU, the capture policy of the
library (trace=never|on_failure|always) in real Robot Framework runs, and pabot's artifacts."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import can
import pytest
from robot.api import ExecutionResult

from UdsLibrary.description import load_ecu_description
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.simulator import EcuSimulator
from UdsLibrary.trace.capture import TraceRecorder
from UdsLibrary.trace.decode import decode_trace
from UdsLibrary.trace.policy import check_policy, safe_name
from UdsLibrary.trace.secrets import KeyFrameMasker
from UdsLibrary.transport.connection import UdsConnection

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = ROOT / "resources" / "ecus" / "demo_ecu.yaml"
VEHICLE_FILE = ROOT / "resources" / "vehicles" / "demo_vehicle.yaml"


@pytest.fixture
def ecu_link():
    """A tester connection to the simulated demo vehicle (ECM 7E0/7E8 answers; TCM sends application frames)."""
    channel = f"capture-{uuid.uuid4().hex}"
    sim = EcuSimulator.from_file(VEHICLE_FILE, interface="virtual", channel=channel, profile="ci")
    sim.start()
    bus = can.Bus(interface="virtual", channel=channel)
    demo = load_ecu_description(DEMO_FILE, "ci")
    connection = UdsConnection(bus, demo.addressing, p2_timeout=0.2)
    yield connection
    connection.close()
    sim.stop()


def _frames(path: Path) -> list[can.Message]:
    return list(can.LogReader(str(path)))


def test_every_frame_sent_and_received_is_written_in_time_order(ecu_link: UdsConnection, tmp_path: Path) -> None:
    path = tmp_path / "t.blf"
    recorder = TraceRecorder(path, ecu_link)
    exchanges = [ecu_link.request(bytes.fromhex(p)) for p in ("1003", "22F190", "22F187", "1901FF")]
    time.sleep(0.25)  # application frames of the TCM arrive between requests ...
    recorder.close()  # ... and still reach the file: stop drains the bus first
    frames = _frames(path)
    assert recorder.frames == len(frames)
    stamps = [f.timestamp for f in frames]
    assert stamps == sorted(stamps)
    sent = [f for f in frames if not f.is_rx]
    assert [f.arbitration_id for f in sent] == [0x7E0] * len(sent)
    assert {f.arbitration_id for f in frames if f.is_rx} >= {0x7E8, 0x124}  # the answers and an application frame
    assert max(stamps) > exchanges[-1].sent_at - 1  # same clock base (wall clock) for sent and received
    decoded = list(decode_trace(path))
    assert [t.request.payload for t in decoded if t.request] == [e.request for e in exchanges]
    assert [t.final.payload for t in decoded if t.final] == [e.final.payload for e in exchanges if e.final]


def test_close_is_idempotent_and_detaches(ecu_link: UdsConnection, tmp_path: Path) -> None:
    recorder = TraceRecorder(tmp_path / "t.asc", ecu_link)
    assert len(ecu_link.listeners) == 1
    ecu_link.request(b"\x3e\x00")
    assert recorder.close() == tmp_path / "t.asc"
    assert recorder.close() == tmp_path / "t.asc"
    assert ecu_link.listeners == []
    count = recorder.frames
    ecu_link.request(b"\x3e\x00")
    assert recorder.frames == count


def test_recording_with_a_tester_present_thread_is_safe(ecu_link: UdsConnection, tmp_path: Path) -> None:
    path = tmp_path / "t.blf"
    recorder = TraceRecorder(path, ecu_link)
    stop = threading.Event()
    sent = []

    def keep_alive() -> None:
        while not stop.wait(0.002):
            ecu_link.send_only(b"\x3e\x80")
            sent.append(1)

    thread = threading.Thread(target=keep_alive)
    thread.start()
    try:
        for _ in range(30):
            ecu_link.request(b"\x22\xf1\x90")
            time.sleep(0.001)  # let the other thread in
        recorder.flush()  # the test thread drains while the other one sends
    finally:
        stop.set()
        thread.join()
    recorder.close()
    frames = _frames(path)
    stamps = [f.timestamp for f in frames]
    assert stamps == sorted(stamps)
    decoded = list(decode_trace(path))
    reads = [t for t in decoded if t.request and t.request.payload == b"\x22\xf1\x90"]
    assert len(reads) == 30 and all(t.result == "positive" for t in reads)
    assert sum(1 for t in decoded if t.request and t.request.payload == b"\x3e\x80") == len(sent)


def test_the_security_key_is_blanked_in_the_file(ecu_link: UdsConnection, tmp_path: Path) -> None:
    from UdsLibrary.keyalgorithms import xor_algorithm

    path = tmp_path / "t.asc"
    recorder = TraceRecorder(path, ecu_link)
    ecu_link.request(b"\x10\x03")
    seed = ecu_link.request(b"\x27\x01").final.payload[2:]
    key = xor_algorithm(seed, 1, bytes.fromhex("A5A5A5A5"))
    answer = ecu_link.request(b"\x27\x02" + key).final.payload
    recorder.close()
    assert answer == b"\x67\x02"  # the key was right on the bus
    text = path.read_text()
    assert key.hex(" ").upper() not in text
    decoded = list(decode_trace(path))
    assert decoded[-1].to_dict()["request"] == "27 02 **"


def test_key_masker_blanks_single_first_and_consecutive_frames() -> None:
    masker = KeyFrameMasker()
    assert masker.mask(bytes.fromhex("0627021122334455")) == bytes.fromhex("0627020000000055")
    first = masker.mask(bytes.fromhex("100C270211223344"))
    assert first == bytes.fromhex("100C270200000000")
    assert masker.mask(bytes.fromhex("2155667788990011")) == bytes.fromhex("2100000000000011")
    assert masker.mask(bytes.fromhex("0322F190AAAAAAAA")) == bytes.fromhex("0322F190AAAAAAAA")
    fd = KeyFrameMasker().mask(bytes([0x00, 10, 0x27, 0x04]) + bytes(range(1, 9)) + b"\xaa\xaa")
    assert fd == bytes([0x00, 10, 0x27, 0x04]) + bytes(8) + b"\xaa\xaa"


def test_unknown_trace_format_and_unwritable_paths_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UdsLibraryError, match=r"unknown format '\.xyz'"):
        TraceRecorder(tmp_path / "t.xyz")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UdsLibraryError, match="cannot write trace file"):
        TraceRecorder(blocker / "sub" / "t.blf")


def test_policy_arguments_are_checked() -> None:
    assert check_policy("On Failure", "ASC") == ("on_failure", "asc")
    with pytest.raises(UdsLibraryError, match="trace must be one of never, on_failure, always"):
        check_policy("sometimes", "blf")
    with pytest.raises(UdsLibraryError, match="trace_format must be one of blf, asc"):
        check_policy("always", "mf4")
    assert safe_name("Read DID / F190: VIN?") == "Read_DID_F190_VIN"


# ---------------------------------------------------------------------- the policy in Robot runs

SUITE = """\
*** Settings ***
Library    UdsLibrary    trace={policy}    trace_format={fmt}
Test Setup    Open UDS Connection    {bench}
Test Teardown    Close All UDS Connections

*** Test Cases ***
Passing Test
    Send UDS Request    22 F1 90

Failing Test
    Send UDS Request    22 F1 90
    Fail    on purpose

Connection Opened In The Test
    [Setup]    No Operation
    Open UDS Connection    {bench}
    Send UDS Request    3E 00
"""


def _run_robot(tmp_path: Path, policy: str, fmt: str = "blf") -> tuple[Path, ExecutionResult]:
    suite = tmp_path / "policy_suite.robot"
    suite.write_text(SUITE.format(policy=policy, fmt=fmt, bench=ROOT / "resources" / "benches" / "sim-1.yaml"))
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "robot", "--outputdir", str(out), "--report", "NONE", "--log", "NONE",
                    "--consolecolors", "off", str(suite)], cwd=tmp_path, capture_output=True, text=True,
                   timeout=120, check=False)
    return out, ExecutionResult(str(out / "output.xml"))


def _links(result: ExecutionResult) -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    for test in result.suite.all_tests:
        links[test.full_name] = [m.message for m in test.body
                                 if getattr(m, "type", "") == "MESSAGE" and "href" in m.message]
    return links


def test_policy_always_keeps_and_links_every_trace(tmp_path: Path) -> None:
    out, result = _run_robot(tmp_path, "always", "asc")
    folder = out / "traces" / "Policy_Suite"
    assert sorted(p.name for p in folder.iterdir()) == [
        "Connection_Opened_In_The_Test.asc", "Failing_Test.asc", "Passing_Test.asc"]
    links = _links(result)
    assert 'href="traces/Policy_Suite/Passing_Test.asc"' in links["Policy Suite.Passing Test"][0]
    late = list(decode_trace(folder / "Connection_Opened_In_The_Test.asc"))
    assert [t.request.payload for t in late] == [b"\x3e\x00"]  # the connection opened mid-test was followed
    passing = list(decode_trace(folder / "Passing_Test.asc"))
    assert [t.final.payload[:3] for t in passing] == [b"\x62\xf1\x90"]


def test_policy_on_failure_keeps_only_failed_tests(tmp_path: Path) -> None:
    out, result = _run_robot(tmp_path, "on_failure")
    folder = out / "traces" / "Policy_Suite"
    assert [p.name for p in folder.iterdir()] == ["Failing_Test.blf"]
    links = _links(result)
    assert links["Policy Suite.Passing Test"] == []
    assert 'href="traces/Policy_Suite/Failing_Test.blf"' in links["Policy Suite.Failing Test"][0]


def test_policy_never_records_nothing(tmp_path: Path) -> None:
    out, _ = _run_robot(tmp_path, "never")
    assert not (out / "traces").exists()


@pytest.mark.skipif(shutil.which("pabot", path=str(Path(sys.executable).parent)) is None, reason="pabot missing")
def test_pabot_copies_the_traces_and_rewrites_the_links(tmp_path: Path) -> None:
    bench = ROOT / "resources" / "benches"
    for name, channel in (("first", "sim-1"), ("second", "sim-2")):
        (tmp_path / f"{name}.robot").write_text(
            "*** Settings ***\nLibrary    UdsLibrary    trace=always\n"
            f"Suite Setup    Open UDS Connection    {bench / (channel + '.yaml')}\n"
            "Suite Teardown    Close All UDS Connections\n\n"
            f"*** Test Cases ***\nRead The VIN\n    Send UDS Request    22 F1 90\n")
    out = tmp_path / "out"
    pabot = Path(sys.executable).parent / "pabot"
    process = subprocess.run(
        [str(pabot), "--command", sys.executable, "-m", "robot", "--end-command", "--processes", "2",
         "--artifacts", "blf,asc", "--artifactsinsubfolders", "--outputdir", str(out),
         str(tmp_path / "first.robot"), str(tmp_path / "second.robot")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert (out / "output.xml").is_file(), process.stdout[-2000:]
    copied = sorted(p.relative_to(out).as_posix() for p in (out / "traces").rglob("*.blf"))
    assert len(copied) == 2, copied  # one per suite, each named with the pabot queue index
    assert all("Read_The_VIN-p" in name for name in copied)
    result = ExecutionResult(str(out / "output.xml"))
    hrefs = [m for links in _links(result).values() for m in links]
    assert len(hrefs) == 2
    targets = sorted(m.split('href="')[1].split('"')[0] for m in hrefs)
    assert targets == copied  # pabot rewrote each link to the copy it made
    assert all(list(decode_trace(out / target)) for target in targets)


def test_the_bench_trace_format_wins_over_the_library_default():
    from types import SimpleNamespace

    from UdsLibrary.trace.policy import TraceCapture

    targets = [SimpleNamespace(bench=SimpleNamespace(trace_format=None)),
               SimpleNamespace(bench=SimpleNamespace(trace_format="asc"))]
    capture = TraceCapture(SimpleNamespace(targets=targets), "always", "blf")
    assert capture.format_for_benches() == "asc"
    capture = TraceCapture(SimpleNamespace(targets=targets[:1]), "always", "blf")
    assert capture.format_for_benches() == "blf"
