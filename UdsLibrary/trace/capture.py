"""Recording the CAN frames of diagnostic connections into a trace file (python-can's writers).

A `TraceRecorder` registers itself on `UdsConnection.listeners` and hands every frame the
connection sends or receives to ``can.Logger(path)``: the file format follows the extension
(``.blf``, ``.asc``, ``.trc``, ``.log`` candump, ``.csv``).

Two things a plain ``can.Logger`` on the listeners would get wrong:

* Order. The connection reads the bus only while a request runs, so frames that arrived between
  requests (another ECU's application frames) reach the listeners at the next request, after
  frames the tester sent in between (a Tester Present thread) were already handed over. BLF and
  ASC store times relative to the first frame and expect them in order, so sent frames are held
  back until a received frame at least as late shows that nothing earlier is still to come, and
  timestamps written never go backwards. (The connection marks the frames it sends with
  ``is_rx=False``.)
* Clocks. Sent frames are stamped with the host clock; interfaces that stamp received frames
  from another clock (hardware time since power-up) would put the two far apart. The offset
  between the clocks is estimated from received frames and sent frames are moved onto the
  interface's clock.

Security keys: the bytes of sendKey (``27 <even>``) and Authentication requests are blanked in
the frames written (``mask_keys=True``, the default; see `UdsLibrary.trace.secrets`), so traces can
be archived with the test results.

`stop()`/`close()` first makes each connection hand over what is still waiting on its bus
(`UdsConnection.drain()`, which the next request would do anyway), then closes the file; it is
idempotent. Every method is thread-safe: a Tester Present thread sends through the connection
while the test's thread stops the capture.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import can

from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.trace.secrets import KeyFrameMasker

if TYPE_CHECKING:
    from UdsLibrary.transport.connection import UdsConnection

__all__ = ["TRACE_FORMATS", "TraceRecorder"]

#: Extensions python-can writes (besides .db/.mf4/.txt, which are not trace files for tools).
TRACE_FORMATS = ("blf", "asc", "trc", "log", "csv")

# Sent frames held back waiting for a later received frame; beyond this they are written anyway.
_MAX_HELD = 5000
# Clocks further apart than this are taken to be different clocks (not delivery delay).
_CLOCK_GAP = 5.0


class TraceRecorder:
    """Writes every CAN frame of the attached connections to ``path``.

    | recorder = TraceRecorder("out/test.blf", connection)
    | ...                      # requests on the connection
    | recorder.close()         # idempotent
    """

    def __init__(self, path: str | Path, *connections: UdsConnection, mask_keys: bool = True) -> None:
        self.path = Path(path)
        self.mask_keys = mask_keys
        self._maskers: dict[tuple[int, int], KeyFrameMasker] = {}
        suffix = self.path.suffix.lower().lstrip(".")
        if suffix not in TRACE_FORMATS:
            raise UdsLibraryError(
                f"trace file '{self.path}' has an unknown format '{self.path.suffix}': use one of "
                f"{', '.join('.' + f for f in TRACE_FORMATS)}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer: can.io.generic.MessageWriter | None = can.Logger(str(self.path))
        except OSError as error:
            raise UdsLibraryError(f"cannot write trace file '{self.path}': {error.strerror or error}") from None
        self._lock = threading.RLock()
        # id(connection) -> (connection, channel number, its listener)
        self._connections: dict[int, tuple[UdsConnection, int, Callable[[can.Message], None]]] = {}
        self._channels: dict[str, int] = {}
        self._held: list[tuple[float, int, can.Message]] = []  # heap of sent frames by time
        self._order = itertools.count()
        self._last_written = float("-inf")
        self._offsets: dict[int, float] = {}  # channel -> interface clock minus host clock
        self.frames = 0
        self.attached = 0  # connections recorded so far
        self.closed = False
        for connection in connections:
            self.attach(connection)

    # ------------------------------------------------------------------ connections
    def attach(self, connection: UdsConnection, channel: int | None = None) -> None:
        """Record this connection's frames too (channel number: one per bus, unless given)."""
        with self._lock:
            if self.closed or id(connection) in self._connections or connection.closed:
                return
            if channel is None:
                channel = self._channels.setdefault(_bus_key(connection), len(self._channels) + 1)

            offset = 1 if connection.addressing.mode.startswith(("extended", "mixed")) else 0

            def listener(msg: can.Message) -> None:
                self._on_frame(msg, channel, offset)

            self._connections[id(connection)] = (connection, channel, listener)
            connection.listeners.append(listener)
            self.attached += 1

    def detach(self, connection: UdsConnection) -> None:
        """Stop recording this connection (after taking what is waiting on its bus)."""
        with self._lock:
            entry = self._connections.get(id(connection))
        if entry is None:
            return
        _flush(connection)
        with self._lock:
            self._connections.pop(id(connection), None)
            _remove_listener(connection, entry[2])

    @property
    def connections(self) -> list[UdsConnection]:
        with self._lock:
            return [entry[0] for entry in self._connections.values()]

    # ------------------------------------------------------------------ frames
    def _on_frame(self, msg: can.Message, channel: int, offset: int) -> None:
        sent = not msg.is_rx  # UdsConnection marks the frames it sends with is_rx=False
        with self._lock:
            if self.closed:
                return
            data = msg.data
            if sent and self.mask_keys and not (msg.is_error_frame or msg.is_remote_frame):
                key = (channel, msg.arbitration_id)
                masker = self._maskers.get(key)
                if masker is None:
                    masker = self._maskers[key] = KeyFrameMasker(offset)
                data = masker.mask(msg.data)
            frame = can.Message(timestamp=msg.timestamp, arbitration_id=msg.arbitration_id,
                                is_extended_id=msg.is_extended_id, is_remote_frame=msg.is_remote_frame,
                                is_error_frame=msg.is_error_frame, channel=channel, dlc=msg.dlc,
                                data=data, is_fd=msg.is_fd, is_rx=not sent,
                                bitrate_switch=msg.bitrate_switch, error_state_indicator=msg.error_state_indicator)
            if sent:
                frame.timestamp += self._offsets.get(channel, 0.0)
                heapq.heappush(self._held, (frame.timestamp, next(self._order), frame))
                if len(self._held) > _MAX_HELD:
                    self._write(heapq.heappop(self._held)[2])
                return
            offset = msg.timestamp - time.time()
            if abs(offset) > _CLOCK_GAP:
                # Another clock: the largest difference seen is the least delayed delivery.
                self._offsets[channel] = max(self._offsets.get(channel, offset), offset)
            while self._held and self._held[0][0] <= frame.timestamp:
                self._write(heapq.heappop(self._held)[2])
            self._write(frame)

    def _write(self, frame: can.Message) -> None:
        if frame.timestamp < self._last_written:
            frame.timestamp = self._last_written  # writers with relative times must not go backwards
        self._last_written = frame.timestamp
        if self._writer is not None:
            self._writer.on_message_received(frame)
            self.frames += 1

    # ------------------------------------------------------------------ end
    def flush(self) -> None:
        """Write what the connections have received so far and every held frame (file stays open)."""
        # Never drain under our lock: the connection calls our listener under its own lock (a Tester
        # Present thread), so taking ours and then its would deadlock.
        for connection in self.connections:
            _flush(connection)
        with self._lock:
            while self._held:
                self._write(heapq.heappop(self._held)[2])

    def close(self) -> Path:
        """Flush, detach from every connection and close the file; returns its path. Idempotent."""
        if self.closed:
            return self.path
        try:
            self.flush()
        finally:
            with self._lock:
                if not self.closed:
                    for connection, _, listener in list(self._connections.values()):
                        _remove_listener(connection, listener)
                    self._connections.clear()
                    self.closed = True
                    while self._held:
                        self._write(heapq.heappop(self._held)[2])
                    writer, self._writer = self._writer, None
                    if writer is not None:
                        writer.stop()
        return self.path

    stop = close

    def __enter__(self) -> TraceRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _remove_listener(connection: UdsConnection, listener: Callable[[can.Message], None]) -> None:
    with contextlib.suppress(ValueError):
        connection.listeners.remove(listener)


def _flush(connection: UdsConnection) -> None:
    """Have the connection hand its listeners what is waiting on its bus.

    `drain()` reads the bus, runs the listeners on every frame, and drops stale ISO-TP state -
    exactly what the next request does first, so calling it between requests changes nothing for
    the test. A closed connection has already handed everything over.
    """
    if connection.closed:
        return
    with contextlib.suppress(can.CanError, OSError, ValueError):  # the bus went away: keep what we have
        connection.drain()


def _bus_key(connection: UdsConnection) -> str:
    bus = connection.bus
    return f"{type(bus).__name__}:{getattr(bus, 'channel_info', '') or getattr(bus, 'channel', '')}"
