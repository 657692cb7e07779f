"""Security key algorithms: registry, module references, secrets from the environment."""

from __future__ import annotations

import hashlib
import hmac
import sys
import types

import pytest

from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keyalgorithms import algorithm_names, get_algorithm, register, resolve_secret


def test_xor_catalogue_secret() -> None:
    xor = get_algorithm("xor")
    assert xor(bytes.fromhex("11223344"), 1, bytes.fromhex("A5A5A5A5")) == bytes.fromhex("B48796E1")
    # secret repeated cyclically over a longer seed
    assert xor(b"\x00\x00\x00", 1, b"\x01\x02") == b"\x01\x02\x01"


def test_hmac_sha256() -> None:
    algorithm = get_algorithm("hmac-sha256")
    seed, secret = bytes.fromhex("01020304"), b"secret"
    expected = hmac.new(secret, seed + b"\x11", hashlib.sha256).digest()[:4]
    assert algorithm(seed, 0x11, secret) == expected
    assert algorithm(seed, 0x01, secret) != expected


def test_register_custom() -> None:
    @register("test-reverse")
    def reverse(seed: bytes, level: int, secret: bytes) -> bytes:
        return seed[::-1]

    assert "test-reverse" in algorithm_names()
    assert get_algorithm("test-reverse")(b"\x01\x02", 1, b"") == b"\x02\x01"


def test_module_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("customer_keys")
    module.compute = lambda seed, level, secret: bytes(b ^ 0xFF for b in seed)  # type: ignore[attr-defined]
    module.not_callable = 42  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "customer_keys", module)
    assert get_algorithm("customer_keys:compute")(b"\x00", 1, b"") == b"\xff"
    with pytest.raises(ValueError, match=r"has no 'missing'.*xor"):
        get_algorithm("customer_keys:missing")
    with pytest.raises(ValueError, match="not callable"):
        get_algorithm("customer_keys:not_callable")


def test_unknown_algorithm_lists_registered() -> None:
    with pytest.raises(ValueError, match=r"unknown key algorithm 'rot13'.*hmac-sha256.*xor"):
        get_algorithm("rot13")
    with pytest.raises(ValueError, match=r"cannot import module 'no_such_module_xyz'.*xor"):
        get_algorithm("no_such_module_xyz:key")


def test_resolve_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UDS_TEST_SECRET", raising=False)
    assert resolve_secret(b"\xa5", "UDS_TEST_SECRET") == b"\xa5"
    assert resolve_secret(b"\xa5", None) == b"\xa5"
    monkeypatch.setenv("UDS_TEST_SECRET", "")
    assert resolve_secret(b"\xa5", "UDS_TEST_SECRET") == b"\xa5"
    monkeypatch.setenv("UDS_TEST_SECRET", "01 02 03 04")
    assert resolve_secret(b"\xa5", "UDS_TEST_SECRET") == b"\x01\x02\x03\x04"
    monkeypatch.setenv("UDS_TEST_SECRET", "TOPSECRETVALUE")
    with pytest.raises(UdsLibraryError) as caught:
        resolve_secret(b"\xa5", "UDS_TEST_SECRET")
    assert "UDS_TEST_SECRET" in str(caught.value)
    assert "TOPSECRETVALUE" not in str(caught.value)
