"""0x27 SecurityAccess: seeds (random, static or counter), keys, attempt counter and delay timer.

The attempt counter and the delay timer live in `EcuServer.level_state`, which survives an ECU
reset; after power-on the delay runs again when the attempt limit had been reached.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec, SubfunctionSpec

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer


def _supported(server: EcuServer) -> set[int]:
    levels = {level.level for level in server.description.security.levels}
    return levels | {level + 1 for level in levels}


def _in_session(server: EcuServer, sf: int) -> bool:
    level = server.security_level(sf if sf % 2 else sf - 1)
    return level is not None and server.session in level.sessions


def handle(server: EcuServer, request: bytes) -> Reply:
    sf = request[1] & 0x7F
    if sf % 2:
        return _request_seed(server, request, sf)
    return _send_key(server, request, sf - 1)


def _request_seed(server: EcuServer, request: bytes, level_id: int) -> Reply:
    if len(request) != 2:  # no securityAccessDataRecord supported
        return Negative(nrc.INCORRECT_LENGTH)
    level = server.security_level(level_id)
    assert level is not None  # guaranteed by the sub-function check
    state = server.level_state[level_id]
    if state.delay_until and server.clock() < state.delay_until:
        return Negative(nrc.REQUIRED_TIME_DELAY_NOT_EXPIRED)
    if server.unlocked_level == level_id and not server.deviates("no_zero_seed_when_unlocked"):
        server.seed = None
        return Positive(bytes((level_id,)) + bytes(level.seed_size))
    seed = bytes(level.seed_size) if server.deviates("zero_seed_while_locked") else server.new_seed(level)
    server.seed = (level_id, seed)
    return Positive(bytes((level_id,)) + seed)


def _send_key(server: EcuServer, request: bytes, level_id: int) -> Reply:
    if server.seed is None or server.seed[0] != level_id:
        return Negative(nrc.REQUEST_SEQUENCE_ERROR)
    level = server.security_level(level_id)
    assert level is not None
    if len(request) != 2 + level.seed_size:
        return Negative(nrc.INCORRECT_LENGTH)
    seed = server.seed[1]
    if not server.deviates("seed_not_consumed_by_wrong_key"):
        server.seed = None  # a seed is good for one key, right or wrong
    state = server.level_state[level_id]
    if hmac.compare_digest(bytes(request[2:]), server.expected_key(level, seed)):
        state.failed_attempts = 0
        server.unlocked_level = level_id
        server.seed = None
        return Positive(bytes((level_id + 1,)))
    state.failed_attempts += 1
    if state.failed_attempts >= level.max_attempts + (1 if server.deviates("max_attempts_off_by_one") else 0):
        state.delay_until = server.clock() + level.delay
        return Negative(nrc.EXCEEDED_NUMBER_OF_ATTEMPTS)
    return Negative(nrc.INVALID_KEY)


SPEC = ServiceSpec(0x27, "SecurityAccess", handle, SubfunctionSpec(_supported, _in_session), sprmib=True)
