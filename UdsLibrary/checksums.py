"""Checksums of flashed memory: what a check routine compares (the simulated ECU over its memory,
the tester over the image).

The names are those of an ECU description's ``memory_check:``. The computations are the standard
library's (zlib, binascii); only the table of names, sizes and byte order lives here.
"""

from __future__ import annotations

import binascii
import zlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Checksum:
    name: str
    size: int  # bytes in the routine's option record (big-endian)
    compute: Callable[[bytes], int]
    title: str

    def of(self, data: bytes) -> bytes:
        """The checksum of `data` as it travels in the option record."""
        return self.compute(data).to_bytes(self.size, "big")


CHECKSUMS: dict[str, Checksum] = {
    checksum.name: checksum
    for checksum in (
        Checksum("crc32", 4, lambda data: zlib.crc32(data) & 0xFFFFFFFF, "CRC-32 (ISO-HDLC, as zlib)"),
        # CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR
        Checksum("crc16-ccitt", 2, lambda data: binascii.crc_hqx(data, 0xFFFF), "CRC-16/CCITT-FALSE"),
        Checksum("sum32", 4, lambda data: sum(data) & 0xFFFFFFFF, "32-bit byte sum"),
    )
}


def get_checksum(name: str) -> Checksum:
    """The checksum called `name`; an unknown name raises ValueError listing the known ones."""
    try:
        return CHECKSUMS[name]
    except KeyError:
        raise ValueError(f"unknown checksum '{name}'; known checksums: {', '.join(CHECKSUMS)}") from None
