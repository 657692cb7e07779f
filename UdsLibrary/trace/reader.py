"""Reading trace files frame by frame with python-can's readers, without giving up on bad input.

`read_frames(path, findings)` yields `can.Message` objects one at a time (constant memory) from
any format python-can reads - BLF, ASC, TRC, candump ``.log``, CSV, also gzip-compressed text
(``.asc.gz``) - and turns every problem into a `Finding` instead of an exception:

* an unknown or unreadable format: one finding, no frames;
* a bad line in a candump log or CSV file: a finding with the line number, then reading goes on
  with the next line (a fresh reader on the same open file);
* a line the ASC or TRC reader skips, an unreadable BLF container: python-can logs it; those log
  records become findings;
* a truncated BLF file: its header announces more bytes or objects than were read.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
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


def _reader(file: Path, suffix: str, compressed: bool) -> Any:
    if suffix == ".blf":
        return can.io.BLFReader(str(file))
    if compressed:
        return can.LogReader(str(file))
    return {".asc": can.io.ASCReader, ".trc": can.io.TRCReader}[suffix](str(file))


def _read_whole(file: Path, suffix: str, compressed: bool, findings: Findings,
                progress: Progress) -> Iterator[can.Message]:
    """BLF, ASC, TRC: python-can's reader to the end; an exception ends the file with a finding."""
    with _python_can_warnings(findings, progress):
        try:
            reader = _reader(file, suffix, compressed)
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
    opener = gzip.open if compressed else open
    reader_class = _TEXT_RESTARTABLE[suffix]
    with _python_can_warnings(findings, progress), \
            opener(file, "rt", encoding="utf-8", errors="replace") as handle:  # type: ignore[operator]
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
