"""0x22 ReadDataByIdentifier (several DIDs per request, catalogue order 14.4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer


def handle(server: EcuServer, request: bytes) -> Reply:
    if len(request) < 3 or len(request) % 2 == 0:
        return Negative(nrc.INCORRECT_LENGTH)
    ids = [int.from_bytes(request[i:i + 2], "big") for i in range(1, len(request), 2)]
    if len(ids) > server.description.max_dids_per_read:
        return Negative(nrc.INCORRECT_LENGTH)
    readable = []
    for did_id in ids:
        did = server.did(did_id)
        if did is not None and did.read is not None and server.access_allows_session(did.read.sessions):
            readable.append(did)
        elif server.deviates("unsupported_did_fails_whole_read"):
            return Negative(nrc.REQUEST_OUT_OF_RANGE)
    if not readable:
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    if any(not server.access_allows_security(did.read.security) for did in readable if did.read):
        return Negative(nrc.SECURITY_ACCESS_DENIED)
    data = b"".join(did.id.to_bytes(2, "big") + server.did_value(did) for did in readable)
    if 1 + len(data) > server.description.addressing.max_frame_size:
        return Negative(nrc.RESPONSE_TOO_LONG)
    return Positive(data)


SPEC = ServiceSpec(0x22, "ReadDataByIdentifier", handle)
