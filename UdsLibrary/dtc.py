"""Diagnostic trouble codes: SAE J2012 text form, parsing, and ISO 14229-1 status bits.

A UDS DTC is 3 bytes: the two high bytes are the J2012 code (2 bits system letter P/C/B/U, 2 bits
first digit 0-3, then 3 hex digits) and the low byte is the failure type byte (FTB)::

    0x012345 -> "P0123-45"    0xC00112 -> "U0001-12"    0x9A0B13 -> "B1A0B-13"
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from UdsLibrary.errors import UdsLibraryError

__all__ = [
    "STATUS_BITS",
    "DecodedDtc",
    "DtcTable",
    "decode_status",
    "format_dtc",
    "load_dtc_table",
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


# ---------------------------------------------------------------------- DTC description tables

CODE_COLUMNS = ("code", "dtc", "dtc code", "dtc_code", "dtccode", "dtc number", "number")
DESCRIPTION_COLUMNS = ("description", "dtc description", "text", "desc", "name")
_BASE_RE = re.compile(r"^([PCBU])([0-3])([0-9A-F]{3})$")


@dataclass
class DtcTable:
    """DTC descriptions from a table: by full DTC (with failure type) or by J2012 code alone.

    An entry written without failure type (``P0123``) describes that code with every failure type;
    an entry with failure type (``P0123-45``) wins over it.
    """

    exact: dict[int, str] = field(default_factory=dict)
    base: dict[int, str] = field(default_factory=dict)  # 2-byte J2012 code -> description

    def __len__(self) -> int:
        return len(self.exact) + len(self.base)

    def lookup(self, code: int) -> str:
        return self.exact.get(code) or self.base.get(code >> 8, "")

    def update(self, other: DtcTable) -> None:
        self.exact.update(other.exact)
        self.base.update(other.base)


def parse_table_code(value: object) -> tuple[int, bool]:
    """A DTC as written in a description table -> (number, True if without failure type).

    ``P0123-45``, ``P012345``, hex (``0x012345``, ``012345``) are full DTCs; ``P0123`` is the J2012
    code alone (2 bytes). Integers (a spreadsheet that turned ``012345`` into 12345) are read as
    hex digits.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    text = str(value).strip().upper()
    match = _BASE_RE.match(text)
    if match:
        letter, digit, rest = match.groups()
        return (_LETTERS.index(letter) << 14) | (int(digit) << 12) | int(rest, 16), True
    return parse_dtc(text), False


def load_dtc_table(path: str | Path) -> DtcTable:
    """Read a DTC description table: CSV (``,``, ``;`` or tab separated) or Excel ``.xlsx``.

    The first row names the columns: one of ``code``/``DTC`` (see ``CODE_COLUMNS``) and one of
    ``description``/``text``; other columns are ignored. Errors name the file and the row.
    """
    file = Path(path)
    if not file.is_file():
        raise UdsLibraryError(f"DTC table '{file}' does not exist")
    rows = _xlsx_rows(file) if file.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(file)
    if not rows:
        raise UdsLibraryError(f"DTC table '{file}' is empty")
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    code_col = next((header.index(name) for name in CODE_COLUMNS if name in header), None)
    text_col = next((header.index(name) for name in DESCRIPTION_COLUMNS if name in header), None)
    if code_col is None or text_col is None:
        raise UdsLibraryError(
            f"DTC table '{file}' needs a 'code' (or 'DTC') column and a 'description' column in its first row, "
            f"found: {', '.join(str(c) for c in rows[0] if c not in (None, '')) or 'nothing'}")
    table = DtcTable()
    for line, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (max(code_col, text_col) + 1 - len(row))
        code, text = cells[code_col], cells[text_col]
        if code in (None, "") or not str(code).strip():
            continue  # blank line or a spreadsheet's empty row
        try:
            number, base = parse_table_code(code)
        except ValueError as error:
            raise UdsLibraryError(f"DTC table '{file}', row {line}: {error}") from None
        (table.base if base else table.exact)[number] = str(text or "").strip()
    return table


def _csv_rows(file: Path) -> list[list[str]]:
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # a spreadsheet program's "CSV" on Windows
        text = raw.decode("cp1252")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect) if row]


def _xlsx_rows(file: Path) -> list[list[object]]:
    try:
        import openpyxl
    except ImportError:
        raise UdsLibraryError(
            f"reading the Excel DTC table '{file}' needs openpyxl: pip install openpyxl (or save it as CSV)"
        ) from None
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # zipfile/openpyxl errors: report them as the file's problem
        raise UdsLibraryError(f"DTC table '{file}' cannot be read as an Excel workbook: {error}") from None
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
