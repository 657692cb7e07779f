"""The UDS services of the simulated ECU, one module per service.

Each module exports `SPEC`, a `ServiceSpec`: the handler that runs the service-specific checks
(after the general ones in `EcuServer._dispatch`) and, for services with a sub-function, which
sub-functions exist and in which sessions they are allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from UdsLibrary.simulator.replies import Reply
    from UdsLibrary.simulator.server import EcuServer


@dataclass(frozen=True)
class SubfunctionSpec:
    supported: Callable[[EcuServer], set[int]]  # sub-functions the ECU knows at all (0x12 otherwise)
    in_session: Callable[[EcuServer, int], bool]  # allowed in the active session (0x7E otherwise)


def always(_server: EcuServer, _sf: int) -> bool:
    return True


@dataclass(frozen=True)
class ServiceSpec:
    sid: int
    name: str
    handler: Callable[[EcuServer, bytes], Reply]
    subfunction: SubfunctionSpec | None = None  # None: no sub-function, or checked by the handler (0x31)
    sprmib: bool = False  # bit 7 of the sub-function suppresses the positive response


def _collect() -> dict[int, ServiceSpec]:
    from UdsLibrary.simulator.services import (
        clear_dtc,
        communication,
        dtc_setting,
        read_data,
        read_dtc,
        reset,
        routine,
        security,
        session,
        tester_present,
        transfer,
        write_data,
    )

    specs: list[ServiceSpec] = [
        session.SPEC, reset.SPEC, clear_dtc.SPEC, read_dtc.SPEC, read_data.SPEC, security.SPEC,
        communication.SPEC, write_data.SPEC, routine.SPEC, tester_present.SPEC, dtc_setting.SPEC,
        *transfer.SPECS,
    ]
    return {spec.sid: spec for spec in specs}


SERVICES: dict[int, ServiceSpec] = _collect()
