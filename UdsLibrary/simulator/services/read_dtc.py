"""0x19 ReadDTCInformation: report types 01, 02, 04, 06 and 0A.

The sub-function byte is used whole: this service has no SPRMIB (a positive answer is its point),
so `19 82` is an unsupported sub-function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec, SubfunctionSpec, always

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer

NUMBER_BY_STATUS_MASK = 0x01
BY_STATUS_MASK = 0x02
SNAPSHOT_BY_DTC = 0x04
EXTENDED_DATA_BY_DTC = 0x06
SUPPORTED_DTCS = 0x0A
LENGTHS = {NUMBER_BY_STATUS_MASK: 3, BY_STATUS_MASK: 3, SNAPSHOT_BY_DTC: 6, EXTENDED_DATA_BY_DTC: 6,
           SUPPORTED_DTCS: 2}
ALL_RECORDS = 0xFF


def handle(server: EcuServer, request: bytes) -> Reply:
    report = request[1]
    if len(request) != LENGTHS[report]:
        return Negative(nrc.INCORRECT_LENGTH)
    config = server.description.dtc
    sam = config.availability_mask
    if report in (NUMBER_BY_STATUS_MASK, BY_STATUS_MASK):
        mask = request[2] & sam
        matching = [(code, state.status & sam) for code, state in server.dtcs.items() if state.status & mask]
        if report == NUMBER_BY_STATUS_MASK:
            format_identifier = config.format_identifier
            if server.deviates("wrong_dtc_format_identifier"):
                format_identifier = 0x00 if format_identifier else 0x01
            return Positive(bytes((report, sam, format_identifier)) + len(matching).to_bytes(2, "big"))
        return Positive(bytes((report, sam)) + b"".join(_record(code, status) for code, status in matching))
    if report == SUPPORTED_DTCS:
        return Positive(bytes((report, sam)) + b"".join(
            _record(code, state.status & sam) for code, state in server.dtcs.items()))
    code = int.from_bytes(request[2:5], "big")
    record = request[5]
    state = server.dtcs.get(code)
    supported = config.snapshot_records if report == SNAPSHOT_BY_DTC else config.extended_records
    if state is None or (record != ALL_RECORDS and record not in supported):
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    data = bytearray(_record(code, state.status & sam))
    if report == SNAPSHOT_BY_DTC:
        for number in sorted(state.snapshots):
            if record in (ALL_RECORDS, number):
                dids = state.snapshots[number]
                data += bytes((number, len(dids)))
                for did_id, value in dids:
                    data += did_id.to_bytes(2, "big") + value
    else:
        for number in sorted(state.extended_data):
            if record in (ALL_RECORDS, number):
                data += bytes((number,)) + state.extended_data[number]
    return Positive(bytes((report,)) + bytes(data))


def _record(code: int, status: int) -> bytes:
    return code.to_bytes(3, "big") + bytes((status,))


SPEC = ServiceSpec(0x19, "ReadDTCInformation", handle, SubfunctionSpec(lambda server: set(LENGTHS), always))
