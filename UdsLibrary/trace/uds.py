"""What a UDS request and its response mean: service, sub-function, DIDs, DTCs, NRC, in words.

`interpret(request, response, ecu, dtc_table)` gives a one-line reading and the structured parts
(DIDs with names and values, DTCs as ``P0A9B-00`` with failure type, status bits and description)
for the decoder. DID values use the ECU description's codecs when one is given (shared with the
DID keywords); identification DIDs of ISO 14229-1 Annex C are named and shown as text without one.
Requests that carry a secret are shown masked (`UdsLibrary.trace.secrets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from UdsLibrary import nrc as nrcs
from UdsLibrary.converters import SERVICE_NAMES, format_hex
from UdsLibrary.dtc import DtcTable, decode_status, format_dtc
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.trace.secrets import secret_start

if TYPE_CHECKING:
    from UdsLibrary.description.model import Did, EcuDescription

# ISO 14229-1 Annex C.1: identification DIDs, named when no ECU description is given.
IDENTIFICATION_DIDS: dict[int, str] = {
    0xF180: "bootSoftwareIdentification", 0xF181: "applicationSoftwareIdentification",
    0xF182: "applicationDataIdentification", 0xF183: "bootSoftwareFingerprint",
    0xF184: "applicationSoftwareFingerprint", 0xF185: "applicationDataFingerprint",
    0xF186: "activeDiagnosticSession", 0xF187: "vehicleManufacturerSparePartNumber",
    0xF188: "vehicleManufacturerECUSoftwareNumber", 0xF189: "vehicleManufacturerECUSoftwareVersionNumber",
    0xF18A: "systemSupplierIdentifier", 0xF18B: "ECUManufacturingDate", 0xF18C: "ECUSerialNumber",
    0xF18D: "supportedFunctionalUnits", 0xF18E: "vehicleManufacturerKitAssemblyPartNumber",
    0xF190: "VIN", 0xF191: "vehicleManufacturerECUHardwareNumber", 0xF192: "systemSupplierECUHardwareNumber",
    0xF193: "systemSupplierECUHardwareVersionNumber", 0xF194: "systemSupplierECUSoftwareNumber",
    0xF195: "systemSupplierECUSoftwareVersionNumber", 0xF196: "exhaustRegulationOrTypeApprovalNumber",
    0xF197: "systemNameOrEngineType", 0xF198: "repairShopCodeOrTesterSerialNumber", 0xF199: "programmingDate",
    0xF19D: "ECUInstallationDate", 0xF19E: "ODXFile",
}

SESSIONS = {0x01: "defaultSession", 0x02: "programmingSession", 0x03: "extendedDiagnosticSession",
            0x04: "safetySystemDiagnosticSession"}
RESET_TYPES = {0x01: "hardReset", 0x02: "keyOffOnReset", 0x03: "softReset", 0x04: "enableRapidPowerShutDown",
               0x05: "disableRapidPowerShutDown"}
ROUTINE_CONTROL = {0x01: "start", 0x02: "stop", 0x03: "results"}
DTC_SETTING = {0x01: "on", 0x02: "off"}
COMMUNICATION_CONTROL = {0x00: "enableRxAndTx", 0x01: "enableRxAndDisableTx", 0x02: "disableRxAndEnableTx",
                         0x03: "disableRxAndTx"}
READ_DTC = {0x01: "reportNumberOfDTCByStatusMask", 0x02: "reportDTCByStatusMask",
            0x03: "reportDTCSnapshotIdentification", 0x04: "reportDTCSnapshotRecordByDTCNumber",
            0x06: "reportDTCExtDataRecordByDTCNumber", 0x07: "reportNumberOfDTCBySeverityMaskRecord",
            0x0A: "reportSupportedDTC", 0x0B: "reportFirstTestFailedDTC", 0x0C: "reportFirstConfirmedDTC",
            0x0D: "reportMostRecentTestFailedDTC", 0x0E: "reportMostRecentConfirmedDTC",
            0x0F: "reportMirrorMemoryDTCByStatusMask", 0x13: "reportEmissionsOBDDTCByStatusMask",
            0x14: "reportDTCFaultDetectionCounter", 0x15: "reportDTCWithPermanentStatus",
            0x17: "reportUserDefMemoryDTCByStatusMask"}
# Sub-functions whose positive response is a list of DTC and status records after the availability mask.
_DTC_LISTS = {0x02, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x13, 0x15}
_DTC_COUNTS = {0x01, 0x07, 0x11, 0x12}
SUBFUNCTION_SERVICES = {0x10, 0x11, 0x19, 0x27, 0x28, 0x31, 0x3E, 0x85}


def service_name(sid: int) -> str:
    name = SERVICE_NAMES.get(sid)
    if name:
        return name
    if 0x40 <= sid < 0x80 or sid >= 0xC0:
        return f"response 0x{sid:02X}"
    return f"service 0x{sid:02X}"


def suppressed(request: bytes) -> bool:
    """The request asks for no positive response (suppressPosRspMsgIndicationBit)."""
    return len(request) >= 2 and request[0] in SUBFUNCTION_SERVICES and bool(request[1] & 0x80)


def show_request(request: bytes) -> str:
    """The request as hex, its secret part (security key) replaced by ``**``."""
    start = secret_start(request)
    if start is None:
        return format_hex(request)
    return f"{format_hex(request[:start])} **"


def show_response(response: bytes) -> str:
    """The response as hex; Authentication (0x69) data is masked like its requests."""
    if len(response) > 2 and response[0] == 0x69:
        return f"{format_hex(response[:2])} **"
    return format_hex(response)


@dataclass
class Reading:
    """What the decoder adds to a transaction."""

    text: str = ""
    request_text: str = ""  # the request as hex, secrets masked
    response_text: str = ""  # the final response as hex
    dids: list[dict[str, Any]] = field(default_factory=list)
    dtcs: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None  # the response could not be read as the service defines it


def _ascii(data: bytes) -> str | None:
    text = data.rstrip(b"\x00 \xff")
    if text and all(32 <= c < 127 for c in text):
        return text.decode("ascii")
    return None


def did_value(number: int, data: bytes, ecu: EcuDescription | None) -> dict[str, Any]:
    """One DID's number, name and value (decoded with the ECU description, else text or hex)."""
    did: Did | None = None
    if ecu is not None:
        did = next((d for d in ecu.dids if d.id == number), None)
    entry: dict[str, Any] = {"did": f"{number:04X}", "name": did.name if did else IDENTIFICATION_DIDS.get(number, ""),
                             "hex": format_hex(data)}
    if did is not None:
        from UdsLibrary.keywords.data import decode_value, show_value

        try:
            value = decode_value(number, did, data, raw=False)
            entry["value"] = value if isinstance(value, (str, int, float, bool)) else str(value)
            entry["text"] = show_value(value, did)
        except UdsLibraryError as error:
            entry["value"] = entry["hex"]
            entry["text"] = f"{entry['hex']} (not decodable: {error})"
        return entry
    text = _ascii(data) if number in IDENTIFICATION_DIDS or len(data) > 4 else None
    entry["value"] = text if text is not None else entry["hex"]
    entry["text"] = repr(text) if text is not None else entry["hex"]
    return entry


def _did_label(entry: dict[str, Any]) -> str:
    return f"{entry['did']} {entry['name']}".strip()


def _read_dids(request: bytes, response: bytes, ecu: EcuDescription | None) -> tuple[list[dict[str, Any]], str | None]:
    requested_numbers = [int.from_bytes(request[i:i + 2], "big") for i in range(1, len(request) - 1, 2)]
    data = response[1:]
    if len(requested_numbers) == 1:
        number = requested_numbers[0]
        if len(data) < 2 or int.from_bytes(data[:2], "big") != number:
            return [], f"the response does not start with the requested DID {number:04X}"
        return [did_value(number, data[2:], ecu)], None
    from UdsLibrary.keywords.data import split_read_response

    requested = [(n, next((d for d in ecu.dids if d.id == n), None) if ecu else None) for n in requested_numbers]
    try:
        records = split_read_response(data, requested)
    except UdsLibraryError as error:
        return [], str(error)
    return [did_value(number, value, ecu) for number, _, value in records], None


def dtc_entry(number: int, status: int, table: DtcTable | None, ecu: EcuDescription | None) -> dict[str, Any]:
    description = ""
    if ecu is not None:
        known = next((d for d in ecu.dtc.dtcs if d.code == number), None)
        description = known.description if known is not None else ""
    if not description and table is not None:
        description = table.lookup(number)
    bits = [name for name, on in decode_status(status).items() if on]
    return {"code": format_dtc(number), "hex": f"{number:06X}", "failure_type": f"{number & 0xFF:02X}",
            "status": f"{status:02X}", "status_bits": bits, "description": description}


def _read_dtcs(request: bytes, response: bytes, table: DtcTable | None,
               ecu: EcuDescription | None) -> tuple[list[dict[str, Any]], str, str | None]:
    sub = response[1] if len(response) > 1 else (request[1] & 0x7F if len(request) > 1 else 0)
    if sub in _DTC_COUNTS:
        if len(response) < 6:
            return [], "", "the DTC count response is shorter than 6 bytes"
        return [], f"{int.from_bytes(response[4:6], 'big')} DTC(s) match status mask 0x{request[2]:02X}" if len(
            request) > 2 else f"{int.from_bytes(response[4:6], 'big')} DTC(s)", None
    if sub in _DTC_LISTS:
        # Read here rather than with udsoncan's ReadDTCInformation (as the DTC keywords do): its
        # Response.from_payload searches every service class on each call (~0.4 ms), too slow for
        # traces with thousands of DTC reads; the layout is fixed - mask, then 4-byte records.
        records = response[3:]
        problem = None
        if len(records) % 4:
            problem = f"the DTC list has {len(records)} bytes after the availability mask, not a multiple of 4"
            records = records[:len(records) - len(records) % 4]
        dtcs = [dtc_entry(int.from_bytes(records[i:i + 3], "big"), records[i + 3], table, ecu)
                for i in range(0, len(records), 4) if any(records[i:i + 4])]  # all-zero records are padding
        return dtcs, "", problem
    if sub in (0x04, 0x06) and len(response) >= 6:  # the DTC and its status, then records
        dtcs = [dtc_entry(int.from_bytes(response[2:5], "big"), response[5], table, ecu)]
        return dtcs, f"records {format_hex(response[6:])}" if len(response) > 6 else "no records", None
    return [], "", None


def _dtc_text(dtcs: list[dict[str, Any]]) -> str:
    if not dtcs:
        return "no DTCs"
    parts = []
    for dtc in dtcs:
        text = f"{dtc['code']} status {dtc['status']}"
        if dtc["description"]:
            text += f" ({dtc['description']})"
        parts.append(text)
    return f"{len(dtcs)} DTC(s): " + ", ".join(parts)


def describe_request(request: bytes, ecu: EcuDescription | None = None) -> str:
    """The request in words: ``ReadDataByIdentifier F190 VIN``, ``SecurityAccess sendKey level 1``."""
    if not request:
        return ""
    sid = request[0]
    name = service_name(sid)
    sub = request[1] & 0x7F if len(request) > 1 else None
    quiet = " (no positive response)" if suppressed(request) else ""
    if sid == 0x10 and sub is not None:
        return f"{name} {SESSIONS.get(sub, f'0x{sub:02X}')}{quiet}"
    if sid == 0x11 and sub is not None:
        return f"{name} {RESET_TYPES.get(sub, f'0x{sub:02X}')}{quiet}"
    if sid == 0x27 and sub is not None:
        kind = "requestSeed" if sub % 2 else "sendKey"
        return f"{name} {kind} level {(sub + 1) // 2 if sub % 2 else sub // 2}{quiet}"
    if sid in (0x22, 0x2E) and len(request) >= 3:
        numbers = [int.from_bytes(request[i:i + 2], "big") for i in range(1, len(request) - 1, 2)]
        if sid == 0x2E:
            numbers = numbers[:1]
        labels = []
        for number in numbers:
            did = next((d for d in ecu.dids if d.id == number), None) if ecu else None
            labels.append(f"{number:04X} {did.name if did else IDENTIFICATION_DIDS.get(number, '')}".strip())
        text = f"{name} {', '.join(labels)}"
        if sid == 0x2E:
            text += f" = {did_value(numbers[0], request[3:], ecu)['text']}"
        return text
    if sid == 0x31 and sub is not None and len(request) >= 4:
        routine = int.from_bytes(request[2:4], "big")
        known = next((r for r in ecu.routines if r.id == routine), None) if ecu else None
        label = f"{routine:04X} {known.name}" if known else f"{routine:04X}"
        return f"{name} {ROUTINE_CONTROL.get(sub, f'0x{sub:02X}')} {label}{quiet}"
    if sid == 0x19 and sub is not None:
        text = f"{name} {READ_DTC.get(sub, f'0x{sub:02X}')}"
        if sub in (0x01, 0x02, 0x0F, 0x13) and len(request) > 2:
            text += f" mask 0x{request[2]:02X}"
        elif sub in (0x04, 0x06) and len(request) >= 6:
            text += f" {format_dtc(int.from_bytes(request[2:5], 'big'))} record 0x{request[5]:02X}"
        return text
    if sid == 0x14 and len(request) >= 4:
        group = int.from_bytes(request[1:4], "big")
        return f"{name} {'all groups' if group == 0xFFFFFF else format_dtc(group)}"
    if sid == 0x28 and sub is not None:
        return f"{name} {COMMUNICATION_CONTROL.get(sub, f'0x{sub:02X}')}{quiet}"
    if sid == 0x85 and sub is not None:
        return f"{name} {DTC_SETTING.get(sub, f'0x{sub:02X}')}{quiet}"
    if sid == 0x3E:
        return f"{name}{quiet}"
    if sid == 0x36 and len(request) >= 2:
        return f"{name} block {request[1]} ({len(request) - 2} bytes)"
    return name


def interpret(request: bytes | None, response: bytes | None, ecu: EcuDescription | None = None,
              table: DtcTable | None = None) -> Reading:
    """Read a request and its final response (either may be missing)."""
    reading = Reading(request_text=show_request(request) if request else "",
                      response_text=show_response(response) if response else "")
    parts = [describe_request(request, ecu)] if request else []
    if response:
        if response[0] == 0x7F and len(response) >= 3:
            parts.append(f"-> {nrcs.describe(response[2], response[1])}")
        elif request and response[0] == (request[0] + 0x40) & 0xFF:
            detail = _positive(request, response, ecu, table, reading)
            if detail:
                parts.append(f"-> {detail}")
        elif request:
            reading.problem = (f"the response {format_hex(response[:8])} does not answer "
                               f"{service_name(request[0])}")
        else:
            parts.append(f"{service_name(response[0] - 0x40 if 0x40 <= response[0] < 0x80 else response[0])} "
                         "response")
    reading.text = " ".join(parts)
    return reading


def _positive(request: bytes, response: bytes, ecu: EcuDescription | None, table: DtcTable | None,
              reading: Reading) -> str:
    sid = request[0]
    if sid == 0x22:
        reading.dids, reading.problem = _read_dids(request, response, ecu)
        return ", ".join(f"{_did_label(d)} = {d['text']}" for d in reading.dids)
    if sid == 0x19:
        reading.dtcs, text, reading.problem = _read_dtcs(request, response, table, ecu)
        sub = response[1] if len(response) > 1 else 0
        if sub in _DTC_LISTS or sub in (0x04, 0x06):
            return _dtc_text(reading.dtcs) + (f", {text}" if text else "")
        return text
    if sid == 0x10 and len(response) >= 6:
        p2 = int.from_bytes(response[2:4], "big")
        p2_star = int.from_bytes(response[4:6], "big") * 10
        return f"P2 {p2} ms, P2* {p2_star} ms"
    if sid == 0x27 and len(response) >= 2 and response[1] % 2:
        seed = response[2:]
        return "already unlocked (seed 0)" if seed and not any(seed) else f"seed {format_hex(seed)}"
    if sid == 0x27:
        return "unlocked"
    if sid == 0x31 and len(response) > 4:
        return f"status {format_hex(response[4:])}"
    if sid == 0x11 and len(response) >= 3 and response[1] == 0x04:
        return f"power down in {response[2]} s"
    return "positive"
