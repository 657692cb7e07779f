"""DIDs: read one or several in one request (0x22), write (0x2E) and compare, decoded with the ECU
description's codecs.

Also home of `resolve_reference`, which turns what a tester types for a DID or routine (a name
from the ECU description or a hex number) into its number, shared with the routine keywords.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from robot.api.deco import keyword

from UdsLibrary import nrc as nrcs
from UdsLibrary.converters import format_hex, parse_hex, parse_id
from UdsLibrary.description.codecs import decode_did, encode_did
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import LibraryComponent, NegativeResponseError, UnexpectedResponseError
from UdsLibrary.log import logger

if TYPE_CHECKING:
    from UdsLibrary.description.model import Did, EcuDescription
    from UdsLibrary.transport.connection import Exchange

READ_DATA, WRITE_DATA = 0x22, 0x2E
TEXT_CODECS = ("ascii", "utf8")
_DECIMAL = re.compile(r"[+-]?\d+")

# One requested DID: its number and its description entry (None when the description does not know it).
Requested = tuple[int, "Did | None"]


def resolve_reference(value: str | int, kind: str, names: Mapping[str, int], ecu: str | None,
                      maximum: int = 0xFFFF) -> int:
    """The number of a DID or routine given as a description name or as hex (``F190``, ``0xF190``).

    Names win over hex (a DID called ``BEEF`` is that DID); names match case-insensitively when
    that is unambiguous. An unknown name fails with the closest names of the description.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_id(value, kind, maximum)
    text = str(value).strip()
    if text in names:
        return names[text]
    folded = [name for name in names if name.lower() == text.lower()]
    if len(folded) == 1:
        return names[folded[0]]
    try:
        return parse_id(text, kind, maximum)
    except UdsLibraryError:
        if re.fullmatch(r"(0[xX])?[0-9A-Fa-f]+", text.replace(" ", "")):
            raise  # hex, but out of range: parse_id says so
    if ecu is None:
        raise UdsLibraryError(f"{kind} '{value}' is not a hex number, and {kind} names need an ECU description "
                              "(this connection has none)")
    by_lower = {name.lower(): name for name in names}
    close = difflib.get_close_matches(text.lower(), list(by_lower), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(by_lower[c] for c in close)}?" if close else f" (known: {_some(names)})"
    raise UdsLibraryError(f"unknown {kind} '{value}': neither a hex number nor a {kind} of ECU description "
                          f"'{ecu}'{hint}")


def _some(names: Mapping[str, int], limit: int = 8) -> str:
    shown = sorted(names)[:limit]
    return ", ".join(shown) + (", ..." if len(names) > limit else "") if shown else "none"


def did_label(number: int, did: Did | None) -> str:
    """``F190 VIN`` (or ``F190`` for a DID the description does not know)."""
    return f"{number:04X} {did.name}" if did is not None else f"{number:04X}"


def show_value(value: Any, did: Did | None) -> str:
    """A decoded value as the log and failure messages show it: text quoted, numbers with unit."""
    if did is not None and did.codec in TEXT_CODECS and isinstance(value, str):
        return repr(value)
    text = f"{value:.10g}" if isinstance(value, float) else str(value)
    if did is not None and did.unit and isinstance(value, (int, float)) and not isinstance(value, bool):
        text += f" {did.unit}"
    return text


def split_read_response(data: bytes, requested: list[Requested]) -> list[tuple[int, Did | None, bytes]]:
    """Split the data of a 0x62 response (without the SID) into (DID, description entry, data bytes).

    The ECU answers the requested DIDs it supports, in the requested order, and may leave some
    out. Lengths come from the ECU description; a DID of unknown length runs up to the next
    requested DID number that follows it (or to the end) - a documented best effort.
    """
    records: list[tuple[int, Did | None, bytes]] = []
    position, next_index = 0, 0
    previous: tuple[int, Did | None] | None = None
    while position < len(data):
        if len(data) - position < 2:
            raise UnexpectedResponseError(
                f"the response ends with a partial DID number ({format_hex(data[position:])})")
        number = int.from_bytes(data[position:position + 2], "big")
        index = next((i for i in range(next_index, len(requested)) if requested[i][0] == number), None)
        if index is None:
            after = ""
            if previous is not None and previous[1] is not None and previous[1].length is not None:
                after = (f" after DID {did_label(*previous)} ({previous[1].length} bytes per the ECU description): "
                         "the ECU's DID length probably differs from the description")
            raise UnexpectedResponseError(
                f"the response holds DID {number:04X}, which was not requested at that place{after} "
                f"(response data {format_hex(data)})")
        did = requested[index][1]
        next_index = index + 1
        position += 2
        length = did.length if did is not None else None
        if length is None:
            later = {n for n, _ in requested[next_index:]}
            end = next((q for q in range(position, len(data) - 1)
                        if int.from_bytes(data[q:q + 2], "big") in later), len(data))
        else:
            end = position + length
            if end > len(data):
                raise UnexpectedResponseError(
                    f"DID {did_label(number, did)} came back with {len(data) - position} data bytes, the ECU "
                    f"description says {length}")
        records.append((number, did, bytes(data[position:end])))
        previous = (number, did)
        position = end
    return records


def decode_value(number: int, did: Did | None, data: bytes, raw: bool) -> Any:
    """The value of one DID: hex text when raw or undescribed, else the codec's (scaled) value."""
    if raw or did is None:
        return format_hex(data)
    try:
        return decode_did(did, data)
    except ValueError as error:
        raise UdsLibraryError(f"DID {did_label(number, did)} data {format_hex(data)} cannot be decoded as "
                              f"{did.codec}: {error}; use raw=True to get the bytes") from None


def to_number(value: Any, what: str) -> int | float:
    """A number from a Robot argument: decimal (``5``, ``-3``, ``2.5``) or hex with ``0x``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    try:
        if _DECIMAL.fullmatch(text):
            return int(text)
        if text.lower().startswith(("0x", "-0x", "+0x")):
            return int(text, 16)
        return float(text)
    except ValueError:
        raise UdsLibraryError(f"{what} '{value}' is not a number") from None


class DataKeywords(LibraryComponent):
    """Read DID, Write DID, DID Should Be."""

    # ------------------------------------------------------------------ helpers
    def resolve_did(self, value: str | int) -> Requested:
        description = self.target.description
        names = {did.name: did.id for did in description.dids} if description else {}
        number = resolve_reference(value, "DID", names, description.name if description else None)
        return number, _find_did(description, number)

    # ------------------------------------------------------------------ keywords
    @keyword("Read DID", tags=["data"])
    def read_did(self, *dids: str | int, raw: bool = False, expected_nrc: str | int | None = None) -> Any:
        """Reads one or several DIDs in ONE ReadDataByIdentifier request and returns their values.

        ``dids`` are DID names of the ECU description (``VIN``) or hex numbers (``F190``,
        ``0xF190``); unknown names are rejected before anything is sent, with the closest names.
        ``22 F1 90 F1 8C`` is sent for ``Read DID    VIN    F18C``.

        Values are decoded with the description's codec: text for ``ascii``, numbers for
        ``uint``/``int`` (with the DID's scale and offset applied, unit shown in the log), hex
        text (``DE AD BE EF``) for ``bytes`` and for DIDs the description does not know.
        ``raw=True`` returns the data bytes as hex text for every DID.

        One DID returns its value; several return a dictionary ``{name: value}`` (the DID name,
        or its hex number such as ``F190`` when the description does not know it). An ECU may
        leave out DIDs it does not support in the active session (ISO 14229-1 allows it): that
        is logged as a warning and the DID is missing from the dictionary; the keyword fails
        when none of them came back or the answer does not match the request.

        With ``expected_nrc`` (number like ``0x31`` or name like ``requestOutOfRange``) the
        keyword passes only when the ECU answers with that negative response, and returns None.

        Without an ECU description, several DIDs are split at the next requested DID number:
        give the description when data bytes could look like a DID number.

        Examples:
        | ${vin} = | Read DID | VIN |
        | ${speed} = | Read DID | F40D |
        | ${values} = | Read DID | VIN | ecuSerialNumber | F187 |
        | Should Be Equal | ${values}[ecuSerialNumber] | SN00000042 |
        | ${bytes} = | Read DID | F190 | raw=True |
        | Read DID | extendedOnlyCounter | expected_nrc=requestOutOfRange |
        """
        if not dids:
            raise UdsLibraryError("Read DID needs at least one DID (a name or a hex number such as F190)")
        requested = [self.resolve_did(ref) for ref in dids]
        nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        payload = bytes((READ_DATA,)) + b"".join(number.to_bytes(2, "big") for number, _ in requested)
        parsed: list[tuple[int, Did | None, Any]] = []

        def decode(exchange: Exchange) -> str:
            parsed[:] = self._values(exchange, requested, raw)
            return "; ".join(f"{did_label(n, d)} = {show_value(v, None if raw else d)}" for n, d, v in parsed)

        exchange = self.request(payload, expected_nrc=nrc, decoded=decode)
        if nrc is not None:
            return None
        if not parsed:  # the log did not decode (log_detail none, or it failed): decode here, raising errors
            parsed[:] = self._values(exchange, requested, raw)
        returned = [n for n, _, _ in parsed]
        missing = [did_label(n, d) for n, d in requested if n not in returned]
        if not parsed:
            assert exchange.final is not None
            raise UnexpectedResponseError(
                f"{self._ecu_label(self.target)} answered {format_hex(payload)} with "
                f"{format_hex(exchange.final.payload)}: none of the requested DIDs came back")
        if missing:
            logger.warn(f"the ECU left out DID(s) {', '.join(missing)} from its answer to {format_hex(payload)} "
                        "(not supported in the active session?)")
        if len(requested) == 1:
            return parsed[0][2]
        return {(d.name if d is not None else f"{n:04X}"): v for n, d, v in parsed}

    @staticmethod
    def _values(exchange: Exchange, requested: list[Requested], raw: bool) -> list[tuple[int, Did | None, Any]]:
        assert exchange.final is not None
        try:
            records = split_read_response(exchange.final.payload[1:], requested)
        except UnexpectedResponseError as error:
            raise UnexpectedResponseError(
                f"the answer {format_hex(exchange.final.payload)} to {format_hex(exchange.request)} does not match "
                f"the request: {error}") from None
        return [(n, d, decode_value(n, d, data, raw)) for n, d, data in records]

    @keyword("Write DID", tags=["data"])
    def write_did(self, did: str | int, value: str | int | float, *, raw: bool = False,
                  expected_nrc: str | int | None = None) -> None:
        """Writes ``value`` to a DID with WriteDataByIdentifier (0x2E).

        ``did`` is a name of the ECU description or a hex number. ``value`` is encoded with the
        DID's codec: text for ``ascii``; a number for ``uint``/``int`` (decimal, or hex with
        ``0x``; the physical value when the DID has a scale/offset); hex for ``bytes``. With
        ``raw=True``, or for a DID the description does not know, ``value`` is the data as hex.

        A value of the wrong length or outside what the codec can hold is rejected before
        anything is sent, naming the DID and the codec. The description's allowed range (a
        variant matrix) is left to the ECU to enforce, so a test can check that it does; when
        the ECU answers 0x31 to such a value, the failure says so. With ``raw=True`` and
        ``expected_nrc`` the data is sent even when its length is wrong, to provoke NRC 0x13.

        Examples:
        | Write DID | VIN | WVWZZZ1JZXW000002 |
        | Write DID | variantCode | 3 |
        | Write DID | F101 | 03 | raw=True |
        | Write DID | variantCode | 9 | expected_nrc=0x31 |
        """
        number, info = self.resolve_did(did)
        label = did_label(number, info)
        nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        if raw or info is None:
            data = parse_hex(value if isinstance(value, str) else str(value), f"data for DID {label}")
            if info is not None and info.length is not None and len(data) != info.length and nrc is None:
                raise UdsLibraryError(f"cannot write DID {label}: {len(data)} data byte(s) given ({format_hex(data)}), "
                                      f"the ECU description says {info.length}; nothing was sent")
            shown = format_hex(data)
        else:
            data = self._encode(number, info, value)
            shown = f"{show_value(decode_value(number, info, data, False), info)} ({format_hex(data)})"
        payload = bytes((WRITE_DATA,)) + number.to_bytes(2, "big") + data
        try:
            exchange = self.request(payload, expected_nrc=nrc, decoded=f"DID {label} := {shown}")
        except NegativeResponseError as error:
            last = self.target.last
            refused = last.final.nrc if last is not None and last.final is not None else None
            note = _allowed_note(info, data) if refused == 0x31 else ""
            if note:
                raise NegativeResponseError(f"{error}; {note}") from None
            raise
        if nrc is None:
            final = exchange.final
            assert final is not None
            if final.payload[1:3] != payload[1:3]:
                raise UnexpectedResponseError(f"the ECU confirmed the write of DID {label} for DID "
                                              f"{format_hex(final.payload[1:3])} ({format_hex(final.payload)})")

    @staticmethod
    def _encode(number: int, did: Did, value: Any) -> bytes:
        label = did_label(number, did)
        length = f", {did.length} byte{'s' if did.length != 1 else ''}" if did.length is not None else ""
        if isinstance(value, str) and did.codec in ("uint", "int"):
            value = to_number(value, f"value for DID {label}")
        try:
            return encode_did(did, value)
        except ValueError as error:
            detail = str(error)
            prefix = f"DID 0x{did.id:04X} ({did.name}): "
            detail = detail[len(prefix):] if detail.startswith(prefix) else detail
            raise UdsLibraryError(f"cannot write DID {label} (codec {did.codec}{length}): {detail}; "
                                  "nothing was sent") from None

    @keyword("DID Should Be", tags=["data", "assertion"])
    def did_should_be(self, did: str | int, expected: str | int | float, *, raw: bool = False) -> None:
        """Reads a DID and fails unless its value is ``expected``.

        Numbers compare numerically (``50`` equals ``50.0``; the physical value after
        scale/offset), text exactly, ``bytes`` DIDs and DIDs the description does not know as
        hex (``DEADBEEF`` equals ``DE AD BE EF``). With ``raw=True`` the data bytes are compared
        with ``expected`` as hex.

        The failure reads ``DID F190 VIN is 'WVWZZZ1JZXW000001', expected 'WVWZZZ1JZXW000002'``.

        Examples:
        | DID Should Be | VIN | WVWZZZ1JZXW000001 |
        | DID Should Be | vehicleSpeed | 50 |
        | DID Should Be | F101 | 01 | raw=True |
        """
        number, info = self.resolve_did(did)
        shown_info = None if raw else info
        as_hex = raw or info is None or info.codec == "bytes"
        if as_hex:
            wanted: Any = parse_hex(expected if isinstance(expected, str) else str(expected), "expected value")
        elif is_numeric(info):
            wanted = to_number(expected, "expected value")
        else:
            wanted = str(expected)
        value = self.read_did(did, raw=raw)
        if as_hex:
            equal = parse_hex(value) == wanted
            wanted_text = format_hex(wanted)
        elif isinstance(wanted, (int, float)):
            equal = isinstance(value, (int, float)) and math.isclose(value, wanted, rel_tol=1e-9, abs_tol=1e-9)
            wanted_text = show_value(wanted, shown_info)
        else:
            equal = value == wanted
            wanted_text = show_value(wanted, shown_info)
        if not equal:
            raise AssertionError(f"DID {did_label(number, info)} is {show_value(value, shown_info)}, "
                                 f"expected {wanted_text}")
        logger.info(f"DID {did_label(number, info)} is {show_value(value, shown_info)} as expected")


def _find_did(description: EcuDescription | None, number: int) -> Did | None:
    if description is None:
        return None
    return next((did for did in description.dids if did.id == number), None)


def is_numeric(did: Did) -> bool:
    return did.codec in ("uint", "int")


def _allowed_note(did: Did | None, data: bytes) -> str:
    """Why the ECU may have refused a write: the value is outside the description's allowed values."""
    if did is None or not is_numeric(did) or did.length is None or len(data) != did.length:
        return ""
    raw = int.from_bytes(data, "big", signed=did.codec == "int")
    if did.allowed_range is not None and not did.allowed_range[0] <= raw <= did.allowed_range[1]:
        low, high = did.allowed_range
        return f"the value {raw} is outside the ECU description's allowed range {low}..{high}"
    if did.allowed is not None and raw not in did.allowed:
        return f"the value {raw} is not one of the ECU description's allowed values {list(did.allowed)}"
    return ""
