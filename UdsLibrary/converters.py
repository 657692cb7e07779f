"""Text a tester types, turned into what UDS needs: hex bytes, ids, byte patterns with wildcards.

Robot Framework's own `bytes` conversion is latin-1, not hex, so hex arguments are parsed here:
`22 F1 90`, `22F190`, `0x22F190`, `22-F1-90` and `22:F1:90` are the same three bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from UdsLibrary.errors import UdsLibraryError

_SEPARATORS = re.compile(r"[\s:,\-_]+")
_PATTERN_TOKEN = re.compile(r"\?\?|\*|[0-9A-Fa-f]{2}")

SERVICE_NAMES: dict[int, str] = {
    0x10: "DiagnosticSessionControl", 0x11: "ECUReset", 0x14: "ClearDiagnosticInformation",
    0x19: "ReadDTCInformation", 0x22: "ReadDataByIdentifier", 0x23: "ReadMemoryByAddress",
    0x27: "SecurityAccess", 0x28: "CommunicationControl", 0x29: "Authentication",
    0x2E: "WriteDataByIdentifier", 0x2F: "InputOutputControlByIdentifier", 0x31: "RoutineControl",
    0x34: "RequestDownload", 0x35: "RequestUpload", 0x36: "TransferData", 0x37: "RequestTransferExit",
    0x3E: "TesterPresent", 0x85: "ControlDTCSetting",
}


def parse_hex(value: str | bytes | bytearray | Iterable[int], what: str = "hex data") -> bytes:
    """Bytes from hex text (see the module docstring); bytes and lists of ints pass through."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if not isinstance(value, str):
        try:
            return bytes(value)
        except (TypeError, ValueError):
            raise UdsLibraryError(f"{what} must be hex text or bytes, got {value!r}") from None
    text = value.strip()
    if text[:2].lower() == "0x" and " " not in text:
        text = text[2:]
    text = _SEPARATORS.sub("", text)
    if len(text) % 2:
        raise UdsLibraryError(f"{what} '{value}' has an odd number of hex digits")
    try:
        return bytes.fromhex(text)
    except ValueError:
        bad = next((c for c in text if c not in "0123456789abcdefABCDEF"), "?")
        raise UdsLibraryError(f"{what} '{value}' is not hex (character '{bad}')") from None


def format_hex(data: bytes | bytearray | None) -> str:
    return "" if not data else bytes(data).hex(" ").upper()


def parse_id(value: int | str, what: str = "identifier", maximum: int = 0xFFFF) -> int:
    """An identifier written as hex (`F190`, `0xF190`) or as a Robot integer."""
    if isinstance(value, bool):
        raise UdsLibraryError(f"{what} must be a number, got {value!r}")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().replace(" ", "")
        try:
            number = int(text, 16) if not text.lower().startswith("0x") else int(text, 0)
        except ValueError:
            raise UdsLibraryError(f"{what} '{value}' is not a hex number") from None
    if not 0 <= number <= maximum:
        raise UdsLibraryError(f"{what} 0x{number:X} is out of range (0x0-0x{maximum:X})")
    return number


def pattern_matches(pattern: str, data: bytes) -> bool:
    """Hex pattern with wildcards: `??` is any one byte, `*` any number of bytes (only at the end
    or in the middle): `62 F1 90 ?? *` matches every positive answer to `22 F1 90`."""
    compact = _SEPARATORS.sub("", pattern)
    tokens = _PATTERN_TOKEN.findall(compact)
    if "".join(tokens) != compact:
        raise UdsLibraryError(f"expected pattern '{pattern}' is not hex with ?? and * wildcards")
    regex = "".join(".{1}" if t == "??" else ".*" if t == "*" else re.escape(chr(int(t, 16))) for t in tokens)
    return re.fullmatch(regex, data.decode("latin-1"), flags=re.DOTALL) is not None
