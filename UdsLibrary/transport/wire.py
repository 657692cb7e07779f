"""Wire-time emulation: make a python-can bus as slow as a real CAN wire of a given bitrate.

python-can's `virtual` bus delivers a frame the moment it is sent, so bulk transfers run 5-6x
faster than on a 500 kbit/s wire and timing measured on it means little. `WireTimedBus` wraps any
bus; a frame reaches the other nodes when its transmission on the wire would end. Every wrapper on
the same channel in this process shares one wire, so the tester's and the ECU's frames queue behind
each other as they do on a real bus. Frame lengths are nominal (no stuff bits); that is how the
transport notes' limits (222 us per 8-byte frame at 500 kbit/s) are computed too.
"""

from __future__ import annotations

import contextlib
import heapq
import threading
import time
from typing import Any

import can

_FD_LENGTHS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64)


def frame_bits(data_length: int, *, extended_id: bool = False, fd: bool = False) -> tuple[int, int]:
    """(bits at the nominal bitrate, bits at the data bitrate) of one frame, stuff bits excluded.

    Classical CAN: SOF..DLC (19 or 39 bits) + data + CRC (16) + ACK (2) + EOF (7) + IFS (3).
    CAN FD: the arbitration phase, ACK, EOF and IFS run at the nominal bitrate; ESI, DLC, data,
    stuff count and CRC (17 or 21 bits) run at the data bitrate.
    """
    if not fd:
        header = 39 if extended_id else 19
        return header + 8 * data_length + 16 + 2 + 7 + 3, 0
    length = next(n for n in _FD_LENGTHS if n >= data_length)
    arbitration = (1 + 29 + 2 + 1 + 1 + 1) if extended_id else (1 + 11 + 1 + 1 + 1 + 1 + 1)
    crc = 17 if length <= 16 else 21
    return arbitration + 2 + 7 + 3, 1 + 4 + 8 * length + 4 + crc + 1


class _Wire:
    """One emulated wire: a clock that serialises frames, and a thread that delivers each frame at
    the moment its transmission ends.

    Senders do not wait for the wire: like a CAN controller with a few transmit buffers, `submit`
    books the frame and returns while the sender has fewer than `TX_BUFFERS` frames waiting. A
    sender that is briefly late (thread scheduling) therefore does not leave the wire idle, and a
    sleeping delivery thread keeps the receiving side free to run.
    """

    TX_BUFFERS = 3

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.free_at = 0.0
        self.queue: list[tuple[float, int, can.BusABC, can.Message, int]] = []
        self.pending: dict[int, int] = {}
        self.sequence = 0
        self.thread = threading.Thread(target=self._deliver, name="can-wire", daemon=True)
        self.thread.start()

    def submit(self, owner: int, bus: can.BusABC, msg: can.Message, duration: float) -> None:
        with self.condition:
            while self.pending.get(owner, 0) >= self.TX_BUFFERS:
                self.condition.wait()
            now = time.perf_counter()
            # A frame queued while the wire is busy (or only just freed) follows the previous one
            # back to back; otherwise it starts now.
            start = self.free_at if now - self.free_at < duration else now
            self.free_at = start + duration
            self.sequence += 1
            heapq.heappush(self.queue, (self.free_at, self.sequence, bus, msg, owner))
            self.pending[owner] = self.pending.get(owner, 0) + 1
            self.condition.notify_all()

    def _deliver(self) -> None:
        while True:
            with self.condition:
                while not self.queue or self.queue[0][0] > time.perf_counter():
                    wait = self.queue[0][0] - time.perf_counter() if self.queue else None
                    self.condition.wait(wait)
                _, _, bus, msg, owner = heapq.heappop(self.queue)
            # a bus shut down while its frame was on the wire: the frame is lost, as on a real bus
            with contextlib.suppress(Exception):
                bus.send(msg)
            with self.condition:
                self.pending[owner] -= 1
                self.condition.notify_all()

    def flush(self, owner: int, timeout: float = 1.0) -> None:
        """Wait until every frame `owner` queued has been delivered."""
        deadline = time.perf_counter() + timeout
        with self.condition:
            while self.pending.get(owner, 0) and time.perf_counter() < deadline:
                self.condition.wait(0.01)


_wires: dict[str, _Wire] = {}
_wires_lock = threading.Lock()


def _wire_for(channel: str) -> _Wire:
    with _wires_lock:
        if channel not in _wires:
            _wires[channel] = _Wire()
        return _wires[channel]


class WireTimedBus(can.BusABC):
    """A bus wrapper whose `send()` takes the frame's time on a wire of `bitrate` (and `data_bitrate` for FD)."""

    def __init__(self, bus: can.BusABC, bitrate: int, data_bitrate: int | None = None,
                 wire: str | None = None, **kwargs: Any) -> None:
        if bitrate <= 0:
            raise ValueError(f"wire bitrate must be positive, got {bitrate}")
        super().__init__(channel=bus.channel_info)
        self._bus = bus
        self.bitrate = bitrate
        self.data_bitrate = data_bitrate or bitrate
        self.channel_info = f"{bus.channel_info} (wire-timed {bitrate} bit/s)"
        self._wire = _wire_for(wire if wire is not None else str(bus.channel_info))

    @property
    def inner(self) -> can.BusABC:
        return self._bus

    def frame_time(self, msg: can.Message) -> float:
        nominal, data = frame_bits(len(msg.data), extended_id=msg.is_extended_id, fd=msg.is_fd)
        data_rate = self.data_bitrate if msg.is_fd and msg.bitrate_switch else self.bitrate
        return nominal / self.bitrate + data / data_rate

    def send(self, msg: can.Message, timeout: float | None = None) -> None:
        """Queue the frame on the wire; the receivers get it when its transmission ends."""
        self._wire.submit(id(self), self._bus, msg, self.frame_time(msg))

    def _recv_internal(self, timeout: float | None) -> tuple[can.Message | None, bool]:
        return self._bus.recv(timeout), True

    def fileno(self) -> int:
        return -1  # no selectable handle: python-can's Notifier then uses a reader thread

    def shutdown(self) -> None:
        if not self._is_shutdown:
            self._is_shutdown = True
            self._wire.flush(id(self))
            self._bus.shutdown()
