"""0x14 ClearDiagnosticInformation: every DTC of the group back to status 0x50, records erased."""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Pending, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer


def handle(server: EcuServer, request: bytes) -> Reply:
    if len(request) != 4:
        return Negative(nrc.INCORRECT_LENGTH)
    group = int.from_bytes(request[1:4], "big")
    if group not in server.description.dtc.groups and group not in server.dtcs:
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    if server.faults.engine_running:
        return Negative(nrc.CONDITIONS_NOT_CORRECT)

    def clear() -> Positive | Negative:
        if server.faults.nvm_write_error:
            return Negative(nrc.GENERAL_PROGRAMMING_FAILURE)
        server.clear_dtcs(group)
        return Positive()

    if server.faults.slow_nvm > 0:
        return Pending(server.faults.slow_nvm, clear)
    return clear()


SPEC = ServiceSpec(0x14, "ClearDiagnosticInformation", handle)
