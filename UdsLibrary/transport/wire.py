"""Wire-time emulation: make a python-can bus as slow as a real CAN wire of a given bitrate.

python-can's `virtual` bus delivers a frame the moment it is sent, so bulk transfers run 5-6x
faster than on a 500 kbit/s wire and timing measured on it means little. `WireTimedBus` wraps any
bus; `send()` returns when the frame would have finished on the wire. Every wrapper on the same
channel in this process shares one wire clock, so the tester's and the ECU's frames queue behind
each other as they do on a real bus. Frame lengths are nominal (no stuff bits); that is how the
transport notes' limits (222 us per 8-byte frame at 500 kbit/s) are computed too.
"""

from __future__ import annotations

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


class _WireClock:
    """When the shared wire is next free; guarded so that two senders queue."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.free_at = 0.0

    def reserve(self, duration: float) -> float:
        with self.lock:
            now = time.perf_counter()
            # A sender that finds the wire busy (or only just freed, within one frame) starts right
            # after the previous frame: queued frames go out back to back, and sleep overshoot
            # does not add up from frame to frame.
            start = self.free_at if now - self.free_at < duration else now
            self.free_at = start + duration
            return self.free_at


_clocks: dict[str, _WireClock] = {}
_clocks_lock = threading.Lock()


def _clock_for(channel: str) -> _WireClock:
    with _clocks_lock:
        return _clocks.setdefault(channel, _WireClock())


def _sleep_until(deadline: float) -> None:
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return
        # time.sleep overshoots by ~60-100 us; spin the last stretch for accuracy.
        if remaining > 0.0003:
            time.sleep(remaining - 0.0002)


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
        self._clock = _clock_for(wire if wire is not None else str(bus.channel_info))

    @property
    def inner(self) -> can.BusABC:
        return self._bus

    def frame_time(self, msg: can.Message) -> float:
        nominal, data = frame_bits(len(msg.data), extended_id=msg.is_extended_id, fd=msg.is_fd)
        data_rate = self.data_bitrate if msg.is_fd and msg.bitrate_switch else self.bitrate
        return nominal / self.bitrate + data / data_rate

    def send(self, msg: can.Message, timeout: float | None = None) -> None:
        _sleep_until(self._clock.reserve(self.frame_time(msg)))
        self._bus.send(msg, timeout)

    def _recv_internal(self, timeout: float | None) -> tuple[can.Message | None, bool]:
        return self._bus.recv(timeout), True

    def fileno(self) -> int:
        return -1  # no selectable handle: python-can's Notifier then uses a reader thread

    def shutdown(self) -> None:
        if not self._is_shutdown:
            self._is_shutdown = True
            self._bus.shutdown()
