"""Raw requests and response times: any request as hex, checked against a byte pattern or an NRC;
requests that must stay unanswered; functional requests that collect every ECU's answer; and
assertions on the last exchange and on the response times of the connection."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from robot.api.deco import keyword

from UdsLibrary import nrc as nrcs
from UdsLibrary.converters import format_hex, parse_hex, parse_id, pattern_matches
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import (
    LibraryComponent,
    NegativeResponseError,
    NoResponseError,
    Target,
    UnexpectedResponseError,
    service_label,
    to_seconds,
)
from UdsLibrary.log import logger
from UdsLibrary.transport.connection import Exchange

SHOWN_BYTES = 24  # response bytes a failure message shows before it abbreviates
TIME_OF = ("final", "first")


class RawKeywords(LibraryComponent):
    # ------------------------------------------------------------------ raw requests
    @keyword("Send UDS Request", tags=["raw"])
    def send_uds_request(
        self,
        request: str | bytes,
        *,
        expected: str | None = None,
        expected_nrc: str | int | None = None,
        functional: bool = False,
        timeout: str | float | timedelta | None = None,
    ) -> str:
        """Sends ``request`` (hex) to the ECU and returns its final response as hex text, for
        example ``62 F1 90 57 56 57 ...``.

        ``expected`` is a hex pattern the final response must match: ``??`` stands for any one
        byte and ``*`` for any number of bytes, so ``62 F1 90 *`` accepts every positive answer
        to ``22 F1 90``. As with every keyword, a negative response fails unless ``expected_nrc``
        (number such as ``0x22`` or name such as ``conditionsNotCorrect``) says which one is
        expected, or the ``expected`` pattern can match it (it starts with ``7F``, ``??`` or ``*``).

        ``functional=True`` sends on the functional id and waits for the connected ECU's answer
        (use `Send Functional UDS Request` to collect the answers of every ECU). ``timeout`` is
        how long to wait for the first response (a Robot time such as ``500 ms``; default: the
        connection's P2); after a 0x78 responsePending the connection's P2* applies.

        The request is checked before anything is sent: bad hex fails at once. Keys of a
        SecurityAccess sendKey (``27 02 ...``) are hidden in the log.

        Examples:
        | ${vin} = | Send UDS Request | 22 F1 90 |
        | Send UDS Request | 22 F1 90 | expected=62 F1 90 57 56 57 * |
        | Send UDS Request | 10 03 | expected_nrc=conditionsNotCorrect |
        | Send UDS Request | 31 01 12 34 | expected=7F 31 ?? |
        """
        payload = _request_bytes(request)
        wanted_nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        if expected is not None:
            _check_pattern(expected)
        seconds = to_seconds(timeout, "timeout") if timeout is not None else None
        masked, decoded = _hide_key(payload)
        try:
            exchange = self.request(payload, expected_nrc=wanted_nrc, functional=functional, timeout=seconds,
                                    masked=masked, decoded=decoded)
        except (NegativeResponseError, UnexpectedResponseError):
            # A pattern that can match a negative response decides itself whether this one is right.
            if expected is None or wanted_nrc is not None or not _may_be_negative(expected):
                raise
            exchange = self._last_exchange()
        final = exchange.final
        assert final is not None  # self.request fails when nothing came
        if expected is not None and not pattern_matches(expected, final.payload):
            raise UnexpectedResponseError(
                f"{self._ecu_label(self.target)} answered {_shown(self.target)} with {_abbreviated(final.payload)}, "
                f"expected {expected}")
        return format_hex(final.payload)

    @keyword("Response Should Be Negative", tags=["raw"])
    def response_should_be_negative(self, nrc: str | int | None = None) -> int:
        """Checks that the final response to the last request was negative (``7F``), with the
        NRC ``nrc`` (number or name) when given; returns the NRC as an integer.

        Useful after a request whose failure was expected, or to check an NRC again.

        Examples:
        | Run Keyword And Expect Error | *NRC 0x22* | Send UDS Request | 10 03 |
        | Response Should Be Negative | conditionsNotCorrect |
        | ${nrc} = | Response Should Be Negative |
        """
        wanted = nrcs.parse_nrc(nrc) if nrc is not None else None
        exchange = self._last_exchange()
        final = exchange.final
        shown = _shown(self.target)
        expectation = f"NRC 0x{wanted:02X} {nrcs.nrc_name(wanted)}" if wanted is not None else "a negative response"
        if final is None:
            raise NoResponseError(f"The last request ({shown}) got no response, but {expectation} was expected")
        if not final.is_negative or final.nrc is None:
            raise UnexpectedResponseError(
                f"The last response to {shown} was positive ({_abbreviated(final.payload)}), but {expectation} "
                "was expected")
        if wanted is not None and final.nrc != wanted:
            raise UnexpectedResponseError(
                f"The last response to {shown} was NRC 0x{final.nrc:02X} {nrcs.nrc_name(final.nrc)}, but "
                f"{expectation} was expected")
        logger.info(f"The last response to {shown} was {format_hex(final.payload)}: NRC 0x{final.nrc:02X} "
                    f"{nrcs.nrc_name(final.nrc)}")
        return final.nrc

    @keyword("Last Response Should Be", tags=["raw"])
    def last_response_should_be(self, pattern: str) -> str:
        """Checks the final response to the last request against the hex ``pattern`` (``??`` is any
        one byte, ``*`` any number of bytes) and returns the response as hex text.

        Works after any keyword that sends a request, so a service keyword's raw answer can be
        checked too.

        Examples:
        | Read DID | VIN |
        | Last Response Should Be | 62 F1 90 * |
        | Send UDS Request | 10 03 |
        | Last Response Should Be | 50 03 00 ?? ?? ?? |
        """
        _check_pattern(pattern)
        exchange = self._last_exchange()
        final = exchange.final
        shown = _shown(self.target)
        if final is None:
            raise NoResponseError(f"The last request ({shown}) got no response, expected {pattern}")
        if not pattern_matches(pattern, final.payload):
            raise UnexpectedResponseError(
                f"The last response to {shown} was {_abbreviated(final.payload)}, expected {pattern}")
        return format_hex(final.payload)

    @keyword("Send UDS Request And Expect No Response", tags=["raw"])
    def send_uds_request_and_expect_no_response(
        self,
        request: str | bytes,
        *,
        window: str | float | timedelta = "150 ms",
        functional: bool = False,
    ) -> None:
        """Sends ``request`` (hex) and fails if anything answers within ``window`` (a Robot time).

        For the cases where the ECU must stay silent: the suppressPosRspMsgIndicationBit
        (``3E 80``, ``10 83``), functional requests an ECU does not support (``functional=True``;
        ECUs suppress NRCs 0x11, 0x12, 0x31, 0x7E and 0x7F there), or an ECU that is switched off.
        Any answer fails, also a 0x78 responsePending or a negative response.

        Examples:
        | Send UDS Request And Expect No Response | 3E 80 |
        | Send UDS Request And Expect No Response | 10 81 | window=300 ms |
        | Send UDS Request And Expect No Response | 22 12 34 | functional=True |
        """
        payload = _request_bytes(request)
        seconds = to_seconds(window, "window")
        masked, decoded = _hide_key(payload)
        exchange = self.request(payload, functional=functional, expect_response=False, timeout=seconds,
                                masked=masked, decoded=decoded)
        if exchange.responses:
            first = exchange.responses[0]
            meaning = f" (NRC 0x{first.nrc:02X} {nrcs.nrc_name(first.nrc)})" if first.nrc is not None else ""
            raise UnexpectedResponseError(
                f"{self._responder(first.source_id)} answered {_shown(self.target)} with "
                f"{_abbreviated(first.payload)}{meaning} within {seconds * 1000:g} ms, but silence was expected")
        logger.info(f"No answer to {_shown(self.target)} within {seconds * 1000:g} ms, as expected")

    @keyword("Send Functional UDS Request", tags=["raw"])
    def send_functional_uds_request(
        self,
        request: str | bytes,
        *,
        window: str | float | timedelta | None = None,
        expected: str | None = None,
        expected_nrc: str | int | None = None,
        response_ids: str | list[str | int] | None = None,
    ) -> dict[str, str]:
        """Sends ``request`` (hex) on the functional id and collects the final answer of every ECU
        that responds within ``window`` (a Robot time; default: the connection's P2, extended by
        P2* while an ECU sends 0x78 responsePending). Returns a dictionary that maps each ECU to
        its final response as hex text.

        The keys are the ECU names of a simulated bench (``ECM``, ``TCM``, ``BCM`` for the demo
        vehicle) and otherwise the response id in hex (``7E9``). On a simulated bench the
        connection listens to every simulated ECU. On a real bench it listens to the ECU of the
        connection only, unless ``response_ids`` lists more: ``7E9, 7EA`` or a list. For answers
        longer than one CAN frame the tester sends flow control to the id 8 below the response id
        (7E9 -> 7E1, the usual pairing); give ``request/response`` (``726/72E``) where it differs.

        It fails when no ECU answers, when an answer is negative (unless ``expected_nrc`` or an
        ``expected`` pattern accepts it), and when an answer does not match ``expected`` (hex
        with ``??`` and ``*`` wildcards, as in `Send UDS Request`).

        Examples:
        | ${answers} = | Send Functional UDS Request | 3E 00 |
        | Length Should Be | ${answers} | 3 |
        | ${answers} = | Send Functional UDS Request | 22 F1 90 | expected=62 F1 90 * | window=300 ms |
        | Should Be Equal | ${answers}[TCM] | 62 F1 90 57 56 57 5A 5A 5A 31 4A 5A 58 57 30 30 30 30 30 31 |
        | ${answers} = | Send Functional UDS Request | 10 03 | response_ids=7E9, 7EA |
        """
        payload = _request_bytes(request)
        if expected is not None:
            _check_pattern(expected)
        wanted_nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        target = self.target
        functional_id = target.connection.addressing.functional_id
        if functional_id is None:
            raise UdsLibraryError(
                f"connection '{target.name}' has no functional request id: give the bench "
                "ecu.addressing.functional_id or Open UDS Connection functional_id=")
        seconds = to_seconds(window, "window") if window is not None else target.connection.p2_timeout
        if response_ids is not None:
            self._listen(target, _response_id_pairs(response_ids))
        masked, decoded = _hide_key(payload)
        exchange = self.request(payload, functional=True, collect_all=True, timeout=seconds, masked=masked,
                                decoded=decoded)
        shown = _shown(target)
        answers: dict[str, str] = {}
        for source_id, responses in exchange.by_source().items():
            finals = [response for response in responses if not response.is_pending]
            if not finals:
                logger.info(f"{self._responder(source_id)} sent only 0x78 responsePending to {shown}")
                continue
            final = finals[0]
            who = self._responder(source_id)
            if final.is_negative and final.nrc is not None:
                accepted = final.nrc == wanted_nrc or (expected is not None and pattern_matches(expected,
                                                                                                 final.payload))
                if not accepted:
                    raise NegativeResponseError(
                        f"{who} rejected {shown} ({service_label(payload[0])}, functional) with "
                        f"{nrcs.describe(final.nrc, payload[0])}")
            elif wanted_nrc is not None:
                raise UnexpectedResponseError(
                    f"{who} accepted {shown} (functional) with {_abbreviated(final.payload)}, but NRC "
                    f"0x{wanted_nrc:02X} {nrcs.nrc_name(wanted_nrc)} was expected")
            if expected is not None and not pattern_matches(expected, final.payload):
                raise UnexpectedResponseError(
                    f"{who} answered {shown} (functional) with {_abbreviated(final.payload)}, expected {expected}")
            answers[self._responder_key(source_id)] = format_hex(final.payload)
        if not answers:
            raise NoResponseError(
                f"No ECU answered {shown} ({service_label(payload[0])}, functional id {functional_id:X}) within "
                f"{exchange.timeout_used * 1000:.0f} ms; check that the ECUs are powered and that the functional id "
                "is right")
        logger.info(f"{len(answers)} ECU(s) answered {shown}: "
                    + ", ".join(f"{name}: {_abbreviated(answer)}" for name, answer in answers.items()))
        return answers

    # ------------------------------------------------------------------ timing
    @keyword("Last Response Time Should Be Below", tags=["timing"])
    def last_response_time_should_be_below(self, limit: str | float | timedelta, *, which: str = "final") -> float:
        """Checks that the last request was answered within ``limit`` (a Robot time such as
        ``50 ms``) and returns the measured time in milliseconds.

        By default the time to the final response counts (after any 0x78 responsePending);
        ``which=first`` takes the time to the first response instead, which is the ECU's P2.
        Times are measured by the tester from sending the request to receiving the complete
        response, so they include the transport (multi-frame transfers, bus load).

        Examples:
        | Read DID | VIN |
        | Last Response Time Should Be Below | 50 ms |
        | Start Routine | eolCalibration |
        | Last Response Time Should Be Below | 50 ms | which=first |
        """
        limit_seconds = to_seconds(limit, "limit")
        kind = _which(which)
        exchange = self._last_exchange()
        shown = _shown(self.target)
        first, final = exchange.first_response_time, exchange.final_response_time
        measured = final if kind == "final" else first
        if first is None:
            raise NoResponseError(f"The last request ({shown}) got no response, so it has no response time")
        detail = f"first response after {first * 1000:.1f} ms, {exchange.pending_count} x 0x78"
        if measured is None:
            raise NoResponseError(
                f"The last request ({shown}) got no final response, so it has no response time ({detail})")
        what = "The last response" if kind == "final" else "The first response to the last request"
        if measured > limit_seconds:
            raise UnexpectedResponseError(
                f"{what} ({shown}) took {measured * 1000:.1f} ms, limit {_ms(limit_seconds)} ({detail})")
        logger.info(f"{what} ({shown}) took {measured * 1000:.1f} ms, limit {_ms(limit_seconds)} ({detail})")
        return round(measured * 1000, 3)

    @keyword("Response Times Should Be Below", tags=["timing"])
    def response_times_should_be_below(
        self,
        limit: str | float | timedelta,
        *,
        which: str = "final",
        service: str | int | None = None,
    ) -> float:
        """Checks that every answered request of the active connection so far was answered within
        ``limit`` (a Robot time) and returns the slowest time in milliseconds.

        ``which=first`` checks the time to the first response (P2) instead of the final one;
        ``service`` (hex SID such as ``22``) checks only the requests of one service. Requests
        that got no answer (suppressed or expected silence) are not counted. `Log UDS Timing
        Statistics` shows the distribution.

        Examples:
        | Response Times Should Be Below | 50 ms |
        | Response Times Should Be Below | 20 ms | service=22 |
        | Response Times Should Be Below | 50 ms | which=first |
        """
        limit_seconds = to_seconds(limit, "limit")
        kind = _which(which)
        sid = parse_id(service, "service", 0xFF) if service is not None else None
        target = self.target
        records = [t for t in target.timings if sid is None or t.service == sid]
        timed = [(t, t.final if kind == "final" else t.first) for t in records]
        timed = [(t, seconds) for t, seconds in timed if seconds is not None]
        scope = f" of service {service_label(sid)}" if sid is not None else ""
        if not timed:
            raise NoResponseError(f"Connection '{target.name}' has no answered requests{scope} to check")
        slow = [(t, seconds) for t, seconds in timed if seconds > limit_seconds]
        worst, worst_seconds = max(timed, key=lambda item: item[1])
        worst_text = (f"{service_label(worst.service)} after {worst_seconds * 1000:.1f} ms"
                      + (f" ({worst.pending} x 0x78)" if worst.pending else ""))
        if slow:
            raise UnexpectedResponseError(
                f"{len(slow)} of {len(timed)} {kind} responses{scope} on connection '{target.name}' took longer than "
                f"{_ms(limit_seconds)}; slowest: {worst_text}")
        logger.info(f"All {len(timed)} {kind} responses{scope} on connection '{target.name}' came within "
                    f"{_ms(limit_seconds)}; slowest: {worst_text}")
        return round(worst_seconds * 1000, 3)

    # ------------------------------------------------------------------ helpers
    def _last_exchange(self) -> Exchange:
        target = self.target
        if target.last is None:
            raise UdsLibraryError(f"No request has been sent on connection '{target.name}' yet")
        return target.last

    def _responder_key(self, source_id: int) -> str:
        """A simulated ECU's name, or the response id in hex."""
        simulator = self.target.simulator
        if simulator is not None:
            for name, ecu in simulator.ecus.items():
                if ecu.description.addressing.response_id == source_id:
                    return name
        return f"{source_id:X}"

    def _responder(self, source_id: int) -> str:
        target = self.target
        if source_id == target.connection.addressing.response_id:
            return self._ecu_label(target)
        key = self._responder_key(source_id)
        return f"ECU {key}" if key == f"{source_id:X}" else f"ECU '{key}' ({source_id:X})"

    @staticmethod
    def _listen(target: Target, pairs: list[tuple[int, int]]) -> None:
        """Let the connection also route and reassemble answers from these (request, response) ids."""
        connection = target.connection
        for request_id, response_id in pairs:
            connection.listen_to(replace(connection.addressing, request_id=request_id, response_id=response_id))


# ---------------------------------------------------------------------- module helpers
def _request_bytes(request: str | bytes) -> bytes:
    payload = parse_hex(request, "request")
    if not payload:
        raise UdsLibraryError("request is empty: give at least the service id, e.g. 22 F1 90")
    return payload


def _check_pattern(pattern: str) -> None:
    pattern_matches(pattern, b"")  # raises on a pattern that is not hex with ?? and * wildcards


def _may_be_negative(pattern: str) -> bool:
    compact = "".join(pattern.split()).upper()
    return compact.startswith(("7F", "??", "*"))


def _hide_key(payload: bytes) -> tuple[bytes | None, str | None]:
    """SecurityAccess sendKey (27, even sub-function): show only `27 xx`, never the key."""
    if len(payload) > 2 and payload[0] == 0x27 and payload[1] % 2 == 0 and payload[1] & 0x7F:
        return payload[:2], f"key: ** ({len(payload) - 2} bytes, hidden)"
    return None, None


def _shown(target: Target) -> str:
    """The last request as the log shows it (a hidden key as **)."""
    exchange = target.last
    if exchange is None:
        return ""
    shown = target.last_shown if target.last_shown is not None else exchange.request
    return format_hex(shown) + (" **" if len(shown) < len(exchange.request) else "")


def _abbreviated(data: bytes | str) -> str:
    if isinstance(data, str):
        data = parse_hex(data)
    if len(data) <= SHOWN_BYTES:
        return format_hex(data)
    return f"{format_hex(data[:SHOWN_BYTES])} ... ({len(data)} bytes)"


def _which(which: str) -> str:
    kind = str(which).strip().lower()
    if kind not in TIME_OF:
        raise UdsLibraryError(f"which must be 'final' or 'first', got '{which}'")
    return kind


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:g} ms"


def _response_id_pairs(value: str | list[str | int]) -> list[tuple[int, int]]:
    """`7E9, 7EA` or `726/72E` (request/response) or a list of them -> (request id, response id)."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    pairs = []
    for item in items:
        text = str(item).strip() if not isinstance(item, int) else None
        if text is not None and "/" in text:
            request_text, response_text = text.split("/", 1)
            request_id = parse_id(request_text, "response_ids request id", 0x1FFFFFFF)
            response_id = parse_id(response_text, "response_ids response id", 0x1FFFFFFF)
        else:
            response_id = parse_id(item if text is None else text, "response_ids entry", 0x1FFFFFFF)
            if response_id < 8:
                raise UdsLibraryError(
                    f"response_ids entry '{item}' has no request id 8 below it: write it as request/response, "
                    "e.g. 726/72E")
            request_id = response_id - 8
        pairs.append((request_id, response_id))
    if not pairs:
        raise UdsLibraryError("response_ids is empty: give response ids such as 7E9, 7EA")
    return pairs
