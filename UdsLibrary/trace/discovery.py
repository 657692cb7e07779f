"""Finding the ECUs on a bus: TesterPresent probes, identification DIDs, comparison with the vehicle.

`discover_ecus(bus, ...)` sends TesterPresent (``3E 00``) functionally (0x7DF, or 0x18DB33F1 with
29-bit normal fixed addressing: every ECU that listens answers on its response id) and/or
physically to each request id of a range (11-bit ids, or 29-bit normal fixed ids 0x18DA<target><tester>
answered on 0x18DA<tester><target>), then reads
the identification DIDs (part number F187, serial number F18C, software version F195, VIN F190,
system name F197, ...) of every ECU that answered - positively or not: an ECU that refuses
TesterPresent (NRC 0x7F in the default session) is still there.

The functional answers are read by the trace decoder (`TraceDecoder.feed` on every frame of the
probe), so answers from any 0x7xx response id are recognised with the same pairing rule as in
traces: the request id of a response id is the response id - 8; a 29-bit answer 0x18DA<tester><ECU>
pairs with the request id 0x18DA<ECU><tester>.

`compare(found, expected)` lists the ECUs of an expected vehicle configuration - a vehicle or ECU
description file, or a list such as ``["ECM=7E0:7E8", "7E1:7E9"]`` - that did not answer
(missing) and the ECUs that answered without being expected (unexpected).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import can

from UdsLibrary.converters import format_hex
from UdsLibrary.description.model import Addressing
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.trace.decode import DecodeOptions, TraceDecoder, Transaction, parse_pairs
from UdsLibrary.trace.uds import did_value
from UdsLibrary.transport.addressing import UNUSED_RX_ID_11, UNUSED_RX_ID_29
from UdsLibrary.transport.connection import UdsConnection

__all__ = ["EXPECTED_FORMS", "ExpectedEcu", "FoundEcu", "compare", "default_functional_id", "discover_ecus", "id_text",
           "load_expected", "parse_range"]

#: Identification DIDs read from every ECU found (ISO 14229-1 Annex C).
IDENTIFICATION = (0xF187, 0xF18C, 0xF195, 0xF190, 0xF197, 0xF191, 0xF18A)
_FIELDS = {0xF187: "part_number", 0xF18C: "serial_number", 0xF195: "software_version", 0xF190: "vin",
           0xF197: "system_name", 0xF191: "hardware_number", 0xF18A: "supplier"}
EXPECTED_FORMS = "a vehicle or ECU description file, or a list of 'REQUEST:RESPONSE' ids such as 'ECM=7E0:7E8'"


FUNCTIONAL_11 = 0x7DF
FUNCTIONAL_29 = 0x18DB33F1  # ISO 15765-4 normal fixed: functional to all (0x33) from the tester (0xF1)


def id_text(can_id: int) -> str:
    """``7E0`` for an 11-bit id, ``18DA10F1`` for a 29-bit one."""
    return f"{can_id:03X}" if can_id <= 0x7FF else f"{can_id:08X}"


def default_functional_id(pairs: Sequence[tuple[int, int]], preferred: int | None = None) -> int:
    """The functional id to probe with `pairs`: `preferred` (a connection's) when there is one and it
    has the width of the probed ids (any width without pairs); else 0x18DB33F1 when the probes are
    29-bit, 0x7DF when they are 11-bit."""
    wide = bool(pairs) and pairs[0][0] > 0x7FF
    if preferred is not None and (not pairs or (preferred > 0x7FF) == wide):
        return preferred
    return FUNCTIONAL_29 if wide else FUNCTIONAL_11


@dataclass
class FoundEcu:
    request_id: int
    response_id: int
    functional: bool = False  # answered the functional TesterPresent
    physical: bool = False  # answered the physical TesterPresent
    tester_present: str = ""  # the answer: "7E 00" or "7F 3E 7F"
    identification: dict[int, str] = field(default_factory=dict)  # DID -> value text
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self.name, "request_id": id_text(self.request_id), "response_id": id_text(self.response_id),
            "functional": self.functional, "physical": self.physical, "tester_present": self.tester_present,
        }
        for did, key in _FIELDS.items():
            entry[key] = self.identification.get(did, "")
        entry["dids"] = {f"{did:04X}": value for did, value in self.identification.items()}
        return entry


@dataclass(frozen=True)
class ExpectedEcu:
    name: str
    request_id: int | None
    response_id: int

    def label(self) -> str:
        ids = (f"{id_text(self.request_id)}/" if self.request_id is not None else "") + id_text(self.response_id)
        return f"{self.name} ({ids})" if self.name else ids


def parse_range(value: str | Sequence[Any] | None) -> list[tuple[int, int]]:
    """Request/response pairs to probe: ``7E0-7EF`` (request ids with bit 3 clear, response = +8),
    ``18DA00F1-18DAFFF1`` (29-bit normal fixed request ids, target address 00 to FF from tester F1,
    each answered on 0x18DA<tester><target>), ``7E0:7E8,726:72E`` (explicit pairs), or
    ``none``/empty for no physical probing."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return []
    if not isinstance(value, str):
        return parse_pairs([str(v) for v in value]) or []
    text = value.strip()
    if ":" in text or "/" in text:
        return parse_pairs(text) or []
    try:
        low_text, high_text = text.split("-") if "-" in text else (text, text)
        low, high = int(low_text.strip().removeprefix("0x"), 16), int(high_text.strip().removeprefix("0x"), 16)
    except ValueError:
        raise UdsLibraryError(f"id range '{value}' is not FIRST-LAST in hex (such as 7E0-7EF or 700-7FF) or "
                              "REQUEST:RESPONSE pairs (such as 7E0:7E8,726:72E)") from None
    if high > 0x7FF:
        return _normal_fixed_range(str(value), low, high)
    if not 0 <= low <= high <= 0x7FF:
        raise UdsLibraryError(f"id range '{value}' must be 11-bit ids from low to high (000-7FF)")
    return [(i, i + 8) for i in range(low, high + 1)
            if not i & 0x8 and i + 8 <= 0x7FF and 0x7DF not in (i, i + 8)]


def _normal_fixed_range(value: str, low: int, high: int) -> list[tuple[int, int]]:
    """29-bit normal fixed physical request ids from `low` to `high`: the same priority and tester
    (source) address, the target address counting up; each answered with target and source swapped."""
    base, tester = low & 0x1FFF0000, low & 0xFF
    if not (low <= high <= 0x1FFFFFFF and (low >> 16) & 0xFF == 0xDA and high & 0x1FFF0000 == base
            and high & 0xFF == tester):
        raise UdsLibraryError(
            f"id range '{value}' is neither 11-bit ids (such as 700-7FF) nor 29-bit normal fixed request ids "
            "0x18DA<target><tester> with the same priority and tester address at both ends (such as "
            "18DA00F1-18DAFFF1)")
    return [(base | target << 8 | tester, base | tester << 8 | target)
            for target in range((low >> 8) & 0xFF, ((high >> 8) & 0xFF) + 1) if target != tester]


def _addressing(request_id: int, response_id: int, template: Addressing | None) -> Addressing:
    padding = template.padding if template is not None else 0xAA
    mode = "normal_29bits" if max(request_id, response_id) > 0x7FF else "normal_11bits"
    return Addressing(mode=mode, request_id=request_id, response_id=response_id, functional_id=None,
                      padding=padding)


def discover_ecus(bus: can.BusABC, *, pairs: Sequence[tuple[int, int]] = (), functional_id: int | None = 0x7DF,
                  timeout: float = 0.1, functional_window: float = 0.3, dids: Iterable[int] = IDENTIFICATION,
                  template: Addressing | None = None, listeners: list | None = None) -> list[FoundEcu]:
    """Probe (see the module docstring); `listeners` see every frame (a running trace capture)."""
    found: dict[int, FoundEcu] = {}
    shared = listeners if listeners is not None else []
    if functional_id is not None:
        for transaction in _functional_probe(bus, functional_id, functional_window, template, shared):
            final = transaction.final
            if transaction.response_id is None or final is None or transaction.request_id is None:
                continue
            ecu = found.setdefault(transaction.response_id,
                                   FoundEcu(transaction.request_id, transaction.response_id))
            ecu.functional = True
            ecu.tester_present = format_hex(final.payload)
    for request_id, response_id in pairs:
        connection = _link(bus, request_id, response_id, timeout, template, shared)
        exchange = connection.request(b"\x3e\x00")
        final = exchange.final
        if final is None:
            continue
        ecu = found.setdefault(response_id, FoundEcu(request_id, response_id))
        ecu.physical = True
        ecu.tester_present = format_hex(final.payload)
    for ecu in found.values():
        connection = _link(bus, ecu.request_id, ecu.response_id, max(timeout, 0.15), template, shared)
        for did in dids:
            exchange = connection.request(b"\x22" + did.to_bytes(2, "big"))
            final = exchange.final
            if final is not None and final.payload[:3] == b"\x62" + did.to_bytes(2, "big"):
                ecu.identification[did] = str(did_value(did, final.payload[3:], None)["value"])
        ecu.name = ecu.identification.get(0xF197, "")
    return sorted(found.values(), key=lambda e: (e.request_id, e.response_id))


def _link(bus: can.BusABC, request_id: int, response_id: int, timeout: float, template: Addressing | None,
          listeners: list) -> UdsConnection:
    connection = UdsConnection(bus, _addressing(request_id, response_id, template), p2_timeout=timeout,
                               owns_bus=False)
    connection.listeners = listeners  # the same list: a capture running on the tester's connection sees these
    return connection


def _functional_probe(bus: can.BusABC, functional_id: int, window: float, template: Addressing | None,
                      listeners: list) -> list[Transaction]:
    """Send 3E 00 functionally and let the trace decoder pair every answer of the window with it."""
    wide = functional_id > 0x7FF
    addressing = Addressing(mode="normal_29bits" if wide else "normal_11bits", request_id=functional_id,
                            response_id=UNUSED_RX_ID_29 if wide else UNUSED_RX_ID_11, functional_id=functional_id,
                            padding=template.padding if template is not None else 0xAA)
    connection = UdsConnection(bus, addressing, p2_timeout=window, owns_bus=False)
    decoder = TraceDecoder(DecodeOptions(p2_window=window, p2_star_window=window))
    transactions: list[Transaction] = []

    def listen(msg: can.Message) -> None:
        transactions.extend(decoder.feed(msg))

    connection.listeners = [*listeners, listen]
    connection.request(b"\x3e\x00", functional=True, collect_all=True, timeout=window)
    transactions.extend(decoder.finish())
    return transactions


# ------------------------------------------------------------------------------ expected vehicle

def load_expected(expected: str | Path | Sequence[Any]) -> list[ExpectedEcu]:
    """The expected ECUs from a vehicle/ECU description file or a list (see `EXPECTED_FORMS`)."""
    if isinstance(expected, (str, Path)) and (Path(expected).suffix.lower() in (".yaml", ".yml")
                                              or Path(expected).is_file()):
        from UdsLibrary.description.loader import load_any
        from UdsLibrary.description.model import Vehicle

        loaded = load_any(expected)
        ecus = loaded.ecus if isinstance(loaded, Vehicle) else (loaded,)
        return [ExpectedEcu(e.name, e.addressing.request_id, e.addressing.response_id) for e in ecus]
    items = expected.split(",") if isinstance(expected, str) else list(expected)
    result = []
    for item in items:
        if isinstance(item, dict):
            try:
                response_id = _hex(item["response_id"])
            except (KeyError, ValueError):
                raise UdsLibraryError(f"expected ECU {item!r} needs a response_id in hex") from None
            request = item.get("request_id")
            result.append(ExpectedEcu(str(item.get("name", "")), _hex(request) if request is not None else None,
                                      response_id))
            continue
        text = str(item).strip()
        name, _, ids = text.rpartition("=")
        pieces = ids.replace("/", ":").split(":")
        try:
            numbers = [_hex(p) for p in pieces if p.strip()]
        except ValueError:
            numbers = []
        if len(numbers) not in (1, 2):
            raise UdsLibraryError(f"expected ECU '{text}' is not REQUEST:RESPONSE in hex (such as 'ECM=7E0:7E8'); "
                                  f"expected ECUs are {EXPECTED_FORMS}")
        result.append(ExpectedEcu(name.strip(), numbers[0] if len(numbers) == 2 else None, numbers[-1]))
    return result


def _hex(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(str(value).strip().removeprefix("0x").removeprefix("0X"), 16)


def compare(found: list[FoundEcu], expected: list[ExpectedEcu]) -> tuple[list[ExpectedEcu], list[FoundEcu]]:
    """(missing, unexpected); found ECUs that are expected take the expected name."""
    by_response = {e.response_id: e for e in expected}
    unexpected = []
    seen = set()
    for ecu in found:
        match = by_response.get(ecu.response_id)
        if match is None or (match.request_id is not None and match.request_id != ecu.request_id):
            unexpected.append(ecu)
            continue
        seen.add(match.response_id)
        if match.name:
            ecu.name = match.name
    missing = [e for e in expected if e.response_id not in seen]
    return missing, unexpected


def describe_differences(missing: list[ExpectedEcu], unexpected: list[FoundEcu]) -> str:
    parts = []
    if missing:
        parts.append(f"missing (expected, did not answer): {', '.join(e.label() for e in missing)}")
    if unexpected:
        labels = [(f"{e.name} " if e.name else "") + f"({id_text(e.request_id)}/{id_text(e.response_id)})"
                  for e in unexpected]
        parts.append(f"unexpected (answered, not expected): {', '.join(labels)}")
    return "; ".join(parts)
