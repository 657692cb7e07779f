"""Bench files: one CAN interface and the ECU on it (see docs/benches.md).

A bench file names the python-can bus (interface, channel, bitrate or CAN FD, extra ``can.Bus``
arguments), the ECU description the tester uses, the addressing (the description's, overridden
by the bench), the client timing (P2, P2*) and optionally a simulator to start on that bus
in-process. ``load_bench`` reads one; ``bench_from_arguments`` builds the same `Bench` from
explicit keyword arguments (``Open UDS Connection    interface=pcan    channel=PCAN_USBBUS1 ...``).

Both go through one path: the data (the YAML shape) is checked against
``description/schemas/bench.schema.json``, then semantically while it is converted. Mistakes raise
:class:`~UdsLibrary.errors.DescriptionError` naming the file, line, path and reason, or, for
arguments, :class:`BenchArgumentError` naming the argument.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from can.interfaces import VALID_INTERFACES
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from UdsLibrary.description.loader import (
    _HEX_NUMBER,
    PathT,
    _Builder,
    _Context,
    _read_yaml,
    _validate,
    format_path,
    load_any,
)
from UdsLibrary.description.model import Addressing, EcuDescription, Vehicle
from UdsLibrary.errors import DescriptionError

__all__ = [
    "DEFAULT_P2_STAR_TIMEOUT",
    "DEFAULT_P2_TIMEOUT",
    "Bench",
    "BenchArgumentError",
    "SimulatorConfig",
    "bench_from_arguments",
    "load_bench",
]

#: Client P2 timeout (seconds) when the bench does not set ``timing.p2_ms``.
DEFAULT_P2_TIMEOUT = 0.150
#: Client P2* timeout (seconds) when neither the bench nor an ECU description gives one.
DEFAULT_P2_STAR_TIMEOUT = 5.1
#: Margin on the description's P2* for the client's P2* timeout.
P2_STAR_MARGIN = 1.10

_SCHEMA_DIR = Path(__file__).resolve().parent / "description" / "schemas"
# interfaces without a real wire: bitrates mean nothing there
_SIMULATED_INTERFACES = frozenset({"virtual", "udp_multicast"})
# can.Bus arguments that have their own key in the bench file
_OWN_KEYS = {
    "interface": "can.interface",
    "bustype": "can.interface",
    "channel": "can.channel",
    "bitrate": "can.bitrate",
    "fd": "can.fd",
    "data_bitrate": "can.data_bitrate",
    "context": "can.config_context",
    "config_context": "can.config_context",
}
_UDP_MIN_BLOCKSIZE = 8


class BenchArgumentError(DescriptionError):
    """A bench given as keyword arguments has a bad argument; the message names it."""

    def __init__(self, argument: str | None, reason: str) -> None:
        super().__init__(None, argument, reason)
        self.argument = argument
        self.args = (f"argument '{argument}': {reason}" if argument else reason,)


@dataclass(frozen=True)
class SimulatorConfig:
    """A simulated ECU (or vehicle) to start in-process on the bench's bus."""

    file: Path  # ECU description or vehicle file (absolute)
    profile: str | None = None
    wire_bitrate: int | None = None  # frames take as long as on a real wire of this bitrate
    wire_data_bitrate: int | None = None  # CAN FD data phase
    faults: dict[str, Any] = field(default_factory=dict)  # applied to every simulated ECU at start
    deviations: tuple[str, ...] = ()  # non-conformities of every simulated ECU (simulator/deviations.py)


@dataclass(frozen=True)
class Bench:
    """One CAN interface and the ECU on it."""

    name: str
    source: str | None  # the bench file, None when built from arguments
    description: str
    interface: str | None  # None: python-can's configuration file decides (can.rc / ~/.canrc / CAN_INTERFACE)
    channel: str | None  # always text ("vcan0", "PCAN_USBBUS1", "0")
    bitrate: int | None
    fd: bool
    data_bitrate: int | None
    bus_options: dict[str, Any]  # further can.Bus keyword arguments (port, app_name, receive_own_messages...)
    config_context: str | None  # section of python-can's configuration file (can.Bus(config_context=...))
    ecu: EcuDescription | None
    addressing: Addressing
    p2_timeout: float  # seconds
    p2_star_timeout: float  # seconds
    simulator: SimulatorConfig | None = None
    tags: tuple[str, ...] = ()
    trace_format: str | None = None  # blf | asc: format of traces recorded on this bench (None: the library's)

    def bus_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``can.Bus(...)``; keys that are not set are left out."""
        kwargs: dict[str, Any] = {}
        if self.interface is not None:
            kwargs["interface"] = self.interface
        if self.channel is not None:
            kwargs["channel"] = self.channel
        if self.bitrate is not None:
            kwargs["bitrate"] = self.bitrate
        if self.fd:
            kwargs["fd"] = True
            if self.data_bitrate is not None:
                kwargs["data_bitrate"] = self.data_bitrate
        if self.config_context is not None:
            kwargs["config_context"] = self.config_context
        kwargs.update(self.bus_options)
        return kwargs


# --------------------------------------------------------------------------------------------
# schema


@cache
def _validator() -> Draft202012Validator:
    schemas = [
        json.loads((_SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")) for name in ("bench", "ecu")
    ]
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    return Draft202012Validator(schemas[0], registry=registry)


# --------------------------------------------------------------------------------------------
# conversion (shared by files and arguments)


def _choices(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in names)


class _BenchBuilder:
    def __init__(self, context: _Context, base_dir: Path):
        self.context = context
        self.base_dir = base_dir

    def error(self, path: PathT, reason: str) -> DescriptionError:
        return self.context.error(path, reason)

    def file(self, value: str, path: PathT, what: str) -> Path:
        file = Path(value).expanduser()
        if not file.is_absolute():
            file = Path(os.path.normpath(self.base_dir / file))
        if not file.exists():
            raise self.error(path, f"{what} not found: {file}")
        if not file.is_file():
            raise self.error(path, f"{what} is not a file: {file}")
        return file

    def load(self, file: Path, profile: str | None, profile_path: PathT) -> EcuDescription | Vehicle:
        try:
            return load_any(file, profile)
        except DescriptionError as error:
            if profile is not None and error.file == str(file) and error.reason.startswith("unknown profile"):
                raise self.error(profile_path, f"{error.reason} (in {file})") from None
            raise

    def select(self, loaded: EcuDescription | Vehicle, name: str | None, section: PathT, file: Path) -> EcuDescription:
        if isinstance(loaded, Vehicle):
            names = [ecu.name for ecu in loaded.ecus]
            if name is None:
                if len(loaded.ecus) == 1:
                    return loaded.ecus[0]
                raise self.error(
                    section,
                    f"{file} is a vehicle with several ECUs ({_choices(names)}); "
                    "choose the one the tester talks to with ecu.name",
                )
            for ecu in loaded.ecus:
                if ecu.name == name:
                    return ecu
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.error(
                (*section, "name"), f"vehicle {loaded.name!r} has no ECU {name!r}; {hint}ECUs: {_choices(names)}"
            )
        if name is not None and name != loaded.name:
            raise self.error(
                (*section, "name"),
                f"{file} describes ECU {loaded.name!r}, not {name!r} (ecu.name selects an ECU of a vehicle file)",
            )
        return loaded

    # sections -----------------------------------------------------------------------------
    def can_section(self, data: dict[str, Any]) -> dict[str, Any]:
        path: PathT = ("can",)
        interface = data.get("interface")
        if interface is not None and interface not in VALID_INTERFACES:
            close = difflib.get_close_matches(interface, sorted(VALID_INTERFACES), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.error(
                (*path, "interface"),
                f"unknown python-can interface {interface!r}; {hint}available: {', '.join(sorted(VALID_INTERFACES))}",
            )
        channel = data.get("channel")
        channel = None if channel is None else str(channel)
        bitrate = data.get("bitrate")
        fd = data.get("fd", False)
        data_bitrate = data.get("data_bitrate")
        if data_bitrate is not None and not fd:
            raise self.error(
                (*path, "data_bitrate"), "data_bitrate is the CAN FD data phase bitrate; it needs fd: true"
            )
        if fd and bitrate is not None and data_bitrate is None and interface not in _SIMULATED_INTERFACES:
            raise self.error(
                (*path, "fd"),
                "a CAN FD bus with a bitrate needs data_bitrate too (the data phase bitrate, e.g. 2000000)",
            )
        if data_bitrate is not None and bitrate is not None and data_bitrate < bitrate:
            raise self.error(
                (*path, "data_bitrate"), f"data_bitrate {data_bitrate} is below the nominal bitrate {bitrate}"
            )
        options = dict(data.get("options") or {})
        for key in options:
            if key in _OWN_KEYS:
                raise self.error((*path, "options", key), f"set {key!r} as {_OWN_KEYS[key]}, not under can.options")
        if interface == "udp_multicast":
            self.udp_multicast(channel, options)
        return {
            "interface": interface,
            "channel": channel,
            "bitrate": bitrate,
            "fd": fd,
            "data_bitrate": data_bitrate,
            "config_context": data.get("config_context"),
            "bus_options": options,
        }

    def udp_multicast(self, channel: str | None, options: dict[str, Any]) -> None:
        path: PathT = ("can",)
        if channel is None:
            raise self.error(
                (*path, "channel"),
                "udp_multicast needs a multicast group of its own as channel (e.g. 239.74.163.11): the default "
                "group is shared by every process on the machine",
            )
        try:
            address = ipaddress.ip_address(channel)
        except ValueError:
            raise self.error((*path, "channel"), f"udp_multicast channel {channel!r} is not an IP address") from None
        if not address.is_multicast:
            raise self.error(
                (*path, "channel"),
                f"{channel} is not a multicast address (IPv4 224.0.0.0/4, e.g. 239.74.163.11, or IPv6 ff00::/8)",
            )
        port = options.get("port")
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
            raise self.error((*path, "options", "port"), f"expected a UDP port (1-65535), got {port!r}")
        if options.get("receive_own_messages"):
            raise self.error(
                (*path, "options", "receive_own_messages"),
                "udp_multicast cannot receive its own messages (python-can refuses it); every bus already "
                "sees the frames of the other processes",
            )

    def addressing(
        self,
        data: dict[str, Any],
        base: Addressing,
        can: dict[str, Any],
        extended_id: bool | None,
        ecu_file: Path | None,
    ) -> Addressing:
        path: PathT = ("ecu", "addressing")
        values = dict(data)
        if extended_id is not None:
            mode = values.get("mode", base.mode)
            wanted = "29bits" if extended_id else "11bits"
            if not mode.endswith(wanted):
                if "mode" in values:
                    raise self.error((*path, "extended_id"), f"extended_id {extended_id} contradicts mode {mode}")
                if mode == "normal_fixed_29bits":
                    raise self.error((*path, "extended_id"), f"mode {mode} of the ECU description has no 11-bit form")
                values["mode"] = f"{mode.rsplit('_', 1)[0]}_{wanted}"
        if can["fd"] and "can_fd" not in values and not base.can_fd:
            values["can_fd"] = True
            values.setdefault("tx_data_length", 64)
        result = _Builder(self.context).addressing(values, path, base)
        if result.can_fd and not can["fd"]:
            where = f"the ECU description {ecu_file} uses" if "can_fd" not in values and ecu_file else "addressing uses"
            raise self.error(
                (*path, "can_fd") if "can_fd" in values else ("can", "fd"),
                f"{where} CAN FD frames (can_fd: true): set can.fd: true",
            )
        if can["interface"] == "udp_multicast" and result.blocksize < _UDP_MIN_BLOCKSIZE:
            raise self.error(
                (*path, "blocksize"),
                f"blocksize {result.blocksize} on udp_multicast: use blocksize >= {_UDP_MIN_BLOCKSIZE}, otherwise a "
                "long ISO-TP transfer overflows the UDP receive buffer (frames lost, P2 timeouts)",
            )
        return result

    def simulator(self, data: dict[str, Any] | None) -> tuple[SimulatorConfig | None, EcuDescription | Vehicle | None]:
        if data is None:
            return None, None
        path: PathT = ("simulator",)
        file = self.file(data["file"], (*path, "file"), "simulator file")
        profile = data.get("profile")
        loaded = self.load(file, profile, (*path, "profile"))
        wire_bitrate = data.get("wire_bitrate")
        wire_data_bitrate = data.get("wire_data_bitrate")
        if wire_data_bitrate is not None and wire_bitrate is None:
            raise self.error((*path, "wire_data_bitrate"), "wire_data_bitrate needs wire_bitrate too")
        config = SimulatorConfig(
            file=file,
            profile=profile,
            wire_bitrate=wire_bitrate,
            wire_data_bitrate=wire_data_bitrate,
            faults=dict(data.get("faults") or {}),
            deviations=_Builder(self.context).deviations(data.get("deviations") or [], (*path, "deviations")),
        )
        return config, loaded

    # the whole bench ----------------------------------------------------------------------
    def bench(
        self,
        data: dict[str, Any],
        *,
        source: str | None,
        default_name: str,
        extended_id: bool | None = None,
    ) -> Bench:
        header = data.get("bench", {})
        can = self.can_section(data.get("can", {}))
        simulator, simulated = self.simulator(data.get("simulator"))

        ecu_data = data.get("ecu", {})
        ecu: EcuDescription | None = None
        ecu_file: Path | None = None
        if "description" in ecu_data:
            ecu_file = self.file(ecu_data["description"], ("ecu", "description"), "ECU description file")
            loaded = self.load(ecu_file, ecu_data.get("profile"), ("ecu", "profile"))
            ecu = self.select(loaded, ecu_data.get("name"), ("ecu",), ecu_file)
        elif simulator is not None and simulated is not None:
            # no description of its own: the tester uses what the simulator serves
            ecu_file = simulator.file
            if "profile" in ecu_data and ecu_data["profile"] != simulator.profile:
                simulated = self.load(ecu_file, ecu_data["profile"], ("ecu", "profile"))
            ecu = self.select(simulated, ecu_data.get("name"), ("ecu",), ecu_file)
        else:
            for key in ("name", "profile"):
                if key in ecu_data:
                    raise self.error(("ecu", key), f"ecu.{key} needs ecu.description (or a simulator)")

        addressing = self.addressing(
            ecu_data.get("addressing", {}),
            ecu.addressing if ecu is not None else Addressing(),
            can,
            extended_id,
            ecu_file,
        )

        timing = data.get("timing", {})
        p2 = timing["p2_ms"] / 1000.0 if "p2_ms" in timing else DEFAULT_P2_TIMEOUT
        if "p2_star_ms" in timing:
            p2_star = timing["p2_star_ms"] / 1000.0
        elif ecu is not None:
            p2_star = round(ecu.timing.p2_star * P2_STAR_MARGIN, 6)
        else:
            p2_star = DEFAULT_P2_STAR_TIMEOUT
        if p2_star < p2:
            raise self.error(
                ("timing", "p2_star_ms") if "p2_star_ms" in timing else ("timing", "p2_ms"),
                f"the P2* timeout ({p2_star * 1000:g} ms) must not be shorter than the P2 timeout ({p2 * 1000:g} ms)",
            )

        return Bench(
            name=header.get("name", default_name),
            source=source,
            description=header.get("description", ""),
            ecu=ecu,
            addressing=addressing,
            p2_timeout=p2,
            p2_star_timeout=p2_star,
            simulator=simulator,
            tags=tuple(header.get("tags", ())),
            trace_format=header.get("trace_format"),
            **can,
        )


# --------------------------------------------------------------------------------------------
# bench files


def load_bench(path: str | Path) -> Bench:
    """Load a bench file; relative paths in it are relative to the file."""
    file = Path(path)
    document = _read_yaml(file)
    context = _Context(document.file, document.lines)
    data = document.data
    if isinstance(data, dict) and "can" not in data:
        for key, kind in (("sessions", "an ECU description"), ("vehicle", "a vehicle file")):
            if key in data:
                raise DescriptionError(
                    file, None, f"this is {kind}, not a bench file (a bench has can:, ecu:, timing:, simulator:)"
                )
    _validate(_validator(), data, context)
    return _BenchBuilder(context, file.resolve().parent).bench(data, source=str(file), default_name=file.stem)


# --------------------------------------------------------------------------------------------
# keyword arguments


# argument -> (path in the bench data, kind)
_ARGUMENTS: dict[str, tuple[PathT, str]] = {
    "name": (("bench", "name"), "text"),
    "description": (("bench", "description"), "text"),
    "tags": (("bench", "tags"), "tags"),
    "interface": (("can", "interface"), "text"),
    "channel": (("can", "channel"), "channel"),
    "bitrate": (("can", "bitrate"), "int"),
    "fd": (("can", "fd"), "bool"),
    "data_bitrate": (("can", "data_bitrate"), "int"),
    "config_context": (("can", "config_context"), "text"),
    "ecu_description": (("ecu", "description"), "path"),
    "ecu_name": (("ecu", "name"), "text"),
    "profile": (("ecu", "profile"), "text"),
    "addressing_mode": (("ecu", "addressing", "mode"), "mode"),
    "request_id": (("ecu", "addressing", "request_id"), "hex"),
    "response_id": (("ecu", "addressing", "response_id"), "hex"),
    "functional_id": (("ecu", "addressing", "functional_id"), "hex"),
    "target_address": (("ecu", "addressing", "target_address"), "hex"),
    "source_address": (("ecu", "addressing", "source_address"), "hex"),
    "address_extension": (("ecu", "addressing", "address_extension"), "hex"),
    "padding": (("ecu", "addressing", "padding"), "hex"),
    "can_fd": (("ecu", "addressing", "can_fd"), "bool"),
    "tx_data_length": (("ecu", "addressing", "tx_data_length"), "int"),
    "max_frame_size": (("ecu", "addressing", "max_frame_size"), "int"),
    "blocksize": (("ecu", "addressing", "blocksize"), "int"),
    "stmin": (("ecu", "addressing", "stmin"), "int"),
    "extended_id": (("ecu", "addressing", "extended_id"), "bool"),
    "p2_timeout": (("timing", "p2_ms"), "seconds"),
    "p2_star_timeout": (("timing", "p2_star_ms"), "seconds"),
    "simulator": (("simulator", "file"), "path"),
    "simulator_profile": (("simulator", "profile"), "text"),
    "wire_bitrate": (("simulator", "wire_bitrate"), "int"),
    "wire_data_bitrate": (("simulator", "wire_data_bitrate"), "int"),
    "faults": (("simulator", "faults"), "mapping"),
    "deviations": (("simulator", "deviations"), "names"),
}
# arguments whose None means "none" (not "not given")
_NULLABLE = frozenset(
    {
        "interface",
        "channel",
        "config_context",
        "functional_id",
        "padding",
        "simulator_profile",
        "wire_bitrate",
        "wire_data_bitrate",
    }
)
# where errors about a whole section point to
_SECTION_ARGUMENTS: dict[PathT, str] = {
    ("ecu", "addressing"): "addressing_mode",
    ("ecu",): "ecu_description",
    ("can",): "interface",
    ("timing",): "p2_timeout",
    ("simulator",): "simulator",
    ("bench",): "name",
}
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0", "none", ""})


class _ArgumentContext(_Context):
    """Errors name the keyword argument a path came from."""

    def __init__(self) -> None:
        super().__init__(Path("<arguments>"), {})
        self.names: dict[PathT, str] = {path: name for name, (path, _) in _ARGUMENTS.items()}
        self.names.update(_SECTION_ARGUMENTS)

    def error(self, path: PathT, reason: str) -> DescriptionError:
        if path[:2] == ("can", "options") and len(path) > 2:
            return BenchArgumentError(str(path[2]), reason)
        for size in range(len(path), 0, -1):
            if path[:size] in self.names:
                return BenchArgumentError(self.names[path[:size]], reason)
        return BenchArgumentError(format_path(path) or None, reason)


def _convert(name: str, kind: str, value: Any) -> Any:
    """An argument as given (Robot Framework passes text) -> the value of the bench data."""

    def fail(expected: str) -> BenchArgumentError:
        return BenchArgumentError(name, f"expected {expected}, got {value!r}")

    if kind == "int":
        if isinstance(value, bool):
            raise fail("an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip().replace("_", ""), 0)
            except ValueError:
                raise fail("an integer like 2016 or 0x7E0") from None
        raise fail("an integer")
    if kind == "hex":
        if isinstance(value, bool):
            raise fail("a number")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            match = _HEX_NUMBER.match(value.strip())
            if match:
                return int(match.group(2), 16)
            raise fail("a hex number like 7E0 or 0x7E0")
        raise fail("a number")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise fail("true or false")
    if kind in ("text", "mode"):
        if not isinstance(value, str):
            raise fail("text")
        return value.strip().lower() if kind == "mode" else value
    if kind == "path":
        if not isinstance(value, (str, os.PathLike)):
            raise fail("a file path")
        return os.fspath(value)
    if kind == "channel":
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise fail("a channel name or number")
        return str(value)
    if kind == "seconds":
        if isinstance(value, bool):
            raise fail("a time")
        if isinstance(value, (int, float)):
            seconds = float(value)
        elif isinstance(value, str):
            from robot.utils import timestr_to_secs

            try:
                seconds = float(timestr_to_secs(value))
            except ValueError:
                raise fail("a time like 0.15, 150 ms or 5.5 s") from None
        else:
            raise fail("a time")
        return seconds * 1000.0
    if kind in ("tags", "names"):
        if isinstance(value, str):
            return [tag.strip() for tag in value.split(",") if tag.strip()]
        if isinstance(value, Iterable) and all(isinstance(tag, str) for tag in value):
            return list(value)
        raise fail(f"a list of {kind}")
    if kind == "mapping":
        if not isinstance(value, Mapping):
            raise fail("a mapping")
        return dict(value)
    raise AssertionError(kind)  # pragma: no cover


def bench_from_arguments(
    *, base_dir: str | Path | None = None, bus_options: Mapping[str, Any] | None = None, **arguments: Any
) -> Bench:
    """A `Bench` from keyword arguments instead of a file; the same checks, errors name the argument.

    Arguments: ``name, description, tags, interface, channel, bitrate, fd, data_bitrate,
    config_context, ecu_description, ecu_name, profile, addressing_mode, extended_id, request_id,
    response_id, functional_id, target_address, source_address, address_extension, padding, can_fd,
    tx_data_length, max_frame_size, blocksize, stmin, p2_timeout, p2_star_timeout`` (seconds or a
    Robot time like ``150 ms``), ``simulator, simulator_profile, wire_bitrate, wire_data_bitrate,
    faults, deviations`` (a list or comma-separated names). Numbers may be text: ids, addresses and
    ``padding`` are hex (``7E0``, ``0x7E0``, as in description files), the others decimal or
    0x-prefixed (``500000``, ``0x20``). Any other argument, and ``bus_options``, go to ``can.Bus``
    (``port``, ``app_name``...); a name close to a known argument is refused as a typo. ``None``
    means "not given", except for ``functional_id`` and ``padding`` (none) and the bus/simulator
    arguments that may be null. Relative paths are resolved against ``base_dir`` (default: the
    working directory).
    """
    data: dict[str, Any] = {"can": {}}
    options: dict[str, Any] = dict(bus_options or {})
    extended_id: bool | None = None
    for name, value in arguments.items():
        if name not in _ARGUMENTS:
            close = difflib.get_close_matches(name, list(_ARGUMENTS), n=1, cutoff=0.8)
            if close:
                raise BenchArgumentError(name, f"unknown argument; did you mean {close[0]!r}?")
            options[name] = value
            continue
        if value is None and name not in _NULLABLE:
            continue
        path, kind = _ARGUMENTS[name]
        converted = None if value is None else _convert(name, kind, value)
        if name == "extended_id":
            extended_id = converted
            continue
        section = data
        for key in path[:-1]:
            section = section.setdefault(key, {})
        section[path[-1]] = converted
    if options:
        data["can"]["options"] = options
    if "simulator" in data and "file" not in data["simulator"]:
        raise BenchArgumentError(
            "simulator", "simulator_profile, wire_bitrate, faults and deviations need simulator (a file)")
    context = _ArgumentContext()
    _validate(_validator(), data, context)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    default_name = str(data["can"].get("channel") or data["can"].get("interface") or "bench")
    return _BenchBuilder(context, base.resolve()).bench(
        data, source=None, default_name=default_name, extended_id=extended_id
    )
