"""Load ECU description and vehicle files (YAML) into the model of ``model.py``.

Steps: YAML is parsed into plain data while the line of every key and list item is recorded;
the selected profile is merged in; the result is checked against the JSON Schema
(``schemas/*.schema.json``), then semantically (references, lengths, duplicates) while it is
converted into the frozen model objects. Every user mistake raises
:class:`~UdsLibrary.errors.DescriptionError` naming the file, the line, the path inside the file
(``dids[3].value``) and the reason.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import json
import math
import os
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from UdsLibrary.checksums import get_checksum
from UdsLibrary.description.codecs import codec_names, get_codec, parse_hex
from UdsLibrary.description.model import (
    ROUTINE_PRECONDITIONS,
    Access,
    Addressing,
    ApplicationFrame,
    Did,
    Download,
    Dtc,
    DtcConfig,
    EcuDescription,
    MemoryArea,
    Routine,
    RoutineAction,
    Security,
    SecurityLevel,
    Session,
    Timing,
    Vehicle,
)
from UdsLibrary.dtc import format_dtc, parse_dtc
from UdsLibrary.errors import DescriptionError
from UdsLibrary.keyalgorithms import algorithm_names

__all__ = [
    "SUPPORTED_SERVICES",
    "format_path",
    "load_any",
    "load_ecu_description",
    "load_vehicle",
]

#: Services the simulator implements; a session may only list these.
SUPPORTED_SERVICES: frozenset[int] = frozenset(
    {0x10, 0x11, 0x14, 0x19, 0x22, 0x27, 0x28, 0x2E, 0x31, 0x34, 0x36, 0x37, 0x3E, 0x85}
)

_SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
_HEX_NUMBER = re.compile(r"^(0[xX])?([0-9A-Fa-f]+)$")
_TEXT_CODECS = ("ascii", "utf8")

PathT = tuple[str | int, ...]
T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# paths and error locations


def format_path(path: Iterable[str | int]) -> str:
    """``("dids", 3, "length")`` -> ``"dids[3].length"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class _Context:
    """Where converted data came from: file, line of every path, profile provenance."""

    def __init__(self, file: Path, lines: dict[PathT, int], origin: dict[PathT, PathT] | None = None):
        self.file = file
        self.lines = lines
        self.origin = origin or {}  # merged path -> path in the file (profile overrides)
        self.added: dict[PathT, str] = {}  # merged path of a profile list item matching no base item -> key

    def source_path(self, path: PathT) -> PathT:
        for size in range(len(path), 0, -1):
            prefix = path[:size]
            if prefix in self.origin:
                return self.origin[prefix] + path[size:]
        return path

    def line(self, path: PathT) -> int | None:
        path = self.source_path(path)
        for size in range(len(path), -1, -1):
            line = self.lines.get(path[:size])
            if line is not None:
                return line
        return None

    def error(self, path: PathT, reason: str) -> DescriptionError:
        if path in self.added:
            reason += (
                f" (this profile entry matches no entry of the file by its {self.added[path]!r}, "
                "so it is a new entry and must be complete)"
            )
        return DescriptionError(self.file, format_path(self.source_path(path)), reason, self.line(path))


# --------------------------------------------------------------------------------------------
# YAML with line numbers


@dataclasses.dataclass
class _Document:
    file: Path
    data: Any
    lines: dict[PathT, int]


# libyaml's parser when PyYAML has it (5-10x faster; same nodes and marks), the pure-Python one otherwise.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(file: Path) -> _Document:
    if not file.exists():
        raise DescriptionError(file, None, f"file not found: {file.resolve()}")
    if file.is_dir():
        raise DescriptionError(file, None, "is a directory, expected a YAML file")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DescriptionError(file, None, f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise DescriptionError(file, None, f"cannot read the file: {error.strerror or error}") from None
    loader = _YamlLoader(text)
    lines: dict[PathT, int] = {(): 1}
    try:
        node = loader.get_single_node()
        data = None if node is None else _build_node(loader, node, (), lines, file, set())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "syntax error"
        if error.context and error.problem:
            problem = f"{problem} ({error.context})"
        line = mark.line + 1 if mark is not None else None
        raise DescriptionError(file, None, f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as error:
        raise DescriptionError(file, None, f"invalid YAML: {error}") from None
    finally:
        loader.dispose()
    return _Document(file, data, lines)


def _key_of(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    value = loader.construct_object(node, deep=True)
    if isinstance(value, bool) or value is None or not isinstance(value, (int, str)):
        return str(node.value)
    if isinstance(value, int):
        text = str(node.value)
        return text if text[:2].lower() == "0x" else f"0x{value:X}"
    return value


def _build_node(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: PathT,
    lines: dict[PathT, int],
    file: Path,
    active: set[int],
) -> Any:
    """Plain data of ``node``: mapping keys are text (integer keys as hex text), lines recorded."""
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_object(node, deep=True)
    if id(node) in active:
        raise DescriptionError(file, format_path(path), "recursive YAML alias", node.start_mark.line + 1)
    active.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                lines.setdefault((*path, index), item.start_mark.line + 1)
                items.append(_build_node(loader, item, (*path, index), lines, file, active))
            return items
        if isinstance(node, yaml.MappingNode):
            loader.flatten_mapping(node)
            mapping: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise DescriptionError(
                        file,
                        format_path(path),
                        "mapping keys must be plain values",
                        key_node.start_mark.line + 1,
                    )
                key = _key_of(loader, key_node)
                line = key_node.start_mark.line + 1
                if key in mapping:
                    raise DescriptionError(file, format_path((*path, key)), f"duplicate key {key!r}", line)
                lines[(*path, key)] = line
                mapping[key] = _build_node(loader, value_node, (*path, key), lines, file, active)
            return mapping
    finally:
        active.discard(id(node))
    return loader.construct_object(node, deep=True)  # pragma: no cover - other node kinds


# --------------------------------------------------------------------------------------------
# profiles


def _identity(value: Any) -> Any:
    if isinstance(value, str):
        match = _HEX_NUMBER.match(value.strip())
        if match:
            return int(match.group(2), 16)
        try:
            return parse_dtc(value)
        except ValueError:
            return value
    return value


def _merge_key(base: list[Any], over: list[Any], keys: tuple[str, ...]) -> str | None:
    if not over or not all(isinstance(item, dict) for item in base + over):
        return None
    for key in keys:
        if all(key in item for item in over):
            return key
    return None


def _merge(
    base: Any,
    over: Any,
    mpath: PathT,
    opath: PathT,
    origin: dict[PathT, PathT],
    keys: tuple[str, ...],
    added: dict[PathT, str],
) -> Any:
    """Merge ``over`` into ``base`` (dicts recursively, keyed lists item by item).

    ``origin`` receives merged path -> path in the profile for everything the profile supplied;
    ``added`` the merged paths of profile list items that matched no base item (by their key).
    """
    if isinstance(base, dict) and isinstance(over, dict):
        result = dict(base)
        for key, value in over.items():
            if key in base:
                result[key] = _merge(base[key], value, (*mpath, key), (*opath, key), origin, keys, added)
            else:
                result[key] = copy.deepcopy(value)
                origin[(*mpath, key)] = (*opath, key)
        return result
    if isinstance(base, list) and isinstance(over, list):
        key = _merge_key(base, over, keys)
        if key is not None:
            result_list = list(base)
            for index, item in enumerate(over):
                wanted = _identity(item[key])
                for position, candidate in enumerate(result_list):
                    if key in candidate and _identity(candidate[key]) == wanted:
                        result_list[position] = _merge(
                            candidate, item, (*mpath, position), (*opath, index), origin, keys, added
                        )
                        break
                else:
                    origin[(*mpath, len(result_list))] = (*opath, index)
                    added[(*mpath, len(result_list))] = key
                    result_list.append(copy.deepcopy(item))
            return result_list
    origin[mpath] = opath
    return copy.deepcopy(over)


def _select_profile(
    document: _Document,
    profile: str | None,
    keys: tuple[str, ...],
    validator: Draft202012Validator,
    build: Callable[[dict[str, Any], _Context], T],
) -> T:
    """Check the file, then every profile merged over it; return ``build`` of the selected data.

    The base file is built (semantic checks) before any profile is looked at, so a mistake in the
    base is reported as such and not as a consequence in a profile.
    """
    data = document.data
    base_context = _Context(document.file, document.lines)
    _validate(validator, data, base_context)
    profiles: dict[str, Any] = data.get("profiles") or {}
    base = {key: value for key, value in data.items() if key != "profiles"}
    result = build(base, base_context)
    if profile is not None and profile not in profiles:
        available = ", ".join(repr(name) for name in profiles) or "none (the file has no 'profiles:' section)"
        raise DescriptionError(
            document.file,
            "profiles" if profiles else None,
            f"unknown profile {profile!r}; available profiles: {available}",
            document.lines.get(("profiles",)),
        )
    for name, overrides in profiles.items():
        context = _Context(document.file, document.lines)
        merged = _merge(base, overrides, (), ("profiles", name), context.origin, keys, context.added)
        _validate(validator, merged, context)
        if name == profile:
            result = build(merged, context)
    return result


# --------------------------------------------------------------------------------------------
# JSON Schema


@cache
def _validators() -> dict[str, Draft202012Validator]:
    schemas = {
        name: json.loads((_SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
        for name in ("ecu", "vehicle")
    }
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return {name: Draft202012Validator(schema, registry=registry) for name, schema in schemas.items()}


_TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "string": "text",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _branch_types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return set(kind)
    return set()


def _describe(error: ValidationError) -> tuple[PathT, str]:
    """Path and one-sentence reason of a schema error."""
    path: PathT = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    validator = error.validator
    if "propertyNames" in error.relative_schema_path:
        names = schema.get("enum")
        reason = f"invalid key {instance!r}"
        if names:
            reason += f"; allowed keys: {', '.join(names)}"
        else:
            reason += "; expected a number (an integer or a hex string like 0x01)"
        return (*path, instance), reason
    if validator == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        extra = next(key for key in instance if key not in allowed)
        close = difflib.get_close_matches(str(extra), allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
        return (*path, extra), f"unknown key {extra!r}; {hint}"
    if validator == "required":
        missing = next(key for key in error.validator_value if key not in instance)
        return path, f"missing required key {missing!r}"
    if validator in ("anyOf", "oneOf") and isinstance(instance, (dict, list)) and error.context:
        wanted = _type_of(instance)
        branches = schema.get(validator, [])
        matching = [
            sub
            for sub in error.context
            if sub.relative_schema_path
            and isinstance(sub.relative_schema_path[0], int)
            and sub.relative_schema_path[0] < len(branches)
            and wanted in _branch_types(branches[sub.relative_schema_path[0]])
        ]
        if matching:
            return _describe(max(matching, key=lambda sub: len(sub.absolute_path)))
    if "x-expected" in schema and validator in (
        "anyOf",
        "oneOf",
        "type",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
    ):
        return path, f"expected {schema['x-expected']}, got {_show(instance)}"
    if validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        expected = " or ".join(_TYPE_WORDS.get(kind, kind) for kind in kinds)
        return path, f"expected {expected}, got {_show(instance)}"
    if validator == "enum":
        options = ", ".join(repr(option) for option in error.validator_value)
        close = difflib.get_close_matches(str(instance), [str(o) for o in error.validator_value], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return path, f"{_show(instance)} is not allowed{hint}; expected one of {options}"
    if validator == "const":
        return path, f"expected {error.validator_value!r}, got {_show(instance)}"
    if validator in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        relation = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[validator]
        return path, f"must be {relation} {error.validator_value}, got {_show(instance)}"
    if validator in ("minItems", "maxItems"):
        if schema.get("minItems") == schema.get("maxItems"):
            return path, f"expected a list of exactly {error.validator_value} items"
        word = "at least" if validator == "minItems" else "at most"
        return path, f"expected a list of {word} {error.validator_value} items"
    if validator in ("minProperties", "minLength"):
        return path, "must not be empty"
    if validator == "pattern":
        return path, f"invalid value {_show(instance)}"
    return path, error.message


def _validate(validator: Draft202012Validator, data: Any, context: _Context) -> None:
    if not isinstance(data, dict):
        reason = "the file is empty" if data is None else f"expected a mapping at the top level, got {_show(data)}"
        raise DescriptionError(context.file, None, reason)
    errors = list(validator.iter_errors(data))
    if not errors:
        return
    described = [_describe(error) for error in errors]
    # an unknown key (a typo) explains a missing required key of the same mapping: report the typo
    unknown_parents = {tuple(error.absolute_path) for error in errors if error.validator == "additionalProperties"}
    preferred = [
        item
        for item, error in zip(described, errors, strict=True)
        if not (error.validator == "required" and tuple(error.absolute_path) in unknown_parents)
    ]
    described = preferred or described
    path, reason = min(described, key=lambda item: (context.line(item[0]) or 0, -len(item[0])))
    raise context.error(path, reason)


# --------------------------------------------------------------------------------------------
# conversion into the model


def _hex_list(values: Iterable[int]) -> str:
    return ", ".join(f"0x{value:02X}" for value in values)


class _Builder:
    """Converts validated data into model objects, with semantic checks."""

    def __init__(self, context: _Context):
        self.context = context
        self.session_ids: dict[str, int] = {}  # name -> id
        self.levels: tuple[int, ...] = ()

    def error(self, path: PathT, reason: str) -> DescriptionError:
        return self.context.error(path, reason)

    # scalars ------------------------------------------------------------------------------
    def number(self, value: Any, path: PathT, maximum: int | None = None, minimum: int = 0) -> int:
        if isinstance(value, str):
            match = _HEX_NUMBER.match(value.strip())
            if not match:
                raise self.error(path, f"expected an integer or a hex string, got {value!r}")
            result = int(match.group(2), 16)
        elif isinstance(value, int) and not isinstance(value, bool):
            result = value
        else:
            raise self.error(path, f"expected an integer or a hex string, got {_show(value)}")
        if result < minimum or (maximum is not None and result > maximum):
            upper = f"0x{maximum:X}" if maximum is not None else "unbounded"
            raise self.error(path, f"0x{result:X} is out of range (0x{minimum:X} to {upper})")
        return result

    def numbers(self, values: Iterable[Any], path: PathT, maximum: int | None = None) -> tuple[int, ...]:
        return tuple(self.number(value, (*path, index), maximum) for index, value in enumerate(values))

    def hex_bytes(self, value: Any, path: PathT) -> bytes:
        if not isinstance(value, str):
            raise self.error(path, f'expected hex bytes like "00 32", got {_show(value)}')
        try:
            return parse_hex(value)
        except ValueError as error:
            raise self.error(path, str(error)) from None

    @staticmethod
    def seconds(value: float | int | None, default: float) -> float:
        return default if value is None else value / 1000.0

    # sessions and access ------------------------------------------------------------------
    def sessions(self, data: dict[str, Any]) -> tuple[Session, ...]:
        raw: list[tuple[str, int, dict[str, Any]]] = []
        for name, item in data.items():
            path: PathT = ("sessions", name)
            session_id = self.number(item["id"], (*path, "id"), 0x7F, minimum=1)
            for other, other_id in self.session_ids.items():
                if other_id == session_id:
                    raise self.error((*path, "id"), f"session id 0x{session_id:02X} is already used by {other!r}")
            self.session_ids[name] = session_id
            raw.append((name, session_id, item))
        if 0x01 not in self.session_ids.values():
            raise self.error(("sessions",), "the default session (id 0x01) is missing")
        sessions = []
        for name, session_id, item in raw:
            path = ("sessions", name)
            services = self.numbers(item["services"], (*path, "services"), 0xFF)
            for index, service in enumerate(services):
                if service not in SUPPORTED_SERVICES:
                    raise self.error(
                        (*path, "services", index),
                        f"service 0x{service:02X} is not implemented by the simulator "
                        f"(supported: {_hex_list(sorted(SUPPORTED_SERVICES))})",
                    )
            enter_from = None
            if "enter_from" in item:
                enter_from = frozenset(
                    self.session_ref(ref, (*path, "enter_from", index)) for index, ref in enumerate(item["enter_from"])
                )
            sessions.append(Session(session_id, name, frozenset(services), enter_from))
        return tuple(sessions)

    def session_ref(self, ref: Any, path: PathT) -> int:
        if isinstance(ref, str) and ref in self.session_ids:
            return self.session_ids[ref]
        candidate: int | None = None
        if isinstance(ref, int) and not isinstance(ref, bool):
            candidate = ref
        elif isinstance(ref, str) and _HEX_NUMBER.match(ref.strip()):
            candidate = int(_HEX_NUMBER.match(ref.strip()).group(2), 16)  # type: ignore[union-attr]
        if candidate is not None and candidate in self.session_ids.values():
            return candidate
        defined = ", ".join(f"{name} (0x{sid:02X})" for name, sid in self.session_ids.items())
        return self._raise(path, f"unknown session {_show(ref)}; defined sessions: {defined}")

    def _raise(self, path: PathT, reason: str) -> Any:
        raise self.error(path, reason)

    def session_refs(self, refs: Any, path: PathT) -> tuple[int, ...]:
        if refs == "all":
            return tuple(self.session_ids.values())
        result: list[int] = []
        for index, ref in enumerate(refs):
            session_id = self.session_ref(ref, (*path, index))
            if session_id not in result:
                result.append(session_id)
        return tuple(result)

    def level_refs(self, refs: list[Any], path: PathT) -> tuple[int, ...]:
        result = []
        for index, ref in enumerate(refs):
            level = self.number(ref, (*path, index), 0xFF)
            if level not in self.levels:
                defined = _hex_list(self.levels) if self.levels else "none"
                raise self.error(
                    (*path, index),
                    f"security level 0x{level:02X} is not defined in security.levels (defined: {defined})",
                )
            result.append(level)
        return tuple(result)

    def access(self, data: dict[str, Any] | None, path: PathT) -> Access | None:
        if data is None:
            return None
        return Access(
            self.session_refs(data["sessions"], (*path, "sessions")),
            self.level_refs(data.get("security", []), (*path, "security")),
        )

    # sections -----------------------------------------------------------------------------
    def addressing(self, data: dict[str, Any], path: PathT, base: Addressing | None = None) -> Addressing:
        values: dict[str, Any] = {}
        for key, value in data.items():
            key_path = (*path, key)
            if key in ("request_id", "response_id", "functional_id"):
                values[key] = None if value is None else self.number(value, key_path, 0x1FFFFFFF)
            elif key in ("target_address", "source_address", "address_extension", "padding", "stmin"):
                values[key] = None if value is None else self.number(value, key_path, 0xFF)
            else:
                values[key] = value
        result = dataclasses.replace(base or Addressing(), **values)
        mode = result.mode
        if mode.endswith("_11bits"):
            for key in ("request_id", "response_id", "functional_id"):
                value = getattr(result, key)
                if value is not None and value > 0x7FF:
                    raise self.error((*path, key), f"0x{value:X} is not an 11-bit CAN id (mode {mode})")
        required = {
            "normal_fixed_29bits": ("target_address", "source_address"),
            "extended_11bits": ("target_address", "source_address"),
            "extended_29bits": ("target_address", "source_address"),
            "mixed_11bits": ("address_extension",),
            "mixed_29bits": ("target_address", "source_address", "address_extension"),
        }.get(mode, ())
        for key in required:
            if getattr(result, key) is None:
                raise self.error(path, f"addressing mode {mode} needs {key}")
        if mode != "normal_fixed_29bits" and result.request_id == result.response_id:
            raise self.error((*path, "response_id"), "request_id and response_id must differ")
        if result.tx_data_length > 8 and not result.can_fd:
            raise self.error((*path, "tx_data_length"), "tx_data_length above 8 needs can_fd: true")
        return result

    def timing(self, data: dict[str, Any]) -> Timing:
        default = Timing()
        timing = Timing(
            p2=self.seconds(data.get("p2_ms"), default.p2),
            p2_star=self.seconds(data.get("p2_star_ms"), default.p2_star),
            s3=self.seconds(data.get("s3_ms"), default.s3),
            reset_time=self.seconds(data.get("reset_ms"), default.reset_time),
            pending_interval=self.seconds(data.get("pending_interval_ms"), 0) or None,
        )
        if timing.p2 > timing.p2_star:
            raise self.error(("timing", "p2_star_ms"), "p2_star_ms must not be shorter than p2_ms")
        if timing.pending_interval is not None and timing.pending_interval >= timing.p2_star:
            raise self.error(("timing", "pending_interval_ms"), "pending_interval_ms must be shorter than p2_star_ms")
        return timing

    def algorithm(self, name: str, path: PathT) -> str:
        if ":" in name:
            module, _, function = name.partition(":")
            if not module or not function:
                raise self.error(path, f"invalid key algorithm {name!r}; expected 'package.module:function'")
            return name
        if name not in algorithm_names():
            raise self.error(
                path,
                f"unknown key algorithm {name!r}; registered: {', '.join(algorithm_names())} "
                "(or 'package.module:function')",
            )
        return name

    def security(self, data: dict[str, Any]) -> Security:
        path: PathT = ("security",)
        algorithm = self.algorithm(data.get("algorithm", "xor"), (*path, "algorithm"))
        secret = self.hex_bytes(data["secret"], (*path, "secret")) if "secret" in data else b""
        levels: list[SecurityLevel] = []
        for index, item in enumerate(data.get("levels", [])):
            item_path = (*path, "levels", index)
            level = self.number(item["level"], (*item_path, "level"), 0x7D, minimum=1)
            if level % 2 == 0:
                raise self.error(
                    (*item_path, "level"),
                    f"security level 0x{level:02X} is even; requestSeed levels are odd (sendKey is level + 1)",
                )
            if any(existing.level == level for existing in levels):
                raise self.error((*item_path, "level"), f"security level 0x{level:02X} is defined twice")
            seed_size = item.get("seed_size", 4)
            seed_mode = item.get("seed_mode", "random")
            static_seed = None
            if "static_seed" in item:
                static_seed = self.hex_bytes(item["static_seed"], (*item_path, "static_seed"))
                if len(static_seed) != seed_size:
                    raise self.error(
                        (*item_path, "static_seed"),
                        f"static_seed has {len(static_seed)} bytes, seed_size is {seed_size}",
                    )
            elif seed_mode == "static":
                raise self.error(item_path, "seed_mode static needs a static_seed")
            level_algorithm = None
            if "algorithm" in item:
                level_algorithm = self.algorithm(item["algorithm"], (*item_path, "algorithm"))
            level_secret = self.hex_bytes(item["secret"], (*item_path, "secret")) if "secret" in item else None
            if (level_algorithm or algorithm) == "xor" and not (level_secret or secret) and not data.get("secret_env"):
                raise self.error(item_path, "the xor key algorithm needs a secret (security.secret or a level secret)")
            levels.append(
                SecurityLevel(
                    level=level,
                    sessions=self.session_refs(item["sessions"], (*item_path, "sessions")),
                    seed_size=seed_size,
                    seed_mode=seed_mode,
                    static_seed=static_seed,
                    max_attempts=item.get("max_attempts", 3),
                    delay=self.seconds(item.get("delay_ms"), 10.0),
                    delay_on_boot=item.get("delay_on_boot", True),
                    algorithm=level_algorithm,
                    secret=level_secret,
                )
            )
        self.levels = tuple(level.level for level in levels)
        return Security(
            algorithm=algorithm,
            secret=secret,
            secret_env=data.get("secret_env"),
            algorithm_version=data.get("algorithm_version", 1),
            levels=tuple(levels),
        )

    def did_value(self, value: Any, codec: str, length: int | None, path: PathT) -> bytes:
        if isinstance(value, dict):
            pattern = self.hex_bytes(value["pattern"], (*path, "pattern"))
            if not pattern:
                raise self.error((*path, "pattern"), "the pattern must not be empty")
            if length is None:
                raise self.error(path, "a {pattern: ...} value needs a fixed length")
            return (pattern * math.ceil(length / len(pattern)))[:length]
        if codec in _TEXT_CODECS:
            if not isinstance(value, str):
                raise self.error(path, f"a {codec} DID value is text, got {_show(value)}")
            try:
                data = get_codec(codec).encode(value, None)
            except ValueError as error:
                raise self.error(path, str(error)) from None
            if length is not None and len(data) != length:
                raise self.error(path, f"value {value!r} is {len(data)} characters long, the DID length is {length}")
            return data
        if isinstance(value, int) and not isinstance(value, bool):
            if not get_codec(codec).numeric and codec != "bcd":
                raise self.error(
                    path,
                    f'an integer value needs codec uint, int or bcd (codec is {codec}); give hex bytes like "00 32"',
                )
            try:
                return get_codec(codec).encode(value, length)
            except ValueError as error:
                raise self.error(path, str(error)) from None
        data = self.hex_bytes(value, path)
        if length is not None and len(data) != length:
            raise self.error(path, f"value has {len(data)} bytes, the DID length is {length}")
        return data

    def dids(self, items: list[dict[str, Any]]) -> tuple[Did, ...]:
        dids: list[Did] = []
        for index, item in enumerate(items):
            path: PathT = ("dids", index)
            did_id = self.number(item["id"], (*path, "id"), 0xFFFF)
            for existing in dids:
                if existing.id == did_id:
                    raise self.error((*path, "id"), f"DID 0x{did_id:04X} is defined twice (also {existing.name!r})")
                if existing.name == item["name"]:
                    raise self.error((*path, "name"), f"DID name {item['name']!r} is used twice")
            codec = item.get("codec", "bytes")
            if codec not in codec_names():
                raise self.error((*path, "codec"), f"unknown codec {codec!r}; known codecs: {', '.join(codec_names())}")
            length = item["length"]
            if "value" in item:
                initial = self.did_value(item["value"], codec, length, (*path, "value"))
            else:
                initial = bytes(length or 0)
            allowed = tuple(item["allowed"]) if "allowed" in item else None
            allowed_range = None
            if "allowed_range" in item:
                low, high = item["allowed_range"]
                if low > high:
                    raise self.error((*path, "allowed_range"), f"allowed_range min {low} is greater than max {high}")
                allowed_range = (low, high)
            if codec in ("uint", "int") and "value" in item and initial:
                number = get_codec(codec).decode(initial)
                if allowed_range and not allowed_range[0] <= number <= allowed_range[1]:
                    raise self.error((*path, "value"), f"value {number} is outside allowed_range {list(allowed_range)}")
                if allowed is not None and number not in allowed:
                    raise self.error((*path, "value"), f"value {number} is not in allowed {list(allowed)}")
            dids.append(
                Did(
                    id=did_id,
                    name=item["name"],
                    length=length,
                    codec=codec,
                    initial=initial,
                    read=self.access(item.get("read"), (*path, "read")),
                    write=self.access(item.get("write"), (*path, "write")),
                    persistent=item.get("persistent", True),
                    source=item.get("source"),
                    allowed=allowed,
                    allowed_range=allowed_range,
                    scale=float(item.get("scale", 1.0)),
                    offset=float(item.get("offset", 0.0)),
                    unit=item.get("unit"),
                    description=item.get("description", ""),
                )
            )
        return tuple(dids)

    def routines(self, items: list[dict[str, Any]]) -> tuple[Routine, ...]:
        routines: list[Routine] = []
        for index, item in enumerate(items):
            path: PathT = ("routines", index)
            routine_id = self.number(item["id"], (*path, "id"), 0xFFFF)
            for existing in routines:
                if existing.id == routine_id:
                    raise self.error(
                        (*path, "id"), f"routine 0x{routine_id:04X} is defined twice (also {existing.name!r})"
                    )
                if existing.name == item["name"]:
                    raise self.error((*path, "name"), f"routine name {item['name']!r} is used twice")
            actions: dict[str, RoutineAction | None] = {}
            for key in ("start", "stop", "results"):
                action = item.get(key)
                actions[key] = None
                if action is not None:
                    actions[key] = RoutineAction(
                        result=self.hex_bytes(action["result"], (*path, key, "result")) if "result" in action else b"",
                        option_length=action.get("option_length", 0),
                    )
            if not any(actions.values()):
                raise self.error(path, f"routine {item['name']!r} has no sub-function; give start, stop or results")
            running = item.get("running_result")
            self.check_memory_check(item, actions["start"], path)
            routines.append(
                Routine(
                    id=routine_id,
                    name=item["name"],
                    access=Access(
                        self.session_refs(item["sessions"], (*path, "sessions")),
                        self.level_refs(item.get("security", []), (*path, "security")),
                    ),
                    start=actions["start"],
                    stop=actions["stop"],
                    results=actions["results"],
                    duration=self.seconds(item.get("duration_ms"), 0.0),
                    blocking=item.get("blocking", False),
                    running_result=None if running is None else self.hex_bytes(running, (*path, "running_result")),
                    preconditions=self.preconditions(item.get("preconditions", ()), (*path, "preconditions")),
                    memory_option=item.get("memory_option", False),
                    memory_check=item.get("memory_check"),
                    description=item.get("description", ""),
                )
            )
        return tuple(routines)

    def check_memory_check(self, item: dict[str, Any], start: RoutineAction | None, path: PathT) -> None:
        """A check routine's start carries ALFID + address (1-4) + size (1-4) + the checksum."""
        if item.get("memory_check") is None:
            return
        if item.get("memory_option", False):
            raise self.error((*path, "memory_check"), "a routine has either memory_option (erase) or memory_check")
        size = get_checksum(item["memory_check"]).size
        if start is None or not 3 + size <= start.option_length <= 9 + size:
            raise self.error(
                (*path, "start", "option_length") if start is not None else path,
                f"memory_check {item['memory_check']} needs start.option_length {3 + size} to {9 + size} "
                f"(ALFID, address, size and the {size}-byte checksum; {9 + size} for ALFID 0x44)")

    def preconditions(self, names: Iterable[str], path: PathT) -> tuple[str, ...]:
        for index, name in enumerate(names):
            if name not in ROUTINE_PRECONDITIONS:
                raise self.error(
                    (*path, index),
                    f"unknown precondition '{name}'; known preconditions: {', '.join(ROUTINE_PRECONDITIONS)}",
                )
        return tuple(names)

    def dtc_config(self, data: dict[str, Any]) -> DtcConfig:
        path: PathT = ("dtc",)
        default = DtcConfig()
        snapshot_records = self.numbers(data.get("snapshot_records", ()), (*path, "snapshot_records"), 0xFE)
        extended_records = self.numbers(data.get("extended_records", ()), (*path, "extended_records"), 0xFE)
        dtcs: list[Dtc] = []
        for index, item in enumerate(data.get("dtcs", [])):
            item_path = (*path, "dtcs", index)
            try:
                code = parse_dtc(item["code"])
            except ValueError as error:
                raise self.error((*item_path, "code"), str(error)) from None
            if any(existing.code == code for existing in dtcs):
                raise self.error((*item_path, "code"), f"DTC {format_dtc(code)} (0x{code:06X}) is defined twice")
            snapshots: dict[int, tuple[tuple[int, bytes], ...]] = {}
            for record_key, dids in item.get("snapshots", {}).items():
                record_path = (*item_path, "snapshots", record_key)
                record = self.number(record_key, record_path, 0xFE)
                if record not in snapshot_records:
                    raise self.error(
                        record_path, f"snapshot record 0x{record:02X} is not listed in dtc.snapshot_records"
                    )
                snapshots[record] = tuple(
                    (
                        self.number(did, (*record_path, did), 0xFFFF),
                        self.hex_bytes(value, (*record_path, did)),
                    )
                    for did, value in dids.items()
                )
            extended: dict[int, bytes] = {}
            for record_key, value in item.get("extended_data", {}).items():
                record_path = (*item_path, "extended_data", record_key)
                record = self.number(record_key, record_path, 0xFE)
                if record not in extended_records:
                    raise self.error(
                        record_path,
                        f"extended data record 0x{record:02X} is not listed in dtc.extended_records",
                    )
                extended[record] = self.hex_bytes(value, record_path)
            dtcs.append(
                Dtc(
                    code=code,
                    status=self.number(item["status"], (*item_path, "status"), 0xFF),
                    description=item.get("description", ""),
                    snapshots=snapshots,
                    extended_data=extended,
                )
            )
        return DtcConfig(
            availability_mask=self.number(
                data.get("availability_mask", default.availability_mask), (*path, "availability_mask"), 0xFF
            ),
            format_identifier=self.number(
                data.get("format_identifier", default.format_identifier), (*path, "format_identifier"), 0xFF
            ),
            groups=self.numbers(data["groups"], (*path, "groups"), 0xFFFFFF) if "groups" in data else default.groups,
            snapshot_records=snapshot_records,
            extended_records=extended_records,
            dtcs=tuple(dtcs),
        )

    def download(self, data: dict[str, Any]) -> Download:
        path: PathT = ("download",)
        default = Download()
        areas = []
        for index, item in enumerate(data.get("areas", [])):
            item_path = (*path, "areas", index)
            start = self.number(item["start"], (*item_path, "start"), 0xFFFFFFFF)
            end = self.number(item["end"], (*item_path, "end"), 0xFFFFFFFF)
            if start > end:
                raise self.error(item_path, f"start 0x{start:X} is above end 0x{end:X}")
            areas.append(MemoryArea(start, end, item.get("name", "flash")))
        max_block_length = default.max_block_length
        if "max_block_length" in data:
            max_block_length = self.number(data["max_block_length"], (*path, "max_block_length"), 0xFFFFFFFF, minimum=3)
        return Download(
            areas=tuple(areas),
            data_format_identifiers=self.numbers(
                data["data_format_identifiers"], (*path, "data_format_identifiers"), 0xFF
            )
            if "data_format_identifiers" in data
            else default.data_format_identifiers,
            address_and_length_formats=self.numbers(
                data["address_and_length_formats"], (*path, "address_and_length_formats"), 0xFF
            )
            if "address_and_length_formats" in data
            else default.address_and_length_formats,
            max_block_length=max_block_length,
            require_erase=data.get("require_erase", default.require_erase),
            verify_time=self.seconds(data.get("verify_ms"), default.verify_time),
        )

    def application_frames(
        self, items: list[dict[str, Any]], path: PathT, can_fd: bool
    ) -> tuple[ApplicationFrame, ...]:
        frames: list[ApplicationFrame] = []
        for index, item in enumerate(items):
            item_path = (*path, index)
            extended_id = item.get("extended_id", False)
            frame_id = self.number(item["id"], (*item_path, "id"), 0x1FFFFFFF if extended_id else 0x7FF)
            if any(frame.id == frame_id for frame in frames):
                raise self.error((*item_path, "id"), f"application frame id 0x{frame_id:X} is used twice")
            data = self.hex_bytes(item["data"], (*item_path, "data"))
            limit = 64 if can_fd else 8
            if len(data) > limit:
                raise self.error((*item_path, "data"), f"{len(data)} data bytes, a frame holds at most {limit}")
            frames.append(
                ApplicationFrame(
                    id=frame_id,
                    period=item["period_ms"] / 1000.0,
                    data=data,
                    kind=item.get("kind", "normal"),
                    extended_id=extended_id,
                )
            )
        return tuple(frames)

    def faults(self, data: dict[str, Any]) -> dict[str, Any]:
        faults = dict(data)
        path: PathT = ("faults",)
        if faults.get("variant_range") is not None:
            faults["variant_range"] = tuple(faults["variant_range"])
        if "routine_failure" in faults:
            faults["routine_failure"] = {
                self.number(key, (*path, "routine_failure", key), 0xFFFF): self.hex_bytes(
                    value, (*path, "routine_failure", key)
                )
                for key, value in faults["routine_failure"].items()
            }
        if "routine_precondition_failed" in faults:
            faults["routine_precondition_failed"] = set(
                self.numbers(faults["routine_precondition_failed"], (*path, "routine_precondition_failed"), 0xFFFF)
            )
        return faults

    def deviations(self, names: list[str], path: PathT) -> tuple[str, ...]:
        from UdsLibrary.simulator.deviations import check_deviations  # lazy: the simulator imports this module

        for index, name in enumerate(names):
            try:
                check_deviations([name])
            except ValueError as error:
                raise self.error((*path, index), str(error)) from None
        return tuple(names)

    # the whole ECU ------------------------------------------------------------------------
    def ecu(self, data: dict[str, Any], source: Path) -> EcuDescription:
        sessions = self.sessions(data["sessions"])
        security = self.security(data.get("security", {}))
        addressing = self.addressing(data.get("addressing", {}), ("addressing",))
        ecu_reset = data.get("ecu_reset", {})
        reset_types = (0x01,)
        if "types" in ecu_reset:
            reset_types = self.numbers(ecu_reset["types"], ("ecu_reset", "types"), 0x7F)
        power_down = EcuDescription.__dataclass_fields__["power_down_time"].default
        if "power_down_time" in ecu_reset:
            power_down = self.number(ecu_reset["power_down_time"], ("ecu_reset", "power_down_time"), 0xFF)
        communication = data.get("communication_control", {})
        communication_types: tuple[int, ...] = (0x00, 0x01, 0x02, 0x03)
        if "types" in communication:
            communication_types = self.numbers(communication["types"], ("communication_control", "types"), 0x7F)
        return EcuDescription(
            name=data["ecu"]["name"],
            source=str(source),
            addressing=addressing,
            timing=self.timing(data.get("timing", {})),
            sessions=sessions,
            reset_types=reset_types,
            security=security,
            dids=self.dids(data.get("dids", [])),
            routines=self.routines(data.get("routines", [])),
            dtc=self.dtc_config(data.get("dtc", {})),
            communication_control_types=communication_types,
            download=self.download(data.get("download", {})),
            application_frames=self.application_frames(
                data.get("application_frames", []), ("application_frames",), addressing.can_fd
            ),
            max_dids_per_read=data["ecu"].get("max_dids_per_read", 8),
            power_down_time=power_down,
            faults=self.faults(data.get("faults", {})),
            description=data["ecu"].get("description", ""),
            deviations=self.deviations(data.get("deviations", []), ("deviations",)),
        )


# --------------------------------------------------------------------------------------------
# public API

_ECU_MERGE_KEYS = ("id", "level", "code")
_VEHICLE_MERGE_KEYS = ("name", "file")


def _profiles_of(document: _Document) -> dict[str, Any]:
    data = document.data
    if isinstance(data, dict) and isinstance(data.get("profiles"), dict):
        return data["profiles"]
    return {}


def _ecu_from_document(document: _Document, profile: str | None) -> EcuDescription:
    if isinstance(document.data, dict) and "vehicle" in document.data:
        raise DescriptionError(
            document.file,
            "vehicle",
            "this is a vehicle file, not an ECU description; load it with load_vehicle",
            document.lines.get(("vehicle",)),
        )
    return _select_profile(
        document,
        profile,
        _ECU_MERGE_KEYS,
        _validators()["ecu"],
        lambda data, context: _Builder(context).ecu(data, document.file),
    )


def load_ecu_description(path: str | Path, profile: str | None = None) -> EcuDescription:
    """Load an ECU description file; ``profile`` selects one of its ``profiles:``."""
    return _ecu_from_document(_read_yaml(Path(path)), profile)


def _physical_keys(ecu: EcuDescription) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Keys identifying the request and response channel of an ECU on the bus."""
    address = ecu.addressing
    if address.mode == "normal_fixed_29bits":
        target, source = address.target_address or 0, address.source_address or 0
        return (0x18DA0000 | target << 8 | source, None), (0x18DA0000 | source << 8 | target, None)
    extra = None
    if address.mode.startswith("extended"):
        extra = address.target_address
    elif address.mode.startswith("mixed"):
        extra = address.address_extension
    return (address.request_id, extra), (address.response_id, extra)


def _vehicle_from_document(document: _Document, profile: str | None) -> Vehicle:
    data, context = _select_profile(
        document, None, _VEHICLE_MERGE_KEYS, _validators()["vehicle"], lambda data, context: (data, context)
    )
    vehicle_profiles = _profiles_of(document)
    cache: dict[Path, _Document] = {}
    entries: list[tuple[int, dict[str, Any], _Document]] = []
    for index, entry in enumerate(data["ecus"]):
        file = Path(entry["file"])
        if not file.is_absolute():
            file = Path(os.path.normpath(document.file.parent / file))
        if not file.is_file():
            raise context.error(("ecus", index, "file"), f"ECU file not found: {file.resolve()}")
        key = file.resolve()
        if key not in cache:
            cache[key] = _read_yaml(file)
        entries.append((index, entry, cache[key]))
    if profile is not None:
        if profile in vehicle_profiles:
            data, context = _select_profile(
                document, profile, _VEHICLE_MERGE_KEYS, _validators()["vehicle"], lambda data, context: (data, context)
            )
            entries = [(index, entry, doc) for (index, _, doc), entry in zip(entries, data["ecus"], strict=True)]
        elif not any(profile in _profiles_of(doc) for _, _, doc in entries):
            available = sorted(set(vehicle_profiles).union(*(_profiles_of(doc) for _, _, doc in entries)))
            raise DescriptionError(
                document.file,
                "profiles" if vehicle_profiles else None,
                f"unknown profile {profile!r}; available profiles: {', '.join(map(repr, available)) or 'none'}",
                document.lines.get(("profiles",)),
            )
    builder = _Builder(context)
    ecus: list[EcuDescription] = []
    for index, entry, ecu_document in entries:
        ecu_profile = profile if profile in _profiles_of(ecu_document) else None
        ecu = _ecu_from_document(ecu_document, ecu_profile)
        path: PathT = ("ecus", index)
        changes: dict[str, Any] = {}
        for key in ("name", "description"):
            if key in entry:
                changes[key] = entry[key]
        if "addressing" in entry:
            changes["addressing"] = builder.addressing(entry["addressing"], (*path, "addressing"), ecu.addressing)
        if "application_frames" in entry:
            can_fd = changes.get("addressing", ecu.addressing).can_fd
            changes["application_frames"] = builder.application_frames(
                entry["application_frames"], (*path, "application_frames"), can_fd
            )
        if "values" in entry:
            dids = list(ecu.dids)
            for ref, value in entry["values"].items():
                value_path = (*path, "values", ref)
                match = _HEX_NUMBER.match(ref)
                wanted = int(match.group(2), 16) if match else None
                position = next(
                    (i for i, did in enumerate(dids) if did.name == ref or (wanted is not None and did.id == wanted)),
                    None,
                )
                if position is None:
                    raise context.error(
                        value_path,
                        f"ECU {entry.get('name', ecu.name)!r} ({ecu_document.file}) has no DID {ref!r}",
                    )
                did = dids[position]
                dids[position] = dataclasses.replace(
                    did, initial=builder.did_value(value, did.codec, did.length, value_path)
                )
            changes["dids"] = tuple(dids)
        ecus.append(dataclasses.replace(ecu, **changes) if changes else ecu)
    _check_vehicle(context, ecus, data["ecus"])
    return Vehicle(
        name=data["vehicle"]["name"],
        source=str(document.file),
        ecus=tuple(ecus),
        description=data["vehicle"].get("description", ""),
    )


def _check_vehicle(context: _Context, ecus: list[EcuDescription], entries: list[dict[str, Any]]) -> None:
    names: dict[str, int] = {}
    channels: dict[tuple[Any, ...], tuple[str, str]] = {}
    frames: dict[int, str] = {}
    for index, (ecu, entry) in enumerate(zip(ecus, entries, strict=True)):
        path: PathT = ("ecus", index)
        if ecu.name in names:
            raise context.error((*path, "name") if "name" in entry else path, f"ECU name {ecu.name!r} is used twice")
        names[ecu.name] = index
        request, response = _physical_keys(ecu)
        for kind, key in (("request", request), ("response", response)):
            where = (*path, "addressing", f"{kind}_id") if "addressing" in entry else path
            if key in channels:
                other, other_kind = channels[key]
                raise context.error(
                    where,
                    f"{kind} id 0x{key[0]:X} of ECU {ecu.name!r} is already the {other_kind} id of ECU {other!r}",
                )
            channels[key] = (ecu.name, kind)
        for frame in ecu.application_frames:
            where = (*path, "application_frames") if "application_frames" in entry else path
            if frame.id in frames:
                raise context.error(
                    where,
                    f"application frame id 0x{frame.id:X} of ECU {ecu.name!r} is also sent by ECU {frames[frame.id]!r}",
                )
            frames[frame.id] = ecu.name
    diagnostic_ids = {key[0] for key in channels}
    for frame_id, owner in frames.items():
        if frame_id in diagnostic_ids:
            raise context.error(
                ("ecus", names[owner]),
                f"application frame id 0x{frame_id:X} of ECU {owner!r} is a diagnostic CAN id",
            )


def load_vehicle(path: str | Path, profile: str | None = None) -> Vehicle:
    """Load a vehicle file (several ECU descriptions); ``profile`` is passed to every ECU file."""
    document = _read_yaml(Path(path))
    if isinstance(document.data, dict) and "vehicle" not in document.data:
        raise DescriptionError(
            document.file,
            None,
            "not a vehicle file (no top-level 'vehicle:' key); load it with load_ecu_description",
        )
    return _vehicle_from_document(document, profile)


def load_any(path: str | Path, profile: str | None = None) -> EcuDescription | Vehicle:
    """Load an ECU description or, when it has a top-level ``vehicle:`` key, a vehicle file.

    Loaded files are kept (the result is immutable) until one of the files involved changes: a
    bench, its simulator and its connection all read the same description, and suites open a bench
    per test.
    """
    key = (str(Path(path).resolve()), profile)
    cached = _loaded.get(key)
    if cached is not None and cached[0] == _files_state(cached[1]):
        return cached[1]
    document = _read_yaml(Path(path))
    if isinstance(document.data, dict) and "vehicle" in document.data:
        result: EcuDescription | Vehicle = _vehicle_from_document(document, profile)
    else:
        result = _ecu_from_document(document, profile)
    _loaded[key] = (_files_state(result), result)
    return result


_loaded: dict[tuple[str, str | None], tuple[tuple[tuple[str, int, int], ...], EcuDescription | Vehicle]] = {}


def _files_state(loaded: EcuDescription | Vehicle) -> tuple[tuple[str, int, int], ...]:
    """(file, mtime, size) of every file a loaded description came from."""
    sources = {loaded.source} | ({ecu.source for ecu in loaded.ecus} if isinstance(loaded, Vehicle) else set())
    state = []
    for source in sorted(sources):
        try:
            stat = os.stat(source)
        except OSError:
            return ()
        state.append((source, stat.st_mtime_ns, stat.st_size))
    return tuple(state)
