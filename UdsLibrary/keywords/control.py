"""ECU control: reset (0x11, waiting until the ECU answers again), communication control (0x28)
and DTC setting (0x85), with sub-functions by name or number and the suppress bit as an option."""

from __future__ import annotations

import difflib
import time
from datetime import timedelta
from enum import IntEnum

from robot.api.deco import keyword

from UdsLibrary import nrc as nrcs
from UdsLibrary.converters import format_hex, parse_id
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

SPRMIB = 0x80  # suppressPosRspMsgIndicationBit
DEFAULT_SESSION = 0x01
TESTER_PRESENT = b"\x3e\x00"


class ResetType(IntEnum):
    """ECUReset (0x11) resetType. Accepted as name (case-insensitive, ``hard`` or ``hardReset``) or
    as hex number (``01``, ``0x01``)."""

    hardReset = 0x01
    keyOffOnReset = 0x02
    softReset = 0x03
    enableRapidPowerShutDown = 0x04
    disableRapidPowerShutDown = 0x05


class ControlType(IntEnum):
    """CommunicationControl (0x28) controlType. Accepted as name (case-insensitive) or hex number."""

    enableRxAndTx = 0x00
    enableRxAndDisableTx = 0x01
    disableRxAndEnableTx = 0x02
    disableRxAndTx = 0x03
    enableRxAndDisableTxWithEnhancedAddressInformation = 0x04
    enableRxAndTxWithEnhancedAddressInformation = 0x05


class CommunicationType(IntEnum):
    """CommunicationControl (0x28) communicationType: ``normal`` (application messages), ``nm``
    (network management) or ``both`` (also ``normalAndNm``); any byte as hex number (the high
    nibble selects a subnet)."""

    normal = 0x01
    nm = 0x02
    both = 0x03


class DTCSetting(IntEnum):
    """ControlDTCSetting (0x85) DTCSettingType: ``on`` / ``off`` or hex number (``01``, ``02``)."""

    on = 0x01
    off = 0x02


_RESET_ALIASES = {"hard": 0x01, "keyoffon": 0x02, "soft": 0x03}
_COMMUNICATION_ALIASES = {"normalandnm": 0x03, "normalcommunicationmessages": 0x01,
                          "networkmanagementcommunicationmessages": 0x02}
_RESETS = (ResetType.hardReset, ResetType.keyOffOnReset, ResetType.softReset)


def parse_choice(value: str | int, names: type[IntEnum], what: str, *, aliases: dict[str, int] | None = None,
                 maximum: int = 0x7F) -> int:
    """A sub-function by name (an Enum member or an alias, case- and space-insensitive) or hex number."""
    if isinstance(value, bool):
        raise UdsLibraryError(f"{what} must be a name or a number, got {value!r}")
    if isinstance(value, int):
        number = int(value)
    else:
        text = str(value).strip()
        key = text.lower().replace(" ", "").replace("_", "")
        known = {member.name.lower(): int(member) for member in names}
        known.update(aliases or {})
        if key in known:
            return known[key]
        try:
            number = int(text, 16) if not text.lower().startswith("0x") else int(text, 0)
        except ValueError:
            spellings = [member.name for member in names] + [alias for alias in (aliases or {})]
            close = difflib.get_close_matches(key, [s.lower() for s in spellings], n=1, cutoff=0.6)
            original = next((s for s in spellings if close and s.lower() == close[0]), None)
            hint = f"did you mean {original}? " if original else ""
            choices = ", ".join(member.name for member in names)
            raise UdsLibraryError(f"{what} '{value}' is not a name or hex number; {hint}names: {choices}") from None
    if not 0 <= number <= maximum:
        raise UdsLibraryError(f"{what} 0x{number:X} is out of range (0x00-0x{maximum:02X})")
    return number


def _name(names: type[IntEnum], number: int) -> str:
    try:
        return f"{names(number).name} (0x{number:02X})"
    except ValueError:
        return f"0x{number:02X}"


class ControlKeywords(LibraryComponent):
    @keyword("Reset ECU", tags=["control"])
    def reset_ecu(
        self,
        reset_type: ResetType | str | int = "hard",
        *,
        wait: bool = True,
        limit: str | float | timedelta = "5 s",
        suppress_response: bool = False,
        expected_nrc: str | int | None = None,
    ) -> float | None:
        """Resets the ECU (ECUReset, 0x11) and waits until it answers again.

        ``reset_type`` is ``hard`` (default), ``keyOffOn``, ``soft``, ``enableRapidPowerShutDown``,
        ``disableRapidPowerShutDown`` (full ISO names such as ``hardReset`` work too) or a hex
        number. ``suppress_response=True`` sets the suppressPosRspMsgIndicationBit: the ECU must
        not answer positively (an answer fails the keyword).

        With ``wait`` (default) the keyword then sends Tester Present (``3E 00``) until the ECU
        answers, for at most ``limit`` (a Robot time), logs how long the ECU was silent and
        returns that time in seconds; the resolution is one poll (at most the ECU's P2). The
        rapid power shutdown types do not reset the ECU, so nothing is awaited. After a reset
        the ECU is in the default session and locked; the connection goes back to the bench's
        P2/P2* timeouts.

        A negative response fails unless ``expected_nrc`` names it (then nothing is awaited).

        Examples:
        | Reset ECU |
        | Reset ECU | soft | limit=2 s |
        | Reset ECU | hard | suppress_response=True |
        | Reset ECU | expected_nrc=conditionsNotCorrect |
        | ${silent} = | Reset ECU | hard |
        """
        kind = parse_choice(reset_type, ResetType, "reset_type", aliases=_RESET_ALIASES)
        wanted_nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        limit_seconds = to_seconds(limit, "limit")
        payload = bytes((0x11, kind | (SPRMIB if suppress_response else 0)))
        exchange = self._control(payload, suppress_response, wanted_nrc, f"resetType {_name(ResetType, kind)}")
        if wanted_nrc is not None:
            return None
        final = exchange.final
        if kind == ResetType.enableRapidPowerShutDown and final is not None and len(final.payload) >= 3:
            logger.info(f"Rapid power shutdown enabled; the ECU announced powerDownTime {final.payload[2]} s")
        if kind not in _RESETS:
            return None
        target = self.target
        _back_to_default(target)
        if not wait:
            return None
        since = final.time if final is not None else exchange.sent_at
        return self._wait_until_back(target, since, limit_seconds, limit)

    @keyword("Control Communication", tags=["control"])
    def control_communication(
        self,
        control_type: ControlType | str | int,
        communication_type: CommunicationType | str | int = "normal",
        *,
        node_id: str | int | None = None,
        suppress_response: bool = False,
        expected_nrc: str | int | None = None,
    ) -> None:
        """Switches the ECU's transmission and reception of application messages (CommunicationControl,
        0x28), typically ``disableRxAndTx`` before flashing and ``enableRxAndTx`` after it.

        ``control_type`` is ``enableRxAndTx``, ``enableRxAndDisableTx``, ``disableRxAndEnableTx``,
        ``disableRxAndTx`` (or the two ``...WithEnhancedAddressInformation`` types, which need
        ``node_id``, two bytes hex) or a hex number. ``communication_type`` is ``normal``
        (default), ``nm``, ``both`` (``normalAndNm``) or a hex byte. ``suppress_response=True``
        sets the suppressPosRspMsgIndicationBit. Most ECUs accept this only in the extended
        session. A negative response fails unless ``expected_nrc`` names it.

        Examples:
        | Control Communication | disableRxAndTx |
        | Control Communication | enableRxAndDisableTx | both |
        | Control Communication | enableRxAndTx | nm | suppress_response=True |
        | Control Communication | disableRxAndTx | expected_nrc=serviceNotSupportedInActiveSession |
        """
        control = parse_choice(control_type, ControlType, "control_type")
        communication = parse_choice(communication_type, CommunicationType, "communication_type",
                                     aliases=_COMMUNICATION_ALIASES, maximum=0xFF)
        node = b""
        if control in (ControlType.enableRxAndDisableTxWithEnhancedAddressInformation,
                       ControlType.enableRxAndTxWithEnhancedAddressInformation):
            if node_id is None:
                raise UdsLibraryError(f"control_type {_name(ControlType, control)} needs node_id (two bytes hex)")
            node = parse_id(node_id, "node_id", 0xFFFF).to_bytes(2, "big")
        elif node_id is not None:
            raise UdsLibraryError(f"node_id is only used with the ...WithEnhancedAddressInformation control types, "
                                  f"not with {_name(ControlType, control)}")
        wanted_nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        payload = bytes((0x28, control | (SPRMIB if suppress_response else 0), communication)) + node
        self._control(payload, suppress_response, wanted_nrc,
                      f"{_name(ControlType, control)}, communicationType {_name(CommunicationType, communication)}")

    @keyword("Control DTC Setting", tags=["control", "dtc"])
    def control_dtc_setting(
        self,
        setting: DTCSetting | str | int,
        *,
        group: str | int | None = None,
        suppress_response: bool = False,
        expected_nrc: str | int | None = None,
    ) -> None:
        """Stops (``off``) or resumes (``on``) the ECU's DTC status updates (ControlDTCSetting, 0x85),
        e.g. around flashing or tests that provoke faults on purpose.

        ``setting`` is ``on``, ``off`` or a hex number (``01``, ``02``). ``group`` (three bytes hex,
        e.g. ``FFFFFF``) adds the optional DTC group record. ``suppress_response=True`` sets the
        suppressPosRspMsgIndicationBit. Most ECUs accept this only in the extended session. A
        negative response fails unless ``expected_nrc`` names it.

        Examples:
        | Control DTC Setting | off |
        | Control DTC Setting | on | suppress_response=True |
        | Control DTC Setting | off | group=FFFFFF |
        | Control DTC Setting | off | expected_nrc=0x7F |
        """
        number = parse_choice(setting, DTCSetting, "setting")
        record = b""
        if group is not None:
            record = parse_id(group, "group", 0xFFFFFF).to_bytes(3, "big")
        wanted_nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        payload = bytes((0x85, number | (SPRMIB if suppress_response else 0))) + record
        self._control(payload, suppress_response, wanted_nrc,
                      f"DTC setting {_name(DTCSetting, number)}" + (f", group {format_hex(record)}" if record else ""))

    # ------------------------------------------------------------------ helpers
    def _control(self, payload: bytes, suppress: bool, expected_nrc: int | None, decoded: str) -> Exchange:
        """Send a control request; with the suppress bit, any answer except an expected NRC fails."""
        if not suppress or expected_nrc is not None:
            return self.request(payload, expected_nrc=expected_nrc, decoded=decoded)
        exchange = self.request(payload, expect_response=False, decoded=decoded + " (positive response suppressed)")
        final = exchange.final
        if final is None:
            return exchange
        target = self.target
        label = f"{format_hex(payload)} ({service_label(payload[0])})"
        if final.is_negative and final.nrc is not None:
            raise NegativeResponseError(
                f"{self._ecu_label(target)} rejected {label} with {nrcs.describe(final.nrc, payload[0])}")
        raise UnexpectedResponseError(
            f"{self._ecu_label(target)} answered {label} with {format_hex(final.payload)} although the "
            "suppressPosRspMsgIndicationBit was set")

    def _wait_until_back(self, target: Target, since: float, limit: float, limit_text: object) -> float:
        """Poll with Tester Present until the ECU answers again.

        The polls go to the connection directly, not through `request`: they are expected to go
        unanswered, and they would swamp the log and the response time statistics.
        """
        connection = target.connection
        poll = connection.p2_timeout
        if target.description is not None:  # the ECU's own P2 plus a margin detects its return sooner
            poll = min(poll, target.description.timing.p2 + 0.02)
        deadline = since + limit
        polls = 0
        while True:
            now = time.perf_counter()
            if now >= deadline:
                raise NoResponseError(
                    f"{self._ecu_label(target)} did not come back within {_time_text(limit_text)} after reset "
                    f"({polls} Tester Present requests unanswered); check the ECU's reset time and power supply")
            exchange = connection.request(TESTER_PRESENT, timeout=min(poll, deadline - now))
            polls += 1
            if exchange.responses:
                silent = exchange.responses[0].time - since
                logger.info(f"{self._ecu_label(target)} answered again {silent * 1000:.0f} ms after the reset "
                            f"(Tester Present poll {polls}, {format_hex(exchange.responses[0].payload)}); "
                            "it is in the default session now")
                return silent


def _back_to_default(target: Target) -> None:
    """After a reset the ECU is in the default session with its default timing."""
    target.session = DEFAULT_SESSION
    target.p2_server = None
    target.p2_star_server = None
    target.connection.p2_timeout = target.bench.p2_timeout
    target.connection.p2_star_timeout = target.bench.p2_star_timeout


def _time_text(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g} s"
    if isinstance(value, timedelta):
        return f"{value.total_seconds():g} s"
    return str(value)

