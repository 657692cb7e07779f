"""The tester's end of a diagnostic link: send a UDS request, collect its response(s), time them.

Why not udsoncan's `PythonIsoTpConnection` over can-isotp's `CanStack`: that path hands every frame
through two threads (relay and main) and sleeps 20 ms after error or remote frames; a `CanStack`
also takes every frame off its bus, so a functional stack or a logger on the same bus starves.
Here the caller's thread drives can-isotp's thread-less `TransportLayerLogic`: it sends, then
reads the bus itself and routes each frame by CAN id to the layer of the ECU that sent it. One
lock makes the link safe for a Tester Present thread next to the test's own requests.

Every exchange records when the first response and the final one (after any responsePending,
0x78) arrived, and how many 0x78 came, so keywords can assert and log timing.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import can
import isotp

from UdsLibrary.description.model import Addressing
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.transport.addressing import isotp_params, tester_addresses

RESPONSE_PENDING = 0x78
FrameListener = Callable[[can.Message], None]


class TransportError(UdsLibraryError):
    """Sending failed, or the ISO-TP transfer broke off."""


@dataclass
class Response:
    payload: bytes
    time: float  # perf_counter when it was complete
    source_id: int  # CAN id it came from

    @property
    def is_pending(self) -> bool:
        return len(self.payload) >= 3 and self.payload[0] == 0x7F and self.payload[2] == RESPONSE_PENDING

    @property
    def is_negative(self) -> bool:
        return len(self.payload) >= 3 and self.payload[0] == 0x7F

    @property
    def nrc(self) -> int | None:
        return self.payload[2] if self.is_negative else None


@dataclass
class Exchange:
    """One request and what came back, with timing."""

    request: bytes
    functional: bool
    sent_at: float
    responses: list[Response] = field(default_factory=list)
    timed_out: bool = False
    timeout_used: float = 0.0
    isotp_errors: list[str] = field(default_factory=list)
    frames: list[tuple[float, str, int, bytes]] = field(default_factory=list)  # (perf_counter, Tx/Rx, id, data)

    @property
    def final(self) -> Response | None:
        finals = [r for r in self.responses if not r.is_pending]
        return finals[0] if finals else None

    @property
    def pending_count(self) -> int:
        return sum(r.is_pending for r in self.responses)

    @property
    def first_response_time(self) -> float | None:
        """Seconds from the request to the first response (a 0x78 counts), or None."""
        return self.responses[0].time - self.sent_at if self.responses else None

    @property
    def final_response_time(self) -> float | None:
        final = self.final
        return final.time - self.sent_at if final else None

    def by_source(self) -> dict[int, list[Response]]:
        grouped: dict[int, list[Response]] = collections.defaultdict(list)
        for response in self.responses:
            grouped[response.source_id].append(response)
        return dict(grouped)


class _Peer:
    """ISO-TP receive (and flow-control) state for one ECU's response id."""

    def __init__(self, connection: UdsConnection, addressing: Addressing, params: dict) -> None:
        physical, functional = tester_addresses(addressing)
        self.response_id = addressing.response_id
        self.queue: collections.deque[isotp.CanMessage] = collections.deque()
        queue = self.queue
        self.layer = isotp.TransportLayerLogic(
            rxfn=lambda: queue.popleft() if queue else None, txfn=connection._send_frame,
            address=physical, params=params, error_handler=connection._isotp_error)
        self.functional_layer = None
        if functional is not None:
            self.functional_layer = isotp.TransportLayerLogic(
                rxfn=lambda: None, txfn=connection._send_frame, address=functional, params=params,
                error_handler=connection._isotp_error)


class UdsConnection:
    """A diagnostic link to one ECU (and, for functional requests, to every ECU that answers)."""

    def __init__(self, bus: can.BusABC, addressing: Addressing, *, p2_timeout: float = 0.15,
                 p2_star_timeout: float = 5.1, owns_bus: bool = True,
                 extra_response_ids: dict[int, Addressing] | None = None) -> None:
        self.bus = bus
        self.addressing = addressing
        self.p2_timeout = p2_timeout
        self.p2_star_timeout = p2_star_timeout
        self.owns_bus = owns_bus
        self.listeners: list[FrameListener] = []
        self._lock = threading.RLock()
        self._params = isotp_params(addressing)
        self._isotp_errors: list[str] = []
        self._frames: list[tuple[float, str, int, bytes]] | None = None  # frames of the exchange under way
        self._main = _Peer(self, addressing, self._params)
        self._peers: dict[int, _Peer] = {addressing.response_id: self._main}
        for response_id, other in (extra_response_ids or {}).items():
            if response_id not in self._peers:
                self._peers[response_id] = _Peer(self, other, isotp_params(other))
        self.closed = False

    # ------------------------------------------------------------------ plumbing
    def _send_frame(self, msg: isotp.CanMessage) -> None:
        frame = can.Message(arbitration_id=msg.arbitration_id, data=msg.data, is_extended_id=msg.is_extended_id,
                            is_fd=msg.is_fd, bitrate_switch=msg.bitrate_switch, is_rx=False)
        try:
            self.bus.send(frame)
        except can.CanError as error:
            raise TransportError(f"sending CAN frame {msg.arbitration_id:X}#{bytes(msg.data).hex().upper()} "
                                 f"failed: {error}") from None
        frame.timestamp = time.time()
        if self._frames is not None:
            self._frames.append((time.perf_counter(), "Tx", msg.arbitration_id, bytes(msg.data)))
        for listener in self.listeners:
            listener(frame)

    def _isotp_error(self, error: Exception) -> None:
        self._isotp_errors.append(f"{type(error).__name__}: {error}")

    def _pump(self, timeout: float) -> bool:
        """Read frames for up to `timeout` (stop at the first routed one); True if any was routed."""
        msg = self.bus.recv(timeout)
        routed = False
        while msg is not None:
            for listener in self.listeners:
                listener(msg)
            if not (msg.is_error_frame or msg.is_remote_frame):
                peer = self._peers.get(msg.arbitration_id)
                if peer is not None:
                    if self._frames is not None:
                        self._frames.append((time.perf_counter(), "Rx", msg.arbitration_id, bytes(msg.data)))
                    peer.queue.append(isotp.CanMessage(arbitration_id=msg.arbitration_id, data=msg.data,
                                                       extended_id=msg.is_extended_id, is_fd=msg.is_fd,
                                                       bitrate_switch=msg.bitrate_switch))
                    routed = True
            msg = self.bus.recv(0)
        return routed

    def drain(self) -> None:
        """Discard what arrived since the last exchange (late answers must not be taken for new ones)."""
        with self._lock:
            self._pump(0)
            for peer in self._peers.values():
                # Dropped unprocessed: a stale First Frame must not get a flow control from us.
                peer.queue.clear()
                peer.layer.stop_receiving()
                peer.layer.clear_rx_queue()

    def listen_to(self, addressing: Addressing) -> None:
        """Also route and reassemble answers from another ECU (functional requests to several ECUs)."""
        with self._lock:
            if addressing.response_id not in self._peers:
                self._peers[addressing.response_id] = _Peer(self, addressing, isotp_params(addressing))

    # ------------------------------------------------------------------ requests
    def send_only(self, payload: bytes, *, functional: bool = False) -> float:
        """Send without waiting for an answer (keep-alive). Returns the send time."""
        with self._lock:
            layer = self._main.functional_layer if functional else self._main.layer
            if layer is None:
                raise TransportError("no functional request id is configured for this connection")
            try:
                layer.send(payload)
            except ValueError as error:
                raise TransportError(f"cannot send {payload.hex(' ').upper()}: {error}") from None
            self._run_tx(layer)
            return time.perf_counter()

    def _run_tx(self, layer: isotp.TransportLayerLogic) -> None:
        """Transmit a whole request, following the ECU's flow control for multi-frame requests."""
        layer.process()
        deadline = time.perf_counter() + 1.0
        while layer.transmitting():
            delay = layer.next_cf_delay()
            if delay:  # STmin asked for by the ECU
                time.sleep(delay)
            elif delay is None:  # waiting for the ECU's flow control frame
                self._pump(0.005)
            layer.process()
            if time.perf_counter() > deadline:
                layer.stop_sending()
                raise TransportError("the ECU sent no flow control for a multi-frame request "
                                     f"(ISO-TP N_Bs timeout, request id {self.addressing.request_id:X})")

    def _process_peers(self, skip: isotp.TransportLayerLogic | None = None) -> list[tuple[_Peer, bytes]]:
        complete = []
        for peer in self._peers.values():
            if peer.layer is skip:
                continue
            peer.layer.process()
            while peer.layer.available():
                data = peer.layer.recv()
                if data is not None:
                    complete.append((peer, bytes(data)))
        return complete

    def request(self, payload: bytes, *, functional: bool = False, expect_response: bool = True,
                timeout: float | None = None, collect_all: bool = False) -> Exchange:
        """Send `payload`; wait for the final answer (following 0x78 with P2*).

        `expect_response=False` (SPRMIB set, or a test expecting silence) waits `timeout` (default P2)
        and records anything that came. `collect_all` (functional requests to several ECUs) waits the
        full window and keeps every ECU's answers.
        """
        with self._lock:
            self.drain()
            self._isotp_errors.clear()
            frames: list[tuple[float, str, int, bytes]] = []
            self._frames = frames
            try:
                return self._exchange(payload, functional, expect_response, timeout, collect_all, frames)
            finally:
                self._frames = None

    def _exchange(self, payload: bytes, functional: bool, expect_response: bool, timeout: float | None,
                  collect_all: bool, frames: list[tuple[float, str, int, bytes]]) -> Exchange:
        self.send_only(payload, functional=functional)
        exchange = Exchange(request=payload, functional=functional, sent_at=time.perf_counter(), frames=frames)
        p2 = self.p2_timeout if timeout is None else timeout
        exchange.timeout_used = p2
        deadline = exchange.sent_at + p2
        main_id = self.addressing.response_id
        while True:
            now = time.perf_counter()
            if now >= deadline:
                break
            self._pump(min(deadline - now, 0.05))
            done = False
            for peer, data in self._process_peers():
                response = Response(data, time.perf_counter(), peer.response_id)
                exchange.responses.append(response)
                if response.is_pending:
                    # The server asked for more time: P2* runs from this 0x78 on.
                    deadline = max(deadline, response.time + self.p2_star_timeout)
                    exchange.timeout_used = self.p2_star_timeout
                elif peer.response_id == main_id and expect_response and not collect_all:
                    done = True
            if done:
                break
        exchange.isotp_errors = list(self._isotp_errors)
        if expect_response and exchange.final is None:
            exchange.timed_out = True
        return exchange

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            try:
                self._pump(0)
            finally:
                if self.owns_bus:
                    self.bus.shutdown()

    @property
    def isotp_errors(self) -> list[str]:
        return list(self._isotp_errors)
