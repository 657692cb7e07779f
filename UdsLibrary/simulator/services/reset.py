"""0x11 ECUReset: answer first, then stay silent for the reset time and boot into the default session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec, SubfunctionSpec, always

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer

ENABLE_RAPID_POWER_SHUTDOWN = 0x04
DISABLE_RAPID_POWER_SHUTDOWN = 0x05


def handle(server: EcuServer, request: bytes) -> Reply:
    if len(request) != 2:
        return Negative(nrc.INCORRECT_LENGTH)
    if server.faults.vehicle_moving:
        return Negative(nrc.CONDITIONS_NOT_CORRECT)
    reset_type = request[1] & 0x7F
    if reset_type == ENABLE_RAPID_POWER_SHUTDOWN:
        return Positive(bytes((reset_type, server.description.power_down_time)))
    if reset_type == DISABLE_RAPID_POWER_SHUTDOWN:
        return Positive(bytes((reset_type,)))
    return Positive(bytes((reset_type,)), after=lambda: server.reset(server.clock()))


SPEC = ServiceSpec(
    0x11, "ECUReset", handle,
    SubfunctionSpec(lambda server: set(server.description.reset_types), always), sprmib=True,
)
