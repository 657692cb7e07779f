"""Diagnostic trouble codes: SAE J2012 text form, parsing, and ISO 14229-1 status bits.

A UDS DTC is 3 bytes: the two high bytes are the J2012 code (2 bits system letter P/C/B/U, 2 bits
first digit 0-3, then 3 hex digits) and the low byte is the failure type byte (FTB)::

    0x012345 -> "P0123-45"    0xC00112 -> "U0001-12"    0x9A0B13 -> "B1A0B-13"
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "STATUS_BITS",
    "DecodedDtc",
    "decode_status",
    "format_dtc",
    "parse_dtc",
]

_LETTERS = "PCBU"

#: ISO 14229-1 DTC status bits, bit 0 first.
STATUS_BITS: tuple[str, ...] = (
    "testFailed",
    "testFailedThisOperationCycle",
    "pendingDTC",
    "confirmedDTC",
    "testNotCompletedSinceLastClear",
    "testFailedSinceLastClear",
    "testNotCompletedThisOperationCycle",
    "warningIndicatorRequested",
)

_TEXT_RE = re.compile(r"^([PCBU])([0-3])([0-9A-F]{3})-?([0-9A-F]{2})$")
_HEX_RE = re.compile(r"^(?:0X)?([0-9A-F]{1,6})$")


def format_dtc(code: int) -> str:
    """Return the SAE J2012 text of a 3-byte DTC, e.g. ``0x012345`` -> ``"P0123-45"``."""
    if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= 0xFFFFFF:
        raise ValueError(f"a DTC is an integer from 0x000000 to 0xFFFFFF, got {code!r}")
    high = code >> 8  # the 2-byte J2012 code
    letter = _LETTERS[(high >> 14) & 0x3]
    first_digit = (high >> 12) & 0x3
    return f"{letter}{first_digit}{high & 0xFFF:03X}-{code & 0xFF:02X}"


def parse_dtc(value: int | str) -> int:
    """Return the 3-byte DTC number of ``value``.

    Accepts ints, SAE J2012 text with failure type (``"P0123-45"``, ``"P012345"``) and hex
    (``"0x012345"``, ``"012345"``); case-insensitive.
    """
    if isinstance(value, bool):
        raise ValueError(f"a DTC is an integer or text like 'P0123-45', got {value!r}")
    if isinstance(value, int):
        if not 0 <= value <= 0xFFFFFF:
            raise ValueError(f"a DTC is 3 bytes (0x000000 to 0xFFFFFF), got 0x{value:X}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"a DTC is an integer or text like 'P0123-45', got {value!r}")
    text = value.strip().upper()
    match = _TEXT_RE.match(text)
    if match:
        letter, digit, rest, ftb = match.groups()
        high = (_LETTERS.index(letter) << 14) | (int(digit) << 12) | int(rest, 16)
        return (high << 8) | int(ftb, 16)
    match = _HEX_RE.match(text)
    if match:
        return int(match.group(1), 16)
    raise ValueError(
        f"invalid DTC {value!r}: expected text like 'P0123-45' (letter P/C/B/U, digit 0-3, "
        "3 hex digits, failure type byte) or 3 bytes of hex like '0x012345'"
    )


def decode_status(status: int) -> dict[str, bool]:
    """Return the ISO 14229-1 status bits of a DTC status byte, by name."""
    if isinstance(status, bool) or not isinstance(status, int) or not 0 <= status <= 0xFF:
        raise ValueError(f"a DTC status is a byte (0 to 0xFF), got {status!r}")
    return {name: bool(status >> bit & 1) for bit, name in enumerate(STATUS_BITS)}


@dataclass(frozen=True)
class DecodedDtc:
    """A DTC as reported by an ECU: number, status byte and optional description."""

    code: int
    status: int
    description: str = ""

    @property
    def text(self) -> str:
        """SAE J2012 text, e.g. ``"P0123-45"``."""
        return format_dtc(self.code)

    @property
    def failure_type(self) -> int:
        """The failure type byte (low byte of the DTC)."""
        return self.code & 0xFF

    @property
    def status_bits(self) -> dict[str, bool]:
        return decode_status(self.status)

    def __str__(self) -> str:
        text = f"{self.text} (status 0x{self.status:02X})"
        return f"{text} {self.description}" if self.description else text
