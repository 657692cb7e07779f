"""0x10 DiagnosticSessionControl."""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec, SubfunctionSpec

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer


def _supported(server: EcuServer) -> set[int]:
    return {session.id for session in server.description.sessions}


def _reachable(server: EcuServer, target: int) -> bool:
    enter_from = server.description.session(target).enter_from
    return enter_from is None or server.session in enter_from or server.deviates("programming_from_default")


def handle(server: EcuServer, request: bytes) -> Reply:
    if len(request) != 2:
        return Negative(nrc.INCORRECT_LENGTH)
    if server.faults.low_voltage:
        return Negative(nrc.CONDITIONS_NOT_CORRECT)
    target = request[1] & 0x7F
    server.change_session(target)
    timing = server.description.timing
    p2 = min(round(timing.p2 * 1000), 0xFFFF)
    p2_star_units = 1000 if server.deviates("p2_star_wrong_resolution") else 100  # resolution 10 ms
    p2_star = min(round(timing.p2_star * p2_star_units), 0xFFFF)
    return Positive(bytes((target,)) + p2.to_bytes(2, "big") + p2_star.to_bytes(2, "big"))


SPEC = ServiceSpec(0x10, "DiagnosticSessionControl", handle, SubfunctionSpec(_supported, _reachable), sprmib=True)
