"""Parameters of the ISO 14229-1 conformance suites, derived from a bench and its ECU description.

The suites in ``suites/conformance/`` never spell out what is specific to one ECU: its sessions,
DIDs, routines, DTCs, security levels, download area and timing. They import this variable file
with the bench under test, and it finds in the bench's ECU description what each case of
docs/conformance-catalogue.md needs::

    Variables    ${CURDIR}/conformance_variables.py    ${BENCH}

The catalogue is written for the reference profile SIM-1; these variables translate it to the
ECU at hand. The three session roles of the catalogue are the ISO 14229-1 sessions DEF (0x01
default), PRG (0x02 programming) and EXT (0x03 extended); security levels, DIDs and routines are
picked by what the description says about them, for example "a DID readable in the default
session and writable in the extended session with the extended session's security level".

Values are hex text in the form the suites send (``F1 90``), times are seconds. ``UNMET`` maps
every requirement a case can declare with a ``requires:<name>`` tag to the reason this ECU does
not meet it, or to an empty string when it does; the suites skip such cases with that reason.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from robot.api.types import Secret

from UdsLibrary.bench import Bench, load_bench
from UdsLibrary.description.model import Did, EcuDescription, Routine, SecurityLevel
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keyalgorithms import resolve_secret

DEFAULT_BENCH = Path(__file__).resolve().parent / "benches" / "sim-1.yaml"

DEF, PRG, EXT = 0x01, 0x02, 0x03
ROLES = {"DEF": DEF, "EXT": EXT, "PRG": PRG}
ROLE_NAMES = {"DEF": "default", "EXT": "extended", "PRG": "programming"}

STATUS_CONFIRMED = 0x08
#: status bits a failed test result sets (testFailed, ...ThisOperationCycle, pending, confirmed, ...SinceLastClear)
STATUS_FAILED_SET = 0x2F
#: status bits a failed test result clears (testNotCompletedSinceLastClear, testNotCompletedThisOperationCycle)
STATUS_FAILED_CLEARED = 0x50
#: the status of every DTC after ClearDiagnosticInformation (ISO 14229-1 D.2: only the "not completed" bits)
STATUS_AFTER_CLEAR = 0x50
ALL_GROUPS = 0xFFFFFF

#: catalogue: "every 2 s for 12 s" and "idle 5.5 s" with S3 = 5 s
KEEP_ALIVE_PERIOD_S3 = 0.4
KEEP_ALIVE_DURATION_S3 = 2.4
EXPIRY_MARGIN = 1.1
#: "—" in the catalogue: no response within P2client, at least 150 ms
MIN_SILENCE = 0.15
TESTER_P2_TIMEOUT = 1.0  # seconds
DOWNLOAD_BLOCKS = 4
WRAP_BLOCKS = 300  # TC3607: enough blocks for the counter to pass FF -> 00 -> 01

# ISO 14229-1 service ids that an ECU may lack, in the order tried for "an unsupported service".
UNSUPPORTED_SID_CANDIDATES = (0x83, 0x84, 0x86, 0x87, 0x23, 0x24, 0x2A, 0x2C, 0x2F, 0x35, 0x38, 0x3D, 0x29)
SERVICE_NAMES = {
    0x10: "DiagnosticSessionControl", 0x11: "ECUReset", 0x14: "ClearDiagnosticInformation",
    0x19: "ReadDTCInformation", 0x22: "ReadDataByIdentifier", 0x27: "SecurityAccess",
    0x28: "CommunicationControl", 0x2E: "WriteDataByIdentifier", 0x31: "RoutineControl",
    0x34: "RequestDownload", 0x36: "TransferData", 0x37: "RequestTransferExit", 0x3E: "TesterPresent",
    0x85: "ControlDTCSetting",
}


class ConformanceSetupError(UdsLibraryError):
    """The bench cannot be used by the conformance suites (it has no ECU description)."""


def get_variables(bench: str | None = None) -> dict[str, Any]:
    """The variables of the conformance suites for ``bench`` (a bench file; default sim-1)."""
    path = Path(bench) if bench else DEFAULT_BENCH
    config = load_bench(str(path))
    if config.ecu is None:
        raise ConformanceSetupError(
            f"bench {path} has no ECU description: the conformance suites derive every id, DID, routine and timer "
            "from it; set ecu.description in the bench file")
    return _Derivation(config, config.ecu).variables()


def hexs(data: bytes | Iterable[int]) -> str:
    """``b"\\xf1\\x90"`` -> ``"F1 90"``."""
    return bytes(data).hex(" ").upper()


def did_hex(value: int) -> str:
    return hexs(value.to_bytes(2, "big"))


def dtc_hex(code: int) -> str:
    return hexs(code.to_bytes(3, "big"))


def byte_hex(value: int) -> str:
    return f"{value:02X}"


def _first_free(candidates: Iterable[int], used: Iterable[int]) -> int | None:
    taken = set(used)
    return next((value for value in candidates if value not in taken), None)


class _Derivation:
    """Reads one ECU description the way the catalogue's cases need it."""

    def __init__(self, bench: Bench, ecu: EcuDescription) -> None:
        self.bench = bench
        self.ecu = ecu
        self.unmet: dict[str, str] = {}
        self.sessions = {session.id: session for session in ecu.sessions}
        self.vars: dict[str, Any] = {}

    # ------------------------------------------------------------------ helpers
    def need(self, name: str, reason: str | None) -> None:
        """Record requirement ``name``: met when ``reason`` is empty or None."""
        self.unmet[name] = f"{self.ecu.name}: {reason}" if reason else ""

    def services_in(self, session_id: int) -> frozenset[int]:
        session = self.sessions.get(session_id)
        return session.services if session is not None else frozenset()

    def readable(self, did: Did, session_id: int, *, secured: bool = False) -> bool:
        access = did.read
        return access is not None and session_id in access.sessions and bool(access.security) == secured

    def level_for(self, session_id: int) -> SecurityLevel | None:
        if 0x27 not in self.services_in(session_id):
            return None
        return next((level for level in self.ecu.security.levels if session_id in level.sessions), None)

    def session_path(self, target: int) -> list[int] | None:
        """The sessions to enter one after the other from the default session to reach ``target``."""
        if target not in self.sessions:
            return None
        paths: dict[int, list[int]] = {DEF: []}
        frontier = [DEF]
        while frontier:
            current = frontier.pop(0)
            for session in self.ecu.sessions:
                if session.id in paths or session.id == current:
                    continue
                if session.enter_from is None or current in session.enter_from:
                    paths[session.id] = [*paths[current], session.id]
                    frontier.append(session.id)
        return paths.get(target)

    # ------------------------------------------------------------------ all of it
    def variables(self) -> dict[str, Any]:
        ecu = self.ecu
        supported = sorted({sid for session in ecu.sessions for sid in session.services})
        self.vars.update({
            "ECU_NAME": ecu.name,
            "BENCH_NAME": self.bench.name,
            "SIMULATED": self.bench.simulator is not None,
            "SUPPORTED_SERVICES": [f"0x{sid:02X}" for sid in supported],
            "SERVICES_IN": {role: [f"0x{sid:02X}" for sid in sorted(self.services_in(session_id))]
                            for role, session_id in ROLES.items()},
            "SERVICE_NAMES": {f"0x{sid:02X}": name for sid, name in SERVICE_NAMES.items()},
        })
        self.need("simulator", None if self.bench.simulator is not None else
                  f"bench {self.bench.name} has no simulated ECU, and this case injects a fault into one")
        self.need("functional", None if self.bench.addressing.functional_id is not None else
                  f"bench {self.bench.name} has no functional request id")
        self._sessions(supported)
        self._timing()
        self._reset()
        self._security()
        self._dids()
        self._routines()
        self._dtcs()
        self._communication()
        self._download()
        self.vars["UNMET"] = dict(self.unmet)
        return self.vars

    # ------------------------------------------------------------------ sessions and services
    def _sessions(self, supported: list[int]) -> None:
        paths: dict[str, list[str]] = {}
        for role, session_id in ROLES.items():
            path = self.session_path(session_id)
            reason = None
            if session_id not in self.sessions:
                reason = f"has no {ROLE_NAMES[role]} session (0x{session_id:02X})"
            elif path is None:
                reason = f"the {ROLE_NAMES[role]} session (0x{session_id:02X}) cannot be reached from the default one"
            else:
                paths[role] = [byte_hex(step) for step in path]
            self.need(ROLE_NAMES[role], reason)
        programming = self.sessions.get(PRG)
        self.need("programming-not-from-default",
                  "has no programming session" if programming is None else
                  "enters the programming session from the default session (no 0x7E case)"
                  if programming.enter_from is None or DEF in programming.enter_from else None)
        session_did = next((did for did in self.ecu.dids if did.source == "active_session"), None)
        self.need("session-did", None if session_did is not None and session_did.read is not None else
                  "has no DID reporting the active session (F186 activeDiagnosticSession)")
        unsupported_session = _first_free(range(0x04, 0x7F), self.sessions) or 0x7F
        unsupported_sid = _first_free(UNSUPPORTED_SID_CANDIDATES, supported) or 0x83
        self.vars.update({
            "SESSION_PATH": paths,
            "DEFAULT_SESSION": byte_hex(DEF),
            "EXTENDED_SESSION": byte_hex(EXT),
            "PROGRAMMING_SESSION": byte_hex(PRG),
            "EXTENDED_SESSION_SPRMIB": byte_hex(EXT | 0x80),
            "UNSUPPORTED_SESSION": byte_hex(unsupported_session),
            "UNSUPPORTED_SESSION_SPRMIB": byte_hex(unsupported_session | 0x80),
            "SESSION_DID": did_hex(session_did.id if session_did is not None else 0xF186),
            "UNSUPPORTED_SID": byte_hex(unsupported_sid),
        })
        # GEN02 / GEN08: a service the ECU offers, but not in the default session
        default_services = self.services_in(DEF)
        did_high = next((did.id >> 8 for did in self.ecu.dids if did.write is not None), 0xF1)
        shapes = {
            0x2E: (f"2E {byte_hex(did_high)}", "2E " + did_hex(next(
                (did.id for did in self.ecu.dids if did.write is not None), 0xF190)) + " 00"),
            0x28: ("28", "28 03 01"),
            0x85: ("85", "85 02"),
            0x27: ("27", "27 01"),
        }
        sid = next((s for s in shapes if s in supported and s not in default_services), None)
        self.need("service-not-in-default", None if sid is not None else
                  "offers every service it supports in the default session too")
        short, full = shapes.get(sid or 0x2E, shapes[0x2E])
        self.vars.update({"NOT_IN_DEFAULT_SID": byte_hex(sid or 0x2E), "NOT_IN_DEFAULT_SHORT_REQUEST": short,
                          "NOT_IN_DEFAULT_REQUEST": full})
        for sid_needed, name in ((0x27, "security"), (0x28, "communication-control"), (0x2E, "write")):
            self.need(f"{name}-not-in-default", f"offers service 0x{sid_needed:02X} in the default session"
                      if sid_needed in default_services else None)

    def _timing(self) -> None:
        timing = self.ecu.timing
        p2_ms = min(round(timing.p2 * 1000), 0xFFFF)
        p2_star_10ms = min(round(timing.p2_star * 100), 0xFFFF)
        silence = max(MIN_SILENCE, self.bench.p2_timeout)
        self.vars.update({
            # P2server_max (1 ms) and P2*server_max (10 ms) as the DiagnosticSessionControl response announces them
            "DSC_TIMING": hexs(p2_ms.to_bytes(2, "big") + p2_star_10ms.to_bytes(2, "big")),
            "P2_SERVER": timing.p2,
            "P2_STAR_SERVER": timing.p2_star,
            "S3": timing.s3,
            "S3_EXPIRY_WAIT": round(EXPIRY_MARGIN * timing.s3, 3),
            "KEEP_ALIVE_PERIOD": round(KEEP_ALIVE_PERIOD_S3 * timing.s3, 3),
            "KEEP_ALIVE_DURATION": round(KEEP_ALIVE_DURATION_S3 * timing.s3, 3),
            "SILENCE_WINDOW": silence,
            # how long the tester waits for an answer it expects: generous, so that a busy test machine (a
            # 1 KiB TransferData is 147 frames) never fails a case; P2 itself is measured where a case checks it
            "TESTER_P2_TIMEOUT": max(self.bench.p2_timeout, TESTER_P2_TIMEOUT),
            # how long answers to a functional request are collected: long, but well within S3
            "FUNCTIONAL_WINDOW": round(min(max(silence, KEEP_ALIVE_PERIOD_S3 * timing.s3),
                                           max(self.bench.p2_timeout, TESTER_P2_TIMEOUT)), 3),
            # each keep-alive 3E 80 is watched for an (unwanted) answer for this long, well within its period
            "KEEP_ALIVE_WINDOW": round(min(silence, KEEP_ALIVE_PERIOD_S3 * timing.s3 / 2), 3),
            "SLOW_OPERATION": round(1.5 * timing.p2_star, 3),
        })

    def _reset(self) -> None:
        types = self.ecu.reset_types
        self.need("hard-reset", None if 0x01 in types else "does not support the hard reset (ECUReset 0x01)")
        unsupported = _first_free(range(0x02, 0x7F), types) or 0x7F
        reset_time = self.ecu.timing.reset_time
        self.vars.update({
            "HARD_RESET": "01",
            "HARD_RESET_SPRMIB": "81",
            "UNSUPPORTED_RESET": byte_hex(unsupported),
            "RESET_TIME": reset_time,
            "RESET_WAIT": round(max(1.5 * reset_time, reset_time + 0.05), 3),
        })

    # ------------------------------------------------------------------ security
    def _security(self) -> None:
        levels = {role: self.level_for(session_id) for role, session_id in ROLES.items()}
        extended = levels["EXT"]
        self.vars["SECURITY_LEVEL"] = {role: byte_hex(level.level) for role, level in levels.items() if level}
        self.need("security", None if extended else "has no SecurityAccess level in the extended session")
        defined = {level.level for level in self.ecu.security.levels}
        unsupported = next(value for value in range(0x03, 0x7F, 2) if value not in defined)
        seed_size = extended.seed_size if extended else 4
        self.need("delay-on-boot", None if extended and extended.delay_on_boot else
                  "does not restart the security delay at power-on")
        self.vars.update({
            "EXTENDED_LEVEL": byte_hex(extended.level) if extended else "01",
            "UNSUPPORTED_LEVEL": byte_hex(unsupported),
            "SEED_SIZE": seed_size,
            "SEED_WILDCARDS": " ".join(["??"] * seed_size),
            "ZERO_SEED": hexs(bytes(seed_size)),
            "ARBITRARY_KEY": hexs(itertools.islice(itertools.cycle(b"\x11\x22\x33\x44"), seed_size)),
            "MAX_ATTEMPTS": extended.max_attempts if extended else 3,
            "SECURITY_DELAY": extended.delay if extended else 10.0,
            "SECURITY_DELAY_WAIT": round(EXPIRY_MARGIN * (extended.delay if extended else 10.0), 3),
            "WRONG_SECRET": Secret(hexs(self._wrong_secret(extended))),
        })

    def _wrong_secret(self, level: SecurityLevel | None) -> bytes:
        """A secret that differs from the ECU's, so the key computed with it is wrong (the value is never shown)."""
        security = self.ecu.security
        base = (level.secret if level is not None and level.secret else None) or security.secret
        try:
            real = resolve_secret(base, security.secret_env)
        except Exception:  # an unset or bad environment secret: any secret is as wrong as another
            real = b""
        wrong = bytes(b ^ 0x5A for b in real) or b"\x5a\x5a\x5a\x5a"
        return wrong

    # ------------------------------------------------------------------ DIDs
    def _dids(self) -> None:
        ecu = self.ecu
        level = self.level_for(EXT)
        fixed = [did for did in ecu.dids if did.source is None and did.length is not None]
        plain_default = [did for did in fixed if self.readable(did, DEF)]

        def writable(did: Did) -> bool:
            access = did.write
            return (access is not None and EXT in access.sessions
                    and (not access.security or (level is not None and level.level in access.security)))

        writables = sorted((did for did in plain_default if writable(did)),
                           key=lambda did: (did.allowed is not None or did.allowed_range is not None,
                                            not did.persistent, -(did.length or 0)))
        write_did = writables[0] if writables else None
        self.need("writable-did", None if write_did else
                  "has no DID readable in the default session and writable in the extended session")
        self.need("secured-write", None if write_did and write_did.write and write_did.write.security else
                  "has no writable DID that needs security access")
        self.need("persistent-did", None if write_did and write_did.persistent else
                  "has no writable DID whose value survives a reset")
        long_dids = sorted((did for did in plain_default if (did.length or 0) >= 7),
                           key=lambda did: (did is not write_did, did.length or 0))
        long_did = long_dids[0] if long_dids else None
        self.need("multi-frame-did", None if long_did else "has no DID of 7 bytes or more readable in the default "
                  "session (a multi-frame response)")
        read_only = [did for did in plain_default if did.write is None and did is not long_did]
        # a short record such as a serial number: long enough to be distinctive, short enough to read in the log
        read_only_did = max(read_only, key=lambda did: did.length if (did.length or 0) <= 64 else 0, default=None)
        self.need("read-only-did", None if read_only_did else "has no read-only DID besides the long one")
        secured = next((did for did in fixed if level is not None and did.read is not None
                        and EXT in did.read.sessions and level.level in did.read.security), None)
        self.need("secured-did", None if secured else
                  "has no DID that needs the extended session's security level to be read")
        extended_only = next((did for did in fixed if self.readable(did, EXT) and not self.readable(did, DEF)
                              and (did.read is None or DEF not in did.read.sessions)), None)
        self.need("extended-only-did", None if extended_only else "has no DID readable only in the extended session")
        unsupported = _first_free(range(0x1234, 0x10000), (did.id for did in ecu.dids)) or 0x0000
        large = self._large_dids(plain_default)
        self.need("response-too-long", None if large else
                  f"cannot build a ReadDataByIdentifier response longer than {ecu.addressing.max_frame_size} bytes")

        def value(did: Did | None) -> str:
            return hexs(did.initial) if did is not None else ""

        new_value = self._new_value(write_did) if write_did else b""
        self.vars.update({
            "MULTI_FRAME_DID": did_hex(long_did.id) if long_did else "F1 90",
            "MULTI_FRAME_DID_VALUE": value(long_did),
            "READ_ONLY_DID": did_hex(read_only_did.id) if read_only_did else "F1 8C",
            "READ_ONLY_DID_VALUE": value(read_only_did),
            "READ_ONLY_DID_NEW_VALUE": hexs(self._new_value(read_only_did)) if read_only_did else "00",
            "WRITABLE_DID": did_hex(write_did.id) if write_did else "F1 90",
            "WRITABLE_DID_VALUE": value(write_did),
            "WRITABLE_DID_NEW_VALUE": hexs(new_value),
            "WRITABLE_DID_SHORT_VALUE": hexs(new_value[:-1]),
            "SECURED_DID": did_hex(secured.id) if secured else "01 01",
            "SECURED_DID_VALUE": value(secured),
            "EXTENDED_ONLY_DID": did_hex(extended_only.id) if extended_only else "01 02",
            "UNSUPPORTED_DID": did_hex(unsupported),
            "LARGE_DIDS": " ".join(did_hex(did.id) for did in large),
        })

    def _large_dids(self, candidates: list[Did]) -> list[Did]:
        """DIDs whose joint positive response exceeds the ECU's largest ISO-TP message (TC2208)."""
        limit = self.ecu.addressing.max_frame_size
        chosen: list[Did] = []
        size = 1
        for did in sorted(candidates, key=lambda did: -(did.length or 0))[:self.ecu.max_dids_per_read]:
            chosen.append(did)
            size += 2 + (did.length or 0)
            if size > limit:
                return chosen
        return []

    @staticmethod
    def _new_value(did: Did) -> bytes:
        """Another valid value of the same length: characters moved on for text, the last byte for numbers."""
        old = did.initial or bytes(did.length or 1)
        if did.allowed is not None or did.allowed_range is not None:
            low, high = did.allowed_range or (min(did.allowed or (0,)), max(did.allowed or (0,)))
            options = [v for v in range(low, high + 1) if did.allowed is None or v in did.allowed]
            current = int.from_bytes(old, "big")
            choice = next((v for v in options if v != current), current)
            return choice.to_bytes(len(old), "big")
        if did.codec == "ascii":
            alphabet = string.digits + string.ascii_uppercase
            moved = "".join(alphabet[(alphabet.index(c) + 1) % len(alphabet)] if c in alphabet else c
                            for c in old.decode("ascii", "replace"))
            if moved.encode("ascii", "replace") != old:
                return moved.encode("ascii", "replace")
        return old[:-1] + bytes(((old[-1] + 1) & 0xFF,))

    # ------------------------------------------------------------------ routines
    def _routines(self) -> None:
        routines = self.ecu.routines

        def plain(routine: Routine, session_id: int = EXT) -> bool:
            actions = [a for a in (routine.start, routine.stop, routine.results) if a is not None]
            return (session_id in routine.access.sessions and not routine.access.security and not routine.blocking
                    and not routine.memory_option and all(a.option_length == 0 for a in actions))

        start_only = next((r for r in routines if plain(r) and r.start and not r.stop and not r.results), None)
        stoppable = next((r for r in routines if plain(r) and r.start and r.stop and r.results
                          and r.duration == 0), None)
        not_in_default = next((r for r in sorted(routines, key=lambda r: r is not stoppable)
                               if DEF not in r.access.sessions and r.start and r.start.option_length == 0), None)
        # the catalogue's eraseMemory: blocking, so it answers 0x78 while it runs longer than P2
        erase = next((r for r in routines if r.blocking and r.memory_option and PRG in r.access.sessions
                      and r.start is not None and r.duration > self.ecu.timing.p2), None)
        self.need("start-only-routine", None if start_only else
                  "has no routine in the extended session that can only be started (no stop, no results)")
        self.need("stoppable-routine", None if stoppable else
                  "has no routine in the extended session with start, stop and results and no run time")
        self.need("routine-not-in-default", None if not_in_default else "has no routine missing from the default "
                  "session")
        self.need("erase-routine", None if erase else "has no blocking erase routine with a memory option in the "
                  "programming session that runs longer than P2")
        self.need("secured-erase", None if erase and erase.access.security else
                  "has no erase routine that needs security access")
        unsupported = _first_free(range(0xFFFF, 0, -1), (r.id for r in routines)) or 0xFFFF

        def record(action: Any) -> str:
            return hexs(action.result) if action is not None else ""

        self.vars.update({
            "START_ONLY_RID": did_hex(start_only.id) if start_only else "02 03",
            "START_ONLY_RID_NUMBER": f"0x{start_only.id:04X}" if start_only else "0x0203",
            "START_ONLY_RECORD": record(start_only.start) if start_only else "",
            "STOPPABLE_RID": did_hex(stoppable.id) if stoppable else "12 34",
            "STOPPABLE_START_RECORD": record(stoppable.start) if stoppable else "",
            "STOPPABLE_STOP_RECORD": record(stoppable.stop) if stoppable else "",
            "STOPPABLE_RESULTS_RECORD": record(stoppable.results) if stoppable else "",
            "NOT_IN_DEFAULT_RID": did_hex(not_in_default.id) if not_in_default else "12 34",
            "UNSUPPORTED_RID": did_hex(unsupported),
            "ERASE_RID": did_hex(erase.id) if erase else "FF 00",
            "ERASE_RECORD": record(erase.start) if erase else "",
            "ERASE_OPTION": self._erase_option(erase),
        })

    def _erase_option(self, erase: Routine | None) -> str:
        """addressAndLengthFormatIdentifier, address and size of the whole first download area."""
        download = self.ecu.download
        if erase is None or not download.areas:
            return ""
        alfid = download.address_and_length_formats[0]
        area = download.areas[0]
        option = (bytes((alfid,)) + area.start.to_bytes(alfid & 0x0F, "big")
                  + (area.end - area.start + 1).to_bytes(alfid >> 4, "big"))
        if erase.start is not None and erase.start.option_length not in (0, len(option)):
            self.need("erase-routine", f"erase routine {erase.name} expects a {erase.start.option_length}-byte option "
                      f"record, not ALFID + address + size ({len(option)} bytes)")
        return hexs(option)

    # ------------------------------------------------------------------ DTCs
    def _dtcs(self) -> None:
        config = self.ecu.dtc
        sam = config.availability_mask
        dtcs = config.dtcs

        def records(pairs: Iterable[tuple[int, int]]) -> str:
            return " ".join(f"{dtc_hex(code)} {byte_hex(status)}" for code, status in pairs)

        def matching(mask: int, statuses: dict[int, int]) -> list[tuple[int, int]]:
            return [(code, status & sam) for code, status in statuses.items() if status & mask & sam]

        initial = {dtc.code: dtc.status for dtc in dtcs}
        after_clear = {code: STATUS_AFTER_CLEAR for code in initial}
        confirmed = matching(STATUS_CONFIRMED, initial)
        snapshot = next((dtc for dtc in dtcs if dtc.snapshots and set(dtc.snapshots) & set(config.snapshot_records)),
                        None)
        # preferably a DTC that never failed since the last clear: it cannot have a snapshot stored
        no_snapshot = min((dtc for dtc in dtcs if not dtc.snapshots),
                          key=lambda dtc: (dtc.status & 0x20, dtc.status & 0x08), default=None)
        extended = next((dtc for dtc in dtcs if dtc.extended_data), None)
        fault_x = next((dtc for dtc in dtcs if not dtc.status & STATUS_CONFIRMED), None)
        self.need("dtcs", None if dtcs else "has no DTCs in its description")
        self.need("snapshot-dtc", None if snapshot else "has no DTC with a stored snapshot record")
        self.need("dtc-without-snapshot", None if no_snapshot else "has no DTC without a snapshot record")
        self.need("extended-data-dtc", None if extended else "has no DTC with extended data records")
        self.need("fault-dtc", None if fault_x else "has no DTC that is not confirmed at power-on")
        self.need("dtc-setting", None if 0x85 in self.services_in(EXT) else
                  "does not offer ControlDTCSetting (0x85) in the extended session")
        codes = {dtc.code for dtc in dtcs}
        unknown = _first_free(itertools.chain([0x123456], range(0x000001, 0xFFFFFF)), codes) or 0x123456
        unsupported_group = _first_free(itertools.chain([0x123456], range(0x000001, 0xFFFFFF)),
                                        codes | set(config.groups)) or 0x123456
        unsupported_record = _first_free(range(0x02, 0xFF), config.snapshot_records) or 0xFE
        snapshot_record = min(set(snapshot.snapshots) & set(config.snapshot_records)) if snapshot else 0x01
        self.vars.update({
            "SAM": byte_hex(sam),
            "DTC_FORMAT": byte_hex(config.format_identifier),
            "CONFIRMED_DTC_COUNT": hexs(len(confirmed).to_bytes(2, "big")),
            "CONFIRMED_DTC_RECORDS": records(confirmed),
            "ALL_DTC_RECORDS": records(matching(0xFF, initial)),
            "SUPPORTED_DTC_RECORDS": records((code, status & sam) for code, status in initial.items()),
            "ALL_DTC_RECORDS_AFTER_CLEAR": records(matching(0xFF, after_clear)),
            "STATUS_AFTER_CLEAR": byte_hex(STATUS_AFTER_CLEAR & sam),
            "UNKNOWN_DTC": dtc_hex(unknown),
            "UNSUPPORTED_DTC_GROUP": dtc_hex(unsupported_group),
            "ALL_DTC_GROUPS": dtc_hex(ALL_GROUPS),
            "UNSUPPORTED_DTC_REPORT": "3F",  # reportType 0x3F is reserved by ISO 14229-1
            "SNAPSHOT_DTC": dtc_hex(snapshot.code) if snapshot else "",
            "SNAPSHOT_DTC_STATUS": byte_hex(snapshot.status & sam) if snapshot else "",
            "SNAPSHOT_RECORD_NUMBER": byte_hex(snapshot_record),
            "SNAPSHOT_RECORD": self._snapshot_record(snapshot, snapshot_record) if snapshot else "",
            "UNSUPPORTED_SNAPSHOT_RECORD": byte_hex(unsupported_record),
            "DTC_WITHOUT_SNAPSHOT": dtc_hex(no_snapshot.code) if no_snapshot else "",
            "DTC_WITHOUT_SNAPSHOT_STATUS": byte_hex(no_snapshot.status & sam) if no_snapshot else "",
            "EXTENDED_DATA_DTC": dtc_hex(extended.code) if extended else "",
            "EXTENDED_DATA_DTC_STATUS": byte_hex(extended.status & sam) if extended else "",
            "EXTENDED_DATA_RECORDS": " ".join(f"{byte_hex(number)} {hexs(data)}" for number, data in
                                              sorted(extended.extended_data.items())) if extended else "",
            "FAULT_DTC": dtc_hex(fault_x.code) if fault_x else "",
            "CONFIRMED_DTC_RECORDS_WITH_FAULT": records(
                matching(STATUS_CONFIRMED, {**initial, **({fault_x.code: self._failed(fault_x.status)}
                                                          if fault_x else {})})),
        })

    @staticmethod
    def _failed(status: int) -> int:
        return (status | STATUS_FAILED_SET) & ~STATUS_FAILED_CLEARED & 0xFF

    @staticmethod
    def _snapshot_record(dtc: Any, number: int) -> str:
        """Record number, number of DIDs, then each DID with its value (reportDTCSnapshotRecordByDTCNumber)."""
        dids = dtc.snapshots[number]
        return hexs(bytes((number, len(dids))) + b"".join(did.to_bytes(2, "big") + value for did, value in dids))

    # ------------------------------------------------------------------ 0x28
    def _communication(self) -> None:
        types = self.ecu.communication_control_types
        kinds = {frame.kind for frame in self.ecu.application_frames}
        disable = next((value for value in (0x03, 0x01) if value in types), None)
        self.need("communication-control", None if disable is not None and 0x00 in types and
                  0x28 in self.services_in(EXT) else
                  "does not offer CommunicationControl enableRxAndTx and disable...Tx in the extended session")
        self.need("application-frames", None if "normal" in kinds else "describes no periodic application frames")
        self.need("nm-frames", None if "nm" in kinds else "describes no periodic network-management frames")
        self.vars.update({
            "COMMUNICATION_DISABLE": byte_hex(disable if disable is not None else 0x03),
            "COMMUNICATION_DISABLE_SPRMIB": byte_hex((disable if disable is not None else 0x03) | 0x80),
            "COMMUNICATION_ENABLE": "00",
            "UNSUPPORTED_COMMUNICATION_CONTROL": byte_hex(_first_free(range(0x06, 0x7F), types) or 0x7F),
        })

    # ------------------------------------------------------------------ 0x34 / 0x36 / 0x37
    def _download(self) -> None:
        download = self.ecu.download
        programming = self.services_in(PRG)
        reason = None
        if PRG not in self.sessions:
            reason = "has no programming session"
        elif not {0x34, 0x36, 0x37} <= programming:
            reason = "does not offer RequestDownload, TransferData and RequestTransferExit in the programming session"
        elif not download.areas:
            reason = "describes no download area"
        self.need("download", reason)
        alfid = download.address_and_length_formats[0] if download.address_and_length_formats else 0x44
        address_length, size_length = alfid & 0x0F, alfid >> 4
        area = download.areas[0] if download.areas else None
        payload = download.max_block_length - 2
        area_size = area.end - area.start + 1 if area else 0
        self.need("counter-wrap", None if area_size >= WRAP_BLOCKS * payload else
                  f"the download area holds fewer than {WRAP_BLOCKS} blocks of {payload} bytes")

        def address(value: int) -> str:
            return hexs(value.to_bytes(address_length, "big"))

        def size(value: int) -> str:
            return hexs(min(value, (1 << (8 * size_length)) - 1).to_bytes(size_length, "big"))

        size_4 = DOWNLOAD_BLOCKS * payload
        candidates = [0xFF << (8 * (address_length - 1)), 0]
        if area is not None:
            candidates.append(max(a.end for a in download.areas) + 1)
        outside = next((value for value in candidates if value < 1 << (8 * address_length) and all(
            value + size_4 - 1 < a.start or value > a.end for a in download.areas)), 0)
        data_formats = download.data_format_identifiers
        block = bytes(i & 0xFF for i in range(payload))
        data_format = byte_hex(data_formats[0] if data_formats else 0x00)
        start = address(area.start if area else 0)
        # lengthFormatIdentifier 0x20 and maxNumberOfBlockLength on 2 bytes
        block_length_field = "20 " + hexs(download.max_block_length.to_bytes(2, "big"))
        self.vars.update({
            # RequestDownload of DOWNLOAD_BLOCKS blocks at the start of the area, and its positive answer
            "REQUEST_DOWNLOAD": f"34 {data_format} {byte_hex(alfid)} {start} {size(size_4)}",
            "ACCEPTED": f"74 {block_length_field}",
            "DATA_FORMAT": data_format,
            "UNSUPPORTED_DATA_FORMAT": byte_hex(_first_free((0x11, 0x10, 0x01, 0xFF), data_formats) or 0xFF),
            "ALFID": byte_hex(alfid),
            "DOWNLOAD_ADDRESS": start,
            "ADDRESS_OUTSIDE_MEMORY": address(outside),
            "DOWNLOAD_BLOCKS": DOWNLOAD_BLOCKS,
            "COUNTER_AFTER_LAST_BLOCK": byte_hex((DOWNLOAD_BLOCKS + 1) & 0xFF),
            "DOWNLOAD_SIZE": size(size_4),
            "WRAP_BLOCKS": WRAP_BLOCKS,
            "WRAP_DOWNLOAD_SIZE": size(WRAP_BLOCKS * payload),
            "PARTIAL_DOWNLOAD_SIZE": size(payload + payload // 4),  # TC3610: the second block is too long
            "MAX_BLOCK_LENGTH_FIELD": block_length_field,
            "BLOCK_DATA": hexs(block),
            "BLOCK_DATA_TOO_LONG": hexs(block + b"\x00"),
        })
