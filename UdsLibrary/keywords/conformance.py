"""Conformance checks that plain requests cannot express: the P2/P2* timing of a responsePending
chain, the ECU's periodic application frames around CommunicationControl (0x28), and fault
injection into a simulated ECU (faults and DTC test results by name).

The frame checks read the bus through the connection (so trace capture and other listeners still
see every frame) while no request is under way; they use the tester's clock only to bound the
observation, never the frames' own timestamps, which on hardware interfaces come from another clock.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import fields
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import can
from robot.api.deco import keyword

from UdsLibrary.converters import format_hex, parse_id
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import LibraryComponent, NoResponseError, UnexpectedResponseError, to_seconds
from UdsLibrary.keywords.dtc import parse_dtc_argument
from UdsLibrary.log import logger

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer

POLL = 0.005  # seconds between two reads of the bus while observing it
FRAME_KINDS = ("normal", "nm", "all")
PERIODS_TO_WAIT = 3  # an observation spans this many periods of the slowest frame observed
MIN_WINDOW = 0.3  # seconds
RESULTS = {"failed": True, "fail": True, "passed": False, "pass": False}
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


class ConformanceKeywords(LibraryComponent):
    """Keywords for the ISO 14229-1 conformance suites."""

    # ------------------------------------------------------------------ P2 / P2*
    @keyword("Responses Should Respect P2 And P2*", tags=["timing", "conformance"])
    def responses_should_respect_p2_and_p2_star(
        self,
        *,
        min_pending: int = 0,
        p2: str | float | timedelta | None = None,
        p2_star: str | float | timedelta | None = None,
    ) -> dict[str, float | int]:
        """Checks the timing of every response to the last request against the ECU's P2 and P2*.

        The first response (a 0x78 responsePending or the final answer) must come within P2 of the
        request, and each further response within P2* of the one before; every response but the
        last must be ``7F <SID> 78``, and at least ``min_pending`` of them must have come. This is
        the rule of ISO 14229-1 for long requests (erase, checksum, slow NvM writes).

        P2 and P2* default to the values the ECU announced in its last DiagnosticSessionControl
        response on this connection, else to the ECU description's; ``p2`` and ``p2_star`` (Robot
        times) override them. Times are measured by the tester up to the complete reception of each
        response, so transport time counts against the ECU. Returns ``first_ms``, ``max_gap_ms``
        and ``pending``.

        Examples:
        | Send UDS Request | 31 01 FF 00 44 00 01 00 00 00 01 00 00 | expected=71 01 FF 00 00 |
        | Responses Should Respect P2 And P2* | min_pending=1 |
        | Responses Should Respect P2 And P2* | p2=50 ms | p2_star=5 s |
        """
        target = self.target
        exchange = target.last
        if exchange is None:
            raise UdsLibraryError(f"No request has been sent on connection '{target.name}' yet")
        limit_p2, limit_p2_star, origin = self._announced(p2, p2_star)
        request = format_hex(target.last_shown if target.last_shown is not None else exchange.request)
        own = target.connection.addressing.response_id
        responses = [response for response in exchange.responses if response.source_id == own]
        if not responses:
            raise NoResponseError(f"The last request ({request}) got no response, so its timing cannot be checked")
        times = [response.time - exchange.sent_at for response in responses]
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        rows = ", ".join(f"{format_hex(r.payload[:3])}{' ...' if len(r.payload) > 3 else ''} +{t * 1000:.1f} ms"
                         for r, t in zip(responses, times, strict=True))
        summary = f"{request}: {rows} (P2 {limit_p2 * 1000:g} ms, P2* {limit_p2_star * 1000:g} ms {origin})"
        pending_answer = bytes((0x7F, exchange.request[0], 0x78))
        intermediate = [r for r in responses[:-1] if r.payload != pending_answer]
        if intermediate:
            raise UnexpectedResponseError(
                f"Only 7F {exchange.request[0]:02X} 78 may come before the final response, got "
                f"{format_hex(intermediate[0].payload)}: {summary}")
        if responses[-1].is_pending:
            raise NoResponseError(f"No final response after {len(responses)} x 0x78: {summary}")
        pending = len(responses) - 1
        if pending < min_pending:
            raise UnexpectedResponseError(
                f"Expected at least {min_pending} x 7F {exchange.request[0]:02X} 78 before the final response, got "
                f"{pending}: {summary}")
        if times[0] > limit_p2:
            raise UnexpectedResponseError(
                f"The first response came {times[0] * 1000:.1f} ms after the request, later than P2: {summary}")
        late = [(i, gap) for i, gap in enumerate(gaps) if gap > limit_p2_star]
        if late:
            index, gap = late[0]
            raise UnexpectedResponseError(
                f"Response {index + 2} came {gap * 1000:.1f} ms after the one before, later than P2*: {summary}")
        logger.info(f"Response timing within P2 and P2*: {summary}")
        return {"first_ms": round(times[0] * 1000, 3), "max_gap_ms": round(max(gaps, default=0.0) * 1000, 3),
                "pending": pending}

    def _announced(self, p2: Any, p2_star: Any) -> tuple[float, float, str]:
        target = self.target
        if target.p2_server is not None and target.p2_star_server is not None:
            base_p2, base_p2_star, origin = target.p2_server, target.p2_star_server, "as announced by the ECU"
        elif target.description is not None:
            timing = target.description.timing
            base_p2, base_p2_star, origin = timing.p2, timing.p2_star, "from the ECU description"
        elif p2 is None or p2_star is None:
            raise UdsLibraryError(
                f"connection '{target.name}' knows no P2/P2* (no session change answered, no ECU description): "
                "give p2= and p2_star=")
        else:
            base_p2 = base_p2_star = 0.0
            origin = ""
        if p2 is not None or p2_star is not None:
            origin = "as given"
        return (to_seconds(p2, "p2") if p2 is not None else base_p2,
                to_seconds(p2_star, "p2_star") if p2_star is not None else base_p2_star, origin)

    # ------------------------------------------------------------------ application frames (0x28)
    @keyword("Application Frames Should Stop", tags=["control", "conformance"])
    def application_frames_should_stop(
        self,
        kind: str = "normal",
        *,
        window: str | float | timedelta | None = None,
        ids: str | list[str | int] | None = None,
        all_ecus: bool = False,
    ) -> None:
        """Watches the bus for ``window`` and fails if the ECU sends any of its periodic application
        frames of ``kind``: ``normal`` (application messages), ``nm`` (network management) or ``all``.

        Call it right after the request that should have stopped them (CommunicationControl
        ``28 03 01``): every frame read from then on counts, also those that arrived since that
        request was answered. The frames and their kinds come from the ECU description's
        ``application_frames``; ``all_ecus=True`` adds those of every other simulated ECU on the
        bench (after a functional request), and ``ids`` (hex CAN ids, ``123, 510`` or a list) names
        the frames instead. ``window`` (a Robot time) defaults to three periods of the slowest of
        these frames, at least 300 ms. Nothing is sent meanwhile.

        Examples:
        | Send UDS Request | 28 03 01 | expected=68 03 |
        | Application Frames Should Stop |
        | Application Frames Should Stop | all | window=1 s | all_ecus=True |
        | Application Frames Should Stop | ids=123 |
        """
        watched, periods = self._frames_of(kind, ids, all_ecus)
        seconds = to_seconds(window, "window") if window is not None else self._default_window(periods)
        seen = self._observe(watched, seconds, stop_at_first=False)
        label = _label(watched, kind)
        if seen:
            first_at, first = seen[0]
            raise UnexpectedResponseError(
                f"{self._ecu_label(self.target)} still sent {label}: {len(seen)} frame(s) within "
                f"{seconds * 1000:g} ms, the first {first.arbitration_id:X}#{bytes(first.data).hex().upper()} after "
                f"{first_at * 1000:.0f} ms")
        logger.info(f"No {label} within {seconds * 1000:g} ms, as expected")

    @keyword("Application Frames Should Be Sent", tags=["control", "conformance"])
    def application_frames_should_be_sent(
        self,
        kind: str = "normal",
        *,
        within: str | float | timedelta | None = None,
        ids: str | list[str | int] | None = None,
        all_ecus: bool = False,
    ) -> float:
        """Watches the bus until one of the ECU's periodic application frames of ``kind`` (``normal``,
        ``nm`` or ``all``) comes, and fails if none comes ``within`` the given time; returns after how
        many milliseconds it came.

        Use it to check that the frames run before CommunicationControl stops them, and that they
        resume after ``28 00 01``, a return to the default session or an S3 timeout. ``ids``,
        ``all_ecus`` and the default time (``within``: three periods of the slowest frame, at least
        300 ms) work as in `Application Frames Should Stop`. Nothing is sent meanwhile.

        Examples:
        | Application Frames Should Be Sent |
        | Send UDS Request | 28 00 01 | expected=68 00 |
        | Application Frames Should Be Sent | normal | within=500 ms |
        | Application Frames Should Be Sent | nm |
        """
        watched, periods = self._frames_of(kind, ids, all_ecus)
        seconds = to_seconds(within, "within") if within is not None else self._default_window(periods)
        seen = self._observe(watched, seconds, stop_at_first=True)
        label = _label(watched, kind)
        if not seen:
            raise NoResponseError(f"{self._ecu_label(self.target)} sent no {label} within {seconds * 1000:g} ms")
        at, frame = seen[0]
        logger.info(f"{frame.arbitration_id:X}#{bytes(frame.data).hex().upper()} came after {at * 1000:.0f} ms "
                    f"({label})")
        return round(at * 1000, 3)

    def _frames_of(self, kind: str, ids: str | list[str | int] | None,
                   all_ecus: bool) -> tuple[set[int], list[float]]:
        wanted = str(kind).strip().lower()
        if wanted not in FRAME_KINDS:
            raise UdsLibraryError(f"kind must be one of {', '.join(FRAME_KINDS)}, got '{kind}'")
        target = self.target
        frames = list(target.description.application_frames) if target.description is not None else []
        if all_ecus and target.simulator is not None:
            for ecu in target.simulator.ecus.values():
                frames.extend(frame for frame in ecu.description.application_frames if frame not in frames)
        if ids is not None:
            items = ids.replace(",", " ").split() if isinstance(ids, str) else list(ids)
            chosen = {parse_id(item, "ids entry", 0x1FFFFFFF) for item in items}
            if not chosen:
                raise UdsLibraryError("ids is empty: give CAN ids in hex, such as 123, 510")
            periods = [frame.period for frame in frames if frame.id in chosen] or [0.1]
            return chosen, periods
        selected = [frame for frame in frames if wanted == "all" or frame.kind == wanted]
        if not selected:
            raise UdsLibraryError(
                f"connection '{target.name}' knows no periodic {'' if wanted == 'all' else wanted + ' '}application "
                "frames: describe them in the ECU description's application_frames or give ids=")
        return {frame.id for frame in selected}, [frame.period for frame in selected]

    @staticmethod
    def _default_window(periods: list[float]) -> float:
        return max(MIN_WINDOW, PERIODS_TO_WAIT * max(periods))

    def _observe(self, ids: set[int], duration: float, *, stop_at_first: bool) -> list[tuple[float, can.Message]]:
        """Frames with these ids read within ``duration`` (seconds after the start, frame)."""
        connection = self.target.connection
        seen: list[tuple[float, can.Message]] = []
        start = time.perf_counter()

        def listener(message: can.Message) -> None:
            if (message.arbitration_id in ids and not message.is_error_frame and not message.is_remote_frame
                    and message.is_rx):
                seen.append((time.perf_counter() - start, message))

        connection.listeners.append(listener)
        try:
            deadline = start + duration
            while True:
                connection.drain()  # reads what arrived through the connection's listeners
                now = time.perf_counter()
                if (seen and stop_at_first) or now >= deadline:
                    break
                time.sleep(min(POLL, deadline - now))
        finally:
            connection.listeners.remove(listener)
        return [(at, message) for at, message in seen if at <= duration]

    # ------------------------------------------------------------------ simulated ECU
    @keyword("Inject Fault", tags=["simulator", "conformance"])
    def inject_fault(self, name: str, value: Any = True, *, ecu: str | None = None) -> None:
        """Sets fault ``name`` of the simulated ECU to ``value`` (see the simulator's fault list:
        ``low_voltage``, ``vehicle_moving``, ``engine_running``, ``nvm_write_error``, ``slow_nvm``,
        ``routine_precondition_failed``, ``crc_mismatch``, ``slow_verification``, ...).

        On/off faults take ``True``/``False`` (also ``yes``/``no``, ``on``/``off``); durations
        (``slow_nvm``, ``slow_verification``) a Robot time such as ``1.5 s``; routine faults routine
        ids in hex (``0203`` or ``0203, 1234``); ``variant_range`` two numbers (``1, 5``);
        ``routine_failure`` a dictionary or ``0203=01 02`` pairs; ``none`` clears an optional fault.
        ``ecu`` names one ECU of a simulated vehicle (default: the one this connection talks to).
        Fails on a bench without a simulated ECU, so suites skip such cases there.

        Examples:
        | Inject Fault | vehicle_moving |
        | Inject Fault | low_voltage | False |
        | Inject Fault | slow_verification | 1.5 s |
        | Inject Fault | routine_precondition_failed | 0203 |
        """
        server = self._simulated_ecu(ecu)
        known = {field.name: field for field in fields(server.faults)}
        if name not in known:
            raise UdsLibraryError(f"unknown fault '{name}'; known faults: {', '.join(sorted(known))}")
        converted = _fault_value(name, getattr(server.faults, name), value)
        try:
            server.faults.apply({name: converted})
        except (TypeError, ValueError) as error:
            raise UdsLibraryError(f"fault {name}: value '{value}' is not valid: {error}") from None
        logger.info(f"Fault injected into simulated ECU '{server.description.name}': {name} = "
                    f"{getattr(server.faults, name)!r}")

    @keyword("Report DTC Test Result", tags=["simulator", "dtc", "conformance"])
    def report_dtc_test_result(self, dtc: str | int, result: str = "failed", *, ecu: str | None = None) -> None:
        """Makes the simulated ECU's monitor for ``dtc`` report a test result, ``failed`` or
        ``passed``, as the ECU software would when a fault appears or goes away.

        A failed result sets testFailed, testFailedThisOperationCycle, pendingDTC, confirmedDTC and
        testFailedSinceLastClear and clears the "not completed" bits; a passed one clears testFailed.
        While ControlDTCSetting is off (``85 02``) the ECU ignores the result, as ISO 14229-1
        requires. ``dtc`` is hex (``9A0B13``, ``9A 0B 13``) or SAE J2012 text (``B1A0B-13``); it must
        be in the ECU description. ``ecu`` names one ECU of a simulated vehicle (default: the one
        this connection talks to).

        Examples:
        | Report DTC Test Result | 9A0B13 | failed |
        | Report DTC Test Result | B1A0B-13 | passed |
        """
        server = self._simulated_ecu(ecu)
        code = parse_dtc_argument(str(dtc).replace(" ", "") if isinstance(dtc, str) else dtc, "dtc")
        outcome = str(result).strip().lower()
        if outcome not in RESULTS:
            raise UdsLibraryError(f"result must be 'failed' or 'passed', got '{result}'")
        try:
            server.report_dtc(code, failed=RESULTS[outcome])
        except KeyError:
            raise UdsLibraryError(
                f"DTC {code:06X} is not in the description of simulated ECU '{server.description.name}'") from None
        state = "ignored (DTC setting is off)" if not server.dtc_setting_on else (
            f"status now {server.dtcs[code].status:02X}")
        logger.info(f"Simulated ECU '{server.description.name}' reported DTC {code:06X} {outcome}: {state}")

    def _simulated_ecu(self, name: str | None) -> EcuServer:
        target = self.target
        simulator = target.simulator
        if simulator is None:
            raise UdsLibraryError(f"connection '{target.name}' is not to a simulated ECU: faults and DTC test results "
                                  "can only be injected into a simulated one")
        if name is None:  # the simulated ECU this connection talks to
            own = target.connection.addressing.response_id
            return next((ecu for ecu in simulator.ecus.values() if ecu.description.addressing.response_id == own),
                        simulator.ecu)
        if name not in simulator.ecus:
            raise UdsLibraryError(f"no simulated ECU '{name}' (available: {', '.join(simulator.ecus)})")
        return simulator.ecus[name]


def _label(ids: set[int], kind: str) -> str:
    which = "" if str(kind).lower() == "all" else f"{str(kind).lower()} "
    return f"{which}application frames ({', '.join(f'{i:X}' for i in sorted(ids))})"


def _fault_value(name: str, current: Any, value: Any) -> Any:
    """Robot's text (or typed) value in the type of the fault's current value."""
    text = str(value).strip() if not isinstance(value, (bool, int, float, dict, list, tuple, set)) else None
    if text is not None and text.lower() == "none":
        return None
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
        if text is not None and text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise UdsLibraryError(f"fault {name} is on or off: give True or False, got '{value}'")
    if isinstance(current, float):
        return to_seconds(value, f"fault {name}")
    if isinstance(current, set):
        items = value if isinstance(value, (list, tuple, set)) else str(value).split(",")
        return {parse_id(item, f"fault {name} routine id") for item in items if str(item).strip()}
    if isinstance(current, dict):
        if isinstance(value, dict):
            return value
        pairs = [item.split("=", 1) for item in str(value).split(",") if item.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise UdsLibraryError(f"fault {name} takes routine=record pairs such as '0203=01 02', got '{value}'")
        return {parse_id(rid, f"fault {name} routine id"): record.strip() for rid, record in pairs}
    if name == "variant_range":
        items = value if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
        if len(items) != 2:
            raise UdsLibraryError(f"fault {name} takes two numbers (lowest, highest), got '{value}'")
        return tuple(int(str(item), 0) for item in items)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return int(text or "", 0)
    except ValueError:
        raise UdsLibraryError(f"fault {name} takes a number, got '{value}'") from None
