"""0x2E WriteDataByIdentifier (catalogue order 14.5), with NvM faults: 0x72 and slow writes (0x78)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Pending, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec

if TYPE_CHECKING:
    from UdsLibrary.description.model import Did
    from UdsLibrary.simulator.server import EcuServer


def _value_valid(server: EcuServer, did: Did, data: bytes) -> bool:
    allowed_range = did.allowed_range
    if allowed_range is not None and server.faults.variant_range is not None:
        allowed_range = server.faults.variant_range
    if did.allowed is None and allowed_range is None:
        return True
    value = int.from_bytes(data, "big")
    if did.allowed is not None and value not in did.allowed:
        return False
    return allowed_range is None or allowed_range[0] <= value <= allowed_range[1]


def handle(server: EcuServer, request: bytes) -> Reply:
    if len(request) < 4:
        return Negative(nrc.INCORRECT_LENGTH)
    if server.deviates("did_security_before_support") and server.unlocked_level is None:
        return Negative(nrc.SECURITY_ACCESS_DENIED)
    did = server.did(int.from_bytes(request[1:3], "big"))
    if did is None or did.write is None or not server.access_allows_session(did.write.sessions):
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    if not server.access_allows_security(did.write.security):
        return Negative(nrc.SECURITY_ACCESS_DENIED)
    data = bytes(request[3:])
    if did.length is not None and len(data) != did.length:
        return Negative(nrc.INCORRECT_LENGTH)
    if not _value_valid(server, did, data):
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    if server.faults.low_voltage:
        return Negative(nrc.CONDITIONS_NOT_CORRECT)

    def commit() -> Positive | Negative:
        if server.faults.nvm_write_error:
            return Negative(nrc.GENERAL_PROGRAMMING_FAILURE)
        server.did_values[did.id] = data
        return Positive(request[1:3])

    if server.faults.slow_nvm > 0:
        return Pending(server.faults.slow_nvm, commit)
    return commit()


SPEC = ServiceSpec(0x2E, "WriteDataByIdentifier", handle)
