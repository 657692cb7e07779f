"""Benchmark of the keyword library: `Read DID` through the Python API against a stock udsoncan client,
and the cost of calling it as a Robot Framework keyword. Every figure is a ratio against a baseline
measured in this run, in interleaved rounds; see docs/benchmarks.md ("Keyword library").

    .venv/bin/python bench/bench_library.py      (or: make bench)
    .venv/bin/python bench/bench_library.py --profile    (also: cProfile of the Robot keyword loop)

1. VIN read round trip: `UdsLibrary().read_did("VIN")` (a bench file with an in-process simulated ECU,
   no profile) against a stock udsoncan `Client` over `PythonIsoTpConnection` + isotp `CanStack`, each
   tester with its own simulated demo ECU on its own virtual channel; also the library's raw
   `UdsConnection.request` (no keyword layer) and udsoncan with can-isotp's default parameters.
2. 1000 `Read DID    VIN` keyword calls in a Robot run (a subprocess; timestamps taken inside the run,
   so start-up is reported apart) against 1000 Python API calls in this process, interleaved; Robot's
   own cost per loop iteration (`No Operation`); output.xml bytes per call at `--loglevel INFO` and WARN.
"""

from __future__ import annotations

import cProfile
import io
import logging
import pstats
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import can
import isotp
import udsoncan
import udsoncan.configs
import yaml
from udsoncan.client import Client
from udsoncan.connections import PythonIsoTpConnection

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    DEMO_ECU,
    VIN_REQUEST,
    UdsoncanTester,
    interleaved,
    measure,
    median,
    ms,
    p95,
    paired_ratio,
    per_call,
    pooled,
    table,
    unique_channel,
    us,
)

from UdsLibrary import UdsLibrary
from UdsLibrary.description.loader import load_ecu_description
from UdsLibrary.description.model import Addressing
from UdsLibrary.simulator import EcuSimulator
from UdsLibrary.transport.addressing import tester_addresses

API_ROUNDS, API_REQUESTS = 20, 100
ROBOT_ROUNDS, ROBOT_CALLS = 5, 1000
ROBOT_WARMUP = 20  # keyword calls before the measured loop in each Robot run (imports, first-call caches)
WARMUP = 50
RATIO_TARGET, ROBOT_TARGET = 0.9, 3.0
ROBOT_TIMEOUT = 120  # seconds; a Robot run that takes longer is a failure

summary: list[list[str]] = []


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "MISSED")


def heading(title: str) -> None:
    print(f"\n== {title}", flush=True)


def write_bench(folder: Path, name: str) -> Path:
    """A bench file like resources/benches/sim-1.yaml on a fresh virtual channel, with the demo ECU
    simulated in-process and no profile (the description's reference timing)."""
    path = folder / f"{name}.yaml"
    content = {
        "bench": {"name": name, "description": "demo ECU simulated in-process (bench/bench_library.py)"},
        "can": {"interface": "virtual", "channel": unique_channel(name)},
        "ecu": {"description": str(DEMO_ECU)},
        "simulator": {"file": str(DEMO_ECU)},
    }
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


class DefaultsTester(UdsoncanTester):
    """udsoncan as its documentation shows it: `isotp.CanStack(bus, address=...)` with can-isotp's
    default parameters (BS=8, no padding, read_timeout 0.05 s in can-isotp 2.0.7) and udsoncan's
    default client configuration (plus the VIN codec)."""

    def __init__(self, channel: str, addressing: Addressing) -> None:
        self.bus = can.Bus(interface="virtual", channel=channel)
        physical, _ = tester_addresses(addressing)
        self.stack = isotp.CanStack(self.bus, address=physical)
        config: dict[str, Any] = dict(udsoncan.configs.default_client_config)
        config["data_identifiers"] = {0xF190: udsoncan.AsciiCodec(17)}
        self.client = Client(PythonIsoTpConnection(self.stack), config=config)  # type: ignore[arg-type]
        self.client.open()


@contextmanager
def stock_client(label: str, addressing: Addressing, defaults: bool) -> Iterator[UdsoncanTester | DefaultsTester]:
    """A stock udsoncan client with its own simulated demo ECU on its own virtual channel."""
    channel = unique_channel(label)
    with ExitStack() as local:
        ecu_bus = can.Bus(interface="virtual", channel=channel)
        local.callback(ecu_bus.shutdown)
        simulator = EcuSimulator.from_file(DEMO_ECU, bus=ecu_bus).start()
        local.callback(simulator.stop)
        tester = DefaultsTester(channel, addressing) if defaults else UdsoncanTester(channel, addressing)
        local.callback(tester.close)
        yield tester


class CannedConnection:
    """Stands in for a target's `UdsConnection`: answers every request with one recorded exchange, so
    `read_did` runs its keyword layer alone (DID lookup, request path, timing record, log call, decoding)."""

    def __init__(self, real: Any, exchange: Any) -> None:
        self.addressing = real.addressing
        self.exchange = exchange

    def request(self, payload: bytes, **options: Any) -> Any:
        return self.exchange


def keyword_layer_alone(lib: UdsLibrary, vin: str) -> float:
    """Seconds per `read_did('VIN')` with the connection replaced by a canned exchange (best of 5 x 2000)."""
    target = lib.active_target()
    real = target.connection
    target.connection = CannedConnection(real, real.request(VIN_REQUEST))  # type: ignore[assignment]
    try:
        if lib.read_did("VIN") != vin:
            raise AssertionError("read_did('VIN') returned an unexpected value from the canned exchange")
        best = min(timeit.repeat(lambda: lib.read_did("VIN"), number=2000, repeat=5)) / 2000
    finally:
        target.connection = real
        del target.timings[-10001:]  # the canned calls are no requests: keep them out of the statistics
    return best


# ---------------------------------------------------------------------------------------------- 1
def bench_api(lib: UdsLibrary, addressing: Addressing, vin: str, vin_response: bytes) -> None:
    heading(f"1. VIN read (22 F1 90) round trip, Python API: {API_ROUNDS} interleaved rounds x {API_REQUESTS} "
            "requests, each tester with its own simulated demo ECU on its own virtual channel")
    connection = lib.active_target().connection
    vin_bytes = vin.encode("ascii")
    with ExitStack() as stack:
        careful = stack.enter_context(stock_client("stock", addressing, defaults=False))
        defaults = stack.enter_context(stock_client("stock-defaults", addressing, defaults=True))
        conditions: dict[str, tuple[Callable[[], bytes], bytes]] = {
            "library": (lambda: lib.read_did("VIN").encode("ascii"), vin_bytes),
            "raw": (lambda: connection.request(VIN_REQUEST).final.payload, vin_response),  # type: ignore[union-attr]
            "udsoncan": (lambda: careful.read_did(0xF190), vin_response),
            "udsoncan-defaults": (lambda: defaults.read_did(0xF190), vin_response),
        }
        for call, expected in conditions.values():
            measure(call, expected, WARMUP)
        results = interleaved(API_ROUNDS, {
            name: (lambda call=call, expected=expected: measure(call, expected, API_REQUESTS))
            for name, (call, expected) in conditions.items()})
    labels = {
        "library": "UdsLibrary().read_did('VIN') (keyword layer + UdsConnection)",
        "raw": "UdsConnection.request(22 F1 90) (no keyword layer)",
        "udsoncan": "stock udsoncan Client + CanStack (read_timeout 0.05, BS 0, padding AA)",
        "udsoncan-defaults": "stock udsoncan Client + CanStack, can-isotp + udsoncan defaults",
    }
    baseline = results["udsoncan"]
    rows = []
    for name, res in results.items():
        samples = pooled(res)
        ratio = paired_ratio(res, baseline) if name != "udsoncan" else 1.0
        cpu = us(per_call(res, "tester_cpu")) if name in ("library", "raw") else "(threads)"
        rows.append([labels[name], ms(median(samples)), ms(p95(samples)),
                     f"{median([r.rate for r in res]):.0f}", f"{ratio:.3f}", cpu])
    print(table(["tester", "median", "p95", "requests/s", "ratio to stock", "caller CPU/request"], rows))
    lib_ratio = paired_ratio(results["library"], baseline)
    layer = median([a.median - b.median for a, b in zip(results["library"], results["raw"], strict=True)])
    layer_cpu = per_call(results["library"], "tester_cpu") - per_call(results["raw"], "tester_cpu")
    summary.append(["1", "Read DID round trip, library API / stock udsoncan + CanStack", f"{lib_ratio:.3f}",
                    f"<= {RATIO_TARGET}", verdict(lib_ratio <= RATIO_TARGET)])
    summary.append(["1", "same, library API / udsoncan with can-isotp + udsoncan defaults",
                    f"{paired_ratio(results['library'], results['udsoncan-defaults']):.3f}", "-", "-"])
    summary.append(["1", "raw UdsConnection.request / stock udsoncan + CanStack",
                    f"{paired_ratio(results['raw'], baseline):.3f}", "-", "-"])
    alone = keyword_layer_alone(lib, vin)
    print(f"keyword layer alone (read_did with the connection replaced by a canned exchange, best of 5 x 2000): "
          f"{us(alone)} per call")
    summary.append(["1", "keyword layer: library - raw (round trip; caller CPU per request)",
                    f"{us(layer)}; {us(layer_cpu)}", "-", "-"])
    summary.append(["1", "keyword layer alone (read_did on a canned exchange)", us(alone), "-", "-"])


# ---------------------------------------------------------------------------------------------- 2
ROBOT_SUITE = """\
*** Settings ***
Documentation     Read DID in a loop against a simulated ECU; timestamps by BenchClock.py.

Library           UdsLibrary
Library           BenchClock.py    ${MARKS}

Suite Setup       Open Bench
Suite Teardown    Close Bench


*** Variables ***
${BENCH}           bench.yaml
${MARKS}           marks.txt
${CALLS}           1000
${WARMUP}          20
${EXPECTED_VIN}    WVWZZZ1JZXW000001


*** Test Cases ***
Read VIN In A Loop
    [Documentation]    The measured loop of Read DID calls, after a few warm-up calls.
    FOR    ${_}    IN RANGE    ${WARMUP}
        Read DID    VIN
    END
    Mark    loop start
    FOR    ${_}    IN RANGE    ${CALLS}
        Read DID    VIN
    END
    Mark    loop end
    ${vin} =    Read DID    VIN
    Should Be Equal    ${vin}    ${EXPECTED_VIN}

Robot Baseline
    [Documentation]    Robot's own cost of a loop iteration and a keyword call.
    Mark    baseline start
    FOR    ${_}    IN RANGE    ${CALLS}
        No Operation
    END
    Mark    baseline end


*** Keywords ***
Open Bench
    [Documentation]    Opens the bench, marking the time before and after.
    Mark    suite start
    Open UDS Connection    ${BENCH}
    Mark    connection open

Close Bench
    [Documentation]    Closes the bench and marks the time.
    Close All UDS Connections
    Mark    suite end
"""

BENCH_CLOCK = '''\
"""Timestamps for bench_library.py: time.monotonic() is CLOCK_MONOTONIC on Linux, shared by processes."""

import time


class BenchClock:
    def __init__(self, path):
        self.path = path

    def mark(self, name):
        with open(self.path, "a", encoding="utf-8") as marks:
            marks.write(f"{name}\\t{time.monotonic():.9f}\\n")
'''


@dataclass
class RobotRun:
    loglevel: str
    launched: float  # time.monotonic() before the process started
    marks: dict[str, float]
    ended: float  # time.monotonic() after the process exited
    output_bytes: int
    loop_bytes: int  # bytes of the measured FOR loop in output.xml

    @property
    def per_call(self) -> float:
        return (self.marks["loop end"] - self.marks["loop start"]) / ROBOT_CALLS

    @property
    def baseline_per_call(self) -> float:
        return (self.marks["baseline end"] - self.marks["baseline start"]) / ROBOT_CALLS

    @property
    def startup(self) -> float:
        return self.marks["suite start"] - self.launched

    @property
    def open_time(self) -> float:
        return self.marks["connection open"] - self.marks["suite start"]

    @property
    def tail(self) -> float:
        return self.ended - self.marks["suite end"]


def loop_bytes(output: str) -> int:
    """Bytes of the largest FOR element of the test 'Read VIN In A Loop' in output.xml (the measured loop)."""
    start = output.index('<test id="s1-t1" name="Read VIN In A Loop"')
    end = output.index("</test>", start)
    sizes, position = [], start
    while (begin := output.find("<for ", position, end)) != -1:
        close = output.index("</for>", begin) + len("</for>")
        sizes.append(close - begin)
        position = close
    return max(sizes)


def run_robot(folder: Path, loglevel: str, counter: list[int]) -> RobotRun:
    counter[0] += 1
    run = folder / f"run-{counter[0]}"
    run.mkdir()
    bench = write_bench(run, f"lib-robot-{counter[0]}")
    marks_path, output = run / "marks.txt", run / "output.xml"
    command = [sys.executable, "-m", "robot", "--loglevel", loglevel, "--output", str(output), "--log", "NONE",
               "--report", "NONE", "--console", "quiet", "--pythonpath", str(folder),
               "--variable", f"BENCH:{bench}", "--variable", f"MARKS:{marks_path}",
               "--variable", f"CALLS:{ROBOT_CALLS}", "--variable", f"WARMUP:{ROBOT_WARMUP}", str(folder / "loop.robot")]
    launched = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=ROBOT_TIMEOUT, check=False)
    ended = time.monotonic()
    if result.returncode != 0:
        raise RuntimeError(f"the Robot run failed (exit code {result.returncode}):\n{result.stdout}{result.stderr}")
    marks = {}
    for line in marks_path.read_text(encoding="utf-8").splitlines():
        name, value = line.split("\t")
        marks[name] = float(value)
    text = output.read_text(encoding="utf-8")
    return RobotRun(loglevel, launched, marks, ended, output.stat().st_size, loop_bytes(text))


def api_loop(lib: UdsLibrary, vin: str) -> float:
    """Seconds per call of ROBOT_CALLS `read_did('VIN')` calls (the loop total, as in the Robot run)."""
    start = time.perf_counter()
    for _ in range(ROBOT_CALLS):
        if lib.read_did("VIN") != vin:
            raise AssertionError("read_did('VIN') returned an unexpected value")
    return (time.perf_counter() - start) / ROBOT_CALLS


def bench_robot(lib: UdsLibrary, vin: str, folder: Path) -> None:
    heading(f"2. Robot overhead: {ROBOT_CALLS} `Read DID    VIN` keyword calls in a Robot run (subprocess, "
            f"timed inside the run) vs {ROBOT_CALLS} API calls here; {ROBOT_ROUNDS} interleaved rounds")
    (folder / "loop.robot").write_text(ROBOT_SUITE, encoding="utf-8")
    (folder / "BenchClock.py").write_text(BENCH_CLOCK, encoding="utf-8")
    counter = [0]
    results: dict[str, list[Any]] = interleaved(ROBOT_ROUNDS, {
        "api": lambda: api_loop(lib, vin),
        "INFO": lambda: run_robot(folder, "INFO", counter),
        "WARN": lambda: run_robot(folder, "WARN", counter),
    })
    api: list[float] = results["api"]
    info: list[RobotRun] = results["INFO"]
    warn: list[RobotRun] = results["WARN"]
    rows = [["Python API, read_did('VIN')", us(median(api)), "-", "-", "-", "-", "-"]]
    for level, runs in (("INFO", info), ("WARN", warn)):
        ratio = median([r.per_call / a for r, a in zip(runs, api, strict=True)])
        rows.append([f"Robot --loglevel {level}, Read DID    VIN", us(median([r.per_call for r in runs])),
                     f"{ratio:.2f}", us(median([r.baseline_per_call for r in runs])),
                     f"{median([r.loop_bytes / ROBOT_CALLS for r in runs]):.0f} B",
                     f"{median([r.output_bytes for r in runs]) / 1024:.0f} kB",
                     " / ".join(f"{median([getattr(r, part) for r in runs]) * 1e3:.0f} ms"
                                for part in ("startup", "open_time", "tail"))])
    print(table(["calls", "per call", "ratio to API", "No Operation per iteration", "output.xml per call",
                 "output.xml", "start-up / open / tail"], rows))
    print("start-up: process launch to Suite Setup; open: Open UDS Connection; tail: Suite Teardown to process "
          "exit (output.xml written; log and report off).")
    for level, runs in (("INFO", info), ("WARN", warn)):
        ratio = median([r.per_call / a for r, a in zip(runs, api, strict=True)])
        cost = median([r.per_call - a for r, a in zip(runs, api, strict=True)])
        target = f"<= {ROBOT_TARGET:g}" if level == "INFO" else "-"
        summary.append(["2", f"{ROBOT_CALLS} Read DID in Robot (--loglevel {level}) / {ROBOT_CALLS} API calls",
                        f"{ratio:.2f}", target, verdict(ratio <= ROBOT_TARGET) if level == "INFO" else "-"])
        summary.append(["2", f"per-keyword cost (Robot - API per call), --loglevel {level}", us(cost), "-", "-"])
    summary.append(["2", "Robot's own cost per FOR iteration with No Operation (INFO)",
                    us(median([r.baseline_per_call for r in info])), "-", "-"])
    summary.append(["2", "output.xml per Read DID call, INFO / WARN",
                    f"{median([r.loop_bytes / ROBOT_CALLS for r in info]):.0f} / "
                    f"{median([r.loop_bytes / ROBOT_CALLS for r in warn]):.0f} B", "-", "-"])
    summary.append(["2", "Robot start-up: process launch to Suite Setup (INFO runs)",
                    f"{median([r.startup for r in info]) * 1e3:.0f} ms", "-", "-"])


def profile_robot(folder: Path) -> None:
    """cProfile of a Robot run in this process (`robot.run`), the top functions by cumulative time."""
    import robot

    heading(f"Profile: {ROBOT_CALLS} Read DID keyword calls, Robot in-process under cProfile (--loglevel INFO)")
    (folder / "loop.robot").write_text(ROBOT_SUITE, encoding="utf-8")
    (folder / "BenchClock.py").write_text(BENCH_CLOCK, encoding="utf-8")
    bench = write_bench(folder, "lib-profile")
    profiler = cProfile.Profile()
    stdout = io.StringIO()
    profiler.enable()
    rc = robot.run(str(folder / "loop.robot"), test="Read VIN In A Loop", output=str(folder / "profile.xml"),
                   log="NONE", report="NONE", pythonpath=[str(folder)], stdout=stdout, stderr=stdout,
                   variable=[f"BENCH:{bench}", f"MARKS:{folder / 'profile-marks.txt'}", f"CALLS:{ROBOT_CALLS}"])
    profiler.disable()
    if rc != 0:
        raise RuntimeError(f"the profiled Robot run failed:\n{stdout.getvalue()}")
    stats = pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative")
    stats.print_stats(r"UdsLibrary|robotlibcore|robot/running|robot/output|robot/model", 45)


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    start = time.perf_counter()
    desc = load_ecu_description(DEMO_ECU)
    vin = desc.did(0xF190).initial.decode("ascii")
    vin_response = b"\x62\xf1\x90" + desc.did(0xF190).initial
    print("Keyword library benchmark: ratios against baselines measured in this run (interleaved rounds, medians).")
    print("python-can virtual bus, tester and ECU in one process; the machine is shared: differences under "
          "~10 % are noise.")
    with tempfile.TemporaryDirectory(prefix="uds-bench-") as temp, ExitStack() as stack:
        folder = Path(temp)
        lib = UdsLibrary()
        lib.open_uds_connection(str(write_bench(folder, "lib-api")))
        stack.callback(lib.close_all_uds_connections)
        bench_api(lib, desc.addressing, vin, vin_response)
        bench_robot(lib, vin, folder)
        if "--profile" in sys.argv[1:]:
            profile_robot(folder)
    heading("Summary")
    print(table(["#", "figure", "measured", "target", ""], summary))
    print(f"\ntotal time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
