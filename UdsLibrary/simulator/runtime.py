"""The simulator's one thread: it owns the bus, runs ISO-TP for every simulated ECU on it, hands
complete requests to each ECU's server, and sends periodic application frames.

Why not can-isotp's `CanStack`: it calls `bus.recv()` per stack (two stacks on one bus steal each
other's frames) and sleeps 20 ms after error or remote frames. Here one loop reads the bus, routes
frames by CAN id to can-isotp's thread-less `TransportLayerLogic` of each ECU (physical and
functional), and processes timers between frames: no thread hand-offs on the request path.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Protocol

import can
import isotp

from UdsLibrary.description.model import ApplicationFrame
from UdsLibrary.transport.addressing import ecu_addresses, isotp_params

log = logging.getLogger(__name__)

IDLE_WAIT = 0.05  # longest blocking read: bounds the time stop() waits for the thread


class Server(Protocol):
    """What the runtime needs of an ECU: `EcuServer`, or a canned responder in benchmarks."""

    description: object

    def handle(self, request: bytes, functional: bool = False) -> list[bytes]: ...

    def poll(self) -> list[bytes]: ...

    def next_deadline(self) -> float | None: ...


class _Node:
    """One ECU on the bus: its server and its physical and functional ISO-TP layers."""

    def __init__(self, server: Server, bus: can.BusABC) -> None:
        self.server = server
        self.bus = bus
        addressing = server.description.addressing  # type: ignore[attr-defined]
        physical, functional = ecu_addresses(addressing)
        params = isotp_params(addressing)
        self.rx_physical: collections.deque[isotp.CanMessage] = collections.deque()
        self.rx_functional: collections.deque[isotp.CanMessage] = collections.deque()
        self.physical = isotp.TransportLayerLogic(
            rxfn=self._reader(self.rx_physical), txfn=self._send, address=physical, params=params,
            error_handler=self._isotp_error)
        self.functional = None
        if functional is not None:
            self.functional = isotp.TransportLayerLogic(
                rxfn=self._reader(self.rx_functional), txfn=self._send, address=functional, params=params,
                error_handler=self._isotp_error)
        self.rx_ids = {addressing.request_id: self.rx_physical}
        if addressing.functional_id is not None:
            self.rx_ids[addressing.functional_id] = self.rx_functional
        self.isotp_errors = 0

    @staticmethod
    def _reader(queue: collections.deque[isotp.CanMessage]):
        def read() -> isotp.CanMessage | None:
            return queue.popleft() if queue else None
        return read

    def _send(self, msg: isotp.CanMessage) -> None:
        self.bus.send(can.Message(arbitration_id=msg.arbitration_id, data=msg.data,
                                  is_extended_id=msg.is_extended_id, is_fd=msg.is_fd,
                                  bitrate_switch=msg.bitrate_switch))

    def _isotp_error(self, error: Exception) -> None:
        self.isotp_errors += 1
        log.debug("ISO-TP error on %s: %s", self.server.description.name, error)  # type: ignore[attr-defined]

    def process(self) -> None:
        """Feed received frames through ISO-TP, serve complete requests, transmit answers."""
        for layer, functional in ((self.physical, False), (self.functional, True)):
            if layer is None:
                continue
            layer.process()
            while layer.available():
                request = layer.recv()
                if request is not None:
                    for response in self.server.handle(bytes(request), functional):
                        self.physical.send(response)
        if self.physical.transmitting():
            self.physical.process()

    def poll(self) -> None:
        for response in self.server.poll():
            self.physical.send(response)
        if self.physical.transmitting() or self.physical.is_rx_active():
            self.physical.process()

    def wait_hint(self, now: float) -> float | None:
        hints = []
        deadline = self.server.next_deadline()
        if deadline is not None:
            hints.append(deadline - now)
        delay = self.physical.next_cf_delay()
        if delay is not None:
            hints.append(delay)
        if self.physical.is_rx_active() or self.physical.transmitting():
            hints.append(0.01)  # flow-control and consecutive-frame timeouts
        return min(hints) if hints else None


class _FrameSchedule:
    """Periodic application frames of one ECU; gated by its 0x28 state and its reset."""

    def __init__(self, server: Server, frames: tuple[ApplicationFrame, ...], now: float) -> None:
        self.server = server
        self.frames = frames
        self.due = [now + frame.period for frame in frames]

    def run(self, bus: can.BusABC, now: float) -> float | None:
        server = self.server
        silent = getattr(server, "resetting", False) or getattr(getattr(server, "faults", None),
                                                                "not_responding", False)
        tx = getattr(server, "communication_tx", {"normal": True, "nm": True})
        for i, frame in enumerate(self.frames):
            if now >= self.due[i]:
                if not silent and tx.get(frame.kind, True):
                    bus.send(can.Message(arbitration_id=frame.id, data=frame.data,
                                         is_extended_id=frame.extended_id))
                self.due[i] = max(self.due[i] + frame.period, now)
        return min(self.due) - now if self.due else None


class SimulatorRuntime:
    """Runs the servers of one bus in a background thread."""

    def __init__(self, bus: can.BusABC, servers: list[Server], *, name: str = "uds-sim") -> None:
        self.bus = bus
        self.nodes = [_Node(server, bus) for server in servers]
        self._routes: dict[int, list[tuple[_Node, collections.deque[isotp.CanMessage]]]] = {}
        for node in self.nodes:
            for can_id, queue in node.rx_ids.items():
                self._routes.setdefault(can_id, []).append((node, queue))
        self._schedules: list[_FrameSchedule] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.error: BaseException | None = None

    def start(self) -> None:
        now = time.monotonic()
        self._schedules = [
            _FrameSchedule(node.server, node.server.description.application_frames, now)  # type: ignore[attr-defined]
            for node in self.nodes if getattr(node.server.description, "application_frames", ())
        ]
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as error:  # keep the reason for stop()/the CLI; never die silently
            self.error = error
            log.exception("simulator thread stopped")

    def _loop(self) -> None:
        routes = self._routes
        bus = self.bus
        while not self._stop.is_set():
            wait = self._wait(time.monotonic())
            msg = bus.recv(wait)
            touched: set[_Node] = set()
            while msg is not None:
                # Error and remote frames carry no ISO-TP data: skip them without any pause.
                if not (msg.is_error_frame or msg.is_remote_frame):
                    for node, queue in routes.get(msg.arbitration_id, ()):
                        queue.append(isotp.CanMessage(arbitration_id=msg.arbitration_id, data=msg.data,
                                                      extended_id=msg.is_extended_id, is_fd=msg.is_fd,
                                                      bitrate_switch=msg.bitrate_switch))
                        touched.add(node)
                msg = bus.recv(0) if touched else None
            for node in touched:
                node.process()
            for node in self.nodes:
                node.poll()
            if self._schedules:
                now = time.monotonic()
                for schedule in self._schedules:
                    schedule.run(bus, now)

    def _wait(self, now: float) -> float:
        wait = IDLE_WAIT
        for node in self.nodes:
            hint = node.wait_hint(now)
            if hint is not None and hint < wait:
                wait = hint
        for schedule in self._schedules:
            if schedule.due:
                wait = min(wait, min(schedule.due) - now)
        return max(wait, 0.0)
