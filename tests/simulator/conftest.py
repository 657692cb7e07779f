"""Harness for the conformance-catalogue tests against the simulated ECU.

The tests drive the simulator with plain can-isotp (raw UDS bytes) and with a plain udsoncan client,
never with the project's own keyword library, so they check the simulator against the catalogue
(/work/shared/spec/conformance-catalogue.md) and not against itself.

Layout on one python-can ``virtual`` channel per test (a fresh uuid, so tests never see each other):

- the simulator on its own ``can.Bus`` instance;
- the tester on another ``can.Bus`` instance (``receive_own_messages=True`` so that the raw-frame
  monitor also records the tester's requests with their send timestamps), with ONE ``can.Notifier``
  feeding two ``isotp.NotifierBasedCanStack``s (physical 0x7E0/0x7E8, functional 0x7DF for sending
  only) and a raw-frame monitor.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Any

import can
import isotp
import pytest
import udsoncan
import yaml
from udsoncan.client import Client
from udsoncan.connections import PythonIsoTpConnection

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # UdsLibrary from the checkout, also when the venv has no editable install
    sys.path.insert(0, str(ROOT))
DEMO_ECU = ROOT / "resources" / "ecus" / "demo_ecu.yaml"

PHYS_REQ_ID = 0x7E0
RESP_ID = 0x7E8
FUNC_REQ_ID = 0x7DF
UNUSED_RX_ID = 0x7FF  # the functional stack only sends; it listens on an id nobody uses
APP_FRAME_ID = 0x123  # normal application frame, period 100 ms
NM_FRAME_ID = 0x510  # network-management frame, period 200 ms
PADDING = 0xAA

VIN = b"WVWZZZ1JZXW000001"
SERIAL = b"SN00000042"
SECURED_0101 = bytes.fromhex("DE AD BE EF")
SECRET = bytes.fromhex("A5 A5 A5 A5")

DTC_A = 0x012345
DTC_B = 0xC00112
DTC_X = 0x9A0B13  # "C" in the catalogue profile; the DTC used for "inject fault X" in the 0x85 cases

ISOTP_PARAMS: dict[str, Any] = {
    "tx_padding": PADDING,
    "blocksize": 0,
    "stmin": 0,
    "rx_flowcontrol_timeout": 1000,
    "rx_consecutive_frame_timeout": 1000,
    "max_frame_size": 4095,
}

# erase through RID FF00: ALFID 0x44, address 0x00010000, size 0x00010000 (or 0x00060000 for TC3607)
ERASE_OPTION = "44 00 01 00 00 00 01 00 00"
ERASE_REQUEST = "31 01 FF 00 " + ERASE_OPTION
ERASE_OK = "71 01 FF 00 00"
FLASH_START = 0x00010000
BLOCK = 1024  # payload bytes per TransferData (maxNumberOfBlockLength 0x0402 - SID - BSC)


# --------------------------------------------------------------------------------------------
# timing of the demo ECU, read from its description (not from the simulator) per profile


@dataclass(frozen=True)
class Timing:
    """Server timers of one profile of the demo ECU, in seconds."""

    p2: float
    p2_star: float
    s3: float
    reset: float
    security_delay: float
    erase: float

    def dsc(self, session: int) -> bytes:
        """The expected positive DiagnosticSessionControl response for ``session``."""
        p2_ms = round(self.p2 * 1000)
        p2_star_10ms = round(self.p2_star * 100)
        return bytes([0x50, session]) + p2_ms.to_bytes(2, "big") + p2_star_10ms.to_bytes(2, "big")


def _load_timing(profile: str | None) -> Timing:
    doc = yaml.safe_load(DEMO_ECU.read_text(encoding="utf-8"))
    timing = dict(doc["timing"])
    levels = {lvl["level"]: dict(lvl) for lvl in doc["security"]["levels"]}
    routines = {r["id"]: dict(r) for r in doc["routines"]}
    if profile is not None:
        over = doc["profiles"][profile]
        timing.update(over.get("timing", {}))
        for lvl in over.get("security", {}).get("levels", []):
            levels[lvl["level"]].update(lvl)
        for r in over.get("routines", []):
            routines[r["id"]].update(r)
    return Timing(
        p2=timing["p2_ms"] / 1000,
        p2_star=timing["p2_star_ms"] / 1000,
        s3=timing["s3_ms"] / 1000,
        reset=timing["reset_ms"] / 1000,
        security_delay=levels[0x01]["delay_ms"] / 1000,
        erase=routines[0xFF00]["duration_ms"] / 1000,
    )


REF = _load_timing(None)
CI = _load_timing("ci")


# --------------------------------------------------------------------------------------------
# byte helpers


def hexb(text: str) -> bytes:
    """``"22 F1 90"`` -> ``b"\\x22\\xf1\\x90"``."""
    return bytes.fromhex(text)


def as_bytes(data: str | bytes | bytearray) -> bytes:
    return hexb(data) if isinstance(data, str) else bytes(data)


def hx(data: bytes | bytearray | None) -> str:
    """Readable hex for assertion messages (long payloads shortened)."""
    if data is None:
        return "<no response>"
    text = bytes(data).hex(" ").upper()
    return text if len(data) <= 40 else f"{bytes(data[:24]).hex(' ').upper()} ... ({len(data)} bytes)"


def key_for(seed: bytes) -> bytes:
    """The test algorithm of the reference profile: key = seed XOR A5A5A5A5."""
    return bytes(s ^ k for s, k in zip(seed, cycle(SECRET)))


def wrong_key_for(seed: bytes) -> bytes:
    key = key_for(seed)
    return bytes([key[0] ^ 0xFF]) + key[1:]


def assert_response(resp: bytes | None, expected: str | bytes, what: str = "") -> None:
    exp = as_bytes(expected)
    assert resp == exp, f"{what}: expected {hx(exp)}, got {hx(resp)}"


def assert_prefix(resp: bytes | None, prefix: str | bytes, what: str = "") -> None:
    exp = as_bytes(prefix)
    assert resp is not None and resp[: len(exp)] == exp, f"{what}: expected {hx(exp)} ..., got {hx(resp)}"


def assert_seed(resp: bytes | None, level: int) -> bytes:
    """``67 <level> <seed≠0>``: a 4-byte seed, not all zero. Returns the seed."""
    ok = resp is not None and resp[:2] == bytes([0x67, level])
    assert ok, f"expected 67 {level:02X} <seed>, got {hx(resp)}"
    assert resp is not None
    seed = resp[2:]
    assert len(seed) == 4, f"expected a 4-byte seed, got {hx(resp)}"
    assert seed != b"\x00" * 4, f"expected a non-zero seed (locked), got {hx(resp)}"
    return seed


def parse_dtc_records(resp: bytes, sid_sf: bytes = b"\x59\x02") -> dict[int, int]:
    """``59 02 SAM (DTC3 status)*`` -> {dtc: status}; asserts the framing."""
    assert resp[:2] == sid_sf, f"expected {hx(sid_sf)} ..., got {hx(resp)}"
    body = resp[3:]
    assert len(body) % 4 == 0, f"DTC records not a multiple of 4 bytes: {hx(resp)}"
    return {int.from_bytes(body[i : i + 3], "big"): body[i + 3] for i in range(0, len(body), 4)}


# --------------------------------------------------------------------------------------------
# raw CAN frames


class FrameMonitor(can.Listener):
    """Records every frame seen on the tester's Bus (ECU frames and the tester's own) with timestamps."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frames: list[can.Message] = []

    def on_message_received(self, msg: can.Message) -> None:
        with self._lock:
            self._frames.append(msg)

    def frames(self, arbitration_id: int | None = None, since: float | None = None,
               until: float | None = None) -> list[can.Message]:
        with self._lock:
            frames = list(self._frames)
        return [
            m for m in frames
            if (arbitration_id is None or m.arbitration_id == arbitration_id)
            and (since is None or m.timestamp > since)
            and (until is None or m.timestamp <= until)
        ]

    def wait_for(self, arbitration_id: int, since: float, timeout: float) -> can.Message | None:
        """The first frame with this id after ``since``, waiting up to ``timeout`` from now."""
        deadline = time.time() + timeout
        while True:
            found = self.frames(arbitration_id, since=since)
            if found:
                return found[0]
            if time.time() >= deadline:
                return None
            time.sleep(0.005)

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()


def padding_errors(frames: list[can.Message], padding: int = PADDING) -> list[str]:
    """Checks classic-CAN ISO-TP frames of one sender: DLC 8 and padding bytes = ``padding``."""
    errors: list[str] = []
    remaining = 0
    for m in frames:
        data = bytes(m.data)
        if len(data) != 8:
            errors.append(f"{m.arbitration_id:03X} {hx(data)}: DLC {len(data)} (padding on = DLC 8)")
            continue
        pci = data[0] >> 4
        if pci == 0:
            used = 1 + (data[0] & 0x0F)
        elif pci == 1:
            remaining = (((data[0] & 0x0F) << 8) | data[1]) - 6
            used = 8
        elif pci == 2:
            used = 1 + min(7, remaining)
            remaining -= used - 1
        else:
            used = 3
        if any(b != padding for b in data[used:]):
            errors.append(f"{m.arbitration_id:03X} {hx(data)}: bytes after {used} are not {padding:02X}")
    return errors


# --------------------------------------------------------------------------------------------
# the tester


@dataclass
class Exchange:
    """One request and every response to it (following 0x78 chains)."""

    request: bytes
    t_send: float  # time.time() just before the request was handed to ISO-TP
    responses: list[tuple[float, bytes]] = field(default_factory=list)  # (time.time() at reception, payload)
    tx_frame_time: float | None = None  # bus timestamp of the request's last frame (end of the request)
    rx_frame_times: list[float] = field(default_factory=list)  # bus timestamps of the responses' first frames

    @property
    def final(self) -> bytes | None:
        return self.responses[-1][1] if self.responses else None

    @property
    def pending(self) -> list[tuple[float, bytes]]:
        return [(t, r) for t, r in self.responses if len(r) == 3 and r[0] == 0x7F and r[2] == 0x78]


class Tester:
    """A plain ISO-TP tester: raw UDS bytes on 0x7E0 / 0x7DF, responses on 0x7E8."""

    __test__ = False  # not a pytest test class

    def __init__(self, channel: str) -> None:
        self.bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=True)
        self.notifier = can.Notifier(self.bus, [], timeout=0.05)
        self.monitor = FrameMonitor()
        self.notifier.add_listener(self.monitor)
        self.phys = isotp.NotifierBasedCanStack(
            self.bus, self.notifier,
            address=isotp.Address(isotp.AddressingMode.Normal_11bits, txid=PHYS_REQ_ID, rxid=RESP_ID),
            params=dict(ISOTP_PARAMS), read_timeout=0.05,
        )
        self.func = isotp.NotifierBasedCanStack(
            self.bus, self.notifier,
            address=isotp.Address(isotp.AddressingMode.Normal_11bits, txid=FUNC_REQ_ID, rxid=UNUSED_RX_ID),
            params=dict(ISOTP_PARAMS), read_timeout=0.05,
        )
        for stack in (self.phys, self.func):
            if hasattr(stack, "set_sleep_timing"):
                stack.set_sleep_timing(0, 0)
            stack.start()

    def close(self) -> None:
        for stack in (self.func, self.phys):
            with contextlib.suppress(Exception):  # teardown must go on
                stack.stop()
        self.notifier.stop(timeout=0.2)
        self.bus.shutdown()

    # --- raw ISO-TP

    def drain(self) -> list[bytes]:
        """Removes (and returns) responses nobody waited for."""
        stale: list[bytes] = []
        while True:
            frame = self.phys.recv(block=False)
            if frame is None:
                return stale
            stale.append(bytes(frame))

    def send(self, stimulus: str | bytes, functional: bool = False) -> float:
        """Sends one request; returns time.time() just before the send."""
        data = as_bytes(stimulus)
        t = time.time()
        if functional:
            self.func.send(data, target_address_type=isotp.TargetAddressType.Functional)
        else:
            self.phys.send(data)
        return t

    def recv(self, timeout: float = 0.5) -> bytes | None:
        frame = self.phys.recv(block=True, timeout=timeout)
        return None if frame is None else bytes(frame)

    def request(self, stimulus: str | bytes, functional: bool = False, timeout: float = 0.5) -> bytes | None:
        """Sends a request and returns the first response (None if nothing came within ``timeout``)."""
        self.drain()
        self.send(stimulus, functional)
        return self.recv(timeout)

    def exchange(self, stimulus: str | bytes, functional: bool = False, *, p2_star: float = REF.p2_star,
                 first_timeout: float = 1.0, margin: float = 0.5, max_pending: int = 200) -> Exchange:
        """Sends a request and follows 0x78 chains up to the final response.

        The first response is awaited ``first_timeout``, each next one ``p2_star + margin`` (the checks
        of the actual P2 / P2* spacing are left to the test: see ``Exchange``).
        """
        self.drain()
        data = as_bytes(stimulus)
        ex = Exchange(request=data, t_send=self.send(data, functional))
        timeout = first_timeout
        while len(ex.responses) <= max_pending:
            resp = self.recv(timeout)
            if resp is None:
                break
            ex.responses.append((time.time(), resp))
            if not (len(resp) == 3 and resp[0] == 0x7F and resp[2] == 0x78):
                break
            timeout = p2_star + margin
        req_id = FUNC_REQ_ID if functional else PHYS_REQ_ID
        time.sleep(0.01)  # let the notifier deliver the last frames to the monitor
        # starts of the response messages (SF or FF; not the ECU's flow control to a multi-frame request)
        rx = [m for m in self.monitor.frames(RESP_ID, since=ex.t_send) if m.data[0] >> 4 in (0, 1)]
        ex.rx_frame_times = [m.timestamp for m in rx]
        # end of the request: its last frame before the first response
        until = rx[0].timestamp if rx else None
        tx = [m for m in self.monitor.frames(req_id, since=ex.t_send, until=until) if m.data[0] >> 4 != 3]
        ex.tx_frame_time = tx[-1].timestamp if tx else None
        return ex

    def expect_silence(self, stimulus: str | bytes, functional: bool = False, window: float = 0.15) -> None:
        """Asserts that the ECU sends nothing within ``window`` after the request."""
        self.drain()
        self.send(stimulus, functional)
        resp = self.recv(window)
        assert resp is None, f"expected no response to {hx(as_bytes(stimulus))}, got {hx(resp)}"

    def expect(self, stimulus: str | bytes, expected: str | bytes, functional: bool = False,
               timeout: float = 0.5) -> bytes:
        resp = self.request(stimulus, functional, timeout)
        assert_response(resp, expected, hx(as_bytes(stimulus)))
        assert resp is not None
        return resp

    def expect_prefix(self, stimulus: str | bytes, prefix: str | bytes, functional: bool = False,
                      timeout: float = 0.5) -> bytes:
        resp = self.request(stimulus, functional, timeout)
        assert_prefix(resp, prefix, hx(as_bytes(stimulus)))
        assert resp is not None
        return resp


# --------------------------------------------------------------------------------------------
# sequences used as preconditions


def to_extended(tester: Tester, timing: Timing = REF) -> None:
    tester.expect("10 03", timing.dsc(0x03))


def unlock(tester: Tester, level: int = 0x01) -> None:
    """requestSeed ``level`` and sendKey ``level + 1`` with the right key."""
    seed = assert_seed(tester.request(bytes([0x27, level])), level)
    tester.expect(bytes([0x27, level + 1]) + key_for(seed), bytes([0x67, level + 1]))


def to_programming(tester: Tester, timing: Timing = REF, do_unlock: bool = True) -> None:
    """``10 03``, ``10 02`` and (``do_unlock``) ``27 11`` / ``27 12 <key>``: PRG U11 (or PRG L)."""
    tester.expect("10 03", timing.dsc(0x03))
    tester.expect("10 02", timing.dsc(0x02))
    if do_unlock:
        unlock(tester, 0x11)


def erase(tester: Tester, timing: Timing, option: str = ERASE_OPTION) -> Exchange:
    """RoutineControl start FF00 (eraseMemory): 0x78 ... then ``71 01 FF 00 00``."""
    ex = tester.exchange("31 01 FF 00 " + option, p2_star=timing.p2_star)
    assert_response(ex.final, ERASE_OK, "erase (31 01 FF 00)")
    return ex


def prepare_download(tester: Tester, timing: Timing, option: str = ERASE_OPTION) -> None:
    """The common precondition of section 13: PRG U11, then erase through RID FF00."""
    to_programming(tester, timing)
    erase(tester, timing, option)


def request_download(tester: Tester, size: int, address: int = FLASH_START) -> None:
    tester.expect(b"\x34\x00\x44" + address.to_bytes(4, "big") + size.to_bytes(4, "big"), "74 20 04 02")


def block_data(counter: int, length: int = BLOCK) -> bytes:
    return bytes((counter + i) & 0xFF for i in range(length))


def transfer(tester: Tester, counter: int, length: int = BLOCK) -> bytes | None:
    return tester.request(bytes([0x36, counter & 0xFF]) + block_data(counter, length), timeout=2.0)


def transfer_all(tester: Tester, size: int) -> int:
    """TransferData for ``size`` bytes in blocks of 1024; returns the last block sequence counter."""
    counter = 0
    sent = 0
    while sent < size:
        counter = (counter + 1) & 0xFF
        length = min(BLOCK, size - sent)
        assert_response(transfer(tester, counter, length), bytes([0x76, counter]), f"36 {counter:02X}")
        sent += length
    return counter


def keep_alive(tester: Tester, duration: float, period: float, functional: bool = False) -> None:
    """``3E 80`` every ``period`` for ``duration``; each must stay unanswered."""
    end = time.monotonic() + duration
    while True:
        start = time.monotonic()
        tester.expect_silence("3E 80", functional=functional, window=min(0.15, period / 2))
        if start + period >= end:
            break
        time.sleep(max(0.0, period - (time.monotonic() - start)))
    time.sleep(max(0.0, end - time.monotonic()))


def app_frames_stopped(monitor: FrameMonitor, since: float, window: float = 0.3,
                       arbitration_id: int = APP_FRAME_ID) -> list[can.Message]:
    """Waits until ``since + window`` and returns the frames with this id sent after ``since``."""
    time.sleep(max(0.0, since + window - time.time()))
    return monitor.frames(arbitration_id, since=since)


def app_frame_resumed(monitor: FrameMonitor, since: float, window: float = 0.3,
                      arbitration_id: int = APP_FRAME_ID) -> can.Message | None:
    """The first frame with this id within ``window`` after ``since``."""
    msg = monitor.wait_for(arbitration_id, since=since, timeout=max(0.0, since + window - time.time()))
    return msg if msg is not None and msg.timestamp <= since + window else None


def last_frame_time(monitor: FrameMonitor, arbitration_id: int = RESP_ID) -> float:
    time.sleep(0.01)
    frames = monitor.frames(arbitration_id)
    assert frames, f"no frame with id {arbitration_id:03X} seen"
    return frames[-1].timestamp


# --------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture
def channel() -> str:
    return f"uds-sim-{uuid.uuid4().hex}"


def _start_sim(channel: str, profile: str | None) -> tuple[Any, can.BusABC]:
    from UdsLibrary.simulator import EcuSimulator

    bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
    try:
        sim = EcuSimulator.from_file(str(DEMO_ECU), bus=bus, profile=profile)
        sim.start()
    except BaseException:
        bus.shutdown()
        raise
    return sim, bus


def _stop_sim(sim: Any, bus: can.BusABC) -> None:
    try:
        sim.stop()
    finally:
        bus.shutdown()


@pytest.fixture
def sim(channel: str) -> Iterator[Any]:
    """The demo ECU with the reference profile (the catalogue's SIM-1 timings)."""
    s, bus = _start_sim(channel, None)
    yield s
    _stop_sim(s, bus)


@pytest.fixture
def sim_ci(channel: str) -> Iterator[Any]:
    """The demo ECU with the ``ci`` profile (short timers)."""
    s, bus = _start_sim(channel, "ci")
    yield s
    _stop_sim(s, bus)


@pytest.fixture
def tester(channel: str) -> Iterator[Tester]:
    t = Tester(channel)
    yield t
    t.close()


def _security_algo(level: int, seed: bytes, params: Any = None) -> bytes:
    return key_for(seed)


class _RawCodec(udsoncan.DidCodec):
    def __init__(self, length: int) -> None:
        self.length = length

    def encode(self, *did_value: Any) -> bytes:
        return bytes(did_value[0])

    def decode(self, did_payload: bytes) -> bytes:
        return bytes(did_payload)

    def __len__(self) -> int:
        return self.length


def uds_config(p2_star: float = REF.p2_star) -> dict[str, Any]:
    config: dict[str, Any] = dict(udsoncan.configs.default_client_config)
    config.update({
        "security_algo": _security_algo,
        "data_identifiers": {
            0xF190: udsoncan.AsciiCodec(17),
            0xF18C: udsoncan.AsciiCodec(10),
            0xF186: _RawCodec(1),
            0x0101: _RawCodec(4),
        },
        # P2client must exceed P2server plus the bus and scheduling delays: don't adopt the server's 50 ms
        "use_server_timing": False,
        "p2_timeout": 1.0,
        "p2_star_timeout": p2_star + 0.5,
        "request_timeout": 30.0,
    })
    return config


@pytest.fixture
def uds_client(tester: Tester) -> Iterator[Client]:
    """A plain udsoncan client on the tester's physical NotifierBasedCanStack.

    The connection starts and stops the stack itself, so the tester's stack is stopped first;
    ``tester.request`` keeps working on the same stack while the client is open.
    """
    tester.phys.stop()
    conn = PythonIsoTpConnection(tester.phys)
    with Client(conn, config=uds_config()) as client:  # type: ignore[arg-type]
        yield client
