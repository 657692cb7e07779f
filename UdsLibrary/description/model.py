"""The ECU diagnostic description as plain data: what the simulator serves and the library decodes.

The loader (``loader.py``) turns a validated YAML file into these objects; everything here is
already resolved: ids are ints, session references are session ids, times are seconds, hex
values are bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Access:
    """Who may read or write a DID, or run a routine: sessions (ids) and security levels.

    An empty ``security`` tuple means no security needed; ``levels`` are the odd requestSeed
    sub-function values (0x01, 0x11, ...).
    """

    sessions: tuple[int, ...]
    security: tuple[int, ...] = ()


@dataclass(frozen=True)
class Addressing:
    """CAN ids and ISO-TP options of one ECU."""

    mode: str = "normal_11bits"  # normal_11bits, normal_29bits, normal_fixed_29bits, extended_*, mixed_*
    request_id: int = 0x7E0
    response_id: int = 0x7E8
    functional_id: int | None = 0x7DF
    target_address: int | None = None  # normal_fixed / extended / mixed
    source_address: int | None = None
    address_extension: int | None = None  # mixed
    padding: int | None = 0xAA
    can_fd: bool = False
    tx_data_length: int = 8
    max_frame_size: int = 4095
    blocksize: int = 0
    stmin: int = 0


@dataclass(frozen=True)
class Timing:
    """Server timing, in seconds."""

    p2: float = 0.050
    p2_star: float = 5.0
    s3: float = 5.0
    reset_time: float = 0.2  # how long the ECU is silent after an ECUReset positive response
    pending_interval: float | None = None  # period of repeated 0x78; None = p2_star / 2


@dataclass(frozen=True)
class Session:
    id: int
    name: str
    services: frozenset[int]
    enter_from: frozenset[int] | None = None  # None = from any session


@dataclass(frozen=True)
class SecurityLevel:
    level: int  # odd requestSeed value; sendKey is level + 1
    sessions: tuple[int, ...]
    seed_size: int = 4
    seed_mode: str = "random"  # random | static | counter
    static_seed: bytes | None = None
    max_attempts: int = 3
    delay: float = 10.0
    delay_on_boot: bool = True  # delay runs again after power-on when the attempt limit was reached
    algorithm: str | None = None  # overrides Security.algorithm for this level
    secret: bytes | None = None  # overrides Security.secret for this level


@dataclass(frozen=True)
class Security:
    algorithm: str = "xor"  # registry name or "module:function"
    secret: bytes = b""
    secret_env: str | None = None  # environment variable that, when set, replaces the secret (hex)
    algorithm_version: int = 1
    levels: tuple[SecurityLevel, ...] = ()


@dataclass(frozen=True)
class Did:
    id: int
    name: str
    length: int | None  # None = variable length (codec decides)
    codec: str = "bytes"  # ascii | bytes | uint | int | bcd | ... (see codecs.py)
    initial: bytes = b""
    read: Access | None = None  # None = not readable
    write: Access | None = None  # None = read-only
    persistent: bool = True  # written value survives an ECUReset
    source: str | None = None  # computed value: "active_session"
    allowed: tuple[int, ...] | None = None  # valid values for writes (integer DIDs)
    allowed_range: tuple[int, int] | None = None  # inclusive min/max for writes
    scale: float = 1.0
    offset: float = 0.0
    unit: str | None = None
    description: str = ""


# Routine preconditions the simulator evaluates (against its faults: engine_running, vehicle_moving, low_voltage).
ROUTINE_PRECONDITIONS = ("engine_off", "vehicle_stopped", "voltage_ok")


@dataclass(frozen=True)
class RoutineAction:
    """One sub-function of a routine (start 0x01, stop 0x02, results 0x03)."""

    result: bytes = b""  # routineStatusRecord of the positive response
    option_length: int = 0  # exact length of the routineControlOptionRecord


@dataclass(frozen=True)
class Routine:
    id: int
    name: str
    access: Access
    start: RoutineAction | None = None
    stop: RoutineAction | None = None
    results: RoutineAction | None = None
    duration: float = 0.0  # seconds the routine runs
    blocking: bool = False  # True: start is answered after the duration, with 0x78 meanwhile
    running_result: bytes | None = None  # results record while an asynchronous routine still runs
    preconditions: tuple[str, ...] = ()  # names of conditions that must hold (see simulator faults)
    memory_option: bool = False  # option record is ALFID + address + size, checked against flash
    memory_check: str | None = None  # option record is ALFID + address + size + this checksum (checksums.py)
    description: str = ""


@dataclass(frozen=True)
class Dtc:
    code: int  # 3-byte DTC number
    status: int
    description: str = ""
    snapshots: dict[int, tuple[tuple[int, bytes], ...]] = field(default_factory=dict)  # record -> DIDs
    extended_data: dict[int, bytes] = field(default_factory=dict)  # record -> data


@dataclass(frozen=True)
class DtcConfig:
    availability_mask: int = 0xFF
    format_identifier: int = 0x01
    groups: tuple[int, ...] = (0xFFFFFF,)  # groupOfDTC values 0x14 accepts besides single DTCs
    snapshot_records: tuple[int, ...] = ()  # record numbers the ECU supports for 0x19 04
    extended_records: tuple[int, ...] = ()  # record numbers the ECU supports for 0x19 06
    dtcs: tuple[Dtc, ...] = ()


@dataclass(frozen=True)
class MemoryArea:
    start: int
    end: int  # inclusive
    name: str = "flash"


@dataclass(frozen=True)
class Download:
    areas: tuple[MemoryArea, ...] = ()
    data_format_identifiers: tuple[int, ...] = (0x00,)
    address_and_length_formats: tuple[int, ...] = (0x44,)
    max_block_length: int = 0x0402  # maxNumberOfBlockLength incl. SID and block counter
    require_erase: bool = True  # 0x34 answers 0x70 unless the range was erased since power-on
    verify_time: float = 0.0  # how long 0x37 takes (0x78 meanwhile)


@dataclass(frozen=True)
class ApplicationFrame:
    """A periodic non-diagnostic frame the ECU sends; 0x28 stops and restarts it."""

    id: int
    period: float
    data: bytes
    kind: str = "normal"  # normal | nm
    extended_id: bool = False


@dataclass(frozen=True)
class EcuDescription:
    name: str
    source: str  # file the description was read from
    addressing: Addressing
    timing: Timing
    sessions: tuple[Session, ...]
    reset_types: tuple[int, ...] = (0x01,)
    security: Security = field(default_factory=Security)
    dids: tuple[Did, ...] = ()
    routines: tuple[Routine, ...] = ()
    dtc: DtcConfig = field(default_factory=DtcConfig)
    communication_control_types: tuple[int, ...] = (0x00, 0x01, 0x02, 0x03)
    download: Download = field(default_factory=Download)
    application_frames: tuple[ApplicationFrame, ...] = ()
    max_dids_per_read: int = 8
    power_down_time: int = 0x0A  # 0x11 04 enableRapidPowerShutDown answer (seconds)
    faults: dict[str, Any] = field(default_factory=dict)  # initial fault injection (see simulator)
    description: str = ""
    deviations: tuple[str, ...] = ()  # simulator only: non-conformities switched on (simulator/deviations.py)

    # convenience look-ups -------------------------------------------------------------
    def session(self, ref: int | str) -> Session:
        for session in self.sessions:
            if session.id == ref or session.name == ref:
                return session
        raise KeyError(ref)

    def did(self, ref: int | str) -> Did:
        for did in self.dids:
            if did.id == ref or did.name == ref:
                return did
        raise KeyError(ref)

    def routine(self, ref: int | str) -> Routine:
        for routine in self.routines:
            if routine.id == ref or routine.name == ref:
                return routine
        raise KeyError(ref)

    def security_level(self, level: int) -> SecurityLevel:
        for candidate in self.security.levels:
            if candidate.level == level:
                return candidate
        raise KeyError(level)


@dataclass(frozen=True)
class Vehicle:
    name: str
    source: str
    ecus: tuple[EcuDescription, ...]
    description: str = ""
