"""Negative response codes (ISO 14229-1 Annex A.1): names, what they usually mean, and hints for
the causes a line engineer meets most often."""

from __future__ import annotations

from UdsLibrary.errors import UdsLibraryError

NAMES: dict[int, str] = {
    0x10: "generalReject",
    0x11: "serviceNotSupported",
    0x12: "subFunctionNotSupported",
    0x13: "incorrectMessageLengthOrInvalidFormat",
    0x14: "responseTooLong",
    0x21: "busyRepeatRequest",
    0x22: "conditionsNotCorrect",
    0x24: "requestSequenceError",
    0x25: "noResponseFromSubnetComponent",
    0x26: "failurePreventsExecutionOfRequestedAction",
    0x31: "requestOutOfRange",
    0x33: "securityAccessDenied",
    0x34: "authenticationRequired",
    0x35: "invalidKey",
    0x36: "exceededNumberOfAttempts",
    0x37: "requiredTimeDelayNotExpired",
    0x70: "uploadDownloadNotAccepted",
    0x71: "transferDataSuspended",
    0x72: "generalProgrammingFailure",
    0x73: "wrongBlockSequenceCounter",
    0x78: "requestCorrectlyReceivedResponsePending",
    0x7E: "subFunctionNotSupportedInActiveSession",
    0x7F: "serviceNotSupportedInActiveSession",
    0x81: "rpmTooHigh",
    0x82: "rpmTooLow",
    0x83: "engineIsRunning",
    0x84: "engineIsNotRunning",
    0x85: "engineRunTimeTooLow",
    0x86: "temperatureTooHigh",
    0x87: "temperatureTooLow",
    0x88: "vehicleSpeedTooHigh",
    0x89: "vehicleSpeedTooLow",
    0x8A: "throttlePedalTooHigh",
    0x8B: "throttlePedalTooLow",
    0x8C: "transmissionRangeNotInNeutral",
    0x8D: "transmissionRangeNotInGear",
    0x8F: "brakeSwitchesNotClosed",
    0x90: "shifterLeverNotInPark",
    0x91: "torqueConverterClutchLocked",
    0x92: "voltageTooHigh",
    0x93: "voltageTooLow",
}

MEANINGS: dict[int, str] = {
    0x10: "the ECU rejected the request without a more specific reason",
    0x11: "the ECU does not support this service at all",
    0x12: "the ECU does not support this sub-function",
    0x13: "the request is too short, too long or malformed",
    0x14: "the response would be longer than the transport allows",
    0x21: "the ECU is busy and asks to repeat the request later",
    0x22: "the ECU's conditions for this request are not met",
    0x24: "the request came out of sequence",
    0x31: "a parameter (DID, routine, DTC group, address or value) is not supported or out of range",
    0x33: "the request needs an unlocked security level",
    0x35: "the key does not match the seed",
    0x36: "too many wrong keys: the security delay has started",
    0x37: "the security delay has not expired yet",
    0x70: "the ECU does not accept this download",
    0x71: "the data transfer was suspended (more data than announced)",
    0x72: "the ECU failed to write or verify its memory",
    0x73: "the block sequence counter is not the expected one",
    0x78: "the ECU needs more time and will answer later",
    0x7E: "the sub-function is not available in the active session",
    0x7F: "the service is not available in the active session",
    0x92: "the supply voltage is too high",
    0x93: "the supply voltage is too low",
}

# Hints for causes that are well known on test benches and lines, by (service, NRC); service None = any.
HINTS: dict[tuple[int | None, int], str] = {
    (0x10, 0x22): "on a session change this usually means the supply voltage is too low: "
                  "check the bench supply (>= 10.5 V)",
    (0x2E, 0x22): "writes are refused at low supply voltage: check the bench supply",
    (0x27, 0x35): "check the key algorithm and its version: the master key variant must match "
                  "the ECU software version",
    (0x27, 0x36): "check the key algorithm and its version: the master key variant must match the ECU software "
                  "version; the ECU now enforces its security delay, also after a reset",
    (0x27, 0x37): "wait for the security delay to expire (it restarts after a reset when the last key was wrong)",
    (0x2E, 0x31): "the DID is not writable in this session, or the value is outside the allowed range - for a "
                  "variant code check the OEM variant matrix for this hardware part number",
    (0x2E, 0x72): "the ECU's non-volatile memory write failed (NvM error)",
    (0x31, 0x22): "the routine's preconditions are not met (engine off, vehicle stopped, supply voltage)",
    (0x31, 0x24): "stop and results need a started routine",
    (0x14, 0x22): "DTCs cannot be cleared in the current conditions (for example with the engine running)",
    (0x11, 0x22): "the ECU refuses to reset in the current conditions (for example while the vehicle moves)",
    (None, 0x7F): "change to a session that offers this service first (e.g. extended)",
    (None, 0x7E): "change to a session that offers this sub-function first",
    (None, 0x33): "unlock the required security level first",
    (None, 0x93): "check the bench supply voltage",
}


def nrc_name(nrc: int) -> str:
    return NAMES.get(nrc, "vehicleManufacturerSpecific" if 0x94 <= nrc <= 0xFE else "reservedByDocument")


def describe(nrc: int, service: int | None = None) -> str:
    """'NRC 0x22 conditionsNotCorrect (the ECU's conditions ... are not met); hint: ...'."""
    text = f"NRC 0x{nrc:02X} {nrc_name(nrc)}"
    meaning = MEANINGS.get(nrc)
    if meaning:
        text += f" ({meaning})"
    hint = HINTS.get((service, nrc)) or HINTS.get((None, nrc))
    if hint:
        text += f"; hint: {hint}"
    return text


_BY_NAME = {name.lower(): number for number, name in NAMES.items()}


def parse_nrc(value: int | str) -> int:
    """An NRC given as number (0x22, 22 hex, 34) or name (conditionsNotCorrect, case-insensitive)."""
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if text.lower() in _BY_NAME:
            return _BY_NAME[text.lower()]
        try:
            number = int(text, 16) if not text.lower().startswith("0x") else int(text, 0)
        except ValueError:
            close = [name for name in NAMES.values() if text.lower() in name.lower()]
            suggestion = f"; did you mean {', '.join(close[:3])}?" if close else ""
            raise UdsLibraryError(f"'{value}' is not an NRC number or name{suggestion}") from None
    if not 0 <= number <= 0xFF:
        raise UdsLibraryError(f"NRC {value} is out of range (0x00-0xFF)")
    return number
