"""Routines (0x31 RoutineControl): start, stop and request results, with the status record checked."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from robot.api.deco import keyword
from robot.utils import timestr_to_secs

from UdsLibrary import nrc as nrcs
from UdsLibrary.converters import format_hex, parse_hex
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import LibraryComponent, NegativeResponseError, UnexpectedResponseError, service_label
from UdsLibrary.keywords.data import resolve_reference
from UdsLibrary.log import logger

if TYPE_CHECKING:
    from UdsLibrary.description.model import Routine, RoutineAction
    from UdsLibrary.transport.connection import Exchange

ROUTINE_CONTROL = 0x31
START, STOP, RESULTS = 0x01, 0x02, 0x03
SUPPRESS_POSITIVE_RESPONSE = 0x80
ACTIONS = {START: "start", STOP: "stop", RESULTS: "results"}


def routine_label(number: int, routine: Routine | None) -> str:
    return f"{number:04X} {routine.name}" if routine is not None else f"{number:04X}"


def status_matches(status: bytes, expected: bytes) -> bool:
    """The status record starts with the expected bytes (the first bytes are the status proper)."""
    return status[:len(expected)] == expected


class RoutineKeywords(LibraryComponent):
    """Start Routine, Stop Routine, Get Routine Results."""

    def resolve_routine(self, value: str | int) -> tuple[int, Routine | None]:
        description = self.target.description
        names = {routine.name: routine.id for routine in description.routines} if description else {}
        number = resolve_reference(value, "routine", names, description.name if description else None)
        found = next((r for r in description.routines if r.id == number), None) if description else None
        return number, found

    @keyword("Start Routine", tags=["routine"])
    def start_routine(self, routine: str | int, option: str | None = None, *, expected_status: str | None = None,
                      suppress_response: bool = False, timeout: timedelta | None = None,
                      expected_nrc: str | int | None = None) -> str | None:
        """Starts a routine (``31 01 <id> [option]``) and returns its routineStatusRecord as hex text.

        ``routine`` is a routine name of the ECU description (``selfTest``) or its hex id
        (``1234``); unknown names are rejected before anything is sent. ``option`` is the
        routineControlOptionRecord as hex; when the description gives the routine's option
        length, another length is rejected before sending (unless ``expected_nrc`` is given, so
        a test can provoke NRC 0x13).

        ``expected_status`` (hex) must match the first bytes of the status record, otherwise the
        keyword fails naming the routine, the expected and the reported status.

        ``timeout`` (Robot time such as ``10 s``) replaces the P2* wait after each 0x78
        responsePending for long routines (an erase); the connection follows the 0x78s itself.
        ``suppress_response=True`` sets the suppressPosRspMsgIndicationBit (``31 81 ...``): no
        positive answer is expected and an empty string is returned (a negative answer still fails).

        Returns None when ``expected_nrc`` was given and the ECU answered with it.

        Examples:
        | Start Routine | selfTest |
        | ${status} = | Start Routine | 0203 | expected_status=00 |
        | Start Routine | eraseMemory | 44 00 01 00 00 00 00 10 00 | timeout=5 s |
        | Start Routine | selfTest | expected_nrc=conditionsNotCorrect |
        """
        return self._control(START, routine, option, expected_status=expected_status,
                             suppress_response=suppress_response, timeout=timeout, expected_nrc=expected_nrc)

    @keyword("Stop Routine", tags=["routine"])
    def stop_routine(self, routine: str | int, option: str | None = None, *, expected_status: str | None = None,
                     suppress_response: bool = False, timeout: timedelta | None = None,
                     expected_nrc: str | int | None = None) -> str | None:
        """Stops a running routine (``31 02 <id> [option]``) and returns its status record as hex text.

        Arguments as for `Start Routine`. An ECU answers NRC 0x24 requestSequenceError when the
        routine was not started.

        Examples:
        | Stop Routine | selfTest |
        | Stop Routine | 1234 | expected_status=00 |
        | Stop Routine | selfTest | expected_nrc=requestSequenceError |
        """
        return self._control(STOP, routine, option, expected_status=expected_status,
                             suppress_response=suppress_response, timeout=timeout, expected_nrc=expected_nrc)

    @keyword("Get Routine Results", tags=["routine"])
    def get_routine_results(self, routine: str | int, *, expected_status: str | None = None,
                            timeout: timedelta | None = None, expected_nrc: str | int | None = None) -> str | None:
        """Requests the results of a routine (``31 03 <id>``) and returns the status record as hex text.

        ``expected_status`` (hex) must match the first bytes of the record. An asynchronous
        routine reports a "still running" record until it is done: poll with ``Wait Until
        Keyword Succeeds``. Other arguments as for `Start Routine`.

        Examples:
        | ${results} = | Get Routine Results | selfTest |
        | Wait Until Keyword Succeeds | 2 s | 100 ms | Get Routine Results | eolCalibration | expected_status=00 |
        """
        return self._control(RESULTS, routine, None, expected_status=expected_status, suppress_response=False,
                             timeout=timeout, expected_nrc=expected_nrc)

    # ------------------------------------------------------------------ the one routine path
    def _control(self, action: int, routine: str | int, option: str | None, *, expected_status: str | None,
                 suppress_response: bool, timeout: timedelta | float | str | None,
                 expected_nrc: str | int | None) -> str | None:
        number, info = self.resolve_routine(routine)
        label = routine_label(number, info)
        record = parse_hex(option, f"option of routine {label}") if option not in (None, "") else b""
        expected = parse_hex(expected_status, "expected_status") if expected_status is not None else None
        nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        seconds = _seconds(timeout)
        spec: RoutineAction | None = None
        if info is not None:
            spec = {START: info.start, STOP: info.stop, RESULTS: info.results}[action]
        if spec is not None and nrc is None and len(record) != spec.option_length:
            raise UdsLibraryError(
                f"routine {label} {ACTIONS[action]} takes an option record of {spec.option_length} byte(s) per the "
                f"ECU description, got {len(record)} ({format_hex(record) or 'none'}); nothing was sent")
        sub = action | (SUPPRESS_POSITIVE_RESPONSE if suppress_response else 0)
        payload = bytes((ROUTINE_CONTROL, sub)) + number.to_bytes(2, "big") + record

        def decode(exchange: Exchange) -> str:
            assert exchange.final is not None
            status = exchange.final.payload[4:]
            return f"routine {label} {ACTIONS[action]}: status record {format_hex(status) or 'none'}"

        connection = self.target.connection
        saved = connection.p2_star_timeout
        if seconds is not None:
            connection.p2_star_timeout = seconds
        try:
            exchange = self.request(payload, expected_nrc=nrc, expect_response=not suppress_response,
                                    decoded=decode)
        finally:
            connection.p2_star_timeout = saved
        final = exchange.final
        if suppress_response:
            ecu, request = self._ecu_label(self.target), f"{format_hex(payload)} ({service_label(ROUTINE_CONTROL)})"
            if final is None:
                if nrc is not None:
                    raise UnexpectedResponseError(
                        f"{ecu} did not answer {request}, but NRC 0x{nrc:02X} {nrcs.nrc_name(nrc)} was expected")
                return ""
            if final.is_negative:
                if nrc is not None and final.nrc == nrc:
                    return None
                raise NegativeResponseError(
                    f"{ecu} rejected {request} with {nrcs.describe(final.nrc or 0, ROUTINE_CONTROL)}")
            if exchange.pending_count == 0:
                logger.warn(f"{ecu} answered {request} positively although the suppressPosRspMsgIndicationBit "
                            "was set")
        elif nrc is not None:
            return None
        assert final is not None
        head = bytes((ROUTINE_CONTROL + 0x40, action)) + number.to_bytes(2, "big")
        if len(final.payload) < 4 or bytes((final.payload[0], final.payload[1] & 0x7F)) + final.payload[2:4] != head:
            raise UnexpectedResponseError(
                f"the ECU answered {format_hex(payload)} for routine {label} with {format_hex(final.payload)}, "
                "which echoes another sub-function or routine id")
        status = bytes(final.payload[4:])
        if expected is not None and not status_matches(status, expected):
            raise AssertionError(f"routine {label} {ACTIONS[action]} reported status {format_hex(status) or 'none'}, "
                                 f"expected {format_hex(expected)}")
        return format_hex(status)


def _seconds(timeout: timedelta | float | str | None) -> float | None:
    if timeout is None or timeout == "":
        return None
    try:
        seconds = float(timestr_to_secs(timeout))
    except ValueError:
        raise UdsLibraryError(f"timeout '{timeout}' is not a time (e.g. '10 s', '1.5', '500 ms')") from None
    if seconds <= 0:
        raise UdsLibraryError(f"timeout must be positive, got '{timeout}'")
    return seconds
