"""Reading trace files frame by frame with python-can's readers, without giving up on bad input.

`read_frames(path, findings)` yields `can.Message` objects one at a time (constant memory) from
any format python-can reads - BLF, ASC, TRC, candump ``.log``, CSV, also gzip-compressed text
(``.asc.gz``) - and turns every problem into a `Finding` instead of an exception:

* an unknown or unreadable format: one finding, no frames;
* a bad line in a candump log or CSV file: a finding with the line number, then reading goes on
  with the next line (a fresh reader on the same open file);
* a damaged frame line of an ASC file (a frame line - time, channel, id, Rx/Tx - whose time, id,
  DLC or data bytes do not parse, or with fewer data bytes than its DLC): a finding with the line
  number, and the line is left out. python-can's ASC reader passes over lines it does not
  recognise without a word, and stops at a frame line it cannot parse; `_AscLines` checks every
  frame line before the reader sees it, so neither happens;
* a line the TRC reader skips, an unreadable BLF container: python-can logs it; those log
  records become findings;
* a truncated BLF file: its header announces more bytes or objects than were read.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import can

__all__ = ["FORMATS", "Finding", "Findings", "read_frames", "sniff_format"]

FORMATS = {".blf": "BLF", ".asc": "ASC", ".trc": "TRC", ".log": "candump log", ".csv": "CSV"}
_TEXT_RESTARTABLE = {".log": can.io.CanutilsLogReader, ".csv": can.io.CSVReader}
_CSV_HEADER = "timestamp,arbitration_id,extended,remote,error,dlc,data\n"


@dataclass
class Finding:
    """Something wrong in the trace: where (frame number, time or line) and what."""

    kind: str  # file | format | isotp | order | pairing
    message: str
    frame: int | None = None  # 1-based number of the frame read last
    time: float | None = None  # trace timestamp (seconds)
    line: int | None = None  # line of a text trace
    severity: str = "warning"  # warning: the rest is decoded | error: (part of) the file is unreadable

    def where(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.frame is not None:
            parts.append(f"frame {self.frame}")
        if self.time is not None:
            parts.append(f"t={self.time:.6f}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity, "frame": self.frame, "time": self.time,
                "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = self.where()
        return f"{self.severity}: {where + ': ' if where else ''}{self.message}"


@dataclass
class Findings:
    """The findings of one decoding run; keeps the first `limit` and counts the rest."""

    limit: int = 1000
    items: list[Finding] = field(default_factory=list)
    dropped: int = 0

    def add(self, finding: Finding) -> None:
        if len(self.items) < self.limit:
            self.items.append(finding)
        else:
            self.dropped += 1

    def __len__(self) -> int:
        return len(self.items) + self.dropped

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.items)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.items)


def sniff_format(path: Path) -> str | None:
    """The extension python-can needs for a file whose name does not say its format, from its start."""
    try:
        with path.open("rb") as file:
            head = file.read(512)
    except OSError:
        return None
    if head.startswith(b"LOGG"):
        return ".blf"
    text = head.decode("latin-1", errors="replace").lstrip()
    if text.startswith(";$FILEVERSION") or text.startswith(";##########"):
        return ".trc"
    if text.startswith("date ") or text.startswith("base ") or "Begin Triggerblock" in text:
        return ".asc"
    if text.startswith("(") and "#" in text.split("\n", 1)[0]:
        return ".log"
    if text.lower().startswith("timestamp,arbitration_id"):
        return ".csv"
    return None


class _Lines:
    """A text file as lines, counting them, so a failed reader can be replaced mid-file."""

    def __init__(self, file: Any) -> None:
        self.file = file
        self.number = 0
        self._header: str | None = None

    def prepend(self, line: str) -> None:
        self._header = line

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._header is not None:
            line, self._header = self._header, None
            return line
        line = next(self.file)
        self.number += 1
        return line

    def close(self) -> None:
        self.file.close()


_ASC_BASE = re.compile(r"base\s+(hex|dec)\b", re.IGNORECASE)
_ASC_TIME = re.compile(r"\d+\.\d+")
_ASC_DIRECTIONS = ("Rx", "Tx")
# time channel id Rx|Tx d dlc data... in hex; groups: DLC 8 with its 8 bytes, or another DLC and the
# data bytes that parse
_ASC_HEX_FRAME = re.compile(r"\s*\d+\.\d+\s+\d+\s+(?:[01][0-9A-Fa-f]{7}|[0-9A-Fa-f]{1,7})x?\s+[RT]x\s+"
                            r"d\s+(?:(8)(?:\s+[0-9A-Fa-f]{1,2}\b){8}|([0-9A-Fa-f])((?:\s+[0-9A-Fa-f]{1,2}\b)*))")
_ASC_CLASSIC_LENGTH = {f"{dlc:X}": min(8, can.util.dlc2len(dlc)) for dlc in range(16)} | {
    f"{dlc:x}": min(8, can.util.dlc2len(dlc)) for dlc in range(16)}


class _AscLines(_Lines):
    """The lines of an ASC file for python-can's reader, every frame line checked first.

    A frame line has a time, a channel (a number, or ``CANFD`` and a number), the id and the
    direction (``Rx``/``Tx``) among its first fields; one that python-can would skip or fail on
    becomes a finding with its line number and reaches the reader as an empty line. Other lines
    (header, comments, status and statistics events, error frames) pass unchanged.
    """

    def __init__(self, file: Any, findings: Findings, progress: Progress) -> None:
        super().__init__(file)
        self.findings = findings
        self.progress = progress
        self.base = 16

    def __next__(self) -> str:
        line = next(self.file)
        self.number += 1
        if self.base == 16 and (match := _ASC_HEX_FRAME.match(line)) is not None and (
                match.group(1) or len(match.group(3).split()) >= _ASC_CLASSIC_LENGTH[match.group(2)]):
            return line  # the common case, a well-formed classic frame line, at the regex's speed
        fields = line.split()
        if len(fields) < 4:
            return line
        if fields[0] == "base" and (match := _ASC_BASE.match(line.strip())):
            self.base = 16 if match.group(1).lower() == "hex" else 10
            return line
        if fields[1].isdigit() and (fields[3] in _ASC_DIRECTIONS or fields[2] in _ASC_DIRECTIONS):
            problem = self._classic(fields)
        elif fields[1] == "CANFD" and len(fields) > 4 and fields[3] in _ASC_DIRECTIONS:
            problem = self._fd(fields)
        else:
            return line
        if problem is None:
            return line
        frames, last = self.progress()
        self.findings.add(Finding("file", f"damaged frame line skipped ({problem}): {line.strip()[:80]}",
                                  frame=frames or None, time=last, line=self.number))
        return "\n"

    def _classic(self, fields: list[str]) -> str | None:
        # time channel id Rx|Tx d dlc data... [Length = ...] | time channel id Rx|Tx r [dlc]
        if not _ASC_TIME.fullmatch(fields[0]):
            return f"time '{fields[0]}'"
        if fields[3] not in _ASC_DIRECTIONS:
            return "no id before the direction"
        problem = self._id(fields[2])
        if problem or len(fields) < 5:
            return problem or "nothing after the direction"
        kind = fields[4].lower()
        if kind == "r":
            return None
        if kind != "d" or len(fields) < 6:
            return f"'{fields[4]}' where d <dlc> or r belongs"
        dlc = self._number(fields[5])
        if dlc is None or dlc > 15:
            return f"DLC '{fields[5]}'"
        return self._data(fields[6:], min(8, can.util.dlc2len(dlc)))

    def _fd(self, fields: list[str]) -> str | None:
        # time CANFD channel Rx|Tx id [name] brs esi dlc length data... [fields]
        if not _ASC_TIME.fullmatch(fields[0]):
            return f"time '{fields[0]}'"
        if fields[4].lower() == "errorframe":
            return None
        problem = self._id(fields[4])
        if problem:
            return problem
        rest = fields[5:] if fields[5:6] and fields[5].isdigit() else fields[6:]
        if len(rest) < 4 or rest[0] not in ("0", "1") or rest[1] not in ("0", "1"):
            return "BRS, ESI, DLC and data length missing"
        dlc = self._number(rest[2])
        if dlc is None or dlc > 15 or not rest[3].isdigit() or int(rest[3]) > 64:
            return f"DLC '{rest[2]}' or data length '{rest[3]}'"
        return self._data(rest[4:], int(rest[3]))

    def _id(self, text: str) -> str | None:
        digits = text[:-1] if text[-1:] in ("x", "X") else text
        value = self._number(digits, limit=0x1FFFFFFF)
        return None if value is not None else f"id '{text}'"

    def _data(self, fields: list[str], length: int) -> str | None:
        if len(fields) < length:
            return f"{len(fields)} of {length} data bytes"
        for byte in fields[:length]:
            if self._number(byte) is None:
                return f"data byte '{byte}'"
        return None

    def _number(self, text: str, limit: int = 0xFF) -> int | None:
        try:
            value = int(text, self.base)
        except ValueError:
            return None
        return value if 0 <= value <= limit and text.isalnum() else None


Progress = Callable[[], tuple[int, "float | None"]]  # (frames read so far, timestamp of the last one)


class _LogCapture(logging.Handler):
    """python-can's warnings about skipped input, turned into findings."""

    def __init__(self, findings: Findings, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.findings = findings
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING and "Unsupported" not in record.getMessage():
            return
        frames, last = self.progress()
        self.findings.add(Finding("file", f"python-can skipped input: {record.getMessage()}",
                                  frame=frames or None, time=last))


class _Counted:
    """Counts the frames going through, for callers that do not count them themselves."""

    def __init__(self) -> None:
        self.frames = 0
        self.last: float | None = None

    def __call__(self) -> tuple[int, float | None]:
        return self.frames, self.last

    def wrap(self, frames: Iterator[can.Message]) -> Iterator[can.Message]:
        for frame in frames:
            self.frames += 1
            self.last = frame.timestamp
            yield frame


def read_frames(path: str | Path, findings: Findings, progress: Progress | None = None) -> Iterator[can.Message]:
    """Every frame of the trace at `path`; problems go to `findings` (see the module docstring).

    `progress` tells how many frames the caller has taken so far and the last timestamp, for the
    position of findings; without it the frames are counted here (a little slower).
    """
    file = Path(path)
    if not file.is_file():
        findings.add(Finding("file", f"trace file '{file}' does not exist or is not a file", severity="error"))
        return iter(())
    suffixes = [s.lower() for s in file.suffixes[-2:]]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = (suffixes[-2] if compressed and len(suffixes) == 2 else suffixes[-1]) if suffixes else ""
    if suffix not in FORMATS:
        sniffed = None if compressed else sniff_format(file)
        if sniffed is None:
            findings.add(Finding("format", f"'{file.name}' is not a trace format python-can reads "
                                           f"({', '.join(f'{k} {v}' for k, v in FORMATS.items())})",
                                 severity="error"))
            return iter(())
        suffix = sniffed
    counted: _Counted | None = None
    if progress is None:
        counted = _Counted()
        progress = counted
    reading = _read_text if suffix in _TEXT_RESTARTABLE else _read_whole
    frames = reading(file, suffix, compressed, findings, progress)
    return counted.wrap(frames) if counted is not None else frames


@contextlib.contextmanager
def _python_can_warnings(findings: Findings, progress: Progress) -> Iterator[None]:
    """python-can's log records about skipped input become findings while a file is read."""
    capture = _LogCapture(findings, progress)
    can_logger = logging.getLogger("can.io")
    old_level = can_logger.level
    can_logger.addHandler(capture)
    if can_logger.getEffectiveLevel() > logging.INFO:
        can_logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        can_logger.removeHandler(capture)
        can_logger.setLevel(old_level)


def _open_text(file: Path, compressed: bool) -> Any:
    """A text trace (gzip-compressed or not) as lines; undecodable bytes replaced, never fatal."""
    opener = gzip.open if compressed else open
    return opener(file, "rt", encoding="utf-8", errors="replace")  # type: ignore[operator]


def _reader(file: Path, suffix: str, compressed: bool, findings: Findings, progress: Progress) -> Any:
    if suffix == ".blf":
        return can.io.BLFReader(str(file))
    if suffix == ".asc":
        return can.io.ASCReader(_AscLines(_open_text(file, compressed), findings, progress))
    if compressed:
        return can.LogReader(str(file))
    return can.io.TRCReader(str(file))


def _read_whole(file: Path, suffix: str, compressed: bool, findings: Findings,
                progress: Progress) -> Iterator[can.Message]:
    """BLF, ASC, TRC: python-can's reader to the end; an exception ends the file with a finding."""
    with _python_can_warnings(findings, progress):
        try:
            reader = _reader(file, suffix, compressed, findings, progress)
        except Exception as error:  # python-can raises many kinds on a bad header
            findings.add(Finding("file", f"'{file.name}' cannot be read as {FORMATS[suffix]}: {error}",
                                 severity="error"))
            return
        try:
            yield from reader
        except Exception as error:  # a corrupt object or line: keep what came before
            frames, last = progress()
            findings.add(Finding("file", f"reading stopped after {frames} frames: {type(error).__name__}: {error}",
                                 frame=frames or None, time=last, severity="error"))
        finally:
            reader.stop()
        if suffix == ".blf":
            _check_blf(file, reader, *progress(), findings)


def _check_blf(file: Path, reader: can.io.BLFReader, frames: int, last: float | None, findings: Findings) -> None:
    size = os.path.getsize(file)
    announced = getattr(reader, "file_size", 0) or 0
    objects = getattr(reader, "object_count", 0) or 0
    if announced and size < announced:
        findings.add(Finding("file", f"the file is truncated: its header announces {announced} bytes, it has "
                                     f"{size}", frame=frames or None, time=last, severity="error"))
    elif objects and frames < objects:
        findings.add(Finding("file", f"the header announces {objects} objects, {frames} CAN frames were read "
                                     "(the rest is unreadable or not CAN frames)", frame=frames or None, time=last))


def _read_text(file: Path, suffix: str, compressed: bool, findings: Findings,
               progress: Progress) -> Iterator[can.Message]:
    """candump log, CSV: on a bad line, note it and go on with a fresh reader after it."""
    reader_class = _TEXT_RESTARTABLE[suffix]
    with _python_can_warnings(findings, progress), _open_text(file, compressed) as handle:
        lines = _Lines(handle)
        while True:
            reader = reader_class(lines)
            try:
                yield from reader
                return
            except Exception as error:  # a malformed line
                frames, last = progress()
                if lines.number <= 1 and suffix == ".csv" and frames == 0:
                    findings.add(Finding("file", f"not a python-can CSV trace: {error}", line=lines.number,
                                         severity="error"))
                    return
                findings.add(Finding("file", f"unreadable line skipped ({type(error).__name__}: {error})",
                                     frame=frames or None, time=last, line=lines.number))
                if suffix == ".csv":
                    lines.prepend(_CSV_HEADER)  # the CSV reader skips a header line first
