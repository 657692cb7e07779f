"""DID value codecs: bytes on the wire <-> Python values.

``get_codec(name)`` returns a :class:`Codec` with ``encode(value, length) -> bytes`` and
``decode(data) -> value``. ``encode_did``/``decode_did`` add the DID's length check and its
physical scaling (``physical = raw * scale + offset``) for the integer codecs.

Codecs: ``ascii`` and ``utf8`` (text, exact length), ``bytes`` (hex text "DE AD BE EF"),
``uint``/``int`` (big-endian unsigned/signed), ``bcd`` (packed BCD digits, decoded as a digit
string).
"""

from __future__ import annotations

from typing import Any

from UdsLibrary.description.model import Did

__all__ = [
    "CODECS",
    "Codec",
    "codec_names",
    "decode_did",
    "encode_did",
    "format_hex",
    "get_codec",
    "parse_hex",
]


def format_hex(data: bytes) -> str:
    """``b"\\xde\\xad"`` -> ``"DE AD"``."""
    return " ".join(f"{byte:02X}" for byte in data)


def parse_hex(text: str) -> bytes:
    """``"DE AD"``, ``"dead"``, ``"0xDEAD"`` -> bytes; ValueError with a clear message otherwise."""
    cleaned = "".join(text.split())
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    if len(cleaned) % 2:
        raise ValueError(f"hex bytes must have an even number of digits, got {text!r}")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise ValueError(f"not hex bytes: {text!r} (expected e.g. 'DE AD BE EF')") from None


def _check_length(data: bytes, length: int | None, what: str) -> bytes:
    if length is not None and len(data) != length:
        raise ValueError(f"{what} is {len(data)} bytes long, expected {length}")
    return data


class Codec:
    """Base class: a named conversion between bytes and values."""

    name = "bytes"
    numeric = False

    def encode(self, value: Any, length: int | None) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<codec {self.name}>"


class _TextCodec(Codec):
    encoding = "ascii"

    def encode(self, value: Any, length: int | None) -> bytes:
        if not isinstance(value, str):
            raise ValueError(f"{self.name} value must be text, got {value!r}")
        try:
            data = value.encode(self.encoding)
        except UnicodeEncodeError:
            raise ValueError(f"{value!r} cannot be encoded as {self.name}") from None
        return _check_length(data, length, f"{self.name} value {value!r}")

    def decode(self, data: bytes) -> str:
        try:
            return bytes(data).decode(self.encoding)
        except UnicodeDecodeError:
            raise ValueError(f"data {format_hex(data)} is not valid {self.name} text") from None


class AsciiCodec(_TextCodec):
    name = "ascii"
    encoding = "ascii"


class Utf8Codec(_TextCodec):
    name = "utf8"
    encoding = "utf-8"


class BytesCodec(Codec):
    name = "bytes"

    def encode(self, value: Any, length: int | None) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            data = bytes(value)
        elif isinstance(value, str):
            data = parse_hex(value)
        else:
            raise ValueError(f"bytes value must be bytes or hex text, got {value!r}")
        return _check_length(data, length, f"value {format_hex(data)!r}")

    def decode(self, data: bytes) -> str:
        return format_hex(data)


class UintCodec(Codec):
    name = "uint"
    numeric = True
    signed = False

    def encode(self, value: Any, length: int | None) -> bytes:
        if isinstance(value, str):
            try:
                value = int(value, 0)
            except ValueError:
                raise ValueError(f"{self.name} value must be an integer, got {value!r}") from None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{self.name} value must be an integer, got {value!r}")
        if length is None:
            length = max(1, (value.bit_length() + (8 if self.signed else 7)) // 8)
        try:
            return value.to_bytes(length, "big", signed=self.signed)
        except OverflowError:
            bits = 8 * length
            low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if self.signed else (0, (1 << bits) - 1)
            raise ValueError(
                f"{self.name} value {value} does not fit in {length} byte(s) (range {low} to {high})"
            ) from None

    def decode(self, data: bytes) -> int:
        return int.from_bytes(bytes(data), "big", signed=self.signed)


class IntCodec(UintCodec):
    name = "int"
    signed = True


class BcdCodec(Codec):
    name = "bcd"

    def encode(self, value: Any, length: int | None) -> bytes:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            digits = str(value)
        elif isinstance(value, str) and value.isdigit() and value.isascii():
            digits = value
        else:
            raise ValueError(f"bcd value must be a non-negative integer or a digit string, got {value!r}")
        if length is None:
            length = (len(digits) + 1) // 2
        if len(digits) > 2 * length:
            raise ValueError(
                f"bcd value {value!r} has {len(digits)} digits, {length} byte(s) hold {2 * length}"
            )
        return bytes.fromhex(digits.rjust(2 * length, "0"))

    def decode(self, data: bytes) -> str:
        text = bytes(data).hex()
        if not text.isdigit() and text:
            raise ValueError(f"data {format_hex(data)} is not BCD (nibble above 9)")
        return text


CODECS: dict[str, Codec] = {
    codec.name: codec
    for codec in (AsciiCodec(), BytesCodec(), UintCodec(), IntCodec(), BcdCodec(), Utf8Codec())
}


def codec_names() -> tuple[str, ...]:
    return tuple(CODECS)


def get_codec(name: str) -> Codec:
    """The codec called ``name``; ValueError listing the known ones otherwise."""
    try:
        return CODECS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown codec {name!r}; known codecs: {', '.join(CODECS)}") from None


def _scaled(did: Did) -> bool:
    return did.scale != 1.0 or did.offset != 0.0


def decode_did(did: Did, data: bytes) -> Any:
    """Decode the data of ``did``: codec value, scaled to the physical value for integer codecs."""
    codec = get_codec(did.codec)
    value = codec.decode(data)
    if codec.numeric and _scaled(did):
        return value * did.scale + did.offset
    return value


def encode_did(did: Did, value: Any) -> bytes:
    """Encode ``value`` for ``did``; raw ``bytes`` pass through after the length check."""
    if isinstance(value, (bytes, bytearray)):
        return _check_length(bytes(value), did.length, f"data for DID 0x{did.id:04X} ({did.name})")
    codec = get_codec(did.codec)
    if codec.numeric and _scaled(did):
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ValueError(f"DID 0x{did.id:04X} ({did.name}) needs a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"DID 0x{did.id:04X} ({did.name}) needs a number, got {value!r}")
        value = round((value - did.offset) / did.scale)
    try:
        return codec.encode(value, did.length)
    except ValueError as error:
        raise ValueError(f"DID 0x{did.id:04X} ({did.name}): {error}") from None
