"""The station configuration: one YAML file per EOL station (`resources/stations/*.yaml`, see docs/eol.md).

It names the station and its tester, the bench the ECU sits on, the barcode pattern, the variant
code per part number, where the security secret comes from, the MES folder and its local spool,
the quality database, the trace format, time limits and hints per EOL step. The file is checked
against ``schemas/station.schema.json`` and then semantically; a mistake fails with the file, line,
path and reason (`DescriptionError`), never a traceback. Relative paths are relative to the file.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from robot.utils import timestr_to_secs

from UdsLibrary.description.loader import _HEX_NUMBER, PathT, _Context, _read_yaml, _validate
from UdsLibrary.eol.barcode import DEFAULT_PATTERN, BarcodeError, BarcodePattern
from UdsLibrary.errors import DescriptionError, UdsLibraryError

SCHEMA = Path(__file__).resolve().parent / "schemas" / "station.schema.json"
DEFAULT_STEP_TIME = 10.0  # seconds; the seed's "extend the timeout to 10 s for slow NvM writes"
DEFAULT_SECURITY_LEVEL = 0x01


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class SecurityConfig:
    """Security access at the station: level, key algorithm and where the secret comes from."""

    level: int = DEFAULT_SECURITY_LEVEL
    algorithm: str | None = None  # None: the ECU description's
    secret_env: str | None = None  # environment variable holding the hex secret
    description_secret: bool = False  # without secret_env (or with it unset): the ECU description's secret

    def secret(self) -> bytes | None:
        """The secret bytes from `secret_env`, or None for the ECU description's secret.

        Fails when `secret_env` is not set and the description's secret is not allowed; the value is
        never part of a message.
        """
        from UdsLibrary.keywords.security import secret_bytes

        if self.secret_env:
            value = os.environ.get(self.secret_env, "").strip()
            if value:
                return secret_bytes(value, f"environment variable {self.secret_env}")
        if self.description_secret:
            return None
        if self.secret_env:
            raise UdsLibraryError(f"environment variable {self.secret_env} (security.secret_env of the station) is "
                                  "not set: set it to the hex secret of the key algorithm")
        raise UdsLibraryError("the station configuration gives no secret: set security.secret_env (or "
                              "security.description_secret: true to use the ECU description's secret)")

    def secret_origin(self) -> str:
        if self.secret_env and os.environ.get(self.secret_env, "").strip():
            return f"environment variable {self.secret_env}"
        return "the ECU description"


@dataclass(frozen=True)
class StationConfig:
    """One EOL station. Build it with `load_station` (or directly, in tests)."""

    station_id: str
    tester_serial: str
    bench: Path
    mes_folder: Path
    spool_folder: Path
    database: Path
    source: Path | None = None
    suite: Path | None = None
    output: Path = Path("results/station")
    log: bool = True  # uds station: a log.html per ECU
    barcode: BarcodePattern = field(default_factory=BarcodePattern)
    variant_code: int | None = None
    variant_codes: dict[str, int] = field(default_factory=dict)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    create_mes_folder: bool = False
    trace_format: str | None = "blf"
    step_time_limit: float = DEFAULT_STEP_TIME
    step_time_limits: dict[str, float] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)

    def variant_for(self, part_number: str) -> int:
        """The variant code to write into an ECU of this part number."""
        if part_number in self.variant_codes:
            return self.variant_codes[part_number]
        if self.variant_code is None:
            known = ", ".join(sorted(self.variant_codes)) or "none"
            raise UdsLibraryError(f"part number {part_number} has no variant code at station {self.station_id} "
                                  f"(variant.by_part_number knows {known}, and there is no variant.code); nothing "
                                  "was sent to the ECU")
        return self.variant_code

    def time_limit(self, step: str) -> float:
        return self.step_time_limits.get(step, self.step_time_limit)

    def hint(self, step: str) -> str | None:
        return self.hints.get(step)

    def with_overrides(self, **overrides: Any) -> StationConfig:
        """A copy with settings replaced (Robot arguments or command-line options; paths relative to the
        working directory). Unknown names are refused."""
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in OVERRIDES:
                raise UdsLibraryError(f"unknown station setting '{name}'; these can be overridden: "
                                      f"{', '.join(OVERRIDES)}")
            changes[name] = OVERRIDES[name](value, name)
        return dataclasses.replace(self, **changes)


def _path_override(value: Any, name: str) -> Path:
    if value is None or not str(value).strip():
        raise UdsLibraryError(f"station setting '{name}' needs a path")
    return Path(str(value)).expanduser().absolute()


def _bool_override(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise UdsLibraryError(f"station setting '{name}' must be true or false, got '{value}'")


def _time_override(value: Any, name: str) -> float:
    seconds = _seconds(value)
    if seconds is None:
        raise UdsLibraryError(f"station setting '{name}' must be a time such as '10 s' or '500 ms', got '{value}'")
    return seconds


def _byte_override(value: Any, name: str) -> int:
    number = _byte(value)
    if number is None:
        raise UdsLibraryError(f"station setting '{name}' must be a byte (0-255 or hex like 0x03), got '{value}'")
    return number


def _format_override(value: Any, name: str) -> str | None:
    if value is None or str(value).strip().lower() in ("", "none", "null"):
        return None
    text = str(value).strip().lower()
    if text not in ("blf", "asc", "trc", "log", "csv"):
        raise UdsLibraryError(f"station setting '{name}' must be blf, asc, trc, log, csv or none, got '{value}'")
    return text


OVERRIDES = {
    "bench": _path_override,
    "mes_folder": _path_override,
    "spool_folder": _path_override,
    "database": _path_override,
    "output": _path_override,
    "create_mes_folder": _bool_override,
    "step_time_limit": _time_override,
    "variant_code": _byte_override,
    "trace_format": _format_override,
}


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = float(timestr_to_secs(value))
    except (ValueError, TypeError):
        return None
    return seconds if seconds > 0 else None


def _byte(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 0xFF else None
    match = _HEX_NUMBER.match(str(value).strip())
    if not match:
        return None
    number = int(match.group(2), 16)
    return number if number <= 0xFF else None


class _StationBuilder:
    def __init__(self, context: _Context, base: Path) -> None:
        self.context = context
        self.base = base

    def path(self, value: str, path: PathT, *, must_exist: str | None = None) -> Path:
        result = Path(os.path.expandvars(value)).expanduser()
        if not result.is_absolute():
            result = Path(os.path.normpath(self.base / result))
        if must_exist and not result.is_file():
            raise self.context.error(path, f"{must_exist} not found: {result}")
        return result

    def time(self, value: Any, path: PathT) -> float:
        seconds = _seconds(value)
        if seconds is None:
            raise self.context.error(path, f"expected a time such as '10 s', '500 ms' or 2.5 (seconds), got {value!r}")
        return seconds

    def byte(self, value: Any, path: PathT) -> int:
        number = _byte(value)
        assert number is not None  # the schema checked it
        return number

    def build(self, data: dict[str, Any], source: Path) -> StationConfig:
        station = data["station"]
        barcode = data.get("barcode") or {}
        try:
            pattern = BarcodePattern(barcode.get("pattern", DEFAULT_PATTERN), barcode.get("example"))
        except BarcodeError as error:
            key = "example" if "example barcode" in str(error) else "pattern"
            raise self.context.error(("barcode", key), str(error)) from None
        variant = data.get("variant") or {}
        security = data.get("security") or {}
        level = self.byte(security.get("level", DEFAULT_SECURITY_LEVEL), ("security", "level"))
        if level == 0 or level % 2 == 0 or level == 0x7F or level > 0x7F:
            raise self.context.error(("security", "level"), f"0x{level:02X} is not a security level (the odd "
                                     "requestSeed value, 0x01-0x7D)")
        if not security.get("secret_env") and not security.get("description_secret", False):
            raise self.context.error(("security",), "no secret: set secret_env (the environment variable holding "
                                     "the hex secret) or description_secret: true (the ECU description's secret)")
        mes = data["mes"]
        limits = data.get("limits") or {}
        trace = data.get("trace") or {}
        suite = station.get("suite")
        return StationConfig(
            source=source,
            station_id=station["id"],
            tester_serial=station["tester_serial"],
            bench=self.path(station["bench"], ("station", "bench"), must_exist="bench file"),
            suite=self.path(suite, ("station", "suite")) if suite else None,
            output=self.path(station.get("output", "results/station"), ("station", "output")),
            log=station.get("log", True),
            barcode=pattern,
            variant_code=self.byte(variant["code"], ("variant", "code")) if "code" in variant else None,
            variant_codes={str(k): self.byte(v, ("variant", "by_part_number", k))
                           for k, v in (variant.get("by_part_number") or {}).items()},
            security=SecurityConfig(level=level, algorithm=security.get("algorithm"),
                                    secret_env=security.get("secret_env"),
                                    description_secret=security.get("description_secret", False)),
            mes_folder=self.path(mes["folder"], ("mes", "folder")),
            create_mes_folder=mes.get("create_folder", False),
            spool_folder=self.path(mes["spool_folder"], ("mes", "spool_folder")),
            database=self.path(data["database"], ("database",)),
            trace_format=trace.get("format", "blf"),
            step_time_limit=self.time(limits.get("step_time", DEFAULT_STEP_TIME), ("limits", "step_time")),
            step_time_limits={str(k): self.time(v, ("limits", "steps", k))
                              for k, v in (limits.get("steps") or {}).items()},
            hints={str(k): str(v) for k, v in (data.get("hints") or {}).items()},
        )


def load_station(path: str | Path) -> StationConfig:
    """Load a station file; relative paths in it are relative to the file."""
    file = Path(path)
    document = _read_yaml(file)
    context = _Context(document.file, document.lines)
    data = document.data
    if isinstance(data, dict) and "station" not in data and "can" in data:
        raise DescriptionError(file, None, "this is a bench file, not a station file (a station has station:, mes:, "
                                           "database:)")
    _validate(_validator(), data, context)
    return _StationBuilder(context, file.resolve().parent).build(data, file.resolve())
