"""Diagnostic sessions (service 0x10): change the session, check the active one, and use the P2/P2*
timing the ECU announces in its answer.

Timing rule: the ECU's DiagnosticSessionControl answer announces P2server_max (ms) and
P2*server_max (10 ms units). The client then waits ``max(bench P2, announced P2 + 50 ms)`` for a
first answer and ``max(bench P2*, announced P2* x 1.1)`` after each 0x78 responsePending. The
bench's timeouts are floors: an announcement can lengthen the waits, never shorten them below what
the bench (or the library's ``p2_timeout`` import argument) asks for.
"""

from __future__ import annotations

import difflib
from typing import Literal

import udsoncan
from robot.api.deco import keyword
from udsoncan.services import DiagnosticSessionControl

from UdsLibrary import nrc as nrcs
from UdsLibrary.bench import P2_STAR_MARGIN
from UdsLibrary.converters import format_hex, parse_id
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import (
    LibraryComponent,
    NegativeResponseError,
    Target,
    UnexpectedResponseError,
    service_label,
)
from UdsLibrary.log import logger

#: Added to the announced P2server_max for the client's P2 timeout (bus and tester latency, ISO 14229-2 dP2).
P2_MARGIN = 0.050
SESSION_DID = 0xF186

# ISO 14229-1 names of the standard sessions, and the short forms a tester types.
ISO_SESSIONS: dict[int, str] = {
    0x01: "defaultSession",
    0x02: "programmingSession",
    0x03: "extendedDiagnosticSession",
    0x04: "safetySystemDiagnosticSession",
}
SHORT_NAMES: dict[int, str] = {0x01: "default", 0x02: "programming", 0x03: "extended", 0x04: "safetySystem"}
_ALIASES: dict[str, int] = {
    "default": 0x01, "defaultsession": 0x01,
    "programming": 0x02, "programmingsession": 0x02,
    "extended": 0x03, "extendedsession": 0x03, "extendeddiagnostic": 0x03, "extendeddiagnosticsession": 0x03,
    "safetysystem": 0x04, "safetysystemsession": 0x04, "safetysystemdiagnosticsession": 0x04,
}


def _normalize(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch not in " _-")


def parse_session(value: str | int, description_sessions: dict[int, str] | None = None) -> int:
    """A session by name or hex number: description names first, then the ISO names, then hex.

    ``extended``, ``extendedDiagnosticSession``, ``EXTENDED``, ``3``, ``03`` and ``0x03`` are all 0x03.
    """
    if isinstance(value, bool):
        raise UdsLibraryError(f"session must be a name or a number, got {value!r}")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text:
            raise UdsLibraryError("session must be a name or a hex number, got an empty value")
        wanted = _normalize(text)
        for number, name in (description_sessions or {}).items():
            if _normalize(name) == wanted:
                return number
        if wanted in _ALIASES:
            return _ALIASES[wanted]
        try:
            number = parse_id(text, "session", maximum=0xFF)
        except UdsLibraryError:
            names = list((description_sessions or {}).values()) + list(SHORT_NAMES.values()) + list(
                ISO_SESSIONS.values())
            by_normal = {_normalize(name): name for name in names}
            close = difflib.get_close_matches(wanted, list(by_normal), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(by_normal[c] for c in close)}?" if close else ""
            known = ", ".join(dict.fromkeys(names))
            raise UdsLibraryError(f"unknown session '{value}' (known: {known}; or a hex number such as 0x03){hint}") \
                from None
    if number & 0x80:
        raise UdsLibraryError(
            f"session 0x{number:02X} has bit 7 (suppressPosRspMsgIndicationBit) set: give session "
            f"0x{number & 0x7F:02X} and suppress_response=True")
    if not 0x01 <= number <= 0x7E:
        raise UdsLibraryError(f"session 0x{number:02X} is out of range (0x01-0x7E)")
    return number


def session_label(number: int, description_sessions: dict[int, str] | None = None) -> str:
    """'0x03 extended' - the description's name, else the ISO short name, else just the number."""
    name = (description_sessions or {}).get(number) or SHORT_NAMES.get(number)
    return f"0x{number:02X} {name}" if name else f"0x{number:02X}"


def client_timeouts(bench_p2: float, bench_p2_star: float, p2_server: float, p2_star_server: float) -> tuple[
        float, float]:
    """The client's (P2, P2*) timeouts from the bench's floors and the ECU's announcement (seconds)."""
    p2 = max(bench_p2, p2_server + P2_MARGIN)
    p2_star = max(bench_p2_star, round(p2_star_server * P2_STAR_MARGIN, 6), p2)
    return p2, p2_star


def parse_session_timing(payload: bytes) -> tuple[float, float] | None:
    """(P2server_max, P2*server_max) in seconds from a positive 0x50 answer, or None if it has none."""
    if len(payload) < 6:
        return None
    response = udsoncan.Response.from_payload(bytes(payload[:6]))
    DiagnosticSessionControl.interpret_response(response)
    data = response.service_data
    return float(data.p2_server_max), float(data.p2_star_server_max)


class SessionKeywords(LibraryComponent):
    """Keywords for DiagnosticSessionControl (0x10) and the active session."""

    def _description_sessions(self, target: Target | None = None) -> dict[int, str]:
        description = (target or self.target).description
        return {s.id: s.name for s in description.sessions} if description is not None else {}

    @keyword("Change Session", tags=["session"])
    def change_session(self, session: str | int, *, suppress_response: bool = False,
                       expected_nrc: str | int | None = None) -> int:
        """Changes the diagnostic session (``10 xx``) and returns the session number.

        ``session`` is a name - from the ECU description's sessions, or ``default``, ``programming``,
        ``extended``, ``safetySystem`` and the ISO names such as ``extendedDiagnosticSession``,
        case-insensitive - or a hex number (``3``, ``03``, ``0x03``; numbers are hex, so ``40`` is
        0x40). Unknown names are refused before anything is sent.

        On a positive answer the P2 and P2* the ECU announces are logged, stored on the connection
        and used: the client then waits ``max(bench P2, P2 + 50 ms)`` for an answer and ``max(bench
        P2*, P2* x 1.1)`` after a 0x78 responsePending. The bench's timeouts stay the floor.

        ``suppress_response=True`` sets the suppressPosRspMsgIndicationBit (``10 83``): the ECU must
        not answer a successful change (an answer fails the keyword); no timing is announced then, so
        the timeouts stay as they were.

        ``expected_nrc`` (number or name) makes a negative answer the expected outcome; see
        `Implicit assertions`. A 0x22 conditionsNotCorrect failure comes with the usual supply voltage hint.

        Examples:
        | Change Session | extended |
        | ${session} = | Change Session | 0x02 |
        | Change Session | extended | suppress_response=True |
        | Change Session | programming | expected_nrc=subFunctionNotSupportedInActiveSession |
        """
        target = self.target
        names = self._description_sessions(target)
        number = parse_session(session, names)
        expected = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        label = session_label(number, names)
        if suppress_response:
            self._change_suppressed(target, number, label, expected)
            return number
        exchange = self.request(bytes((0x10, number)), expected_nrc=expected)
        final = exchange.final
        assert final is not None  # self.request fails on silence
        if final.is_negative:
            return number
        payload = final.payload
        if len(payload) < 2 or payload[1] != number:
            echo = f"0x{payload[1]:02X}" if len(payload) >= 2 else "nothing"
            raise UnexpectedResponseError(
                f"{self._ecu_label(target)} confirmed session {echo} in {format_hex(payload)}, but session {label} "
                "was requested")
        target.session = number
        timing = parse_session_timing(payload)
        if timing is None:
            logger.info(f"Session {label} active; the ECU announced no P2/P2* ({format_hex(payload)}), "
                        f"timeouts stay P2 {target.connection.p2_timeout * 1000:.0f} ms, "
                        f"P2* {target.connection.p2_star_timeout * 1000:.0f} ms")
            return number
        self._apply_timing(target, label, *timing)
        return number

    def _apply_timing(self, target: Target, label: str, p2_server: float, p2_star_server: float) -> None:
        target.p2_server = p2_server
        target.p2_star_server = p2_star_server
        p2, p2_star = client_timeouts(target.bench.p2_timeout, target.bench.p2_star_timeout, p2_server,
                                      p2_star_server)
        target.connection.p2_timeout = p2
        target.connection.p2_star_timeout = p2_star
        logger.info(f"Session {label} active; the ECU announces P2 {p2_server * 1000:.0f} ms, "
                    f"P2* {p2_star_server * 1000:.0f} ms; client timeouts now P2 {p2 * 1000:.0f} ms, "
                    f"P2* {p2_star * 1000:.0f} ms (bench P2 {target.bench.p2_timeout * 1000:.0f} ms, "
                    f"P2* {target.bench.p2_star_timeout * 1000:.0f} ms are the floor)")

    def _change_suppressed(self, target: Target, number: int, label: str, expected: int | None) -> None:
        payload = bytes((0x10, number | 0x80))
        exchange = self.request(payload, expect_response=False)
        final = exchange.final
        request = f"{format_hex(payload)} ({service_label(0x10)})"
        ecu = self._ecu_label(target)
        if final is None:
            if expected is not None:
                raise UnexpectedResponseError(
                    f"{ecu} did not answer {request}, but NRC 0x{expected:02X} {nrcs.nrc_name(expected)} was expected")
            target.session = number
            logger.info(f"Session {label} requested with the positive response suppressed; no answer came, "
                        "as required; P2/P2* timeouts unchanged")
            return
        if final.is_negative:
            if expected is None:
                raise NegativeResponseError(f"{ecu} rejected {request} with {nrcs.describe(final.nrc or 0, 0x10)}")
            if final.nrc != expected:
                raise UnexpectedResponseError(
                    f"{ecu} rejected {request} with NRC 0x{final.nrc:02X} {nrcs.nrc_name(final.nrc or 0)}, "
                    f"but NRC 0x{expected:02X} {nrcs.nrc_name(expected)} was expected")
            return
        raise UnexpectedResponseError(
            f"{ecu} answered {request} with {format_hex(final.payload)} although the suppressPosRspMsgIndicationBit "
            "was set (ISO 14229-1 requires no positive response)")

    @keyword("Session Should Be", tags=["session"])
    def session_should_be(self, session: str | int, *, source: Literal["did", "last"] = "did") -> None:
        """Fails unless the active diagnostic session is ``session`` (a name or hex number, as in
        `Change Session`).

        ``source=did`` (default) asks the ECU: it reads DID F186 activeDiagnosticSession (``22 F1 86``).
        ``source=last`` sends nothing and uses the session confirmed by the last positive
        `Change Session` on this connection; it does not see an S3 timeout or an ECU reset.

        Examples:
        | Session Should Be | extended |
        | Session Should Be | 0x03 | source=last |
        """
        target = self.target
        names = self._description_sessions(target)
        expected = parse_session(session, names)
        mode = str(source).lower()
        if mode == "last":
            if target.session is None:
                raise UdsLibraryError(
                    f"no session change has been confirmed on connection '{target.name}' yet: use source=did "
                    "or 'Change Session' first")
            actual, origin = target.session, "from the last DiagnosticSessionControl response"
        elif mode == "did":
            actual, origin = self._read_session_did(), "read from DID F186"
        else:
            raise UdsLibraryError(f"source must be 'did' or 'last', got '{source}'")
        if actual != expected:
            raise UnexpectedResponseError(
                f"Active session is {session_label(actual, names)}, expected {session_label(expected, names)} "
                f"({origin})")
        logger.info(f"Active session is {session_label(actual, names)} ({origin})")

    def _read_session_did(self) -> int:
        try:
            exchange = self.request(b"\x22\xf1\x86")
        except NegativeResponseError as error:
            raise NegativeResponseError(
                f"{error}; if the ECU does not support DID F186, use 'Session Should Be' with source=last") from None
        final = exchange.final
        assert final is not None
        payload = final.payload
        if len(payload) < 4 or payload[1:3] != b"\xf1\x86":
            raise UnexpectedResponseError(
                f"{self._ecu_label(self.target)} answered 22 F1 86 with {format_hex(payload)}, which does not "
                "carry DID F186")
        return payload[3]
