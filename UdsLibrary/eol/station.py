"""`uds station`: the EOL station loop. Barcodes come in on standard input, one per line (a barcode
scanner is a keyboard); for each one the EOL suite runs against the station's bench, a large PASS or
FAIL with the cycle time is printed, and the station waits for the next scan.

The suite runs in this process (``robot.run`` per ECU): Robot Framework, the library and python-can
are imported once, so an ECU costs the suite's own time plus writing its output - not a Python and
Robot start-up. Each ECU gets its own output folder (output.xml, log.html, CAN trace) under the
station's ``output``; the verdict is read back from the quality database by the run id the station
gives the suite.

Ctrl-C: while an ECU is tested, SIGINT and SIGTERM are blocked for the whole process and picked up by
a watcher thread (POSIX), so Robot Framework does not abort the ECU's sequence: the ECU finishes, its
report is written, then the station stops. A third Ctrl-C stops at once. Waiting for a scan, Ctrl-C
stops right away. (Windows has no signal masks: there Robot Framework's own handling applies - the
ECU's sequence stops, its teardown still writes the report - and the station stops after it.)
"""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from UdsLibrary.eol.barcode import BarcodeError, visible
from UdsLibrary.eol.config import StationConfig
from UdsLibrary.eol.database import QualityDatabase
from UdsLibrary.eol.delivery import ReportDelivery
from UdsLibrary.errors import UdsLibraryError

PASS, FAIL, REJECTED = "PASS", "FAIL", "REJECTED"
_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_FORCE_AFTER = 3  # Ctrl-C presses during one ECU before the station stops at once

# 5-row block letters for the verdict: readable from a few metres away at the line.
_LETTERS = {
    "P": ("####", "#  #", "####", "#   ", "#   "),
    "A": (" ## ", "#  #", "####", "#  #", "#  #"),
    "S": (" ###", "#   ", " ## ", "   #", "### "),
    "F": ("####", "#   ", "### ", "#   ", "#   "),
    "I": ("###", " # ", " # ", " # ", "###"),
    "L": ("#   ", "#   ", "#   ", "#   ", "####"),
}


def banner(word: str) -> list[str]:
    """``PASS`` or ``FAIL`` in block letters (five lines)."""
    return ["   ".join(_LETTERS[ch][row] for ch in word).replace("#", "\u2588") for row in range(5)]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one scan."""

    barcode: str
    result: str  # PASS, FAIL or REJECTED (a malformed barcode: no ECU was tested)
    station_time: float  # seconds from the scan to the verdict
    cycle_time: float | None = None  # seconds of the EOL test itself (from the report)
    serial: str | None = None
    part_number: str | None = None
    failed_step: str | None = None
    reason: str | None = None
    report_file: str | None = None
    spooled: bool = False
    output: Path | None = None


class InterruptWatcher:
    """Defers SIGINT/SIGTERM while an ECU is tested (see the module docstring). `count` says how many came."""

    supported = hasattr(signal, "pthread_sigmask") and hasattr(signal, "sigtimedwait")

    def __init__(self, on_signal: Callable[[int], None]) -> None:
        self.on_signal = on_signal
        self.count = 0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._old_mask: set[int] | None = None

    def _got(self, signum: int) -> None:
        self.count += 1
        self.on_signal(self.count)

    def _watch(self) -> None:
        while not self._done.is_set():
            info = signal.sigtimedwait(_SIGNALS, 0.1)
            if info is not None:
                self._got(info.si_signo)

    def __enter__(self) -> InterruptWatcher:
        if self.supported and threading.current_thread() is threading.main_thread():
            # Blocked before any thread of the run starts: they all inherit the mask, so the signal can
            # only be taken by sigtimedwait here - never by Robot Framework's handler.
            self._old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
            self._thread = threading.Thread(target=self._watch, name="uds-station-signals", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is None:
            return
        self._done.set()
        self._thread.join()
        while (info := signal.sigtimedwait(_SIGNALS, 0)) is not None:  # came after the last wait
            self._got(info.si_signo)
        assert self._old_mask is not None
        signal.pthread_sigmask(signal.SIG_SETMASK, self._old_mask)


class Station:
    """One EOL station: `test` one barcode, or `loop` over the lines of a stream."""

    def __init__(self, config: StationConfig, *, suite: str | Path | None = None, output: str | Path | None = None,
                 out: TextIO | None = None, color: bool | None = None) -> None:
        self.config = config
        chosen = suite if suite is not None else config.suite
        if chosen is None:
            raise UdsLibraryError(f"station {config.station_id}: no EOL suite to run: set station.suite in "
                                  f"{config.source} (e.g. suites/eol/eol.robot) or give --suite")
        self.suite = Path(chosen).absolute()
        if not self.suite.exists():
            raise UdsLibraryError(f"the EOL suite {self.suite} does not exist")
        if config.source is None:
            raise UdsLibraryError("the station loop needs a station file (the suite loads it)")
        self.output = Path(output).absolute() if output is not None else config.output
        self.out = out or sys.stdout
        self.color = color if color is not None else bool(getattr(self.out, "isatty", lambda: False)())
        self.stop_requested = False
        self.verdicts: list[Verdict] = []

    # ------------------------------------------------------------------ output
    def _print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _paint(self, text: str, result: str) -> str:
        if not self.color:
            return text
        code = "1;37;42" if result == PASS else "1;37;41"
        return f"\x1b[{code}m{text}\x1b[0m"

    def _show(self, verdict: Verdict) -> None:
        if verdict.result == REJECTED:
            self._print(f"REJECTED  {visible(verdict.barcode)}: {verdict.reason}")
            self._print("          rescan the label")
            return
        width = 64
        self._print()
        for line in banner(verdict.result):
            self._print(self._paint(f"   {line}".ljust(width), verdict.result))
        cycle = f"cycle time {verdict.cycle_time:.2f} s" if verdict.cycle_time is not None else "no cycle time"
        self._print(f"{verdict.result}  {verdict.serial}  part number {verdict.part_number}  {cycle} "
                    f"(scan to verdict {verdict.station_time:.2f} s)")
        if verdict.result == FAIL:
            step = f"step '{verdict.failed_step}': " if verdict.failed_step else ""
            self._print(f"      {step}{verdict.reason}")
        if verdict.report_file:
            where = "spooled (MES folder unreachable)" if verdict.spooled else "report"
            self._print(f"      {where}: {verdict.report_file}")
        if verdict.output is not None:
            self._print(f"      log: {verdict.output / 'log.html' if self.config.log else verdict.output}")

    def _on_signal(self, count: int) -> None:
        self.stop_requested = True
        if count >= _FORCE_AFTER:
            self._print("\nStopped at once: the report of the ECU under test may be missing.")
            os._exit(130)
        self._print(f"\nCtrl-C: the station stops after this ECU, once its report is written "
                    f"({_FORCE_AFTER - count} more to stop at once).")

    # ------------------------------------------------------------------ one ECU
    def test(self, barcode: str) -> Verdict:
        """Run the EOL suite for one scanned barcode; print and return the verdict."""
        started = time.perf_counter()
        text = barcode.strip()
        try:
            unit = self.config.barcode.parse(text)
            self.config.variant_for(unit.part_number)
        except (BarcodeError, UdsLibraryError) as error:
            verdict = Verdict(text, REJECTED, time.perf_counter() - started, reason=str(error))
            self.verdicts.append(verdict)
            self._show(verdict)
            return verdict
        self._print(f"Testing ECU {unit.serial} (part number {unit.part_number}) ...")
        run_id = uuid.uuid4().hex
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        output = self.output / f"{stamp}_{unit.serial}_{run_id[:8]}"
        with InterruptWatcher(self._on_signal):
            console = self._run_suite(text, run_id, output)
        row = None
        if self.config.database.is_file():
            with QualityDatabase(self.config.database) as database:
                row = database.result(run_id)
        elapsed = time.perf_counter() - started
        if row is None:
            tail = "\n".join(console.strip().splitlines()[-5:])
            verdict = Verdict(text, FAIL, elapsed, serial=unit.serial, part_number=unit.part_number,
                              reason=f"no EOL result was recorded - see the log; Robot Framework said: {tail}",
                              output=output)
        else:
            verdict = Verdict(text, row.result, elapsed, cycle_time=row.cycle_time_s, serial=row.serial,
                              part_number=row.part_number, failed_step=row.failed_step, reason=row.reason,
                              report_file=row.report_file, spooled=row.delivery == "spool", output=output)
            if row.reason and "terminated by signal" in row.reason:  # Windows: Robot Framework took the Ctrl-C
                self.stop_requested = True
        self.verdicts.append(verdict)
        self._show(verdict)
        return verdict

    def _run_suite(self, barcode: str, run_id: str, output: Path) -> str:
        import robot

        console = io.StringIO()
        robot.run(str(self.suite), outputdir=str(output), output="output.xml" if self.config.log else "NONE",
                  log="log.html" if self.config.log else "NONE", report="NONE", console="dotted",
                  stdout=console, stderr=console,
                  variable=[f"BARCODE:{barcode}", f"STATION_FILE:{self.config.source}", f"EOL_RUN_ID:{run_id}"])
        return console.getvalue()

    # ------------------------------------------------------------------ the loop
    def loop(self, stream: TextIO) -> int:
        """Test one ECU per line of `stream` until it ends or Ctrl-C; 0 if every ECU passed, else 1."""
        config = self.config
        self._print(f"EOL station {config.station_id} (tester {config.tester_serial}): bench {config.bench.name}, "
                    f"MES folder {config.mes_folder}, database {config.database}")
        delivery = ReportDelivery(config.mes_folder, config.spool_folder, create_mes_folder=config.create_mes_folder)
        waiting = len(delivery.spooled())
        if waiting:
            delivered = delivery.flush_spool()
            if delivered:
                with QualityDatabase(config.database) as database:
                    for spooled, target in delivered:
                        database.mark_delivered(str(spooled), str(target))
            self._print(f"{len(delivered)} of {waiting} spooled report(s) delivered to the MES folder")
        try:
            while not self.stop_requested:
                self._print("Scan the next ECU (Ctrl-C stops):")
                line = stream.readline()
                if not line:
                    break
                if line.strip():
                    self.test(line)
        except KeyboardInterrupt:
            self._print("\nStopped.")
        counts = {result: sum(v.result == result for v in self.verdicts) for result in (PASS, FAIL, REJECTED)}
        self._print(f"Station {config.station_id} stopped: {counts[PASS]} passed, {counts[FAIL]} failed, "
                    f"{counts[REJECTED]} barcode(s) rejected.")
        return 0 if counts[FAIL] == 0 and counts[REJECTED] == 0 else 1
