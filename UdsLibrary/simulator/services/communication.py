"""0x28 CommunicationControl: stops and restarts the ECU's application (normal / NM) frames."""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec, SubfunctionSpec, always

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer

# controlType -> (rx enabled, tx enabled)
CONTROL = {0x00: (True, True), 0x01: (True, False), 0x02: (False, True), 0x03: (False, False),
           0x04: (True, False), 0x05: (True, True)}
WITH_NODE_ID = (0x04, 0x05)  # enableRxAndDisableTxWithEnhancedAddressInformation and its reverse


def handle(server: EcuServer, request: bytes) -> Reply:
    control = request[1] & 0x7F
    if len(request) != (5 if control in WITH_NODE_ID else 3):
        return Negative(nrc.INCORRECT_LENGTH)
    communication_type = request[2]
    kinds = [kind for bit, kind in ((0x01, "normal"), (0x02, "nm")) if communication_type & bit]
    if not kinds:
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    rx, tx = CONTROL[control]

    def apply() -> None:
        for kind in kinds:
            server.communication_rx[kind] = rx
            server.communication_tx[kind] = tx

    return Positive(bytes((control,)), after=None if server.deviates("comm_control_ignored") else apply)


SPEC = ServiceSpec(
    0x28, "CommunicationControl", handle,
    SubfunctionSpec(lambda server: set(server.description.communication_control_types), always), sprmib=True,
)
