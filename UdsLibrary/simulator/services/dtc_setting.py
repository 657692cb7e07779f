"""0x85 ControlDTCSetting: 01 on, 02 off; while off, DTC status bits do not change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec, SubfunctionSpec, always

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer

ON, OFF = 0x01, 0x02


def handle(server: EcuServer, request: bytes) -> Reply:
    # Optional DTCSettingControlOptionRecord: a 3-byte groupOfDTC.
    if len(request) not in (2, 5):
        return Negative(nrc.INCORRECT_LENGTH)
    if len(request) == 5:
        group = int.from_bytes(request[2:5], "big")
        if group != 0xFFFFFF and group not in server.description.dtc.groups:
            return Negative(nrc.REQUEST_OUT_OF_RANGE)
    setting = request[1] & 0x7F

    def apply() -> None:
        server.dtc_setting_on = setting == ON or server.deviates("dtc_setting_off_ignored")

    return Positive(bytes((setting,)), after=apply)


SPEC = ServiceSpec(0x85, "ControlDTCSetting", handle, SubfunctionSpec(lambda server: {ON, OFF}, always), sprmib=True)
