"""Keeping security keys out of traces and of what is decoded from them.

A SecurityAccess sendKey request (``27 <even sub-function> <key>``) carries a key computed from the
seed with the OEM's secret; pairs of seed and key are what an attacker needs to recover the
algorithm. Authentication (0x29) requests carry certificates and proofs of ownership. The UDS
payloads of those requests are masked in every decoded output (`mask_payload`), and the recorder
blanks their bytes in the CAN frames it writes (`KeyFrameMasker`), so a trace can be archived
with the test results.
"""

from __future__ import annotations

MASK = "**"
_AUTHENTICATION = 0x29
_SECURITY_ACCESS = 0x27


def secret_start(payload: bytes | bytearray) -> int | None:
    """Index of the first secret byte of a request payload, or None if it carries no secret."""
    if len(payload) < 3:
        return None
    sid, sub = payload[0], payload[1] & 0x7F
    if sid == _SECURITY_ACCESS and sub and sub % 2 == 0:
        return 2
    if sid == _AUTHENTICATION:
        return 2
    return None


def mask_payload(payload: bytes | bytearray) -> str:
    """Hex text of a request with its secret part replaced by ``**``: ``27 02 **``."""
    start = secret_start(payload)
    shown = payload if start is None else payload[:start]
    text = bytes(shown).hex(" ").upper()
    return text if start is None else f"{text} {MASK}"


class KeyFrameMasker:
    """Blanks (0x00) the secret bytes of requests in the CAN frames of one sender id.

    Works on ISO-TP frames as sent (single, first and consecutive frames, classical CAN and CAN FD;
    ``offset`` 1 for extended and mixed addressing, whose first byte is an address). Written by hand
    because it must change bytes in frames on their way to the file, which a reassembling ISO-TP
    layer (can-isotp) does not offer; it needs only the PCI, not the ISO-TP state machine.
    """

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset
        self._remaining = 0  # secret bytes still to come in consecutive frames

    def mask(self, data: bytes | bytearray) -> bytes:
        o = self.offset
        if len(data) <= o:
            return bytes(data)
        kind = data[o] >> 4
        out = bytearray(data)
        if kind == 0:  # single frame
            length, start = data[o] & 0x0F, o + 1
            if length == 0 and len(data) > o + 1:  # CAN FD single frame: length in the next byte
                length, start = data[o + 1], o + 2
            self._remaining = 0
            payload = data[start:start + length]
            first = secret_start(payload)
            if first is not None:
                end = start + len(payload)
                out[start + first:end] = bytes(end - start - first)
        elif kind == 1:  # first frame
            length, start = ((data[o] & 0x0F) << 8) | (data[o + 1] if len(data) > o + 1 else 0), o + 2
            if length == 0 and len(data) >= o + 6:  # > 4095 bytes: 32-bit length
                length, start = int.from_bytes(data[o + 2:o + 6], "big"), o + 6
            payload = data[start:]
            first = secret_start(payload)
            self._remaining = 0
            if first is not None:
                out[start + first:] = bytes(len(data) - start - first)
                self._remaining = max(0, length - len(payload))
        elif kind == 2 and self._remaining:  # consecutive frame of a secret request
            count = min(self._remaining, len(data) - o - 1)
            out[o + 1:o + 1 + count] = bytes(count)
            self._remaining -= count
        return bytes(out)
