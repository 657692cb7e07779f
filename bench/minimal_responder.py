"""`CannedResponder`: the benchmarks' baseline ECU.

It has the interface `SimulatorRuntime` runs (`description`, `handle`, `poll`, `next_deadline`) and
answers from a dict of canned request -> response bytes: no session, security, timing or NRC rules at
all. Run by the same `SimulatorRuntime`, on the same bus type and the same ISO-TP stack as
`EcuSimulator`, the ratio simulator/canned isolates what the simulator's rules cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from UdsLibrary.description.loader import load_ecu_description
from UdsLibrary.description.model import Addressing, ApplicationFrame, EcuDescription

DEMO_ECU = Path(__file__).resolve().parents[1] / "resources" / "ecus" / "demo_ecu.yaml"
SERVICE_NOT_SUPPORTED = 0x11


@dataclass(frozen=True)
class CannedDescription:
    """All the runtime reads of a description: the name, the addressing and the application frames."""

    name: str
    addressing: Addressing
    application_frames: tuple[ApplicationFrame, ...] = ()


class CannedResponder:
    """An ECU that looks its answer up in a dict; unknown requests get 7F <sid> 11."""

    def __init__(self, responses: dict[bytes, bytes], addressing: Addressing, name: str = "canned") -> None:
        self.description = CannedDescription(name, addressing)
        self.responses = dict(responses)

    def handle(self, request: bytes, functional: bool = False) -> list[bytes]:
        response = self.responses.get(request)
        if response is not None:
            return [response]
        return [bytes((0x7F, request[0], SERVICE_NOT_SUPPORTED))] if request else []

    def poll(self) -> list[bytes]:
        return []

    def next_deadline(self) -> float | None:
        return None


def did_read_responses(description: EcuDescription, did_ids: tuple[int, ...]) -> dict[bytes, bytes]:
    """`22 <did>` -> `62 <did> <initial value>` for each DID, from the description's initial values."""
    responses: dict[bytes, bytes] = {}
    for did_id in did_ids:
        did_bytes = did_id.to_bytes(2, "big")
        responses[b"\x22" + did_bytes] = b"\x62" + did_bytes + description.did(did_id).initial
    return responses


def demo_responder(description: EcuDescription | None = None) -> CannedResponder:
    """The demo ECU's VIN (0xF190, 17 bytes) and bulk record (0xD100, 4000 bytes), on its addressing."""
    description = description or load_ecu_description(DEMO_ECU)
    return CannedResponder(did_read_responses(description, (0xF190, 0xD100)), description.addressing)
