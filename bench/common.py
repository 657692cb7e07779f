"""Shared helpers of the benchmarks: the ECUs under test, two testers, a frame injector, statistics.

Every figure a benchmark prints is a ratio against a baseline measured in the same process, in
interleaved rounds (A, B, A, B... with the order rotated every round), reported as medians: the
machines these run on are small and shared, so absolute times mean little.

Layout: one python-can `virtual` channel per setup (a fresh uuid), the ECU on its own Bus instance,
the tester on another, an injector (if any) on a third. Instances on the same virtual channel see each
other's frames; nothing is shared between setups.
"""

from __future__ import annotations

import collections
import math
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import can
import isotp
import udsoncan
import udsoncan.configs
from udsoncan.client import Client
from udsoncan.connections import PythonIsoTpConnection

from UdsLibrary.description.model import Addressing, EcuDescription
from UdsLibrary.simulator import EcuSimulator
from UdsLibrary.simulator.runtime import Server, SimulatorRuntime
from UdsLibrary.transport.addressing import isotp_params, tester_addresses
from UdsLibrary.transport.wire import WireTimedBus

REPO = Path(__file__).resolve().parents[1]
DEMO_ECU = REPO / "resources" / "ecus" / "demo_ecu.yaml"
VIN_REQUEST = bytes.fromhex("22 F1 90")
BULK_REQUEST = bytes.fromhex("22 D1 00")
STACK_READ_TIMEOUT = 0.05  # isotp's threaded stacks: stop() waits about this long (notes, pitfall 5)

T = TypeVar("T")


def unique_channel(tag: str) -> str:
    return f"bench-{tag}-{uuid.uuid4().hex[:12]}"


def open_bus(channel: str, wire_bitrate: int | None = None) -> can.BusABC:
    """A new `virtual` Bus instance on `channel`; with `wire_bitrate`, wrapped in a `WireTimedBus` whose
    wire clock is named after the channel, so every wrapper on the channel shares one wire."""
    bus = can.Bus(interface="virtual", channel=channel)
    if wire_bitrate:
        return WireTimedBus(bus, wire_bitrate, wire=channel)
    return bus


# ---------------------------------------------------------------------------------------------- ECUs
class EcuUnderTest:
    """An ECU on its own Bus instance: `EcuSimulator` (from a description) or any server run by
    `SimulatorRuntime` (e.g. a `CannedResponder`). Exposes the CPU clock of the runtime's thread."""

    def __init__(self, label: str, channel: str, *, description: EcuDescription | None = None,
                 server: Server | None = None, wire_bitrate: int | None = None) -> None:
        if (description is None) == (server is None):
            raise ValueError("give either a description (EcuSimulator) or a server (SimulatorRuntime)")
        self.label = label
        self.channel = channel
        self.bus = open_bus(channel, wire_bitrate)
        self._runner: EcuSimulator | SimulatorRuntime
        if description is not None:
            simulator = EcuSimulator([description], self.bus)
            self.server: Any = simulator.ecu
            self._runner = simulator
        else:
            self.server = server
            self._runner = SimulatorRuntime(self.bus, [server], name=f"uds-sim {label}")  # type: ignore[list-item]
        self.thread: threading.Thread | None = None
        self._cpu_clock: int | None = None

    def start(self) -> EcuUnderTest:
        before = set(threading.enumerate())
        self._runner.start()
        started = [t for t in threading.enumerate() if t not in before and t.name.startswith("uds-sim")]
        if len(started) != 1:
            raise RuntimeError(f"expected one new simulator thread, found {[t.name for t in started]}")
        self.thread = started[0]
        self._cpu_clock = time.pthread_getcpuclockid(self.thread.ident)  # type: ignore[arg-type]
        return self

    def cpu_ns(self) -> int:
        """CPU time (user + system) the runtime thread has used so far, in ns (CLOCK_THREAD_CPUTIME_ID)."""
        if self._cpu_clock is None:
            raise RuntimeError("the ECU is not running")
        return time.clock_gettime_ns(self._cpu_clock)

    def stop(self) -> None:
        self._runner.stop()
        self._cpu_clock = None
        self.bus.shutdown()


class HandleTimer:
    """Context manager: wraps `server.handle` to record the wall time of every call (ns) in the
    runtime thread. The runtime calls `self.server.handle`, so an instance attribute replaces it."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.durations: list[int] = []

    def __enter__(self) -> HandleTimer:
        original = self.server.handle
        durations = self.durations
        clock = time.perf_counter_ns

        def timed(request: bytes, functional: bool = False) -> list[bytes]:
            start = clock()
            out = original(request, functional)
            durations.append(clock() - start)
            return out

        self.server.handle = timed
        return self

    def __exit__(self, *exc: object) -> None:
        del self.server.handle  # the class's method again


# ---------------------------------------------------------------------------------------------- testers
class LeanTester:
    """can-isotp's thread-less `TransportLayerLogic`, driven in the caller's thread on its own Bus
    instance: `bus.recv(timeout)` blocks until a frame arrives, frames for our response id are fed to
    the layer, error and remote frames are dropped without any pause. No thread hand-off at all."""

    def __init__(self, channel: str, addressing: Addressing, *, wire_bitrate: int | None = None,
                 **isotp_overrides: Any) -> None:
        self.bus = open_bus(channel, wire_bitrate)
        physical, _ = tester_addresses(addressing)
        self._rx_id = addressing.response_id
        self._rx: collections.deque[isotp.CanMessage] = collections.deque()
        self.isotp_errors = 0
        params = isotp_params(addressing, **{"blocksize": 0, "stmin": 0, **isotp_overrides})
        self.layer = isotp.TransportLayerLogic(rxfn=self._read, txfn=self._send, address=physical,
                                               params=params, error_handler=self._error)

    def _read(self, timeout: float = 0.0) -> isotp.CanMessage | None:
        return self._rx.popleft() if self._rx else None

    def _send(self, msg: isotp.CanMessage) -> None:
        self.bus.send(can.Message(arbitration_id=msg.arbitration_id, data=msg.data,
                                  is_extended_id=msg.is_extended_id, is_fd=msg.is_fd,
                                  bitrate_switch=msg.bitrate_switch))

    def _error(self, error: Exception) -> None:
        self.isotp_errors += 1

    def _accept(self, msg: can.Message | None) -> bool:
        if msg is None or msg.is_error_frame or msg.is_remote_frame or msg.arbitration_id != self._rx_id:
            return False
        self._rx.append(isotp.CanMessage(arbitration_id=msg.arbitration_id, data=msg.data,
                                         extended_id=msg.is_extended_id, is_fd=msg.is_fd,
                                         bitrate_switch=msg.bitrate_switch))
        return True

    def request(self, payload: bytes, timeout: float = 1.0) -> bytes:
        """Send one (single-frame) request and return the complete response."""
        layer, bus = self.layer, self.bus
        layer.send(payload)
        layer.process()
        deadline = time.perf_counter() + timeout
        while not layer.available():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no response to {payload.hex(' ')} within {timeout} s")
            got = self._accept(bus.recv(remaining))
            msg = bus.recv(0) if got else None
            while msg is not None:  # batch what is already queued
                self._accept(msg)
                msg = bus.recv(0)
            if got or self._rx:
                layer.process()
        return bytes(layer.recv())  # type: ignore[arg-type]

    def close(self) -> None:
        self.bus.shutdown()


class UdsoncanTester:
    """A stock udsoncan client: `Client` over `PythonIsoTpConnection` over a threaded `isotp.CanStack`
    on its own Bus instance, as udsoncan documents it. `sleep_fix` applies `set_sleep_timing(0, 0)`
    (without it, CanStack sleeps 20 ms after every error or remote frame: notes, pitfall 1)."""

    def __init__(self, channel: str, addressing: Addressing, *, sleep_fix: bool = False,
                 request_timeout: float = 2.0) -> None:
        self.bus = can.Bus(interface="virtual", channel=channel)
        physical, _ = tester_addresses(addressing)
        self.stack = isotp.CanStack(self.bus, address=physical,
                                    params=isotp_params(addressing, blocksize=0, stmin=0),
                                    read_timeout=STACK_READ_TIMEOUT)
        if sleep_fix:
            self.stack.set_sleep_timing(0, 0)
        config: dict[str, Any] = dict(udsoncan.configs.default_client_config)
        config.update({"data_identifiers": {0xF190: udsoncan.AsciiCodec(17)}, "request_timeout": request_timeout})
        self.client = Client(PythonIsoTpConnection(self.stack), config=config)  # type: ignore[arg-type]
        self.client.open()

    def read_did(self, did: int) -> bytes:
        response = self.client.read_data_by_identifier(did)
        return bytes(response.original_payload)  # type: ignore[union-attr, arg-type]

    def close(self) -> None:
        self.client.close()
        self.bus.shutdown()


class FrameInjector:
    """A third Bus instance on the channel that, while `active` is set, sends a remote frame on
    `remote_id` and an error frame every `period` seconds."""

    def __init__(self, channel: str, remote_id: int, period: float = 0.005) -> None:
        self.bus = can.Bus(interface="virtual", channel=channel)
        self.remote_id = remote_id
        self.period = period
        self.active = threading.Event()
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-injector", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        remote = can.Message(arbitration_id=self.remote_id, is_remote_frame=True, is_extended_id=False)
        error = can.Message(is_error_frame=True)
        due = time.perf_counter()
        while not self._stop.is_set():
            if self.active.is_set():
                self.bus.send(remote)
                self.bus.send(error)
                self.sent += 2
            due += self.period
            now = time.perf_counter()
            if due < now:
                due = now
            self._stop.wait(due - now)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1.0)
        self.bus.shutdown()


# ---------------------------------------------------------------------------------------------- rounds
@dataclass
class RoundResult:
    """One round of calls of one condition."""

    samples: list[float] = field(default_factory=list)  # seconds per successful call
    attempts: list[float] = field(default_factory=list)  # seconds per call, failed ones included
    errors: int = 0
    elapsed: float = 0.0
    ecu_cpu: float | None = None  # seconds of CPU of the ECU's runtime thread during the round
    tester_cpu: float = 0.0  # seconds of CPU of the calling (tester) thread during the round

    @property
    def calls(self) -> int:
        return len(self.attempts)

    @property
    def rate(self) -> float:
        return self.calls / self.elapsed if self.elapsed else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan


def measure(call: Callable[[], bytes], expected: bytes, n: int, *, ecu: EcuUnderTest | None = None,
            allow_errors: bool = False, budget: float | None = None) -> RoundResult:
    """Run `call` `n` times (or until `budget` seconds have passed), checking every response."""
    result = RoundResult()
    ecu_start = ecu.cpu_ns() if ecu is not None else 0
    tester_start = time.thread_time_ns()
    clock = time.perf_counter
    start = clock()
    for _ in range(n):
        t0 = clock()
        try:
            response = call()
        except Exception:
            if not allow_errors:
                raise
            result.errors += 1
            result.attempts.append(clock() - t0)
        else:
            t1 = clock()
            if response != expected:
                raise AssertionError(f"unexpected response {response[:8].hex(' ')}... ({len(response)} bytes)")
            result.samples.append(t1 - t0)
            result.attempts.append(t1 - t0)
        if budget is not None and clock() - start > budget:
            break
    result.elapsed = clock() - start
    result.tester_cpu = (time.thread_time_ns() - tester_start) / 1e9
    if ecu is not None:
        result.ecu_cpu = (ecu.cpu_ns() - ecu_start) / 1e9
    return result


def interleaved(rounds: int, runs: dict[str, Callable[[], T]]) -> dict[str, list[T]]:
    """Run every condition once per round, rotating the order each round (AB, BA / ABC, BCA, CAB...)."""
    names = list(runs)
    out: dict[str, list[T]] = {name: [] for name in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            out[name].append(runs[name]())
    return out


# ---------------------------------------------------------------------------------------------- statistics
def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def pooled(results: Sequence[RoundResult], attr: str = "samples") -> list[float]:
    return [value for result in results for value in getattr(result, attr)]


def paired_ratio(a: Sequence[RoundResult], b: Sequence[RoundResult],
                 key: Callable[[RoundResult], float] = lambda r: r.median) -> float:
    """Median over rounds of key(a[i]) / key(b[i]): rounds i of a and b ran next to each other."""
    return median([key(x) / key(y) for x, y in zip(a, b, strict=True)])


def per_call(results: Sequence[RoundResult], attr: str) -> float:
    """Median over rounds of (attribute per round) / calls, e.g. ECU CPU seconds per request."""
    return median([getattr(r, attr) / r.calls for r in results if r.calls])


# ---------------------------------------------------------------------------------------------- output
def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} us"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [" | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)
