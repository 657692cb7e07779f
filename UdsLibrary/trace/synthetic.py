"""Synthetic diagnostic traces of a multi-ECU vehicle, for tests, benchmarks and demonstrations.

`VehicleTraffic` plays a tester scanning a vehicle the way workshop tools and vehicle-config
scripts do: functional TesterPresent and ReadDTCInformation on 0x7DF, physical identification
reads on each ECU's 0x7xx pair, a session change, security access, a routine that answers
0x78 responsePending a few times, requests that are refused (NRC 0x11, 0x12, 0x31), amid the
vehicle's periodic application frames. Frames are padded with 0xAA, multi-frame responses get
the tester's flow control, and answers of several ECUs interleave. Every exchange is also
recorded in `expected` (what a decoder must find), and `write` stores the frames with
python-can's writers (`can.Logger`: BLF, ASC, ...).

The ISO-TP segmentation here only produces test input; decoding never uses it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import can

PAD = 0xAA


@dataclass(frozen=True)
class SimEcu:
    request_id: int
    response_id: int
    ident: str  # answer to 22 F187 (part number), empty: NRC 0x31
    dtcs: tuple[tuple[int, int], ...] = ()  # (3-byte DTC, status)
    tester_present_nrc: int | None = None  # e.g. 0x7F: TesterPresent refused in this session
    read_dtc_nrc: int | None = None  # e.g. 0x11: the ECU has no ReadDTCInformation
    slow_dtc: bool = False  # answers 19 02 with one 0x78 first


#: ECUs in the style of a real vehicle scan: 0x7xx pairs with the response on request + 8.
DEFAULT_ECUS: tuple[SimEcu, ...] = (
    SimEcu(0x770, 0x778, "", dtcs=()),
    SimEcu(0x796, 0x79E, "95400-K2010", dtcs=((0x9A0B13, 0x2F),)),
    SimEcu(0x7A0, 0x7A8, "96560-K2000", tester_present_nrc=0x7F, slow_dtc=True),
    SimEcu(0x7B3, 0x7BB, "97250-K2300 HEATER-CONTROL FATC"),
    SimEcu(0x7C4, 0x7CC, "99211-K2100 MFC", dtcs=((0x0A9B00, 0x09), (0xC00112, 0x2F), (0x512300, 0x08))),
    SimEcu(0x7D1, 0x7D9, "58910-K2500 ESC"),
    SimEcu(0x7D2, 0x7DA, "", tester_present_nrc=0x11, read_dtc_nrc=0x11),
    SimEcu(0x7E0, 0x7E8, "39110-2M000 ECM", dtcs=((0x012345, 0x2F),)),
    SimEcu(0x7E1, 0x7E9, "95440-3D000 TCM"),
)


@dataclass
class Expected:
    """One exchange as the decoder must report it."""

    time: float
    request_id: int
    response_id: int | None
    functional: bool
    request: bytes
    final: bytes | None
    pending: int = 0
    dtcs: tuple[str, ...] = ()


def segment(payload: bytes, length: int = 8) -> list[bytes]:
    """ISO-TP frames (normal addressing, padded) of one payload; `length` 8 (CAN) or up to 64 (CAN FD)."""
    room = length - 1
    if len(payload) <= min(room, 7) or (length > 8 and len(payload) <= length - 2):
        frame = bytes([len(payload)]) + payload if len(payload) <= 7 else bytes([0, len(payload)]) + payload
        return [frame + bytes([PAD]) * (_fd_size(len(frame)) - len(frame) if length > 8 else 8 - len(frame))]
    first = bytes([0x10 | (len(payload) >> 8), len(payload) & 0xFF]) + payload[:length - 2]
    frames = [first]
    rest, seq = payload[length - 2:], 1
    while rest:
        chunk, rest = rest[:room], rest[room:]
        frame = bytes([0x20 | (seq & 0xF)]) + chunk
        size = length if rest else (_fd_size(len(frame)) if length > 8 else 8)
        frames.append(frame + bytes([PAD]) * (size - len(frame)))
        seq += 1
    return frames


def _fd_size(size: int) -> int:
    return next(s for s in (8, 12, 16, 20, 24, 32, 48, 64) if s >= size)


@dataclass
class VehicleTraffic:
    """Generates frames (see the module docstring); deterministic for a given seed."""

    ecus: tuple[SimEcu, ...] = DEFAULT_ECUS
    seed: int = 1
    start: float = 1_700_000_000.0
    app_frames: int = 40  # periodic application frames between two diagnostic exchanges
    fd: bool = False
    security_key: bytes = bytes.fromhex("DEADBEEF")
    expected: list[Expected] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.now = self.start
        self.length = 64 if self.fd else 8
        self._app_ids = [0x100 + 0x13 * i for i in range(24)]
        self._app_index = 0

    # ------------------------------------------------------------------ low level
    def _frame(self, can_id: int, data: bytes, rx: bool, gap: float = 0.0002) -> can.Message:
        self.now += gap
        return can.Message(timestamp=self.now, arbitration_id=can_id, data=data, is_extended_id=can_id > 0x7FF,
                           is_rx=rx, is_fd=self.fd and can_id >= 0x700,
                           dlc=len(data))

    def _segments(self, can_id: int, payload: bytes, rx: bool, flow_id: int | None) -> list[tuple[int, bytes, bool]]:
        """(id, data, rx) of the frames carrying `payload`, with the receiver's flow control."""
        frames = segment(payload, self.length)
        out = [(can_id, frames[0], rx)]
        if len(frames) > 1 and flow_id is not None:
            out.append((flow_id, bytes([0x30, 0, 0]) + bytes([PAD]) * 5, not rx))
        out.extend((can_id, frame, rx) for frame in frames[1:])
        return out

    def _send(self, can_id: int, payload: bytes, rx: bool, flow_id: int | None) -> Iterator[can.Message]:
        for frame_id, data, frame_rx in self._segments(can_id, payload, rx, flow_id):
            yield self._frame(frame_id, data, frame_rx, gap=0.0003)

    def _application(self, count: int) -> Iterator[can.Message]:
        for _ in range(count):
            can_id = self._app_ids[self._app_index % len(self._app_ids)]
            self._app_index += 1
            data = bytes(self.rng.getrandbits(8) for _ in range(8))
            yield self._frame(can_id, data, True, gap=0.0004)

    # ------------------------------------------------------------------ exchanges
    def _answer(self, ecu: SimEcu, request: bytes) -> tuple[list[bytes], bytes | None]:
        """(responses in order, final) of `ecu` to `request`; ([], None): no answer."""
        sid = request[0]
        if sid == 0x3E:
            if ecu.tester_present_nrc:
                return [bytes([0x7F, 0x3E, ecu.tester_present_nrc])], None
            return ([], None) if request[1] & 0x80 else ([b"\x7e\x00"], None)
        if sid == 0x19:
            if ecu.read_dtc_nrc:
                return [bytes([0x7F, 0x19, ecu.read_dtc_nrc])], None
            body = b"".join(code.to_bytes(3, "big") + bytes([status]) for code, status in ecu.dtcs)
            final = bytes([0x59, 0x02, 0xFF]) + body
            return ([b"\x7f\x19\x78", final] if ecu.slow_dtc else [final]), None
        if sid == 0x22:
            did = request[1:3]
            if did == b"\xf1\x87" and ecu.ident:
                return [b"\x62" + did + ecu.ident.encode()], None
            return [bytes([0x7F, 0x22, 0x31])], None
        if sid == 0x10:
            if request[1] in (0x01, 0x03):
                return [bytes([0x50, request[1], 0x00, 0x32, 0x01, 0xF4])], None
            return [bytes([0x7F, 0x10, 0x12])], None
        if sid == 0x27:
            if request[1] == 0x01:
                return [bytes([0x67, 0x01, 0x11, 0x22, 0x33, 0x44])], None
            return [bytes([0x67, 0x02])], None
        if sid == 0x31:
            return [b"\x7f\x31\x78"] * 3 + [bytes([0x71, 0x01, 0xFF, 0x00, 0x00])], None
        return [bytes([0x7F, sid, 0x11])], None

    def _exchange(self, ecus: tuple[SimEcu, ...], request: bytes, functional: bool) -> Iterator[can.Message]:
        request_id = 0x7DF if functional else ecus[0].request_id
        started = self.now + 0.0002
        yield from self._send(request_id, request, False, None if functional else ecus[0].response_id)
        # every ECU's responses, interleaved frame by frame as on a shared bus
        streams = []
        for ecu in ecus:
            responses, _ = self._answer(ecu, request)
            if not responses:
                if not functional:
                    self.expected.append(Expected(started, ecu.request_id, ecu.response_id, False, request, None))
                continue
            final = responses[-1]
            pending = sum(r[0] == 0x7F and r[2] == 0x78 for r in responses)
            dtcs = tuple(_dtc_text(c) for c, _ in ecu.dtcs) if final[0] == 0x59 else ()
            self.expected.append(Expected(started, ecu.request_id, ecu.response_id, functional, request, final,
                                          pending, dtcs))
            streams.append((ecu, responses))
        if functional and not streams:
            self.expected.append(Expected(started, 0x7DF, None, True, request, None))
        active = [(ecu, list(responses), []) for ecu, responses in streams]
        self.now += 0.002
        while active:
            index = self.rng.randrange(len(active))
            ecu, responses, pending_frames = active[index]
            if not pending_frames:
                payload = responses.pop(0)
                if payload[0] == 0x7F and payload[2] == 0x78:
                    self.now += 0.005
                pending_frames.extend(self._segments(ecu.response_id, payload, True, ecu.request_id))
            yield self._frame(*pending_frames.pop(0), gap=0.0003)
            if not pending_frames and not responses:
                active.pop(index)

    def frames(self, cycles: int = 1) -> Iterator[can.Message]:
        """The traffic of `cycles` scans of the vehicle."""
        ecus = self.ecus
        for _ in range(cycles):
            yield from self._application(self.app_frames)
            yield from self._exchange(ecus, b"\x3e\x00", functional=True)
            yield from self._application(self.app_frames)
            yield from self._exchange(ecus, b"\x19\x02\x09", functional=True)
            for ecu in ecus:
                yield from self._application(self.app_frames // 4)
                yield from self._exchange((ecu,), b"\x22\xf1\x87", functional=False)
            target = ecus[-2]
            for request in (b"\x10\x03", b"\x10\x05", b"\x27\x01", b"\x27\x02" + self.security_key,
                            b"\x31\x01\xff\x00", b"\x85\x02", b"\x3e\x80"):
                yield from self._application(self.app_frames // 4)
                yield from self._exchange((target,), request, functional=False)
            self.now += 0.05

    def write(self, path: str | Path, cycles: int = 1) -> int:
        """Write `cycles` scans to `path` with python-can's writer for its extension; returns the frame count."""
        count = 0
        with can.Logger(str(path)) as writer:
            for msg in self.frames(cycles):
                writer.on_message_received(msg)
                count += 1
        return count


def _dtc_text(code: int) -> str:
    from UdsLibrary.dtc import format_dtc

    return format_dtc(code)
