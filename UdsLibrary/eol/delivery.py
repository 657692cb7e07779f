"""Getting EOL reports to the MES without ever losing one: atomic writes, a local spool, delivery later.

Atomic write: the report is written to a temporary file in the target folder (``.<name>.<random>.tmp``;
the MES must ignore dot files and ``*.tmp``), flushed and fsync'ed, then renamed over the final name
with `os.replace` (atomic on POSIX and Windows within one folder), and the folder is fsync'ed (POSIX)
so that the rename survives a power cut. A reader sees either no report or the whole report, never a
part of one; a crash leaves at most a temporary file, which a later run removes.

Spool: when the MES folder cannot be written (a network share that is not mounted, a server that is
down, no permission), the report goes atomically into the local spool folder instead. Every later
delivery first moves the spooled reports (oldest first) to the MES folder, each with the same atomic
write, and removes a spooled file only once its copy is in place - so a crash in between leaves a
duplicate with the same name (harmless: same content, same report id), never a gap.

The standard library has what this needs (`tempfile`, `os.fsync`, `os.replace`); no library does
the spool, so it is written here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.log import logger

TEMP_SUFFIX = ".tmp"
STALE_TEMP_AGE = 600.0  # seconds: a temporary file this old is left over from a crash (no write takes that long)


class DeliveryError(UdsLibraryError):
    """A report could be written neither to the MES folder nor to the spool folder."""


def atomic_write(target: Path, data: bytes) -> Path:
    """Write `data` to `target` so that `target` is either absent/unchanged or complete (see module doc)."""
    folder = target.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)
    return target


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows cannot open a folder and needs no such step)."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems (network shares) do not support it; the file itself is fsync'ed
    finally:
        os.close(descriptor)


def remove_stale_temporaries(folder: Path, max_age: float = STALE_TEMP_AGE) -> list[Path]:
    """Remove temporary files of `atomic_write` older than `max_age` seconds (crash leftovers)."""
    removed: list[Path] = []
    now = time.time()
    with contextlib.suppress(OSError):
        for path in folder.glob(f".*.json.*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > max_age:
                    path.unlink()
                    removed.append(path)
    return removed


@dataclass(frozen=True)
class Delivered:
    """Where a report went: the MES folder, or the spool (with the reason the MES folder was not reachable)."""

    path: Path
    spooled: bool
    reason: str | None = None


class ReportDelivery:
    """Writes reports into the MES folder, spooling them locally while it is unreachable."""

    def __init__(self, mes_folder: str | Path, spool_folder: str | Path, *, create_mes_folder: bool = False) -> None:
        self.mes_folder = Path(mes_folder)
        self.spool_folder = Path(spool_folder)
        self.create_mes_folder = create_mes_folder

    def _mes(self) -> Path:
        """The MES folder, or OSError when it is not there (a share that is not mounted is not created)."""
        if self.create_mes_folder:
            self.mes_folder.mkdir(parents=True, exist_ok=True)
        elif not self.mes_folder.is_dir():
            raise FileNotFoundError(f"{self.mes_folder} does not exist (not mounted?)")
        return self.mes_folder

    def spooled(self) -> list[Path]:
        """Reports waiting in the spool, oldest first (names start with their time stamp)."""
        if not self.spool_folder.is_dir():
            return []
        return sorted(self.spool_folder.glob("[!.]*.json"))

    def flush_spool(self) -> list[tuple[Path, Path]]:
        """Move every spooled report to the MES folder; returns (spooled file, delivered file) pairs. Stops
        (keeping the rest) at the first one that cannot be written: the MES folder is still unreachable."""
        delivered: list[tuple[Path, Path]] = []
        waiting = self.spooled()
        for spooled in waiting:
            try:
                target = atomic_write(self._mes() / spooled.name, spooled.read_bytes())
            except OSError as error:
                logger.warn(f"{len(waiting) - len(delivered)} EOL report(s) stay in the spool folder "
                            f"{self.spool_folder}: the MES folder is still unreachable ({_reason(error)})")
                break
            spooled.unlink()  # only now: until here the report exists in the spool
            delivered.append((spooled, target))
        if self.spool_folder.is_dir():
            remove_stale_temporaries(self.spool_folder)
        if delivered:
            logger.info(f"Delivered {len(delivered)} spooled EOL report(s) to the MES folder {self.mes_folder}")
        return delivered

    def deliver(self, name: str, data: bytes) -> Delivered:
        """Write one report (spooled reports first), into the MES folder or else the spool."""
        self.flush_spool()
        try:
            return Delivered(atomic_write(self._mes() / name, data), spooled=False)
        except OSError as error:
            reason = _reason(error)
        try:
            self.spool_folder.mkdir(parents=True, exist_ok=True)
            path = atomic_write(self.spool_folder / name, data)
        except OSError as error:
            raise DeliveryError(f"the EOL report {name} could be written neither to the MES folder "
                                f"{self.mes_folder} ({reason}) nor to the spool folder {self.spool_folder} "
                                f"({_reason(error)})") from None
        logger.warn(f"The EOL report {name} is spooled in {self.spool_folder} and will be delivered by a later run: "
                    f"the MES folder is unreachable ({reason})")
        return Delivered(path, spooled=True, reason=reason)


def _reason(error: OSError) -> str:
    if error.filename is not None and error.strerror:
        return f"{error.strerror}: {error.filename}"
    return str(error.strerror or error)
