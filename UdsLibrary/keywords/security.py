"""Security access (service 0x27): unlock a level in one step, or run seed and key apart for
conformance tests.

Secrets and keys never reach the log: the sendKey request is logged as ``27 02`` with the key
bytes left out (the log says how many there were), secrets are taken as Robot Framework
``Secret`` objects, from an environment variable or from the ECU description, and error messages
about them never quote their value.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from robot.api.deco import keyword
from robot.api.types import Secret

from UdsLibrary import keyalgorithms
from UdsLibrary import nrc as nrcs
from UdsLibrary.converters import format_hex, parse_hex, parse_id
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import (
    LibraryComponent,
    NegativeResponseError,
    Target,
    UnexpectedResponseError,
    service_label,
)
from UdsLibrary.log import logger

SECRET_USAGE = ("create one with '${name: Secret}    %{ENV_VARIABLE}' in the Variables section or a VAR line, or "
                "'--variable \"name: Secret:value\"' on the command line, or give secret_env= the name of an "
                "environment variable holding the hex secret")

# Python loggers that write CAN frames at DEBUG (can-isotp: "Tx: <7E0> (08) [ ] 062702<key>...").
FRAME_LOGGERS = ("isotp", "can")


@contextmanager
def frames_unlogged() -> Iterator[None]:
    """Keep frame-level DEBUG logging quiet while a key is on the wire.

    Robot Framework records Python ``logging`` from libraries in its log, so with ``--loglevel DEBUG``
    can-isotp's frame trace would show the key bytes. The frame loggers are raised to INFO for the
    one exchange that carries the key, then restored.
    """
    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in FRAME_LOGGERS]
    for frame_logger, _ in saved:
        if frame_logger.getEffectiveLevel() < logging.INFO:
            frame_logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for frame_logger, level in saved:
            frame_logger.setLevel(level)


@dataclass(frozen=True)
class KeySource:
    """How a key is computed: the algorithm and the secret (never shown in repr)."""

    algorithm_name: str
    algorithm: keyalgorithms.KeyAlgorithm
    secret: bytes
    secret_origin: str  # for the log: "Secret argument", "environment variable X", "ECU description"

    def __repr__(self) -> str:
        return f"KeySource(algorithm={self.algorithm_name!r}, secret=<hidden>, origin={self.secret_origin!r})"

    def key(self, seed: bytes, level: int) -> bytes:
        try:
            key = self.algorithm(bytes(seed), level, self.secret)
        except UdsLibraryError:
            raise
        except Exception as error:  # a customer algorithm may raise anything
            raise UdsLibraryError(
                f"key algorithm '{self.algorithm_name}' failed for level 0x{level:02X}: "
                f"{type(error).__name__}: {error}") from None
        if not isinstance(key, (bytes, bytearray)):
            raise UdsLibraryError(
                f"key algorithm '{self.algorithm_name}' returned {type(key).__name__}, expected bytes")
        return bytes(key)


def parse_level(value: str | int, what: str = "level") -> int:
    """A security level: the odd requestSeed sub-function, as hex text (``01``, ``0x11``) or an int."""
    number = parse_id(value, what, maximum=0x7F)
    if number == 0 or number == 0x7F:
        raise UdsLibraryError(f"{what} 0x{number:02X} is not a security level (0x01-0x7D, odd)")
    if number % 2 == 0:
        raise UdsLibraryError(
            f"{what} 0x{number:02X} is a sendKey sub-function: give the security level, the odd requestSeed "
            f"value 0x{number - 1:02X} (the key is sent with level + 1)")
    return number


def secret_bytes(value: object, what: str) -> bytes:
    """Bytes of a secret given as hex text or bytes; errors never quote the value."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if not isinstance(value, str):
        raise UdsLibraryError(f"{what} must hold hex text or bytes, got {type(value).__name__}")
    try:
        return keyalgorithms.parse_hex_secret(value)
    except ValueError:
        raise UdsLibraryError(f"{what} is not hex bytes such as 'A5A5A5A5' (the value is not shown)") from None


def given_secret(secret: Secret | bytes | str | None, what: str = "secret") -> bytes | None:
    """The bytes of a ``secret`` argument: a Robot ``Secret`` (hex text) or, from Python, bytes."""
    if secret is None:
        return None
    if isinstance(secret, Secret):
        return secret_bytes(secret.value, what)
    if isinstance(secret, (bytes, bytearray)):
        return bytes(secret)
    raise UdsLibraryError(
        f"{what} must be a Robot Framework Secret, not plain text (plain text is visible in the test data and the "
        f"log): {SECRET_USAGE}")


def env_secret(name: str) -> bytes:
    """The hex secret in environment variable ``name``; fails if it is not set (the value is never shown)."""
    if not str(name).strip():
        raise UdsLibraryError("secret_env must name an environment variable, got an empty value")
    if not os.environ.get(name, "").strip():
        raise UdsLibraryError(f"environment variable {name} (secret_env) is not set or empty")
    return keyalgorithms.resolve_secret(b"", name)


class SecurityKeywords(LibraryComponent):
    """Keywords for SecurityAccess (0x27)."""

    # ------------------------------------------------------------------ helpers
    def _key_source(self, target: Target, level: int, algorithm: str | None, secret: Secret | bytes | str | None,
                    secret_env: str | None) -> KeySource:
        """Algorithm and secret for ``level``, resolved before anything is sent."""
        description = target.description
        described = None
        if description is not None:
            try:
                described = description.security_level(level)
            except KeyError:
                described = None
        if algorithm is None:
            if description is None:
                raise UdsLibraryError(
                    f"connection '{target.name}' has no ECU description: give algorithm= (a registered name such as "
                    f"{', '.join(keyalgorithms.algorithm_names())} or 'package.module:function')")
            if described is None:
                levels = ", ".join(f"0x{lv.level:02X}" for lv in description.security.levels) or "none"
                raise UdsLibraryError(
                    f"security level 0x{level:02X} is not in the ECU description '{description.name}' (levels: "
                    f"{levels}): give algorithm= and secret= for it")
            algorithm = described.algorithm or description.security.algorithm
        try:
            function = keyalgorithms.get_algorithm(algorithm)
        except ValueError as error:
            raise UdsLibraryError(str(error)) from None

        value = given_secret(secret)
        if value is not None:
            origin = "Secret argument"
        elif secret_env is not None:
            value, origin = env_secret(secret_env), f"environment variable {secret_env}"
        elif description is not None:
            security = description.security
            base = (described.secret if described is not None and described.secret else None) or security.secret
            value = keyalgorithms.resolve_secret(base, security.secret_env)
            from_env = bool(security.secret_env and os.environ.get(security.secret_env, "").strip())
            origin = f"environment variable {security.secret_env}" if from_env else "ECU description"
        else:
            value, origin = b"", "none"
        return KeySource(algorithm, function, value, origin)

    def _request_seed(self, level: int, expected_nrc: int | None, *, either_step: bool = False) -> bytes | None:
        """Seed bytes, or None when the ECU answered with the expected negative response.

        ``either_step``: ``expected_nrc`` is meant for the seed or for the key that follows, so a
        positive seed answer is fine and only a negative one is checked against it.
        """
        payload = bytes((0x27, level))
        if not either_step:
            exchange = self.request(payload, expected_nrc=expected_nrc)
        else:
            try:
                exchange = self.request(payload)
            except NegativeResponseError:
                if expected_nrc is None:
                    raise
                got = self.target.last.final.nrc if self.target.last and self.target.last.final else None
                if got != expected_nrc:
                    raise UnexpectedResponseError(
                        f"{self._ecu_label(self.target)} rejected {format_hex(payload)} ({service_label(0x27)}) "
                        f"with NRC 0x{got or 0:02X} {nrcs.nrc_name(got or 0)}, but NRC 0x{expected_nrc:02X} "
                        f"{nrcs.nrc_name(expected_nrc)} was expected") from None
                return None
        final = exchange.final
        assert final is not None
        if final.is_negative:
            return None
        answer = final.payload
        if len(answer) < 3 or answer[1] != level:
            raise UnexpectedResponseError(
                f"{self._ecu_label(self.target)} answered requestSeed 27 {level:02X} with {format_hex(answer)}, "
                f"which is not a seed for level 0x{level:02X}")
        seed = bytes(answer[2:])
        state = " (zero seed: the level is already unlocked)" if not any(seed) else ""
        logger.info(f"Seed for security level 0x{level:02X}: {format_hex(seed)}{state}")
        return seed

    def _send_key(self, level: int, key: bytes, expected_nrc: int | None) -> None:
        """``27 level+1 key`` - logged and reported as ``27 level+1`` with the key left out."""
        with frames_unlogged():
            self.request(bytes((0x27, level + 1)) + key, expected_nrc=expected_nrc,
                         masked=bytes((0x27, level + 1)), decoded=f"key: {len(key)} bytes, hidden")

    # ------------------------------------------------------------------ keywords
    @keyword("Unlock Security Level", tags=["security"])
    def unlock_security_level(self, level: str | int = "01", *, algorithm: str | None = None,
                              secret: Secret | bytes | str | None = None, secret_env: str | None = None,
                              expected_nrc: str | int | None = None) -> None:
        """Unlocks security level ``level``: requests a seed (``27 01``), computes the key and sends it
        (``27 02 <key>``).

        ``level`` is the security level as hex, the odd requestSeed value (``01``, ``0x11``); the key
        is sent with ``level + 1``.

        ``algorithm`` is a registered key algorithm name (``xor``, ``hmac-sha256``) or
        ``package.module:function`` taking ``(seed: bytes, level: int, secret: bytes)`` and returning
        the key; default: the ECU description's algorithm for the level.

        The secret is taken from, in this order:
        - ``secret``: a Robot Framework ``Secret`` holding the hex secret, for example
          ``${KEY: Secret}    %{ECU_SECRET}`` in the Variables section (or on a ``VAR`` line), or
          ``--variable "KEY: Secret:A5A5A5A5"`` on the command line. Plain text is refused, because it
          would be visible in the test data and the log. From Python, bytes are accepted too.
        - ``secret_env``: the name of an environment variable holding the hex secret (it must be set).
        - the ECU description's secret for the level (replaced by the value of its ``secret_env``
          variable when that is set).

        Neither the secret nor the key is ever logged: the key request appears as ``27 02`` with
        ``key: 4 bytes, hidden``. A zero seed means the level is already unlocked: that is logged and
        no key is sent.

        ``expected_nrc`` (number or name) is the negative response expected to the seed request or to
        the key (whichever step the ECU refuses), for example ``invalidKey`` for a wrong secret or
        ``requiredTimeDelayNotExpired``. NRC 0x35/0x36 failures come with a hint on the key algorithm
        version.

        Examples:
        | Unlock Security Level |
        | Unlock Security Level | 0x11 |
        | Unlock Security Level | 01 | secret=${ECU_SECRET} |
        | Unlock Security Level | 01 | secret_env=ECU_SECRET_HEX |
        | Unlock Security Level | 01 | algorithm=acme_keys:compute | secret=${ECU_SECRET} |
        | Unlock Security Level | 01 | secret=${WRONG} | expected_nrc=invalidKey |
        """
        target = self.target
        number = parse_level(level)
        expected = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        source = self._key_source(target, number, algorithm, secret, secret_env)
        seed = self._request_seed(number, expected, either_step=True)
        if seed is None:
            return
        if not any(seed):
            if expected is not None:
                raise UnexpectedResponseError(
                    f"security level 0x{number:02X} is already unlocked (zero seed), but NRC 0x{expected:02X} "
                    f"{nrcs.nrc_name(expected)} was expected")
            logger.info(f"Security level 0x{number:02X} is already unlocked (the ECU sent a zero seed); no key sent")
            return
        key = source.key(seed, number)
        self._send_key(number, key, expected)
        if expected is None:
            logger.info(f"Security level 0x{number:02X} unlocked (algorithm {source.algorithm_name}, secret from "
                        f"{source.secret_origin})")

    @keyword("Request Seed", tags=["security"])
    def request_seed(self, level: str | int = "01", *, expected_nrc: str | int | None = None) -> str | None:
        """Requests a seed for security level ``level`` (``27 01``) and returns it as hex text
        (``12 34 56 78``); a seed of zeros means the level is already unlocked.

        ``level`` is the odd requestSeed value, as hex. With ``expected_nrc`` (number or name) the
        keyword passes on that negative response and returns ``None``. Seeds are not secret; they
        are logged.

        Examples:
        | ${seed} = | Request Seed |
        | ${seed} = | Request Seed | 0x11 |
        | Request Seed | 01 | expected_nrc=requiredTimeDelayNotExpired |
        """
        number = parse_level(level)
        expected = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        seed = self._request_seed(number, expected)
        return None if seed is None else format_hex(seed)

    @keyword("Send Key", tags=["security"])
    def send_key(self, key: Secret | str, level: str | int = "01", *, expected_nrc: str | int | None = None) -> None:
        """Sends ``key`` for security level ``level`` (``27 02 <key>``), after `Request Seed`.

        ``level`` is the security level, the same odd value given to `Request Seed` (``01``); the
        request carries the sendKey sub-function ``level + 1`` (``02``). An even value is refused
        with a hint, so that seed and key always name the level the same way.

        ``key`` is a ``Secret`` (as returned by `Compute Security Key`), hex text (``12 34 56 78``,
        for deliberately wrong keys) or, from Python, bytes. Either way the key bytes are left out of
        the log: the request shows as ``27 02`` with ``key: 4 bytes, hidden``.

        Examples:
        | ${seed} = | Request Seed |
        | ${key} = | Compute Security Key | ${seed} |
        | Send Key | ${key} |
        | Send Key | 00 00 00 00 | expected_nrc=invalidKey |
        """
        number = parse_level(level)
        expected = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        if isinstance(key, Secret):
            data = secret_bytes(key.value, "key")
        elif isinstance(key, (bytes, bytearray)):
            data = bytes(key)
        else:
            data = parse_hex(key, "key")
        self._send_key(number, data, expected)

    @keyword("Compute Security Key", tags=["security"])
    def compute_security_key(self, seed: str, level: str | int = "01", *, algorithm: str | None = None,
                             secret: Secret | bytes | str | None = None, secret_env: str | None = None) -> Secret:
        """Computes the key for ``seed`` (hex text, as `Request Seed` returns it) at security level
        ``level`` and returns it as a ``Secret`` for `Send Key`; nothing is sent.

        ``algorithm``, ``secret`` and ``secret_env`` work as in `Unlock Security Level`. The key is a
        ``Secret``, so Robot Framework shows it as ``<secret>``.

        Example:
        | ${seed} = | Request Seed |
        | ${key} = | Compute Security Key | ${seed} |
        | Send Key | ${key} |
        """
        number = parse_level(level)
        seed_bytes = parse_hex(seed, "seed")
        source = self._key_source(self.target, number, algorithm, secret, secret_env)
        return Secret(format_hex(source.key(seed_bytes, number)))

