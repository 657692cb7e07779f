"""0x3E TesterPresent: keeps a non-default session alive (the S3 restart is done by the server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec, SubfunctionSpec, always

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer


def handle(server: EcuServer, request: bytes) -> Reply:
    if len(request) != 2:
        return Negative(nrc.INCORRECT_LENGTH)
    return Positive(b"\x00")


SPEC = ServiceSpec(0x3E, "TesterPresent", handle, SubfunctionSpec(lambda server: {0x00}, always), sprmib=True)
