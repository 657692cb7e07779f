"""DTCs: read them (0x19) decoded into codes, status bits and descriptions, assert on them, read
their snapshot and extended data records, clear them (0x14), and load DTC description tables.

Responses are parsed with udsoncan's `ReadDTCInformation.interpret_response`, except the extended
data records (0x19 06): udsoncan takes one record size per DTC, while records of one DTC differ in
size, so they are split here with the sizes of the ECU description.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import udsoncan
from robot.api.deco import keyword
from robot.utils import DotDict
from udsoncan.exceptions import ConfigError
from udsoncan.services import ReadDTCInformation

from UdsLibrary import nrc as nrcs
from UdsLibrary.converters import format_hex, parse_hex, parse_id
from UdsLibrary.dtc import STATUS_BITS, DtcTable, decode_status, format_dtc, load_dtc_table, parse_dtc
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import LibraryComponent, UnexpectedResponseError
from UdsLibrary.keywords.data import decode_value, did_label, show_value
from UdsLibrary.log import logger

if TYPE_CHECKING:
    from UdsLibrary.description.model import EcuDescription
    from UdsLibrary.transport.connection import Exchange

CLEAR_DIAGNOSTIC_INFORMATION, READ_DTC_INFORMATION = 0x14, 0x19
NUMBER_BY_STATUS_MASK, BY_STATUS_MASK, SNAPSHOT_BY_DTC, EXTENDED_DATA_BY_DTC = 0x01, 0x02, 0x04, 0x06
ALL_RECORDS = 0xFF
ALL_GROUPS = 0xFFFFFF
CONFIRMED = 0x08


# ---------------------------------------------------------------------- argument parsing
def parse_status_mask(value: str | int) -> int:
    """A status mask as hex text (``FF``, ``0x08``) or an integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_id(value, "status_mask", 0xFF)
    data = parse_hex(str(value), "status_mask")
    if len(data) != 1:
        raise UdsLibraryError(f"status_mask '{value}' must be one byte of hex, such as FF or 08")
    return data[0]


def parse_dtc_argument(value: str | int, what: str = "DTC") -> int:
    """A DTC as ``U0001-12``, ``U000112``, ``C00112``, ``0xC00112`` or an integer."""
    try:
        return parse_dtc(value)
    except ValueError as error:
        raise UdsLibraryError(f"{what} '{value}' is not a DTC: {error}") from None


def parse_group(value: str | int) -> int:
    """groupOfDTC for ClearDiagnosticInformation: ``all``, 3 bytes of hex, or a DTC such as ``U0001-12``."""
    if isinstance(value, str) and value.strip().lower() == "all":
        return ALL_GROUPS
    return parse_dtc_argument(value, "DTC group")


def parse_bit_conditions(conditions: dict[str, Any]) -> dict[str, bool]:
    """Status bit conditions by name (case-insensitive) -> {canonical bit name: wanted state}."""
    by_lower = {name.lower(): name for name in STATUS_BITS}
    wanted: dict[str, bool] = {}
    for name, state in conditions.items():
        canonical = by_lower.get(name.lower())
        if canonical is None:
            raise UdsLibraryError(f"unknown DTC status bit '{name}'; the eight status bits are "
                                  f"{', '.join(STATUS_BITS)}")
        wanted[canonical] = _truth(state, name)
    return wanted


def _truth(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on", "set"):
        return True
    if text in ("false", "0", "no", "off", "clear", "none", ""):
        return False
    raise UdsLibraryError(f"status bit condition {name}={value} must be True or False")


# ---------------------------------------------------------------------- response parsing
def dtc_entry(number: int, status: int, description: str) -> DotDict:
    """One DTC as the keywords return it (a dictionary also usable as ``${dtc.code}``)."""
    return DotDict(
        code=format_dtc(number), number=number, hex=f"{number:06X}", failure_type=number & 0xFF, status=status,
        status_hex=f"{status:02X}", status_bits=DotDict(decode_status(status)), description=description)


def set_bits(status: int) -> list[str]:
    return [name for name, on in decode_status(status).items() if on]


def interpret(payload: bytes, subfunction: int, **options: Any) -> Any:
    """udsoncan's reading of a 0x59 response; a malformed one fails with the response hex."""
    try:
        response = udsoncan.Response.from_payload(payload)
        return ReadDTCInformation.interpret_response(response, subfunction, **options).service_data
    except ConfigError as error:
        key = error.key if isinstance(error.key, int) else None
        what = f"DID {key:04X}" if key is not None else "a DID"
        raise UdsLibraryError(f"the answer {format_hex(payload)} holds {what} whose length the ECU description does "
                              "not give, so the snapshot record cannot be split") from None
    except Exception as error:  # udsoncan's InvalidResponseException and friends
        raise UnexpectedResponseError(f"the answer {format_hex(payload)} is not a valid ReadDTCInformation "
                                      f"response: {error}") from None


def split_extended_data(data: bytes, requested: int, lengths: dict[int, int]) -> tuple[dict[int, str], list[str]]:
    """Extended data records after the DTC and its status: ``{record: hex}`` and warnings.

    For one requested record everything is that record's data. For all records (0xFF) each
    record number is followed by as many bytes as ``lengths`` gives; a record of unknown size
    takes the rest (with a warning), since the response does not say where a record ends.
    """
    records: dict[int, str] = {}
    warnings: list[str] = []
    if not data:
        return records, warnings
    if requested != ALL_RECORDS:
        if data[0] != requested:
            raise UnexpectedResponseError(f"extended data record {data[0]:02X} came back, {requested:02X} was "
                                          "requested")
        records[requested] = format_hex(data[1:])
        return records, warnings
    position = 0
    while position < len(data):
        number = data[position]
        position += 1
        size = lengths.get(number)
        if size is None or position + size > len(data):
            if size is not None:
                warnings.append(f"extended data record {number:02X} is {len(data) - position} bytes, the ECU "
                                f"description says {size}")
            else:
                warnings.append(f"the ECU description gives no size for extended data record {number:02X}: it "
                                "holds the rest of the answer, which may contain further records")
            records[number] = format_hex(data[position:])
            break
        records[number] = format_hex(data[position:position + size])
        position += size
    return records, warnings


class _RawCodec(udsoncan.DidCodec):
    """Hands a snapshot DID's bytes through; udsoncan needs the length to split the record."""

    def __init__(self, length: int) -> None:
        self.length = length

    def encode(self, *args: Any, **kwargs: Any) -> bytes:  # pragma: no cover - never encodes
        raise NotImplementedError

    def decode(self, string_bin: bytes) -> bytes:
        return bytes(string_bin)

    def __len__(self) -> int:
        return self.length


# ---------------------------------------------------------------------- keywords
class DtcKeywords(LibraryComponent):
    """Read DTCs, DTC assertions, snapshot and extended data, Clear DTCs, Load DTC Table."""

    def __init__(self, library: Any) -> None:
        super().__init__(library)
        self.table = DtcTable()

    # helpers -------------------------------------------------------------------------
    def describe_dtc(self, number: int) -> str:
        """The description of a DTC: the ECU description's, else a loaded DTC table's, else ''."""
        description = self.target.description
        if description is not None:
            known = next((d for d in description.dtc.dtcs if d.code == number), None)
            if known is not None and known.description:
                return known.description
        return self.table.lookup(number)

    def _label(self, number: int) -> str:
        text = self.describe_dtc(number)
        return f"{format_dtc(number)} ({text})" if text else format_dtc(number)

    def _read_by_mask(self, mask: int, expected_nrc: str | int | None = None) -> list[DotDict] | None:
        nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        payload = bytes((READ_DTC_INFORMATION, BY_STATUS_MASK, mask))
        exchange = self.request(payload, expected_nrc=nrc, decoded=lambda ex: self._summary(self._entries(ex)))
        if nrc is not None:
            return None
        dtcs = self._entries(exchange)
        self._log_table(dtcs, mask)
        return dtcs

    def _entries(self, exchange: Exchange) -> list[DotDict]:
        assert exchange.final is not None
        data = interpret(exchange.final.payload, BY_STATUS_MASK)
        return [dtc_entry(d.id, d.status.get_byte_as_int(), self.describe_dtc(d.id)) for d in data.dtcs]

    @staticmethod
    def _summary(dtcs: list[DotDict]) -> str:
        if not dtcs:
            return "no DTCs"
        return f"{len(dtcs)} DTC(s): " + ", ".join(f"{d.code} status {d.status_hex}" for d in dtcs)

    def _log_table(self, dtcs: list[DotDict], mask: int) -> None:
        if self.lib.log_detail == "none":
            return
        if not dtcs:
            logger.info(f"No DTCs match status mask 0x{mask:02X}.")
            return
        head = "".join(f"<th style='text-align:left;padding-right:1em'>{h}</th>"
                       for h in ("DTC", "Status", "Set status bits", "Description"))
        rows = "".join(
            f"<tr><td><code>{d.code}</code></td><td><code>{d.status_hex}</code></td>"
            f"<td>{html.escape(', '.join(set_bits(d.status)) or '-')}</td><td>{html.escape(d.description)}</td></tr>"
            for d in dtcs)
        logger.info(f"<table class='uds-dtcs'><tr>{head}</tr>{rows}</table>", html=True)

    def _reported(self, dtcs: list[DotDict]) -> str:
        return ", ".join(self._label(d.number) for d in dtcs) if dtcs else "no DTCs"

    # reading -------------------------------------------------------------------------
    @keyword("Read DTCs", tags=["dtc"])
    def read_dtcs(self, status_mask: str | int = "FF", *, expected_nrc: str | int | None = None) -> list | None:
        """Reads the DTCs whose status matches ``status_mask`` (``19 02 <mask>``) and returns them.

        Each DTC is a dictionary (also usable as ``${dtc.code}``):
        | = Key =      | = Example =      | = Meaning = |
        | code         | ``U0001-12``     | SAE J2012 code with failure type |
        | number       | ``12583186``     | the 3-byte DTC as an integer |
        | hex          | ``C00112``       | the 3-byte DTC as hex |
        | failure_type | ``18``           | the failure type byte (0x12) |
        | status       | ``47``           | the status byte as an integer (0x2F) |
        | status_hex   | ``2F``           | the status byte as hex |
        | status_bits  | ``{testFailed: True, ...}`` | the eight ISO 14229-1 status bits by name |
        | description  | ``Lost comm...`` | from the ECU description, else `Load DTC Table`, else empty |

        The DTCs are also logged as a table (code, status, status bits that are set, description).
        ``status_mask`` is hex (``FF`` all, ``08`` confirmed, ``01`` testFailed).

        Examples:
        | ${dtcs} = | Read DTCs |
        | Should Be Equal | ${dtcs}[0][code] | P0123-45 |
        | Should Be True | ${dtcs}[1][status_bits][confirmedDTC] |
        | ${confirmed} = | Read DTCs | 08 |
        | Read DTCs | expected_nrc=serviceNotSupportedInActiveSession |
        """
        return self._read_by_mask(parse_status_mask(status_mask), expected_nrc)

    @keyword("DTC Count Should Be", tags=["dtc", "assertion"])
    def dtc_count_should_be(self, expected: int, status_mask: str | int = "FF") -> None:
        """Fails unless the ECU reports ``expected`` DTCs matching ``status_mask``
        (``19 01 <mask>``, reportNumberOfDTCByStatusMask).

        Examples:
        | DTC Count Should Be | 3 |
        | DTC Count Should Be | 0 | status_mask=08 |
        """
        mask = parse_status_mask(status_mask)
        payload = bytes((READ_DTC_INFORMATION, NUMBER_BY_STATUS_MASK, mask))

        def decode(exchange: Exchange) -> str:
            assert exchange.final is not None
            return f"{interpret(exchange.final.payload, NUMBER_BY_STATUS_MASK).dtc_count} DTC(s) match mask {mask:02X}"

        exchange = self.request(payload, decoded=decode)
        assert exchange.final is not None
        count = interpret(exchange.final.payload, NUMBER_BY_STATUS_MASK).dtc_count
        if count != int(expected):
            raise AssertionError(f"the ECU reports {count} DTC(s) matching status mask 0x{mask:02X}, "
                                 f"expected {int(expected)}")
        logger.info(f"{count} DTC(s) match status mask 0x{mask:02X}, as expected")

    @keyword("DTC Should Be Present", tags=["dtc", "assertion"])
    def dtc_should_be_present(self, dtc: str | int, *, status_mask: str | int = "FF",
                              **bit_conditions: bool) -> dict[str, Any]:
        """Fails unless ``dtc`` is reported with a status matching ``status_mask``, and with the
        given status bits set (``True``) or clear (``False``); returns the DTC (see `Read DTCs`).

        ``dtc`` is ``U0001-12``, ``U000112``, ``C00112`` or ``0xC00112``. Bit names are the
        eight ISO 14229-1 status bits, case-insensitive: testFailed, testFailedThisOperationCycle,
        pendingDTC, confirmedDTC, testNotCompletedSinceLastClear, testFailedSinceLastClear,
        testNotCompletedThisOperationCycle, warningIndicatorRequested. An unknown bit name is
        rejected before anything is sent.

        Examples:
        | DTC Should Be Present | U0001-12 |
        | DTC Should Be Present | P0123-45 | confirmedDTC=True | pendingDTC=False |
        | ${dtc} = | DTC Should Be Present | 0xC00112 | status_mask=08 |
        """
        number = parse_dtc_argument(dtc)
        mask = parse_status_mask(status_mask)
        wanted = parse_bit_conditions(bit_conditions)
        dtcs = self._read_by_mask(mask) or []
        found = next((d for d in dtcs if d.number == number), None)
        if found is None:
            raise AssertionError(f"DTC {self._label(number)} is not reported with status mask 0x{mask:02X}; "
                                 f"the ECU reports {self._reported(dtcs)}")
        wrong = [f"{name} is {found.status_bits[name]}, expected {state}" for name, state in wanted.items()
                 if found.status_bits[name] != state]
        if wrong:
            raise AssertionError(f"DTC {self._label(number)} has status 0x{found.status_hex}: {'; '.join(wrong)}")
        return found

    @keyword("DTC Should Not Be Present", tags=["dtc", "assertion"])
    def dtc_should_not_be_present(self, dtc: str | int, status_mask: str | int = "08") -> None:
        """Fails if ``dtc`` is reported with a status matching ``status_mask`` (default ``08``:
        confirmed). ``dtc`` as for `DTC Should Be Present`.

        Examples:
        | DTC Should Not Be Present | B1A0B-13 |
        | DTC Should Not Be Present | P0123-45 | status_mask=FF |
        """
        number = parse_dtc_argument(dtc)
        mask = parse_status_mask(status_mask)
        dtcs = self._read_by_mask(mask) or []
        found = next((d for d in dtcs if d.number == number), None)
        if found is not None:
            raise AssertionError(
                f"DTC {self._label(number)} is reported with status 0x{found.status_hex} "
                f"({', '.join(set_bits(found.status))}), which matches status mask 0x{mask:02X}")

    @keyword("No Confirmed DTCs", tags=["dtc", "assertion"])
    def no_confirmed_dtcs(self) -> None:
        """Fails if the ECU reports any confirmed DTC (status mask ``08``), listing them with
        their descriptions.

        Example:
        | Clear DTCs |
        | No Confirmed DTCs |
        """
        dtcs = self._read_by_mask(CONFIRMED) or []
        if dtcs:
            raise AssertionError(f"the ECU reports {len(dtcs)} confirmed DTC(s): {self._reported(dtcs)}")

    # records -------------------------------------------------------------------------
    @keyword("Read DTC Snapshot", tags=["dtc"])
    def read_dtc_snapshot(self, dtc: str | int, record: str | int = "FF", *,
                          expected_nrc: str | int | None = None) -> list | None:
        """Reads the snapshot (freeze frame) records of ``dtc`` (``19 04 <DTC> <record>``) and
        returns a list with one dictionary per record: ``record`` (int) and ``dids``
        (``{name: value}`` decoded like `Read DID`; the hex number for DIDs the description does
        not know).

        ``record`` is the record number as hex (``FF``: all records). Splitting a record into
        its DIDs needs their lengths from the ECU description.

        Examples:
        | ${snapshots} = | Read DTC Snapshot | U0001-12 |
        | Should Be Equal As Numbers | ${snapshots}[0][dids][vehicleSpeed] | 50 |
        | Read DTC Snapshot | P0123-45 | 05 | expected_nrc=requestOutOfRange |
        """
        number = parse_dtc_argument(dtc)
        record_number = parse_id(record, "snapshot record number", 0xFF)
        nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        payload = bytes((READ_DTC_INFORMATION, SNAPSHOT_BY_DTC)) + number.to_bytes(3, "big") + bytes((record_number,))
        description = self.target.description

        def snapshots(exchange: Exchange) -> list[DotDict]:
            assert exchange.final is not None
            didconfig = {d.id: _RawCodec(d.length) for d in description.dids if d.length} if description else {}
            data = interpret(exchange.final.payload, SNAPSHOT_BY_DTC, didconfig=didconfig)
            self._check_echo(data, number)
            records: dict[int, DotDict] = {}
            for snapshot in data.dtcs[0].snapshots if data.dtcs else []:
                did = _did(description, snapshot.did)
                key = did.name if did is not None else f"{snapshot.did:04X}"
                value = decode_value(snapshot.did, did, bytes(snapshot.raw_data), raw=False)
                entry = records.setdefault(snapshot.record_number,
                                           DotDict(record=snapshot.record_number, dids=DotDict()))
                entry.dids[key] = value
            return list(records.values())

        def decoded(exchange: Exchange) -> str:
            shown = []
            for entry in snapshots(exchange):
                values = ", ".join(f"{did_label(*_named(description, k))} = {show_value(v, _named(description, k)[1])}"
                                   for k, v in entry.dids.items())
                shown.append(f"record {entry.record:02X}: {values or 'no DIDs'}")
            return f"snapshots of {format_dtc(number)}: " + ("; ".join(shown) or "none")

        exchange = self.request(payload, expected_nrc=nrc, decoded=decoded)
        if nrc is not None:
            return None
        return snapshots(exchange)

    @keyword("Read DTC Extended Data", tags=["dtc"])
    def read_dtc_extended_data(self, dtc: str | int, record: str | int = "FF", *,
                               expected_nrc: str | int | None = None) -> dict | None:
        """Reads the extended data records of ``dtc`` (``19 06 <DTC> <record>``) and returns
        ``{record number (int): data as hex}``, e.g. ``{1: '05', 2: '03'}``.

        Limitation: the response does not say how long each record is. With ``record=FF`` (all
        records) the records are split with the sizes the ECU description gives for that
        record number (``extended_data`` of the DTC, or of another DTC with that record number);
        a record of unknown size takes the rest of the answer, with a warning in the log. With
        one requested record, everything after its record number is its data.

        Examples:
        | ${ext} = | Read DTC Extended Data | U0001-12 |
        | Should Be Equal | ${ext}[${1}] | 05 |
        | ${occurrences} = | Read DTC Extended Data | U0001-12 | 02 |
        """
        number = parse_dtc_argument(dtc)
        record_number = parse_id(record, "extended data record number", 0xFF)
        nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        payload = (bytes((READ_DTC_INFORMATION, EXTENDED_DATA_BY_DTC)) + number.to_bytes(3, "big")
                   + bytes((record_number,)))
        lengths = self._extended_lengths(number)

        def split(exchange: Exchange) -> tuple[dict[int, str], list[str]]:
            assert exchange.final is not None
            final = exchange.final.payload
            if len(final) < 6:
                raise UnexpectedResponseError(f"the answer {format_hex(final)} to {format_hex(payload)} is too short "
                                              "for a DTC and its status")
            answered = int.from_bytes(final[2:5], "big")
            if answered != number:
                raise UnexpectedResponseError(f"the answer {format_hex(final)} is for DTC {format_dtc(answered)}, "
                                              f"not {format_dtc(number)}")
            return split_extended_data(bytes(final[6:]), record_number, lengths)

        def decoded(exchange: Exchange) -> str:
            records, _ = split(exchange)
            shown = ", ".join(f"record {k:02X} = {v}" for k, v in records.items()) or "none"
            return f"extended data of {format_dtc(number)}: {shown}"

        exchange = self.request(payload, expected_nrc=nrc, decoded=decoded)
        if nrc is not None:
            return None
        records, warnings = split(exchange)
        for warning in warnings:
            logger.warn(f"DTC {format_dtc(number)}: {warning}")
        return records

    def _extended_lengths(self, number: int) -> dict[int, int]:
        description = self.target.description
        if description is None:
            return {}
        lengths: dict[int, int] = {}
        for known in description.dtc.dtcs:
            for record, data in known.extended_data.items():
                lengths.setdefault(record, len(data))
        own = next((d for d in description.dtc.dtcs if d.code == number), None)
        if own is not None:
            lengths.update({record: len(data) for record, data in own.extended_data.items()})
        return lengths

    @staticmethod
    def _check_echo(data: Any, number: int) -> None:
        if data.dtcs and data.dtcs[0].id != number:
            raise UnexpectedResponseError(f"the ECU answered for DTC {format_dtc(data.dtcs[0].id)}, "
                                          f"not {format_dtc(number)}")

    # clearing and tables -------------------------------------------------------------
    @keyword("Clear DTCs", tags=["dtc"])
    def clear_dtcs(self, group: str | int = "FFFFFF", *, expected_nrc: str | int | None = None) -> None:
        """Clears the DTCs of ``group`` with ClearDiagnosticInformation (``14 <group>``).

        ``group`` is ``all`` (``FFFFFF``, the default), 3 bytes of hex (``000000`` powertrain,
        ``C00000`` network - as the ECU defines its groups), or one DTC (``U0001-12``).

        Examples:
        | Clear DTCs |
        | Clear DTCs | U0001-12 |
        | Clear DTCs | all | expected_nrc=conditionsNotCorrect |
        """
        number = parse_group(group)
        nrc = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        what = "all DTCs (group FFFFFF)" if number == ALL_GROUPS else f"DTC group {number:06X} ({format_dtc(number)})"
        self.request(bytes((CLEAR_DIAGNOSTIC_INFORMATION,)) + number.to_bytes(3, "big"), expected_nrc=nrc,
                     decoded=f"cleared {what}")

    @keyword("Load DTC Table", tags=["dtc"])
    def load_dtc_table(self, path: str | Path) -> int:
        """Loads DTC descriptions from a CSV or Excel (``.xlsx``) file; returns how many entries it had.

        The first row names the columns: ``code`` (or ``DTC``) and ``description`` (or ``text``);
        other columns are ignored. CSV may be comma, semicolon or tab separated. Codes are written
        ``P0123-45``, ``P012345`` or as hex (``012345``, ``0xC00112``); ``P0123`` without failure
        type describes that code with any failure type. Excel files need openpyxl
        (``pip install openpyxl``).

        The descriptions fill in DTCs the ECU description does not describe, in `Read DTCs` and
        in failure messages. Loading several tables merges them (later entries win); they stay
        loaded for the rest of the run.

        Example:
        | Load DTC Table | ${CURDIR}/dtc_descriptions.csv |
        """
        table = load_dtc_table(path)
        self.table.update(table)
        logger.info(f"Loaded {len(table)} DTC description(s) from '{path}'.")
        return len(table)


def _did(description: EcuDescription | None, number: int) -> Any:
    if description is None:
        return None
    return next((d for d in description.dids if d.id == number), None)


def _named(description: EcuDescription | None, key: str) -> tuple[int, Any]:
    """(DID number, description entry) of a snapshot key (a DID name or hex number)."""
    if description is not None:
        did = next((d for d in description.dids if d.name == key), None)
        if did is not None:
            return did.id, did
    return int(key, 16), None
