"""Scanned barcodes: split into part number, serial and VIN by the station's pattern.

A scanner is a keyboard: what arrives is a line of text, sometimes with the scanner's prefix or
suffix characters. The station's pattern is a Python regular expression with the named groups
``part_number``, ``serial`` and ``vin``; it must match the whole barcode (surrounding whitespace is
ignored). A barcode that does not match is refused with a message that shows it (control characters
made visible) and the expected form, before anything is sent to an ECU.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from UdsLibrary.errors import UdsLibraryError

GROUPS = ("part_number", "serial", "vin")
#: The default pattern: ``<part number>;<serial>;<VIN>``, e.g. ``03L906018A;SN00000042;WVWZZZ1JZXW000001``.
DEFAULT_PATTERN = r"(?P<part_number>[0-9A-Z]{5,20});(?P<serial>[0-9A-Z]{4,24});(?P<vin>[A-HJ-NPR-Z0-9]{17})"
DEFAULT_EXAMPLE = "03L906018A;SN00000042;WVWZZZ1JZXW000001"
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")


class BarcodeError(UdsLibraryError):
    """A barcode that the station's pattern does not accept, or a pattern that cannot work."""


@dataclass(frozen=True)
class Unit:
    """What a barcode says about the ECU on the fixture."""

    barcode: str
    part_number: str
    serial: str
    vin: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def visible(text: str) -> str:
    """The text with control characters shown (``\\x1d`` for a GS separator), as the operator cannot see them."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class BarcodePattern:
    """A compiled station pattern; `parse` turns a barcode into a `Unit`."""

    def __init__(self, pattern: str = DEFAULT_PATTERN, example: str | None = None) -> None:
        try:
            self.regex = re.compile(pattern)
        except re.error as error:
            raise BarcodeError(f"barcode pattern '{pattern}' is not a valid regular expression: {error}") from None
        missing = [name for name in GROUPS if name not in self.regex.groupindex]
        if missing:
            raise BarcodeError(f"barcode pattern '{pattern}' lacks the named group(s) "
                               f"{', '.join(f'(?P<{name}>...)' for name in missing)}")
        self.pattern = pattern
        self.example = example if example is not None else (DEFAULT_EXAMPLE if pattern == DEFAULT_PATTERN else None)
        if self.example is not None:
            try:
                self.parse(self.example)
            except BarcodeError:
                raise BarcodeError(f"the example barcode '{self.example}' does not match the barcode pattern "
                                   f"'{pattern}'") from None

    def parse(self, barcode: str) -> Unit:
        if not isinstance(barcode, str):
            raise BarcodeError(f"a barcode is text, got {type(barcode).__name__}")
        text = barcode.strip()
        if not text:
            raise BarcodeError("the barcode is empty: scan the ECU's label")
        match = self.regex.fullmatch(text)
        if match is None:
            example = f", e.g. '{self.example}'" if self.example else ""
            raise BarcodeError(f"barcode '{visible(text)}' does not match the station's barcode pattern "
                               f"'{self.pattern}'{example}; nothing was sent to the ECU")
        values = {name: (match.group(name) or "").strip() for name in GROUPS}
        empty = [name for name, value in values.items() if not value]
        if empty:
            raise BarcodeError(f"barcode '{visible(text)}' has an empty {', '.join(empty)}; nothing was sent to the "
                               "ECU")
        if not _VIN.fullmatch(values["vin"]):
            raise BarcodeError(f"barcode '{visible(text)}': '{values['vin']}' is not a VIN (17 characters, digits and "
                               "capital letters without I, O and Q); nothing was sent to the ECU")
        return Unit(barcode=text, **values)


def parse_barcode(barcode: str, pattern: str | None = None) -> Unit:
    """`BarcodePattern(pattern).parse(barcode)`, with the default pattern when none is given."""
    return BarcodePattern(pattern or DEFAULT_PATTERN).parse(barcode)
