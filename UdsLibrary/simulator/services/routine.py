"""0x31 RoutineControl: start (01), stop (02), requestResults (03), with the service's own NRC order
(catalogue 14.3: the routine id is checked before the sub-function).

A routine is either blocking (the start is answered after its duration, with 0x78 meanwhile, as
an erase is) or asynchronous (started at once; results report `running_result` until done).
A `memory_option` routine erases the memory range of its option record (fills it with 0xFF); a
`memory_check` routine compares the checksum of the range with the one the tester sent and reports
status 00 (match) or 01 (mismatch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.checksums import get_checksum
from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Pending, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec

if TYPE_CHECKING:
    from UdsLibrary.description.model import Routine
    from UdsLibrary.simulator.server import EcuServer

START, STOP, RESULTS = 0x01, 0x02, 0x03
CHECK_MATCH, CHECK_MISMATCH = b"\x00", b"\x01"  # status record of a memory_check routine


def parse_memory_record(record: bytes) -> tuple[int, int] | None:
    """addressAndLengthFormatIdentifier + address + size -> (address, size), or None if malformed."""
    if not record:
        return None
    size_len, addr_len = record[0] >> 4, record[0] & 0x0F
    if not (1 <= addr_len <= 4 and 1 <= size_len <= 4) or len(record) != 1 + addr_len + size_len:
        return None
    address = int.from_bytes(record[1:1 + addr_len], "big")
    size = int.from_bytes(record[1 + addr_len:], "big")
    return address, size


def area_containing(server: EcuServer, address: int, size: int) -> int | None:
    """Start address of the memory area holding [address, address + size), or None."""
    for area in server.description.download.areas:
        if size > 0 and area.start <= address and address + size - 1 <= area.end:
            return area.start
    return None


def handle(server: EcuServer, request: bytes) -> Reply:
    if len(request) < 4:
        return Negative(nrc.INCORRECT_LENGTH)
    if server.deviates("routine_sf_before_rid") and request[1] & 0x7F not in (START, STOP, RESULTS):
        return Negative(nrc.SUBFUNCTION_NOT_SUPPORTED)
    routine = server.routine(int.from_bytes(request[2:4], "big"))
    if routine is None or not server.access_allows_session(routine.access.sessions):
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    if not server.access_allows_security(routine.access.security):
        return Negative(nrc.SECURITY_ACCESS_DENIED)
    sf = request[1] & 0x7F
    action = {START: routine.start, STOP: routine.stop, RESULTS: routine.results}.get(sf)
    if action is None:
        return Negative(nrc.SUBFUNCTION_NOT_SUPPORTED)
    if len(request) != 4 + action.option_length:
        return Negative(nrc.INCORRECT_LENGTH)
    memory: tuple[int, int, int] | None = None
    check: bytes | None = None  # memory_check: the checksum the tester computed over what it wrote
    if sf == START and (routine.memory_option or routine.memory_check):
        record = bytes(request[4:])
        if routine.memory_check:
            size = get_checksum(routine.memory_check).size
            record, check = record[:-size], record[-size:]
        parsed = parse_memory_record(record)
        area = parsed and area_containing(server, *parsed)
        if parsed is None or area is None:
            return Negative(nrc.REQUEST_OUT_OF_RANGE)
        memory = (area, *parsed)
    if sf == START and (routine.id in server.faults.routine_precondition_failed
                        or not server.faults.preconditions_hold(routine.preconditions)):
        return Negative(nrc.CONDITIONS_NOT_CORRECT)
    state = server.routine_state.get(routine.id)
    if sf != START and (state is None or state.started_at is None):
        if not server.deviates("routine_sequence_not_checked"):
            return Negative(nrc.REQUEST_SEQUENCE_ERROR)
        from UdsLibrary.simulator.server import RoutineState

        state = RoutineState(started_at=server.clock())  # answered as if it had just been started
    head = bytes((sf,)) + routine.id.to_bytes(2, "big")
    if sf == START:
        return _start(server, routine, head, memory, check)
    assert state is not None
    if sf == STOP:
        state.stopped = True
        return Positive(head + action.result)
    return Positive(head + _results_record(server, routine, state.started_at or 0.0))


def _start(server: EcuServer, routine: Routine, head: bytes, memory: tuple[int, int, int] | None,
           check: bytes | None = None) -> Reply:
    from UdsLibrary.simulator.server import RoutineState

    assert routine.start is not None
    failure = server.faults.routine_failure.get(routine.id)
    record = failure if failure is not None and routine.results is None else routine.start.result
    server.routine_state[routine.id] = RoutineState(started_at=server.clock())

    def finish() -> Positive:
        if memory is not None:
            area, address, size = memory
            offset = address - area
            if check is not None and routine.memory_check and failure is None:
                written = bytes(server.memory[area][offset:offset + size])
                matches = get_checksum(routine.memory_check).of(written) == check
                return Positive(head + (CHECK_MATCH if matches else CHECK_MISMATCH))
            if check is None:
                server.memory[area][offset:offset + size] = b"\xff" * size
        return Positive(head + record)

    if routine.blocking and routine.duration > 0:
        return Pending(routine.duration, finish)
    return finish()


def _results_record(server: EcuServer, routine: Routine, started_at: float) -> bytes:
    assert routine.results is not None
    if not routine.blocking and server.clock() < started_at + routine.duration:
        return routine.running_result if routine.running_result is not None else routine.results.result
    failure = server.faults.routine_failure.get(routine.id)
    return failure if failure is not None else routine.results.result


SPEC = ServiceSpec(0x31, "RoutineControl", handle, sprmib=True)
