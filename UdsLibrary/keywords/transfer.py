"""Flash programming: download an image file through RequestDownload (0x34), TransferData (0x36) and
RequestTransferExit (0x37) in one keyword, or run the three steps apart for conformance tests.

Images are read with bincopy (Intel HEX, Motorola S-record, raw binary at a base address) and
split into segments: one per contiguous range of the image, cut again where the ECU description's
memory areas end. Each segment gets its own erase, download and check routine.

The blocks of a download do not go through `LibraryComponent.request`, which logs a table per
request: a 512 KB image is 512 blocks, so they use the connection directly, with their own
failure messages (block counter, segment, offset), retries and a console progress line; log.html
gets one summary table.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import bincopy
from robot.api.deco import keyword
from robot.api.types import Secret

from UdsLibrary import nrc as nrcs
from UdsLibrary.checksums import Checksum, get_checksum
from UdsLibrary.converters import format_hex, parse_hex, parse_id
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import (
    LibraryComponent,
    NegativeResponseError,
    NoResponseError,
    Target,
    UnexpectedResponseError,
    to_seconds,
)
from UdsLibrary.keywords.data import resolve_reference
from UdsLibrary.keywords.routine import RoutineKeywords
from UdsLibrary.keywords.security import SecurityKeywords
from UdsLibrary.keywords.session import SessionKeywords, parse_session, session_label
from UdsLibrary.log import in_robot, logger
from UdsLibrary.transport.connection import TransportError

if TYPE_CHECKING:
    from UdsLibrary.description.model import EcuDescription, MemoryArea, Routine
    from UdsLibrary.transport.connection import Exchange, UdsConnection

REQUEST_DOWNLOAD, TRANSFER_DATA, REQUEST_TRANSFER_EXIT = 0x34, 0x36, 0x37
EXTENDED_SESSION = 0x03
#: NRCs to a TransferData after which the same block is sent again (the standard allows repeating the
#: last block with the same counter): busy, a failed flash write, supply voltage out of range.
RETRY_NRCS = frozenset({0x21, 0x72, 0x92, 0x93})
#: NRCs that mean the ECU no longer has the download: it reset or left the programming session.
LOST_NRCS = frozenset({0x11, 0x24, 0x7F})
IMAGE_SUFFIXES = {
    ".hex": "hex", ".ihex": "hex", ".ihx": "hex",
    ".s19": "srec", ".s28": "srec", ".s37": "srec", ".srec": "srec", ".mot": "srec", ".sx": "srec",
    ".bin": "bin",
}
PROGRESS_STEP = 10  # percent between two console progress lines
PROGRESS_INTERVAL = 2.0  # seconds after which a line is printed even without a new step

ImageFormat = Literal["auto", "hex", "srec", "bin"]


# ---------------------------------------------------------------------------- images and segments
@dataclass(frozen=True)
class Segment:
    """A contiguous piece of the image that lies in one memory area: one erase, download and check."""

    address: int
    data: bytes
    area: str | None = None  # name of the ECU's memory area, when the description knows the areas

    @property
    def end(self) -> int:
        """Last address (inclusive)."""
        return self.address + len(self.data) - 1

    def label(self, index: int, total: int) -> str:
        area = f", {self.area}" if self.area else ""
        return f"segment {index} of {total} (0x{self.address:08X}-0x{self.end:08X}, {len(self.data)} bytes{area})"


def read_image(path: str | Path, image_format: str = "auto", base_address: int | None = None) -> bincopy.BinFile:
    """The image file as a bincopy `BinFile`; ``image_format`` ``auto`` goes by the file suffix (and
    by the content for other suffixes). A raw binary needs ``base_address``."""
    file = Path(path)
    if not file.is_file():
        raise UdsLibraryError(f"image file '{path}' not found" if not file.exists() else
                              f"image file '{path}' is not a file")
    wanted = str(image_format).lower()
    if wanted not in ("auto", "hex", "srec", "bin"):
        raise UdsLibraryError(f"format must be auto, hex, srec or bin, got '{image_format}'")
    if wanted == "auto":
        wanted = IMAGE_SUFFIXES.get(file.suffix.lower(), "auto")
    if wanted == "bin" and base_address is None:
        raise UdsLibraryError(f"image '{path}' is a raw binary: give base_address= (where its first byte goes, "
                              "e.g. 0x10000)")
    if wanted != "bin" and base_address is not None:
        kind = {"hex": "Intel HEX", "srec": "S-record"}.get(wanted, "HEX/S-record")
        raise UdsLibraryError(f"base_address applies to raw binary images only; '{path}' is read as {kind}, which "
                              "carries its own addresses (give format=bin to load it as raw bytes)")
    image = bincopy.BinFile()
    readers: dict[str, Callable[[str], None]] = {
        "hex": image.add_ihex_file, "srec": image.add_srec_file, "auto": image.add_file,
        "bin": lambda name: image.add_binary_file(name, address=base_address or 0),
    }
    names = {"hex": "an Intel HEX file", "srec": "a Motorola S-record file", "bin": "a binary file",
             "auto": "an Intel HEX, S-record or TI-TXT file (give format=bin and base_address= for a raw binary)"}
    try:
        readers[wanted](str(file))
    except bincopy.Error as error:
        raise UdsLibraryError(f"image '{path}' is not {names[wanted]}: {error}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise UdsLibraryError(f"image '{path}' is not {names[wanted]}: {error}") from None
    except OSError as error:
        raise UdsLibraryError(f"cannot read image '{path}': {error.strerror or error}") from None
    if len(image) == 0:
        raise UdsLibraryError(f"image '{path}' holds no data")
    return image


def image_segments(image: bincopy.BinFile, areas: tuple[MemoryArea, ...] = (), *, fill_gaps: int = 0,
                   name: str = "image") -> list[Segment]:
    """The image's contiguous ranges, cut at the memory areas' bounds; a byte outside every area
    fails (listing the ranges outside and the areas). Gaps of up to ``fill_gaps`` bytes are filled
    with 0xFF first, so they do not split a download."""
    if fill_gaps:
        image = _copy(image)
        image.fill(b"\xff", max_words=fill_gaps)
    ranges = [(segment.minimum_address, bytes(segment.data)) for segment in image.segments]
    if not areas:
        return [Segment(address, data) for address, data in ranges]
    segments: list[Segment] = []
    outside: list[str] = []
    for address, data in ranges:
        position, end = address, address + len(data)  # end exclusive
        while position < end:
            area = next((a for a in areas if a.start <= position <= a.end), None)
            if area is None:
                following = min((a.start for a in areas if a.start > position), default=end)
                stop = min(end, following)
                outside.append(f"0x{position:08X}-0x{stop - 1:08X}")
                position = stop
                continue
            stop = min(end, area.end + 1)
            segments.append(Segment(position, data[position - address:stop - address], area.name))
            position = stop
    if outside:
        known = ", ".join(f"{a.name} 0x{a.start:08X}-0x{a.end:08X}" for a in areas)
        raise UdsLibraryError(f"{name} has data outside the ECU's memory areas at {', '.join(outside)} (areas: "
                              f"{known}); nothing was sent")
    return segments


def _copy(image: bincopy.BinFile) -> bincopy.BinFile:
    copy = bincopy.BinFile()
    for segment in image.segments:
        copy.add_binary(bytes(segment.data), address=segment.minimum_address)
    return copy


def memory_record(alfid: int, address: int, size: int) -> bytes:
    """addressAndLengthFormatIdentifier + memoryAddress + memorySize, as 0x34 and memory routines take them."""
    return bytes((alfid,)) + address.to_bytes(alfid & 0x0F, "big") + size.to_bytes(alfid >> 4, "big")


def check_alfid(alfid: int) -> None:
    if not (1 <= alfid & 0x0F <= 4 and 1 <= alfid >> 4 <= 4):
        raise UdsLibraryError(f"address_and_length_format 0x{alfid:02X} is not valid here: both nibbles must be "
                              "1 to 4 (bytes of size, bytes of address; 44 = 4 and 4)")


def check_fits(alfid: int, address: int, size: int, what: str) -> None:
    if address >= 1 << (8 * (alfid & 0x0F)) or size >= 1 << (8 * (alfid >> 4)):
        raise UdsLibraryError(f"{what} (address 0x{address:X}, size {size}) does not fit "
                              f"address_and_length_format 0x{alfid:02X} ({alfid & 0x0F} address bytes, "
                              f"{alfid >> 4} size bytes)")


def parse_max_block_length(payload: bytes) -> int:
    """maxNumberOfBlockLength from a positive 0x74 answer (lengthFormatIdentifier, then the length)."""
    if len(payload) < 3:
        raise UnexpectedResponseError(f"the RequestDownload answer {format_hex(payload)} carries no "
                                      "maxNumberOfBlockLength")
    count = payload[1] >> 4
    if count == 0 or len(payload) < 2 + count:
        raise UnexpectedResponseError(f"the RequestDownload answer {format_hex(payload)} announces a "
                                      f"maxNumberOfBlockLength of {count} bytes but carries {len(payload) - 2}")
    length = int.from_bytes(payload[2:2 + count], "big")
    if length < 3:
        raise UnexpectedResponseError(f"the RequestDownload answer {format_hex(payload)} announces "
                                      f"maxNumberOfBlockLength {length}: no room for data after SID and counter")
    return length


# ---------------------------------------------------------------------------- progress and summary
@dataclass
class Progress:
    """Console progress of a download: a line every PROGRESS_STEP percent, or every PROGRESS_INTERVAL
    seconds on a slow link. The rate counts the time spent transferring (not erasing or checking).
    The console only: the log gets the summary."""

    total: int
    enabled: bool = True
    done: int = 0
    active: float = 0.0  # seconds spent transferring before the running segment
    _since: float | None = None  # start of the running segment's transfer
    _next_step: int = PROGRESS_STEP
    _last_line: float = field(default_factory=time.perf_counter)
    _first: bool = True

    def resume(self) -> None:
        self._since = time.perf_counter()

    def pause(self) -> None:
        if self._since is not None:
            self.active += time.perf_counter() - self._since
            self._since = None

    def add(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        percent = self.done * 100 // self.total if self.total else 100
        now = time.perf_counter()
        if percent >= self._next_step or now - self._last_line >= PROGRESS_INTERVAL:
            self._next_step = (percent // PROGRESS_STEP + 1) * PROGRESS_STEP
            self._last_line = now
            elapsed = self.active + (now - self._since if self._since is not None else 0.0)
            rate = f", {self.done / elapsed / 1000:.1f} kB/s" if elapsed > 0 else ""
            # in a Robot run, the first line must not follow the test name on the console's status line
            start = "\n" if self._first and in_robot() else ""
            self._first = False
            logger.console(f"{start}Download Image: {percent:3d} % ({self.done} of {self.total} bytes){rate}")


@dataclass
class DownloadStats:
    segments: int = 0
    bytes: int = 0
    blocks: int = 0
    retries: int = 0
    transfer_seconds: float = 0.0  # RequestDownload to RequestTransferExit, erase and check excluded

    def as_dict(self, seconds: float) -> dict[str, float | int]:
        rate = self.bytes / self.transfer_seconds if self.transfer_seconds > 0 else 0.0
        return {"segments": self.segments, "bytes": self.bytes, "blocks": self.blocks, "retries": self.retries,
                "seconds": round(seconds, 3), "transfer_seconds": round(self.transfer_seconds, 3),
                "bytes_per_second": round(rate, 1)}


def _summary_table(image: str, segments: list[Segment], summary: dict[str, float | int], block_data: int,
                   checked: str) -> str:
    rows = [
        ("Image", image),
        ("Segments", "; ".join(f"0x{s.address:08X}-0x{s.end:08X} ({len(s.data)} bytes{', ' + s.area if s.area else ''})"
                               for s in segments)),
        ("Bytes / blocks", f"{summary['bytes']} bytes in {summary['blocks']} blocks of up to {block_data} data bytes"),
        ("Retries", str(summary["retries"])),
        ("Time", f"{summary['seconds']:.2f} s in all, {summary['transfer_seconds']:.2f} s transferring"),
        ("Throughput", f"{float(summary['bytes_per_second']) / 1000:.1f} kB/s (TransferData)"),
        ("Check", checked),
    ]
    cells = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
                    f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table class='uds-download'>{cells}</table>"


# ---------------------------------------------------------------------------- the keywords
class TransferKeywords(LibraryComponent):
    """Download Image; Request Download, Transfer Data and Request Transfer Exit."""

    # ------------------------------------------------------------------ one keyword for the whole flash
    @keyword("Download Image", tags=["flash"])
    def download_image(self, image: str, *, base_address: str | int | None = None, format: ImageFormat = "auto",
                       erase_routine: str | int | None = "FF00", check_routine: str | int | None = "FF01",
                       retries: int = 2, block_size: int | None = None,
                       session: str | int | None = "programming", security_level: str | int | None = "11",
                       secret: Secret | None = None, secret_env: str | None = None,
                       data_format: str | int | None = None, address_and_length_format: str | int | None = None,
                       checksum: str | None = None, fill_gaps: int = 0, erase_timeout: timedelta | None = None,
                       progress: bool = True) -> dict:
        """Programs an image file into the ECU and returns a summary (``segments``, ``bytes``,
        ``blocks``, ``retries``, ``seconds``, ``transfer_seconds``, ``bytes_per_second``).

        ``image`` is an Intel HEX (``.hex``), Motorola S-record (``.s19``, ``.s28``, ``.s37``,
        ``.srec``, ``.mot``) or raw binary (``.bin``) file, read with bincopy; ``format`` (``auto``,
        ``hex``, ``srec``, ``bin``) overrides the suffix. A raw binary needs ``base_address`` (hex,
        the address of its first byte). The image is split into segments: one per contiguous range,
        cut again at the bounds of the ECU description's memory areas (``download.areas``); data
        outside every area fails before anything is sent. ``fill_gaps`` (bytes) fills gaps up to that
        size with 0xFF, so that small holes in a HEX file do not make extra downloads.

        The sequence:
        - ``session`` (default ``programming``): `Change Session` to ``extended`` and then to it;
           when the last confirmed session already is it, it is requested directly first (and via
           ``extended`` if the ECU refuses, e.g. after an S3 timeout); ``NONE`` stays in the active
           session.
        - ``security_level`` (default ``11``): `Unlock Security Level` with the ECU description's
           algorithm and secret (or ``secret`` / ``secret_env``, as there); an already unlocked level
           is fine; ``NONE`` skips it.
        - Per segment: the erase routine ``erase_routine`` (name or hex id, default ``FF00``;
           ``NONE`` skips it) with ALFID + address + size, waiting through its 0x78 (``erase_timeout``
           replaces P2* for it); RequestDownload with the ECU's data format and address/length format
           (the description's first, else ``00`` / ``44``; or ``data_format`` /
           ``address_and_length_format``); TransferData blocks of maxNumberOfBlockLength - 2 data
           bytes (or ``block_size`` data bytes, which must not be more), counter 01, 02, ... FF, 00,
           01 ...; RequestTransferExit; then the check routine ``check_routine`` (default ``FF01``;
           ``NONE`` skips it) with ALFID + address + size + the image's checksum of the segment. Its
           status must be 00 (match); 01 (mismatch) fails naming the segment. The checksum is the
           routine's ``memory_check`` in the ECU description (``crc32``, ``crc16-ccitt``, ``sum32``),
           else ``checksum``, else ``crc32``.

        A negative answer or no answer to a block is retried with the same counter up to ``retries``
        times (ISO 14229-1 allows repeating a block; an ECU that already wrote it acknowledges it
        again without writing): for no answer and for NRC 0x21, 0x72, 0x92, 0x93. The failure then
        names the block counter, the segment and the offset. NRC 0x7F, 0x11 or 0x24 means the ECU no
        longer has the download (it reset or left the programming session) and fails at once. The
        ECU is not reset at the end: follow with `Reset ECU` to start the new software.

        The console shows the progress (percentage and bytes/s, every 10 % and at least every 2 s;
        ``progress=False`` turns it off); log.html gets one summary table, not one entry per block.

        Examples:
        | ${summary} = | Download Image | ${CURDIR}/images/app.hex |
        | Download Image | ${CURDIR}/images/app.bin | base_address=0x10000 |
        | Download Image | app.s19 | security_level=NONE | session=NONE | retries=0 |
        | Download Image | cal.hex | erase_routine=eraseMemory | check_routine=NONE | fill_gaps=256 |
        | Should Be Equal As Integers | ${summary}[retries] | 0 |
        """
        started = time.perf_counter()
        target = self.target
        description = target.description
        retries = _count(retries, "retries")
        base = parse_id(base_address, "base_address", maximum=0xFFFFFFFF) if base_address not in (None, "") else None
        loaded = read_image(image, format, base)
        areas = description.download.areas if description is not None else ()
        segments = image_segments(loaded, areas, fill_gaps=_count(fill_gaps, "fill_gaps"), name=f"image '{image}'")
        dfi, alfid = self._formats(description, data_format, address_and_length_format)
        for index, segment in enumerate(segments, 1):
            check_fits(alfid, segment.address, len(segment.data), segment.label(index, len(segments)))
        erase = self._routine(erase_routine, "erase_routine")
        check = self._routine(check_routine, "check_routine")
        algorithm = self._checksum(check, checksum)
        limit = description.download.max_block_length - 2 if description is not None else None
        if block_size is not None:
            block_size = _count(block_size, "block_size")
            if block_size == 0 or (limit is not None and block_size > limit):
                raise UdsLibraryError(f"block_size {block_size} must be 1 to {limit} (the ECU description's "
                                      "maxNumberOfBlockLength minus SID and counter)" if limit else
                                      "block_size must be at least 1")
        erase_seconds = _seconds(erase_timeout, "erase_timeout")

        self._enter_session(target, session)
        if security_level not in (None, ""):
            SecurityKeywords(self.lib).unlock_security_level(security_level, secret=secret, secret_env=secret_env)
        stats = DownloadStats(segments=len(segments))
        meter = Progress(sum(len(s.data) for s in segments), enabled=progress)
        block_data = 0
        for index, segment in enumerate(segments, 1):
            label = segment.label(index, len(segments))
            record = memory_record(alfid, segment.address, len(segment.data))
            if erase is not None:
                self._erase(erase, record, erase_seconds)
            begun = time.perf_counter()
            max_length = self._request_download(segment.address, len(segment.data), dfi, alfid, None)
            assert max_length is not None
            block_data = min(block_size or max_length - 2, max_length - 2)
            if block_size is not None and block_size > max_length - 2:
                raise UdsLibraryError(f"block_size {block_size} is more than the ECU accepts for {label}: "
                                      f"maxNumberOfBlockLength 0x{max_length:X} leaves {max_length - 2} data bytes")
            meter.resume()
            self._transfer_segment(target, segment, label, block_data, retries, stats, meter)
            meter.pause()
            self._request_transfer_exit(None, label)
            stats.transfer_seconds += time.perf_counter() - begun
            stats.bytes += len(segment.data)
            if check is not None:
                self._check(check, algorithm, record, segment, label)
        summary = stats.as_dict(time.perf_counter() - started)
        checked = (f"{check[1].name if check[1] else f'{check[0]:04X}'}: {algorithm.title} of every segment matches"
                   if check is not None else "none (check_routine=NONE)")
        logger.info(_summary_table(str(image), segments, summary, block_data, checked), html=True)
        return summary

    # ------------------------------------------------------------------ the steps apart
    @keyword("Request Download", tags=["flash"])
    def request_download(self, address: str | int, size: int, *, data_format: str | int | None = None,
                         address_and_length_format: str | int | None = None,
                         expected_nrc: str | int | None = None) -> int | None:
        """Sends RequestDownload (``34 <data format> <ALFID> <address> <size>``) and returns the
        maxNumberOfBlockLength the ECU announces: the most bytes one `Transfer Data` request may
        have, SID and counter included (so ``max - 2`` data bytes per block).

        ``address`` is hex (``0x10000``, ``10000``); ``size`` is a number of bytes (``4096``, or hex
        with ``0x``: ``0x1000``). ``data_format`` (dataFormatIdentifier, ``00`` = neither compressed
        nor encrypted) and ``address_and_length_format`` (``44`` = 4 bytes of size, 4 of address)
        are hex; they default to the ECU description's first (else ``00`` and ``44``). With
        ``expected_nrc`` the keyword passes on that negative response and returns ``None``.

        Examples:
        | ${max} = | Request Download | 0x10000 | 4096 |
        | Request Download | 0x10000 | 4096 | data_format=11 | expected_nrc=requestOutOfRange |
        | Request Download | 0xFF000000 | 0x1000 | address_and_length_format=44 | expected_nrc=31 |
        """
        number = parse_id(address, "address", maximum=0xFFFFFFFF)
        length = _count(size, "size")
        dfi, alfid = self._formats(self.target.description, data_format, address_and_length_format)
        check_fits(alfid, number, length, "the download")
        expected = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        return self._request_download(number, length, dfi, alfid, expected)

    @keyword("Transfer Data", tags=["flash"])
    def transfer_data(self, counter: str | int, data: str, *, expected_nrc: str | int | None = None) -> str | None:
        """Sends one TransferData block (``36 <counter> <data>``) and checks that the ECU echoes the
        counter; returns the rest of the answer (transferResponseParameterRecord) as hex, usually
        empty.

        ``counter`` is the blockSequenceCounter as hex (``01``, ``0xFF``, ``00``); ``data`` the block
        as hex. With ``expected_nrc`` the keyword passes on that negative response and returns
        ``None``. Every block is logged like any request: for a whole image use `Download Image`.

        Examples:
        | Request Download | 0x10000 | 4 |
        | Transfer Data | 01 | DE AD BE EF |
        | Transfer Data | 03 | 00 | expected_nrc=wrongBlockSequenceCounter |
        """
        number = parse_id(counter, "counter", maximum=0xFF)
        block = parse_hex(data, "data")
        expected = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        exchange = self.request(bytes((TRANSFER_DATA, number)) + block, expected_nrc=expected,
                                decoded=f"block {number:02X}: {len(block)} data bytes")
        final = exchange.final
        assert final is not None
        if final.is_negative:
            return None
        if len(final.payload) < 2 or final.payload[1] != number:
            raise UnexpectedResponseError(
                f"{self._ecu_label(self.target)} answered TransferData block {number:02X} with "
                f"{format_hex(final.payload)}, which does not echo the block sequence counter {number:02X}")
        return format_hex(final.payload[2:])

    @keyword("Request Transfer Exit", tags=["flash"])
    def request_transfer_exit(self, parameter: str | None = None, *,
                              expected_nrc: str | int | None = None) -> str | None:
        """Sends RequestTransferExit (``37``, followed by ``parameter`` as hex if given: the
        transferRequestParameterRecord) and returns the ECU's transferResponseParameterRecord as hex
        (usually empty). The ECU may take its time (0x78 responsePending) to verify what it got.
        With ``expected_nrc`` the keyword passes on that negative response and returns ``None``.

        Examples:
        | Request Transfer Exit |
        | Request Transfer Exit | expected_nrc=requestSequenceError |
        """
        record = parse_hex(parameter, "parameter") if parameter not in (None, "") else b""
        expected = nrcs.parse_nrc(expected_nrc) if expected_nrc is not None else None
        return self._request_transfer_exit(expected, None, record)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _formats(description: EcuDescription | None, data_format: str | int | None,
                 address_and_length_format: str | int | None) -> tuple[int, int]:
        download = description.download if description is not None else None
        if data_format not in (None, ""):
            dfi = parse_id(data_format, "data_format", maximum=0xFF)
        else:
            dfi = download.data_format_identifiers[0] if download and download.data_format_identifiers else 0x00
        if address_and_length_format not in (None, ""):
            alfid = parse_id(address_and_length_format, "address_and_length_format", maximum=0xFF)
        else:
            alfid = (download.address_and_length_formats[0] if download and download.address_and_length_formats
                     else 0x44)
        check_alfid(alfid)
        return dfi, alfid

    def _routine(self, value: str | int | None, what: str) -> tuple[int, Routine | None] | None:
        if value is None or str(value).strip().upper() in ("", "NONE"):
            return None
        description = self.target.description
        names = {routine.name: routine.id for routine in description.routines} if description else {}
        number = resolve_reference(value, "routine", names, description.name if description else None)
        routine = next((r for r in description.routines if r.id == number), None) if description else None
        if what == "erase_routine" and routine is not None and routine.memory_check:
            raise UdsLibraryError(f"erase_routine {number:04X} {routine.name} is a check routine (memory_check) in "
                                  "the ECU description, not an erase routine")
        if what == "check_routine" and routine is not None and routine.memory_option:
            raise UdsLibraryError(f"check_routine {number:04X} {routine.name} is an erase routine (memory_option) in "
                                  "the ECU description, not a check routine")
        return number, routine

    @staticmethod
    def _checksum(check: tuple[int, Routine | None] | None, name: str | None) -> Checksum:
        described = check[1].memory_check if check is not None and check[1] is not None else None
        if described and name and name != described:
            raise UdsLibraryError(f"checksum '{name}' differs from the check routine's memory_check '{described}' in "
                                  "the ECU description")
        try:
            return get_checksum(described or name or "crc32")
        except ValueError as error:
            raise UdsLibraryError(str(error)) from None

    def _enter_session(self, target: Target, session: str | int | None) -> None:
        if session is None or str(session).strip().upper() in ("", "NONE"):
            return
        names = {s.id: s.name for s in target.description.sessions} if target.description else {}
        number = parse_session(session, names)
        sessions = SessionKeywords(self.lib)
        if target.session == number:
            # Re-entered directly: the last change went there, but S3 or a reset may have ended it since.
            try:
                sessions.change_session(number)
                return
            except NegativeResponseError:
                logger.info(f"Session {session_label(number, names)} is no longer active; entering it again "
                            "via the extended session")
        if number != EXTENDED_SESSION:
            sessions.change_session(EXTENDED_SESSION)
        sessions.change_session(number)

    def _erase(self, erase: tuple[int, Routine | None], record: bytes, timeout: float | None) -> None:
        number, routine = erase
        expected = None
        if routine is not None and routine.start is not None and routine.start.result:
            expected = format_hex(routine.start.result)
        RoutineKeywords(self.lib).start_routine(f"{number:04X}", format_hex(record), expected_status=expected,
                                                timeout=timeout)

    def _check(self, check: tuple[int, Routine | None], algorithm: Checksum, record: bytes, segment: Segment,
               label: str) -> None:
        number, routine = check
        expected = algorithm.of(segment.data)
        status = RoutineKeywords(self.lib).start_routine(f"{number:04X}", format_hex(record + expected))
        name = f"{number:04X} {routine.name}" if routine is not None else f"{number:04X}"
        if status is None or not status.startswith("00"):
            meaning = " (mismatch)" if status and status.startswith("01") else ""
            raise AssertionError(
                f"check routine {name} reported status {status or 'none'}{meaning} for {label}: the ECU's "
                f"{algorithm.title} of what it wrote differs from the image's ({format_hex(expected)}); the "
                "memory is not what was sent")

    def _request_download(self, address: int, size: int, dfi: int, alfid: int, expected: int | None) -> int | None:
        payload = bytes((REQUEST_DOWNLOAD, dfi)) + memory_record(alfid, address, size)

        def decode(exchange: Exchange) -> str:
            assert exchange.final is not None
            length = parse_max_block_length(exchange.final.payload)
            return (f"download of {size} bytes at 0x{address:08X}; maxNumberOfBlockLength 0x{length:X} "
                    f"({length - 2} data bytes per block)")

        exchange = self.request(payload, expected_nrc=expected, decoded=decode)
        final = exchange.final
        assert final is not None
        if final.is_negative:
            return None
        return parse_max_block_length(final.payload)

    def _request_transfer_exit(self, expected: int | None, label: str | None, record: bytes = b"") -> str | None:
        try:
            exchange = self.request(bytes((REQUEST_TRANSFER_EXIT,)) + record, expected_nrc=expected)
        except NegativeResponseError as error:
            if label is None:
                raise
            raise NegativeResponseError(f"RequestTransferExit after {label} failed: {error}") from None
        final = exchange.final
        assert final is not None
        return None if final.is_negative else format_hex(final.payload[1:])

    def _transfer_segment(self, target: Target, segment: Segment, label: str, block_data: int, retries: int,
                          stats: DownloadStats, meter: Progress) -> None:
        """The TransferData blocks of one segment, straight on the connection (no log entry per block)."""
        connection = target.connection
        data = segment.data
        counter = 1
        block = 1
        for offset in range(0, len(data), block_data):
            chunk = data[offset:offset + block_data]
            request = bytes((TRANSFER_DATA, counter)) + chunk
            where = (f"block {block} (counter {counter:02X}) of {label} at offset 0x{offset:X} (address "
                     f"0x{segment.address + offset:08X})")
            self._send_block(target, connection, request, where, retries, stats)
            stats.blocks += 1
            meter.add(len(chunk))
            counter = (counter + 1) & 0xFF
            block += 1

    def _send_block(self, target: Target, connection: UdsConnection, request: bytes, where: str, retries: int,
                    stats: DownloadStats) -> None:
        ecu = self._ecu_label(target)
        silent_before = False
        for attempt in range(1, retries + 2):
            problem: str
            try:
                exchange = connection.request(request)
            except TransportError as error:
                problem, silent = f"the transfer broke off ({error})", True
            else:
                target.record(exchange)
                final = exchange.final
                if final is not None and not final.is_negative:
                    if len(final.payload) >= 2 and final.payload[0] == 0x76 and final.payload[1] == request[1]:
                        return
                    raise UnexpectedResponseError(
                        f"{ecu} answered {where} with {format_hex(final.payload)}, which is not 76 {request[1]:02X} "
                        "(TransferData echoing the block sequence counter)")
                if final is None:
                    errors = f" (ISO-TP: {'; '.join(exchange.isotp_errors)})" if exchange.isotp_errors else ""
                    problem = f"no answer within {exchange.timeout_used * 1000:.0f} ms{errors}"
                    silent = True
                else:
                    code = final.nrc or 0
                    if final.payload[1] != TRANSFER_DATA:
                        raise UnexpectedResponseError(f"{ecu} answered {where} with {format_hex(final.payload)}, a "
                                                      "negative response for another service")
                    if code in LOST_NRCS:
                        answer = "did not answer it, then answered the repeat with" if silent_before else "answered"
                        raise NegativeResponseError(
                            f"download interrupted at {where}: {ecu} {answer} {format_hex(final.payload)} "
                            f"({nrcs.nrc_name(code)}): the ECU no longer has the download - it most likely reset "
                            "(watchdog, supply) or left the programming session; the memory is incomplete: start the "
                            "download again")
                    if code not in RETRY_NRCS:
                        raise NegativeResponseError(f"{ecu} rejected {where} with "
                                                    f"{nrcs.describe(code, TRANSFER_DATA)}")
                    problem, silent = nrcs.describe(code, TRANSFER_DATA), False
            silent_before = silent_before or silent
            if attempt <= retries:
                stats.retries += 1
                logger.info(f"{where}: {problem}; sending it again with the same counter (retry {attempt} of "
                            f"{retries})")
                continue
            tried = f" ({attempt} attempts)" if attempt > 1 else ""
            if silent:
                raise NoResponseError(f"{ecu}: {where}: {problem}{tried}; the ECU stopped answering during the "
                                      "download (reset, supply or bus problem?); the memory is incomplete")
            raise NegativeResponseError(f"{ecu} rejected {where}{tried}: {problem}")


def _count(value: int | str, what: str) -> int:
    """A count or size: an int, or text in decimal (``4096``) or hex with ``0x`` (``0x1000``)."""
    try:
        text = str(value).strip()
        number = value if isinstance(value, int) else int(text, 16 if text[:2].lower() == "0x" else 10)
    except (TypeError, ValueError):
        raise UdsLibraryError(f"{what} must be a whole number, got '{value}'") from None
    if number < 0 or isinstance(value, bool):
        raise UdsLibraryError(f"{what} must be 0 or more, got '{value}'")
    return number


def _seconds(value: timedelta | float | str | None, what: str) -> float | None:
    if value is None or value == "":
        return None
    seconds = to_seconds(value, what)
    if seconds <= 0:
        raise UdsLibraryError(f"{what} must be positive, got '{value}'")
    return seconds

