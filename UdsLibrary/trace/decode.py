"""Decoding CAN traces into UDS transactions: ISO-TP reassembly, request/response pairing, meaning.

`TraceDecoder` takes CAN frames one at a time (`feed`) and yields `Transaction` objects - a request,
its responses (0x78 responsePending chains included) with P2/P2* timings, and what they mean -
keeping only the state of the conversations under way, so memory stays flat however long the
trace. `decode_trace(path, ...)` runs it over a trace file (`UdsLibrary.trace.reader`).

Which CAN ids are diagnostic and how they pair:

* 11-bit ids 0x700-0x7FF: an id with bit 3 clear is a request to the ECU answering on id + 8
  (0x7E0 -> 0x7E8, 0x726 -> 0x72E, the 0x7xx ranges vehicles use); 0x7DF is the functional
  (broadcast) request id, answered on each ECU's response id;
* 29-bit normal fixed addressing (ISO 15765-4): 0x18DA<target><source> physical (a source
  address 0xF0-0xFD is a tester: request; any other: an ECU's response), 0x18DB<target><source>
  functional (0x18DB33F1); any priority;
* or explicit pairs (``pairs=[(0x7E0, 0x7E8), ...]``), which replace the 11-bit rule.

ISO-TP reassembly is can-isotp's `TransportLayerLogic` in ``listen_mode`` (it never sends flow
control), one per CAN id and channel: single, first and consecutive frames, classical CAN and CAN
FD, padding (0xAA, 0x55, 0x00 - the length says where data ends), flow control frames. It runs on
the frames' trace time, not the wall clock: can-isotp's own timers are switched off and a
consecutive frame gap longer than N_Cr (1 s) is reported as an incomplete message here.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import can
import isotp

from UdsLibrary import nrc as nrcs
from UdsLibrary.trace.reader import Finding, Findings, read_frames
from UdsLibrary.trace.uds import interpret, service_name, show_response, suppressed

if TYPE_CHECKING:
    from UdsLibrary.description.model import EcuDescription
    from UdsLibrary.dtc import DtcTable

__all__ = ["DecodeOptions", "TraceDecoder", "Transaction", "decode_trace", "parse_pairs"]

FUNCTIONAL_11 = 0x7DF
RESPONSE_PENDING = 0x78
_NOTHING: list = []  # shared empty result (never appended to)
_UNKNOWN = object()  # an id not classified yet
_IDLE = isotp.TransportLayerLogic.RxState.IDLE
# can-isotp logs every error it reports to the error handler as a warning too; here they are
# findings, so its logger for the decoder's layers stays quiet.
_ISOTP_LOGGER = "UdsLibrary.trace.isotp"
logging.getLogger(_ISOTP_LOGGER).addHandler(logging.NullHandler())
logging.getLogger(_ISOTP_LOGGER).propagate = False
_READING_CACHE = 4096  # distinct request/response pairs whose reading is kept
_NEVER = 10**9  # can-isotp timers (milliseconds, wall clock) that must never fire while decoding a file


@dataclass
class DecodeOptions:
    """How long to wait (trace time) and which ids pair."""

    pairs: Sequence[tuple[int, int]] | None = None  # (request id, response id); None = the 0x7xx rule
    p2_window: float = 1.0  # a request without any answer for this long is closed as unanswered
    p2_star_window: float = 6.0  # after a 0x78, how long the final answer may take
    n_cr: float = 1.0  # longest gap between frames of one ISO-TP message
    order_tolerance: float = 0.001  # timestamps may go back this much (several channels) without a finding


@dataclass
class Message:
    """A reassembled ISO-TP message."""

    payload: bytes
    start: float  # timestamp of its single or first frame
    end: float  # timestamp of its last frame


@dataclass
class Transaction:
    """A UDS request and what answered it."""

    channel: Any
    request_id: int | None
    response_id: int | None
    extended: bool
    functional: bool
    request: Message | None
    responses: list[Message] = field(default_factory=list)
    closed_by: str = ""  # final | timeout | next request | end of trace
    ecu_name: str = ""
    index: int = 0
    _reading: Any = None

    # ---------------------------------------------------------------- timing
    @property
    def start(self) -> float:
        return self.request.start if self.request else self.responses[0].start

    @property
    def final(self) -> Message | None:
        for message in self.responses:
            if not _is_pending(message.payload):
                return message
        return None

    @property
    def pending(self) -> int:
        return sum(_is_pending(m.payload) for m in self.responses)

    def _ms(self, later: float | None, earlier: float | None) -> float | None:
        if later is None or earlier is None:
            return None
        return round((later - earlier) * 1000, 3)

    @property
    def p2_ms(self) -> float | None:
        """Request end to the first response (0x78 included)."""
        return self._ms(self.responses[0].start if self.responses else None, self.request.end if self.request else None)

    @property
    def p2_star_ms(self) -> float | None:
        """Longest time from a 0x78 to the next response (None without 0x78)."""
        gaps = [self.responses[i + 1].start - self.responses[i].start for i in range(len(self.responses) - 1)
                if _is_pending(self.responses[i].payload)]
        return round(max(gaps) * 1000, 3) if gaps else None

    @property
    def response_ms(self) -> float | None:
        final = self.final
        return self._ms(final.start if final else None, self.request.end if self.request else None)

    # ---------------------------------------------------------------- meaning
    @property
    def sid(self) -> int | None:
        if self.request:
            return self.request.payload[0]
        payload = self.responses[0].payload
        if payload[0] == 0x7F and len(payload) > 1:
            return payload[1]
        return payload[0] - 0x40 if 0x40 <= payload[0] < 0x80 else payload[0]

    @property
    def result(self) -> str:
        final = self.final
        if self.request is None:
            return "no request"
        if final is not None:
            return "negative" if final.payload[0] == 0x7F else "positive"
        if self.responses:
            return "pending"  # 0x78 but no final answer
        return "suppressed" if suppressed(self.request.payload) else "no response"

    @property
    def nrc(self) -> int | None:
        final = self.final
        if final is not None and final.payload[0] == 0x7F and len(final.payload) >= 3:
            return final.payload[2]
        return None

    def ecu_label(self) -> str:
        if self.ecu_name:
            return self.ecu_name
        if self.response_id is None:
            return "functional" if self.functional else "?"
        return _id_text(self.response_id, self.extended)

    def read(self, ecu: EcuDescription | None, table: DtcTable | None, cache: dict | None = None) -> Any:
        """What the request and its final response mean; `cache` shares readings of identical pairs."""
        if self._reading is None:
            final = self.final
            request = self.request.payload if self.request else None
            response = final.payload if final else None
            key = (request, response, id(ecu))
            reading = cache.get(key) if cache is not None else None
            if reading is None:
                reading = interpret(request, response, ecu, table)
                if cache is not None:
                    if len(cache) >= _READING_CACHE:
                        cache.clear()
                    cache[key] = reading
            self._reading = reading
        return self._reading

    def to_dict(self, base_time: float = 0.0) -> dict[str, Any]:
        """The transaction for tools and keywords (see `Decode Trace`): hex text, names, timings."""
        reading = self._reading if self._reading is not None else self.read(None, None)
        responses = self.responses
        request = self.request
        final = self.final
        sid = self.sid
        nrc = final.payload[2] if final is not None and final.payload[0] == 0x7F and len(final.payload) >= 3 else None
        pending = len(responses) - (final is not None)  # answers before the final one are all 0x78
        start = request.start if request else responses[0].start
        extended = self.extended
        if len(responses) == 1 and final is not None:
            shown = [reading.response_text]
        else:
            shown = [show_response(m.payload) for m in responses]
        return {
            "index": self.index,
            "time": round(start - base_time, 6),
            "timestamp": start,
            "channel": self.channel,
            "ecu": self.ecu_label(),
            "request_id": _id_text(self.request_id, extended) if self.request_id is not None else "",
            "response_id": _id_text(self.response_id, extended) if self.response_id is not None else "",
            "functional": self.functional,
            "sid": f"{sid:02X}" if sid is not None else "",
            "service": service_name(sid) if sid is not None else "",
            "request": reading.request_text,
            "response": reading.response_text,
            "responses": shown,
            "result": self.result,
            "nrc": f"{nrc:02X}" if nrc is not None else "",
            "nrc_name": nrcs.nrc_name(nrc) if nrc is not None else "",
            "pending": pending,
            "p2_ms": self.p2_ms,
            "p2_star_ms": self.p2_star_ms if pending else None,
            "response_ms": self.response_ms,
            "decoded": reading.text,
            "dids": [dict(d) for d in reading.dids],
            "dtcs": [dict(d, status_bits=list(d["status_bits"])) for d in reading.dtcs],
        }


def _is_pending(payload: bytes) -> bool:
    return len(payload) >= 3 and payload[0] == 0x7F and payload[2] == RESPONSE_PENDING


def _id_text(can_id: int, extended: bool) -> str:
    return f"{can_id:08X}" if extended else f"{can_id:03X}"


def _answers(request: bytes, response: bytes) -> bool:
    """Whether `response` answers `request` (a request without positive response takes only an NRC)."""
    if not request or not response:
        return False
    if response[0] == 0x7F:
        return len(response) >= 2 and response[1] == request[0]
    return response[0] == (request[0] + 0x40) & 0xFF and not suppressed(request)


def parse_pairs(text: str | Iterable[str] | None) -> list[tuple[int, int]] | None:
    """``7E0:7E8,726:72E`` (or a list of such items) -> [(0x7E0, 0x7E8), (0x726, 0x72E)]."""
    from UdsLibrary.errors import UdsLibraryError

    if text is None:
        return None
    items = text.split(",") if isinstance(text, str) else list(text)
    pairs = []
    for item in items:
        part = str(item).strip()
        if not part:
            continue
        pieces = part.replace("/", ":").split(":")
        try:
            request, response = (int(p.strip().removeprefix("0x").removeprefix("0X"), 16) for p in pieces)
        except ValueError:
            raise UdsLibraryError(f"id pair '{part}' is not REQUEST:RESPONSE in hex, such as 7E0:7E8") from None
        if not (0 <= request <= 0x1FFFFFFF and 0 <= response <= 0x1FFFFFFF):
            raise UdsLibraryError(f"id pair '{part}' has an id beyond 29 bits")
        pairs.append((request, response))
    return pairs or None


# ---------------------------------------------------------------------------------------- routing

REQUEST, RESPONSE, FUNCTIONAL = 0, 1, 2


class _Endpoint:
    """One sending CAN id on one channel: its ISO-TP listener and its role."""

    __slots__ = ("can_id", "channel", "extended", "first_start", "last", "layer", "peer_id", "queue", "role")

    def __init__(self, decoder: TraceDecoder, channel: Any, can_id: int, extended: bool, role: int,
                 peer_id: int | None) -> None:
        self.channel, self.can_id, self.extended, self.role, self.peer_id = channel, can_id, extended, role, peer_id
        self.queue: list[can.Message] = []
        self.first_start = 0.0
        self.last = 0.0
        mode = isotp.AddressingMode.Normal_29bits if extended else isotp.AddressingMode.Normal_11bits
        other = peer_id if peer_id is not None else (can_id ^ 1)
        address = isotp.Address(mode, rxid=can_id, txid=other)
        queue = self.queue

        def rxfn(timeout: float) -> can.Message | None:  # a python-can Message has what can-isotp reads
            return queue.pop() if queue else None

        self.layer = isotp.TransportLayerLogic(
            rxfn=rxfn, txfn=lambda msg: None, address=address, error_handler=decoder._isotp_error,
            params={"logger_name": _ISOTP_LOGGER, "listen_mode": True, "rx_consecutive_frame_timeout": _NEVER,
                    "rx_flowcontrol_timeout": _NEVER, "max_frame_size": 0xFFFFFFFF, "can_fd": True, "blocksize": 0,
                    "stmin": 0})


class TraceDecoder:
    """Feed frames in trace order; transactions come out in request order (see the module docstring)."""

    def __init__(self, options: DecodeOptions | None = None, *, ecus: dict[int, EcuDescription] | None = None,
                 dtc_table: DtcTable | None = None, findings: Findings | None = None) -> None:
        self.options = options or DecodeOptions()
        self.ecus = ecus or {}  # response id -> ECU description
        self.dtc_table = dtc_table
        self.findings = findings if findings is not None else Findings()
        self.frames = 0
        self.diagnostic_frames = 0
        self.first_time: float | None = None
        self.last_time = float("-inf")
        self._routes: dict[tuple[Any, bool, int], _Endpoint | None] = {}
        self._pairs: dict[int, tuple[int, int]] = {}
        for request_id, response_id in self.options.pairs or ():
            self._pairs[request_id] = (REQUEST, response_id)
            self._pairs[response_id] = (RESPONSE, request_id)
        self._open: dict[tuple[Any, bool, int], Transaction] = {}  # (channel, extended, response id) -> open one
        self._functional: dict[tuple[Any, bool], tuple[Message, int, set[int]]] = {}  # last functional request
        self._ready: list[tuple[float, int, Transaction]] = []
        self._order = itertools.count()
        self._index = 0
        self._next_sweep = float("-inf")
        self._current: tuple[_Endpoint, float] | None = None
        self._out_of_order = 0
        self._horizon: float | None = None  # earliest start of what is open; None: to compute
        self._released = False  # something was closed since the last `_due`
        # Real traces repeat the same exchanges (TesterPresent, the same DIDs): read each pair once.
        self._readings: dict[tuple[bytes | None, bytes | None, int], Any] = {}

    # ------------------------------------------------------------------ routing
    def _classify(self, can_id: int, extended: bool) -> tuple[int, int | None] | None:
        if extended:
            kind = (can_id >> 16) & 0xFF
            if kind == 0xDB:
                return FUNCTIONAL, None
            if kind == 0xDA:
                target, source = (can_id >> 8) & 0xFF, can_id & 0xFF
                peer = (can_id & 0x1FFF0000) | (source << 8) | target
                return (REQUEST if 0xF0 <= source <= 0xFD else RESPONSE), peer
            return None
        if self._pairs:
            pair = self._pairs.get(can_id)
            if pair is not None:
                return pair
            return (FUNCTIONAL, None) if can_id == FUNCTIONAL_11 else None
        if can_id == FUNCTIONAL_11:
            return FUNCTIONAL, None
        if 0x700 <= can_id <= 0x7FF:
            if can_id & 0x8:
                return RESPONSE, can_id - 8
            return REQUEST, can_id + 8
        return None

    def _endpoint(self, channel: Any, extended: bool, can_id: int) -> _Endpoint | None:
        key = (channel, extended, can_id)
        role = self._classify(can_id, extended)
        endpoint = None if role is None else _Endpoint(self, channel, can_id, extended, role[0], role[1])
        self._routes[key] = endpoint
        return endpoint

    # ------------------------------------------------------------------ frames
    def feed(self, msg: can.Message) -> list[Transaction]:
        """Take one frame; returns the transactions that are complete and due, in request order."""
        self.frames += 1
        ts = msg.timestamp
        if ts >= self.last_time:
            self.last_time = ts
        elif ts < self.last_time - self.options.order_tolerance:
            self._out_of_order_frame(ts)
        try:
            endpoint = self._routes[(msg.channel, msg.is_extended_id, msg.arbitration_id)]
        except KeyError:
            endpoint = self._endpoint(msg.channel, msg.is_extended_id, msg.arbitration_id)
        if endpoint is None or msg.is_error_frame or msg.is_remote_frame:
            # Nothing changes for frames that are not diagnostic, except that time goes on.
            return self._due(ts) if ts >= self._next_sweep else _NOTHING
        self.diagnostic_frames += 1
        data = msg.data
        layer = endpoint.layer
        if layer.rx_state is not _IDLE and ts - endpoint.last > self.options.n_cr:
            self.findings.add(Finding(
                "isotp", f"incomplete ISO-TP message on {_id_text(endpoint.can_id, endpoint.extended)}: no "
                         f"consecutive frame for {(ts - endpoint.last) * 1000:.0f} ms (after "
                         f"{len(layer.rx_buffer)} of {layer.rx_frame_length} bytes)", frame=self.frames, time=ts))
            layer.stop_receiving()
        endpoint.last = ts
        kind = data[0] >> 4 if data else 0
        if kind == 3:
            # A flow control frame: it paces the other direction and carries no data, and a
            # listening layer has nothing to send - can-isotp would only note it.
            return self._due(ts)
        if kind < 2:  # single or first frame: a message starts here
            endpoint.first_start = ts
        endpoint.queue.append(msg)
        self._current = (endpoint, ts)
        # do_tx=False: in listen mode there is nothing to send, and can-isotp's transmit side would
        # start its (wall clock) consecutive frame timer
        stats = layer.process(do_tx=False)
        self._current = None
        for _ in range(stats.frame_received):
            payload = layer.rx_queue.get_nowait()
            if payload:
                self._message(endpoint, Message(bytes(payload), endpoint.first_start, ts))
        if self._released or ts >= self._next_sweep:
            return self._due(ts)
        return _NOTHING

    def progress(self) -> tuple[int, float | None]:
        """Frames taken so far and the latest timestamp (for the reader's findings)."""
        return self.frames, (self.last_time if self.frames else None)

    def _out_of_order_frame(self, ts: float) -> None:
        self._out_of_order += 1
        if self._out_of_order <= 20:
            self.findings.add(Finding("order", f"timestamp goes back by {(self.last_time - ts) * 1000:.3f} ms "
                                               "(frames out of order)", frame=self.frames, time=ts))

    def _isotp_error(self, error: Exception) -> None:
        frame_time = self._current[1] if self._current else None
        where = f" on {_id_text(self._current[0].can_id, self._current[0].extended)}" if self._current else ""
        self.findings.add(Finding("isotp", f"{error}{where}", frame=self.frames, time=frame_time))

    # ------------------------------------------------------------------ pairing
    def _message(self, endpoint: _Endpoint, message: Message) -> None:
        self._horizon = None
        if endpoint.role == REQUEST:
            assert endpoint.peer_id is not None
            key = (endpoint.channel, endpoint.extended, endpoint.peer_id)
            previous = self._open.pop(key, None)
            if previous is not None:
                self._close(previous, "next request")
            self._open[key] = Transaction(endpoint.channel, endpoint.can_id, endpoint.peer_id, endpoint.extended,
                                          False, message)
        elif endpoint.role == FUNCTIONAL:
            family = (endpoint.channel, endpoint.extended)
            self._end_functional(family)
            self._functional[family] = (message, endpoint.can_id, set())
        else:
            self._response(endpoint, message)

    def _response(self, endpoint: _Endpoint, message: Message) -> None:
        key = (endpoint.channel, endpoint.extended, endpoint.can_id)
        transaction = self._open.get(key)
        physical = transaction is not None and transaction.request is not None and _answers(
            transaction.request.payload, message.payload)
        functional = self._functional.get((endpoint.channel, endpoint.extended))
        # Both could be answered: the later request wins (an ECU answers what it was asked last),
        # unless the physical one is an answer already under way (after 0x78).
        if (physical and functional is not None and transaction is not None and transaction.request is not None
                and functional[0].end > transaction.request.end and not transaction.responses):
            physical = False
        if physical and transaction is not None:
            transaction.responses.append(message)
            if not _is_pending(message.payload):
                del self._open[key]
                self._close(transaction, "final")
            return
        if functional is not None:
            request, _functional_id, answered = functional
            late = message.start - request.end > self.options.p2_star_window
            if not late and endpoint.can_id not in answered and _answers(request.payload, message.payload):
                answered.add(endpoint.can_id)
                if transaction is not None:  # a physical request this ECU did not answer: it answered this
                    del self._open[key]
                    self._close(transaction, "next request")
                transaction = Transaction(endpoint.channel, endpoint.peer_id, endpoint.can_id, endpoint.extended,
                                          True, request, [message])
                if _is_pending(message.payload):
                    self._open[key] = transaction
                else:
                    self._close(transaction, "final")
                return
        orphan = Transaction(endpoint.channel, endpoint.peer_id, endpoint.can_id, endpoint.extended, False, None,
                             [message])
        self._close(orphan, "final")

    def _end_functional(self, family: tuple[Any, bool]) -> None:
        self._horizon = None
        self._released = True
        functional = self._functional.pop(family, None)
        if functional is not None and not functional[2]:  # nobody answered: still a transaction
            request, functional_id, _ = functional
            self._close(Transaction(family[0], functional_id, None, family[1], True, request), "timeout")

    def _close(self, transaction: Transaction, reason: str) -> None:
        self._horizon = None
        self._released = True
        transaction.closed_by = reason
        if transaction.response_id is not None:
            ecu = self.ecus.get(transaction.response_id)
            if ecu is not None:
                transaction.ecu_name = ecu.name
        else:
            ecu = None
        transaction.read(ecu, self.dtc_table, self._readings)
        heapq.heappush(self._ready, (transaction.start, next(self._order), transaction))

    # ------------------------------------------------------------------ releasing in order
    def _sweep(self, now: float) -> None:
        window, star = self.options.p2_window, self.options.p2_star_window
        for key, transaction in list(self._open.items()):
            last = transaction.responses[-1].start if transaction.responses else transaction.start
            limit = star if transaction.responses else window
            if now - last > limit:
                del self._open[key]
                self._close(transaction, "timeout")
        for family, (request, _, _) in list(self._functional.items()):
            if now - request.end > star:
                self._end_functional(family)

    def _due(self, now: float) -> list[Transaction]:
        if now >= self._next_sweep:
            self._sweep(now)
            self._next_sweep = now + 0.25
        self._released = False
        if not self._ready:
            return _NOTHING
        horizon = self._horizon
        if horizon is None:  # what is open changed: the oldest open request holds the others back
            horizon = min((t.start for t in self._open.values()), default=float("inf"))
            functional = min((r.start for r, _, _ in self._functional.values()), default=float("inf"))
            horizon = self._horizon = min(horizon, functional)
        if self._ready[0][0] > horizon:
            return _NOTHING
        out = []
        while self._ready and self._ready[0][0] <= horizon:
            out.append(self._number(heapq.heappop(self._ready)[2]))
        return out

    def _number(self, transaction: Transaction) -> Transaction:
        self._index += 1
        transaction.index = self._index
        return transaction

    def finish(self) -> list[Transaction]:
        """End of the trace: close what is open, report unfinished ISO-TP messages; the rest in order."""
        for endpoint in self._routes.values():
            if endpoint is not None and endpoint.layer.rx_state is not _IDLE:
                layer = endpoint.layer
                self.findings.add(Finding(
                    "isotp", f"incomplete ISO-TP message on {_id_text(endpoint.can_id, endpoint.extended)} at the end "
                             f"of the trace ({len(layer.rx_buffer)} of {layer.rx_frame_length} bytes)",
                    time=endpoint.last))
        for key in list(self._open):
            self._close(self._open.pop(key), "end of trace")
        for family in list(self._functional):
            self._end_functional(family)
        if self._out_of_order > 20:
            self.findings.add(Finding("order", f"{self._out_of_order} frames in all were out of order"))
        out = []
        while self._ready:
            out.append(self._number(heapq.heappop(self._ready)[2]))
        return out

    def run(self, frames: Iterable[can.Message]) -> Iterator[Transaction]:
        """`feed` every frame, then `finish`; yields the transactions in request order."""
        # The loop is `feed` with its path for non-diagnostic frames (most of a vehicle's traffic)
        # written out: a dictionary lookup and a time check per frame, no call.
        routes_get = self._routes.get
        tolerance = self.options.order_tolerance
        feed = self.feed
        frames = iter(frames)
        for msg in frames:  # the first frame: the trace's time zero
            self.first_time = self.last_time = msg.timestamp
            yield from feed(msg)
            break
        # The fast path's state lives in local variables; `feed` gets it back before it runs.
        count, last, next_sweep = self.frames, self.last_time, self._next_sweep
        for msg in frames:
            if routes_get((msg.channel, msg.is_extended_id, msg.arbitration_id), _UNKNOWN) is None:
                ts = msg.timestamp
                if last <= ts < next_sweep:
                    last = ts
                    count += 1
                    continue
                if last - tolerance <= ts < next_sweep:  # slightly out of order (several channels)
                    count += 1
                    continue
            self.frames, self.last_time = count, last
            ready = feed(msg)
            count, last, next_sweep = self.frames, self.last_time, self._next_sweep
            if ready:
                yield from ready
        self.frames, self.last_time = count, last
        yield from self.finish()


# ---------------------------------------------------------------------------------------- files

def ecu_map(path: str | Path | None) -> dict[int, EcuDescription]:
    """Response id -> ECU description, from an ECU description or a vehicle file."""
    if path is None:
        return {}
    from UdsLibrary.description.loader import load_any
    from UdsLibrary.description.model import Vehicle

    loaded = load_any(path)
    ecus = loaded.ecus if isinstance(loaded, Vehicle) else (loaded,)
    return {ecu.addressing.response_id: ecu for ecu in ecus}


def decode_trace(path: str | Path, *, ecu_description: str | Path | None = None,
                 dtc_table: str | Path | None = None, pairs: Sequence[tuple[int, int]] | None = None,
                 options: DecodeOptions | None = None, findings: Findings | None = None) -> Iterator[Transaction]:
    """The UDS transactions of a trace file, streamed; problems are added to `findings`.

    ECU description and DTC table errors (the user's files) raise `UdsLibraryError` before the
    first transaction; nothing in the trace itself raises.
    """
    from UdsLibrary.dtc import load_dtc_table

    options = options or DecodeOptions()
    if pairs is not None:
        options.pairs = pairs
    ecus = ecu_map(ecu_description)
    table = load_dtc_table(dtc_table) if dtc_table is not None else None
    found = findings if findings is not None else Findings()
    decoder = TraceDecoder(options, ecus=ecus, dtc_table=table, findings=found)
    return decoder.run(read_frames(path, found, decoder.progress))
