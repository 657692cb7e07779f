"""DID codecs and scaling."""

from __future__ import annotations

import pytest

from UdsLibrary.description.codecs import decode_did, encode_did, format_hex, get_codec, parse_hex
from UdsLibrary.description.model import Did


def test_ascii() -> None:
    codec = get_codec("ascii")
    assert codec.encode("0420", 4) == b"0420"
    assert codec.decode(b"SN00000042") == "SN00000042"
    with pytest.raises(ValueError, match="3 bytes long, expected 4"):
        codec.encode("042", 4)
    with pytest.raises(ValueError):
        codec.encode("é", None)


def test_utf8() -> None:
    codec = get_codec("utf8")
    assert codec.encode("é", 2) == b"\xc3\xa9"
    assert codec.decode(b"\xc3\xa9") == "é"


def test_bytes() -> None:
    codec = get_codec("bytes")
    assert codec.decode(b"\xde\xad\xbe\xef") == "DE AD BE EF"
    assert codec.encode("de ad BEEF", 4) == b"\xde\xad\xbe\xef"
    assert codec.encode(b"\x01", 1) == b"\x01"
    with pytest.raises(ValueError, match="expected 2"):
        codec.encode("01", 2)
    with pytest.raises(ValueError, match="not hex"):
        codec.encode("zz", 1)


def test_uint_and_int() -> None:
    uint = get_codec("uint")
    assert uint.encode(3000, 2) == b"\x0b\xb8"
    assert uint.decode(b"\x0b\xb8") == 3000
    with pytest.raises(ValueError, match="does not fit in 1 byte"):
        uint.encode(256, 1)
    with pytest.raises(ValueError):
        uint.encode(-1, 1)
    sint = get_codec("int")
    assert sint.encode(-2, 2) == b"\xff\xfe"
    assert sint.decode(b"\xff\xfe") == -2
    with pytest.raises(ValueError, match="-128 to 127"):
        sint.encode(200, 1)


def test_bcd() -> None:
    bcd = get_codec("bcd")
    assert bcd.encode(20240131, 4) == b"\x20\x24\x01\x31"
    assert bcd.encode("42", 2) == b"\x00\x42"
    assert bcd.decode(b"\x20\x24") == "2024"
    with pytest.raises(ValueError):
        bcd.decode(b"\x1a")
    with pytest.raises(ValueError):
        bcd.encode(12345, 2)


def test_unknown_codec_lists_known() -> None:
    with pytest.raises(ValueError, match=r"unknown codec 'float'.*ascii.*uint"):
        get_codec("float")


def test_hex_helpers() -> None:
    assert parse_hex("00 32") == b"\x00\x32"
    assert parse_hex("0x0032") == b"\x00\x32"
    assert format_hex(b"\x0b\xb8") == "0B B8"
    with pytest.raises(ValueError, match="even"):
        parse_hex("123")


def test_did_scaling() -> None:
    did = Did(0xF40C, "engineSpeed", 2, codec="uint", scale=0.25, offset=0.0, unit="rpm")
    assert decode_did(did, b"\x2e\xe0") == 3000.0
    assert encode_did(did, 3000) == b"\x2e\xe0"
    temp = Did(0xF405, "coolant", 1, codec="uint", offset=-40.0)
    assert decode_did(temp, b"\x5a") == 50.0
    assert encode_did(temp, 50) == b"\x5a"


def test_did_encode_raw_bytes_and_length() -> None:
    did = Did(0xF190, "VIN", 17, codec="ascii")
    assert encode_did(did, b"W" * 17) == b"W" * 17
    with pytest.raises(ValueError, match="16 bytes long, expected 17"):
        encode_did(did, b"W" * 16)
    with pytest.raises(ValueError, match="0xF190"):
        encode_did(did, "SHORT")
    assert decode_did(did, b"WVWZZZ1JZXW000001") == "WVWZZZ1JZXW000001"
