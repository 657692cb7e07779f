"""Security access key algorithms (service 0x27), pluggable.

An algorithm is a function ``(seed: bytes, level: int, secret: bytes) -> bytes`` that returns the
key for ``seed`` at security level ``level`` (the odd requestSeed value). The simulator uses it to
check keys, the tester keywords to compute them, so both sides always agree.

Two ways to plug in a customer algorithm:

1. Register it under a name in a module that is imported before the description is used::

       from UdsLibrary.keyalgorithms import register

       @register("acme-v2")
       def acme_v2(seed: bytes, level: int, secret: bytes) -> bytes:
           ...

   and write ``algorithm: acme-v2`` in the ECU description.

2. Reference it directly as ``"package.module:function"`` (``algorithm: acme_keys.algo:compute``);
   the module is imported with :mod:`importlib` when the algorithm is needed, so it only has to be
   importable (installed or on ``PYTHONPATH``).

Secrets are bytes from the description; ``secret_env`` names an environment variable whose hex
value replaces the secret at run time (see :func:`resolve_secret`), so real secrets stay out of
files and logs.

Shipped algorithms:

- ``xor``: key = seed XOR secret, the secret repeated over the seed length. The conformance
  catalogue's test algorithm (secret ``A5A5A5A5``). Not secure; for simulation only.
- ``hmac-sha256``: key = first ``len(seed)`` bytes of HMAC-SHA256(secret, seed + level byte). An
  example of a realistic algorithm.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import os
from collections.abc import Callable

from UdsLibrary.errors import UdsLibraryError

__all__ = [
    "KeyAlgorithm",
    "algorithm_names",
    "get_algorithm",
    "parse_hex_secret",
    "register",
    "resolve_secret",
]

KeyAlgorithm = Callable[[bytes, int, bytes], bytes]

_REGISTRY: dict[str, KeyAlgorithm] = {}


def register(name: str) -> Callable[[KeyAlgorithm], KeyAlgorithm]:
    """Decorator registering a key algorithm under ``name`` (replaces an earlier one)."""
    if not name or ":" in name:
        raise ValueError(f"invalid algorithm name {name!r}: must be non-empty and without ':'")

    def decorator(function: KeyAlgorithm) -> KeyAlgorithm:
        _REGISTRY[name] = function
        return function

    return decorator


def algorithm_names() -> tuple[str, ...]:
    """Names of the registered algorithms."""
    return tuple(sorted(_REGISTRY))


def get_algorithm(name_or_ref: str) -> KeyAlgorithm:
    """Return the algorithm registered as ``name_or_ref`` or found at ``"package.module:function"``."""
    known = ", ".join(algorithm_names())
    if not isinstance(name_or_ref, str) or not name_or_ref:
        raise ValueError(f"invalid key algorithm {name_or_ref!r}; registered: {known}")
    if name_or_ref in _REGISTRY:
        return _REGISTRY[name_or_ref]
    if ":" not in name_or_ref:
        raise ValueError(
            f"unknown key algorithm {name_or_ref!r}; registered: {known} (or give 'package.module:function')"
        )
    module_name, _, attribute = name_or_ref.partition(":")
    if not module_name or not attribute:
        raise ValueError(
            f"invalid key algorithm reference {name_or_ref!r}: expected 'package.module:function'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(
            f"key algorithm {name_or_ref!r}: cannot import module {module_name!r} ({error}); "
            f"registered algorithms: {known}"
        ) from None
    function: object = module
    for part in attribute.split("."):
        function = getattr(function, part, None)
        if function is None:
            raise ValueError(
                f"key algorithm {name_or_ref!r}: module {module_name!r} has no {attribute!r}; "
                f"registered algorithms: {known}"
            )
    if not callable(function):
        raise ValueError(f"key algorithm {name_or_ref!r}: {attribute!r} is not callable")
    return function  # type: ignore[return-value]


def parse_hex_secret(text: str) -> bytes:
    """The bytes of a secret written as hex (``A5A5A5A5``, ``0xA5A5``, ``A5 A5``, ``A5:A5``, ``A5-A5``).

    Raises ValueError without the text in its message: callers name where the secret came from,
    never its value.
    """
    cleaned = "".join(text.split()).replace(":", "").replace("-", "")
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    try:
        if not cleaned or len(cleaned) % 2:
            raise ValueError
        return bytes.fromhex(cleaned)
    except ValueError:
        raise ValueError("not hex bytes") from None


def resolve_secret(secret: bytes, env: str | None) -> bytes:
    """Return the secret: the hex value of environment variable ``env`` when set, else ``secret``.

    The error for a malformed variable names the variable but never its value.
    """
    if not env:
        return secret
    text = os.environ.get(env, "")
    if not text.strip():
        return secret
    try:
        return parse_hex_secret(text)
    except ValueError:
        raise UdsLibraryError(
            f"environment variable {env} must hold the security secret as hex bytes "
            "(e.g. 'A5A5A5A5'); its value is not valid hex"
        ) from None


@register("xor")
def xor_algorithm(seed: bytes, level: int, secret: bytes) -> bytes:
    """key = seed XOR secret (secret repeated cyclically); the catalogue's test algorithm."""
    if not secret:
        raise ValueError("the 'xor' key algorithm needs a non-empty secret")
    return bytes(byte ^ secret[index % len(secret)] for index, byte in enumerate(seed))


@register("hmac-sha256")
def hmac_sha256_algorithm(seed: bytes, level: int, secret: bytes) -> bytes:
    """key = first len(seed) bytes of HMAC-SHA256(secret, seed + bytes([level]))."""
    digest = hmac.new(secret, bytes(seed) + bytes([level & 0xFF]), hashlib.sha256).digest()
    if len(seed) > len(digest):
        raise ValueError(f"'hmac-sha256' supports seeds of up to {len(digest)} bytes, got {len(seed)}")
    return digest[: len(seed)]
