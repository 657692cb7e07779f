"""One simulated ECU: its state (session, security, DIDs, DTCs, routines, download) and the UDS
server logic. No I/O here: the runtime feeds requests in and sends out what `handle` and `poll`
return, so the logic is single-threaded and testable without a bus.

The one decision point, `_respond`, applies the rules every service shares: NRC suppression on
functional requests, suppressPosRspMsgIndicationBit (SPRMIB), and responsePending (0x78) pacing.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from UdsLibrary.description.model import Did, EcuDescription, Routine, SecurityLevel
from UdsLibrary.keyalgorithms import get_algorithm, resolve_secret
from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.deviations import DEVIATIONS, EXACT_REQUEST_LENGTH, MIN_REQUEST_LENGTH, check_deviations
from UdsLibrary.simulator.faults import Faults
from UdsLibrary.simulator.replies import Negative, Pending, Positive, Reply
from UdsLibrary.simulator.services import SERVICES, ServiceSpec

DEFAULT_SESSION = 0x01
STATUS_AFTER_CLEAR = 0x50
log = logging.getLogger(__name__)  # testNotCompletedSinceLastClear + testNotCompletedThisOperationCycle


@dataclass
class LevelState:
    """Security state of one level; `failed_attempts` and the delay survive an ECU reset."""

    failed_attempts: int = 0
    delay_until: float = 0.0
    seed_counter: int = 0


@dataclass
class DtcState:
    status: int
    snapshots: dict[int, tuple[tuple[int, bytes], ...]] = field(default_factory=dict)
    extended_data: dict[int, bytes] = field(default_factory=dict)


@dataclass
class RoutineState:
    started_at: float | None = None
    stopped: bool = False


@dataclass
class DownloadState:
    address: int
    size: int
    received: int = 0
    next_counter: int = 1
    last_counter: int | None = None

    @property
    def complete(self) -> bool:
        return self.received >= self.size


@dataclass
class _PendingJob:
    sid: int
    due: float
    next_pending: float
    then: Callable[[], Positive | Negative]
    suppress: bool = False  # deviation final_suppressed_after_pending


class EcuServer:
    """The UDS server of one simulated ECU.

    `deviations` (added to the description's) make it non-conforming on purpose; see deviations.py.
    """

    def __init__(self, description: EcuDescription, *, clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None, deviations: Iterable[str] = ()) -> None:
        self.description = description
        self.clock = clock
        self.rng = rng or random.Random()
        self.faults = Faults()
        self.faults.apply(description.faults)
        self.deviations = check_deviations(description.deviations) | check_deviations(deviations)
        self._late: tuple[float, list[bytes]] | None = None  # deviation p2_exceeded: (due, responses)
        self._services: dict[int, ServiceSpec] = {
            sid: SERVICES[sid] for sid in sorted({s for sess in description.sessions for s in sess.services})
        }
        self._dids = {did.id: did for did in description.dids}
        self._routines = {routine.id: routine for routine in description.routines}
        self._levels = {level.level: level for level in description.security.levels}
        self._secret_cache: dict[int, bytes] = {}
        # state that survives a reset (non-volatile memory)
        self.level_state = {level: LevelState() for level in self._levels}
        self.did_values: dict[int, bytes] = {did.id: did.initial for did in description.dids}
        self.dtcs: dict[int, DtcState] = {
            dtc.code: DtcState(dtc.status, dict(dtc.snapshots), dict(dtc.extended_data))
            for dtc in description.dtc.dtcs
        }
        self.memory: dict[int, bytearray] = {
            area.start: bytearray(area.end - area.start + 1) for area in description.download.areas
        }
        self.pending: _PendingJob | None = None
        self.resetting_until = 0.0
        self.s3_deadline: float | None = None
        self.stats = {"requests": 0, "responses": 0, "pending": 0, "suppressed": 0}
        self._boot(self.clock(), power_on=True)

    @property
    def deviations(self) -> frozenset[str]:
        """The deviations switched on; set any iterable of names (unknown names are an error)."""
        return self._deviations

    @deviations.setter
    def deviations(self, names: Iterable[str]) -> None:
        self._deviations = check_deviations(names)

    def deviates(self, name: str) -> bool:
        assert name in DEVIATIONS, name  # a typo in the simulator itself
        return name in self._deviations

    # ------------------------------------------------------------------ lifecycle
    def _boot(self, now: float, power_on: bool = False) -> None:
        """Power-on / end of an ECU reset: volatile state back to its initial values."""
        keep = not power_on and self.deviates("reset_keeps_session")
        self.session = self.session if keep else DEFAULT_SESSION
        self.unlocked_level: int | None = self.unlocked_level if keep else None
        self.seed: tuple[int, bytes] | None = None  # (level, seed) awaiting its key
        self.dtc_setting_on = True
        self.communication_tx = {"normal": True, "nm": True}
        self.communication_rx = {"normal": True, "nm": True}
        self.routine_state: dict[int, RoutineState] = {}
        self.download: DownloadState | None = None
        self.s3_deadline = None
        for did in self.description.dids:
            if not did.persistent:
                self.did_values[did.id] = did.initial
        for level_id, state in self.level_state.items():
            level = self._levels[level_id]
            if not power_on and self.deviates("attempt_counter_reset_on_reset"):
                state.failed_attempts, state.delay_until = 0, 0.0
            if not power_on and self.deviates("delay_not_on_boot"):
                state.delay_until = 0.0
            elif level.delay_on_boot and state.failed_attempts >= level.max_attempts:
                state.delay_until = max(state.delay_until, now + level.delay)

    def reset(self, now: float) -> None:
        """Start an ECU reset: silent for the reset time, then boot."""
        self.pending = None
        self.resetting_until = now + self.description.timing.reset_time
        if not self.deviates("reset_keeps_session"):
            self.session = DEFAULT_SESSION
        self.s3_deadline = None

    @property
    def resetting(self) -> bool:
        return self.resetting_until > 0.0

    @property
    def communication_tx_enabled(self) -> bool:
        return self.communication_tx["normal"]

    # ------------------------------------------------------------------ the request path
    def handle(self, request: bytes, functional: bool = False) -> list[bytes]:
        """Process one request; returns the responses to send now (zero or one)."""
        now = self.clock()
        self._expire_timers(now)
        if self.resetting or self.faults.not_responding or not request:
            return []
        if functional and self.deviates("functional_ignored"):
            return []
        self.stats["requests"] += 1
        sid = request[0]
        if self.pending is not None:
            # One request at a time: a keep-alive is taken silently, anything else is told to retry.
            if sid == 0x3E and len(request) == 2 and request[1] == 0x80:
                return []
            if functional:
                return []
            return self._send(bytes((0x7F, sid, nrc.BUSY_REPEAT_REQUEST)))
        reply = self._dispatch(request)
        out = self._respond(request, functional, reply, now)
        if self.pending is None and self.session != DEFAULT_SESSION and not (
                sid == 0x3E and self.deviates("s3_not_restarted_by_tester_present")):
            self.s3_deadline = self.clock() + self.description.timing.s3
        if out and self.deviates("p2_exceeded"):
            self._late = (now + 2 * self.description.timing.p2, out)
            return []
        return out

    def _dispatch(self, request: bytes) -> Reply:
        """General checks of ISO 14229-1 Figure 5 and 6, then the service's own checks."""
        sid = request[0]
        spec = self._services.get(sid)
        if spec is None:
            return Negative(nrc.SERVICE_NOT_SUPPORTED)
        if self.deviates("nrc13_before_7f") and len(request) < MIN_REQUEST_LENGTH.get(sid, 1):
            return Negative(nrc.INCORRECT_LENGTH)
        if sid not in self.description.session(self.session).services:
            return Negative(nrc.SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION)
        sub = spec.subfunction
        if sub is not None:
            if len(request) < 2:
                return Negative(nrc.INCORRECT_LENGTH)
            if self.deviates("length_before_subfunction") and len(request) != EXACT_REQUEST_LENGTH.get(
                    sid, len(request)):
                return Negative(nrc.INCORRECT_LENGTH)
            sf = request[1] & 0x7F if spec.sprmib else request[1]
            if sf not in sub.supported(self):
                return Negative(nrc.SUBFUNCTION_NOT_SUPPORTED)
            if not sub.in_session(self, sf):
                return Negative(nrc.SUBFUNCTION_NOT_SUPPORTED_IN_ACTIVE_SESSION)
        try:
            return spec.handler(self, request)
        except Exception:  # a defect in a handler must not silence the ECU: answer generalReject
            log.exception("simulated ECU %s failed on request %s", self.description.name, request.hex(" "))
            return Negative(nrc.GENERAL_REJECT)

    def _respond(self, request: bytes, functional: bool, reply: Reply, now: float) -> list[bytes]:
        """The single decision point: answer, NRC, 0x78 or stay silent."""
        sid = request[0]
        spec = self._services.get(sid)
        suppress_positive = bool(spec and spec.sprmib and len(request) >= 2 and request[1] & 0x80
                                 and not self.deviates("sprmib_ignored"))
        if isinstance(reply, Pending):
            timing = self.description.timing
            interval = math.inf if self.deviates("pending_not_repeated") else (
                timing.pending_interval or timing.p2_star / 2)
            self.pending = _PendingJob(sid, now + reply.duration, now + interval, reply.then,
                                       suppress_positive and self.deviates("final_suppressed_after_pending"))
            self.stats["pending"] += 1
            self.s3_deadline = None  # S3 does not run while a request is being processed
            return self._send(bytes((0x7F, sid, nrc.RESPONSE_PENDING)))
        return self._final(sid, functional, suppress_positive, reply, pending_sent=False)

    def _final(self, sid: int, functional: bool, suppress_positive: bool, reply: Positive | Negative,
               pending_sent: bool) -> list[bytes]:
        if isinstance(reply, Negative):
            if (functional and not pending_sent and reply.nrc in nrc.SUPPRESSED_ON_FUNCTIONAL
                    and not self.deviates("nrc_on_functional")) or (
                    suppress_positive and self.deviates("sprmib_suppresses_nrc")):
                self.stats["suppressed"] += 1
                return []
            return self._send(bytes((0x7F, sid, reply.nrc)))
        if reply.after is not None:
            reply.after()
            if self.resetting and self.deviates("reset_without_response"):
                return []
        if suppress_positive and not pending_sent:
            self.stats["suppressed"] += 1
            return []
        return self._send(bytes((sid + 0x40,)) + reply.data)

    def _send(self, response: bytes) -> list[bytes]:
        self.stats["responses"] += 1
        return [response]

    # ------------------------------------------------------------------ timers
    def next_deadline(self) -> float | None:
        """The next time `poll` has something to do, or None."""
        candidates = [t for t in (self.s3_deadline, self.resetting_until or None) if t]
        if self.pending is not None:
            candidates.append(min(self.pending.due, self.pending.next_pending))
        if self._late is not None:
            candidates.append(self._late[0])
        for level_state in self.level_state.values():
            if level_state.delay_until:
                candidates.append(level_state.delay_until)
        return min(candidates) if candidates else None

    def poll(self) -> list[bytes]:
        """Run due timers: repeated 0x78, final answers of long requests, S3 expiry, end of reset."""
        now = self.clock()
        if self._late is not None and now >= self._late[0]:
            out, self._late = self._late[1], None
            return out
        self._expire_timers(now)
        job = self.pending
        if job is None or self.resetting:
            return []
        if now >= job.due:
            self.pending = None
            out = self._final(job.sid, False, job.suppress, job.then(), pending_sent=not job.suppress)
            if self.session != DEFAULT_SESSION and not self.resetting:
                self.s3_deadline = self.clock() + self.description.timing.s3
            return out
        if now >= job.next_pending:
            timing = self.description.timing
            job.next_pending = now + (timing.pending_interval or timing.p2_star / 2)
            self.stats["pending"] += 1
            return self._send(bytes((0x7F, job.sid, nrc.RESPONSE_PENDING)))
        return []

    def _expire_timers(self, now: float) -> None:
        if self.resetting and now >= self.resetting_until:
            self.resetting_until = 0.0
            self._boot(now)
        if self.s3_deadline is not None and now >= self.s3_deadline and self.pending is None:
            if self.deviates("s3_never_expires"):
                self.s3_deadline = None
            else:
                self.change_session(DEFAULT_SESSION)
        for state in self.level_state.values():
            if state.delay_until and now >= state.delay_until:
                state.delay_until = 0.0

    # ------------------------------------------------------------------ shared state changes
    def change_session(self, session_id: int) -> None:
        """Session transition with its side effects (ISO 14229-1 Figure 7)."""
        if not (session_id == self.session and self.deviates("same_session_keeps_unlock")):
            self.unlocked_level = None
            self.seed = None
        self.session = session_id
        self.download = None
        if session_id == DEFAULT_SESSION:
            self.s3_deadline = None
            self.dtc_setting_on = self.dtc_setting_on if self.deviates("dtc_setting_kept_in_default") else True
            self.communication_tx = {"normal": True, "nm": True}
            self.communication_rx = {"normal": True, "nm": True}
            self.routine_state.clear()
        else:
            self.s3_deadline = self.clock() + self.description.timing.s3

    def did(self, did_id: int) -> Did | None:
        return self._dids.get(did_id)

    def did_value(self, did: Did) -> bytes:
        if did.source == "active_session":
            return bytes((self.session,))
        return self.did_values[did.id]

    def routine(self, routine_id: int) -> Routine | None:
        return self._routines.get(routine_id)

    def security_level(self, level: int) -> SecurityLevel | None:
        return self._levels.get(level)

    def access_allows_session(self, sessions: tuple[int, ...]) -> bool:
        return self.session in sessions

    def access_allows_security(self, levels: tuple[int, ...]) -> bool:
        return not levels or self.unlocked_level in levels

    def expected_key(self, level: SecurityLevel, seed: bytes) -> bytes:
        security = self.description.security
        algorithm = get_algorithm(level.algorithm or security.algorithm)
        if level.level not in self._secret_cache:
            self._secret_cache[level.level] = resolve_secret(level.secret or security.secret, security.secret_env)
        secret = self._secret_cache[level.level]
        version = self.faults.key_algorithm_version
        if version is not None and version != security.algorithm_version:
            # The ECU software carries another key variant: the tester's key cannot match.
            secret = bytes(b ^ (version & 0xFF) ^ 0x5A for b in secret) or bytes((version,))
        return algorithm(seed, level.level, secret)

    def new_seed(self, level: SecurityLevel) -> bytes:
        state = self.level_state[level.level]
        if level.seed_mode == "static" and level.static_seed:
            return level.static_seed
        if level.seed_mode == "counter":
            state.seed_counter = (state.seed_counter + 1) % (1 << (8 * level.seed_size)) or 1
            return state.seed_counter.to_bytes(level.seed_size, "big")
        while True:
            seed = self.rng.getrandbits(8 * level.seed_size).to_bytes(level.seed_size, "big")
            if any(seed):
                return seed

    def report_dtc(self, code: int, failed: bool = True) -> None:
        """A DTC test result, as the ECU's monitors would report it (ignored while 0x85 off)."""
        if code not in self.dtcs:
            raise KeyError(f"DTC {code:06X} is not in the ECU description")
        if not self.dtc_setting_on:
            return
        mask = self.description.dtc.availability_mask
        state = self.dtcs[code]
        if failed:
            state.status = (state.status | 0x01 | 0x02 | 0x04 | 0x08 | 0x20) & ~0x50 & 0xFF
            if 0x01 in self.description.dtc.snapshot_records and 0x01 not in state.snapshots:
                state.snapshots[0x01] = tuple(
                    (did_id, self.did_value(self._dids[did_id])) for did_id in self._snapshot_dids()
                )
            if 0x01 in self.description.dtc.extended_records:
                count = state.extended_data.get(0x01, b"\x00")[0]
                state.extended_data[0x01] = bytes((min(count + 1, 0xFF),))
        else:
            state.status &= ~(0x01 | 0x40 | 0x10) & 0xFF
        state.status &= mask

    def _snapshot_dids(self) -> list[int]:
        dids: list[int] = []
        for dtc in self.description.dtc.dtcs:
            for records in dtc.snapshots.values():
                for did_id, _ in records:
                    if did_id not in dids and did_id in self._dids:
                        dids.append(did_id)
        return dids

    def clear_dtcs(self, group: int) -> None:
        for code, state in self.dtcs.items():
            if dtc_in_group(code, group):
                kept = state.status & ~0x09 if self.deviates("clear_keeps_status_bits") else 0
                state.status = (kept | STATUS_AFTER_CLEAR) & self.description.dtc.availability_mask
                if not self.deviates("snapshots_survive_clear"):
                    state.snapshots.clear()
                state.extended_data.clear()
        # A unit with a real defect: its monitor reports the fault again right after the clear.
        for code in sorted(self.faults.failing_dtcs):
            if code in self.dtcs and dtc_in_group(code, group):
                self.report_dtc(code, failed=True)


def dtc_in_group(code: int, group: int) -> bool:
    """groupOfDTC: FFFFFF = all; 000000/400000/800000/C00000 = P/C/B/U; else one DTC."""
    if group == 0xFFFFFF:
        return True
    if group in (0x000000, 0x400000, 0x800000, 0xC00000):
        return code & 0xC00000 == group
    return code == group
