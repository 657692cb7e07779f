"""Property-based test of the simulated ECU's server logic: any bytes, in any session and security
state, give a well-formed answer - never an exception, never silence on a physical request except
where SPRMIB asks for it, and responsePending (0x78) always ends in a final answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_clock import FakeClock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from UdsLibrary.description.loader import load_ecu_description
from UdsLibrary.simulator.replies import RESPONSE_PENDING
from UdsLibrary.simulator.server import EcuServer
from UdsLibrary.simulator.services import SERVICES

DEMO = Path(__file__).resolve().parents[2] / "resources" / "ecus" / "demo_ecu.yaml"
KNOWN_NRCS = {0x10, 0x11, 0x12, 0x13, 0x14, 0x21, 0x22, 0x24, 0x31, 0x33, 0x35, 0x36, 0x37, 0x70, 0x71,
              0x72, 0x73, 0x78, 0x7E, 0x7F, 0x92, 0x93}


@pytest.fixture(scope="module")
def description():
    return load_ecu_description(DEMO)


def _xor_key(seed: bytes) -> bytes:
    return bytes(b ^ 0xA5 for b in seed)


def _prepare(server: EcuServer, state: str) -> None:
    """Bring a fresh server into one of the states the property runs in."""
    steps = {
        "default": [],
        "extended": ["10 03"],
        "extended_unlocked": ["10 03", "SEED 01"],
        "programming": ["10 03", "10 02"],
        "programming_unlocked": ["10 03", "10 02", "SEED 11"],
        "extended_comm_off": ["10 03", "28 03 03", "85 02"],
    }[state]
    for step in steps:
        if step.startswith("SEED"):
            level = int(step.split()[1], 16)
            seed = server.handle(bytes((0x27, level)))[0][2:]
            assert server.handle(bytes((0x27, level + 1)) + _xor_key(seed)) == [bytes((0x67, level + 1))]
        else:
            assert server.handle(bytes.fromhex(step))[0][0] != 0x7F, step


def _check_answer(request: bytes, answers: list[bytes]) -> None:
    assert len(answers) <= 1
    if not answers:
        return
    answer = answers[0]
    if answer[0] == 0x7F:
        assert len(answer) == 3, answer.hex()
        assert answer[1] == request[0]
        assert answer[2] in KNOWN_NRCS, answer.hex()
    else:
        assert answer[0] == request[0] + 0x40, (request.hex(), answer.hex())


STATES = ["default", "extended", "extended_unlocked", "programming", "programming_unlocked", "extended_comm_off"]
# Requests biased towards the services the ECU knows, with arbitrary tails, plus fully random bytes.
known_sid_requests = st.builds(
    lambda sid, tail: bytes((sid,)) + tail,
    st.sampled_from(sorted(SERVICES)),
    st.binary(max_size=12),
)
requests = st.one_of(known_sid_requests, st.binary(min_size=1, max_size=40))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=st.sampled_from(STATES), sequence=st.lists(requests, min_size=1, max_size=6),
       functional=st.booleans())
def test_any_request_in_any_state_gets_a_well_formed_answer(description, state, sequence, functional):
    clock = FakeClock()
    server = EcuServer(description, clock=clock)
    _prepare(server, state)
    for request in sequence:
        answers = server.handle(request, functional=functional)
        _check_answer(request, answers)
        spec = SERVICES.get(request[0])
        if not answers and not functional and not server.resetting:
            # Silence on a physical request is only allowed when SPRMIB asked for it.
            assert spec is not None and spec.sprmib and len(request) >= 2 and request[1] & 0x80, request.hex()
        if answers and answers[0][2:3] == bytes((RESPONSE_PENDING,)) and answers[0][0] == 0x7F:
            # responsePending: the final answer must follow, with 0x78 repeated meanwhile.
            for _ in range(200):
                clock.now += 0.25
                more = server.poll()
                _check_answer(request, more)
                if more and more[0][2:3] != bytes((RESPONSE_PENDING,)):
                    break
            else:
                pytest.fail(f"no final answer after 0x78 for {request.hex()}")
        if server.resetting:
            clock.now += description.timing.reset_time + 0.01
            assert server.poll() == []
            assert not server.resetting


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=st.sampled_from(STATES), request=requests)
def test_functional_requests_never_get_suppressed_nrcs(description, state, request):
    server = EcuServer(description, clock=FakeClock())
    _prepare(server, state)
    for answer in server.handle(request, functional=True):
        if answer[0] == 0x7F:
            assert answer[2] not in (0x11, 0x12, 0x31, 0x7E, 0x7F), answer.hex()
