"""Keep-alive: a background thread sending TesterPresent (0x3E) so that a non-default session
survives the ECU's S3 timer while the test does other things.

The thread sends through the connection, whose lock serialises it with the test's own requests:
a TesterPresent never lands in the middle of another exchange. Its requests are not part of the
timing statistics. Robot Framework ignores log messages from other threads, so the thread only
remembers what went wrong; `Stop Tester Present` reports it (and fails on a transport error).
"""

from __future__ import annotations

import threading

from robot.api.deco import keyword
from robot.utils import secs_to_timestr, timestr_to_secs

from UdsLibrary.converters import format_hex
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import LibraryComponent, Target
from UdsLibrary.log import logger
from UdsLibrary.transport.connection import UdsConnection


class TesterPresentError(UdsLibraryError):
    """The Tester Present thread stopped on an error."""


class TesterPresent:
    """The keep-alive of one connection; ``stop()`` never raises (the library calls it on close)."""

    def __init__(self, connection: UdsConnection, interval: float, *, suppress_response: bool = True,
                 functional: bool = False, name: str = "") -> None:
        self.connection = connection
        self.interval = interval
        self.suppress_response = suppress_response
        self.functional = functional
        self.payload = b"\x3e\x80" if suppress_response else b"\x3e\x00"
        self.sent = 0
        self.unanswered = 0
        self.negative: list[str] = []
        self.error: Exception | None = None
        self.reported = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"UDS Tester Present {name}".strip(), daemon=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        """Send the first TesterPresent now (a bad setup fails here, in the keyword), then keep going."""
        self._send()
        self._thread.start()

    def _send(self) -> None:
        if self.suppress_response:
            self.connection.send_only(self.payload, functional=self.functional)
        else:
            # Under the connection's lock like any request; the answer (7E 00) is read and dropped.
            exchange = self.connection.request(self.payload, functional=self.functional)
            final = exchange.final
            if final is None:
                self.unanswered += 1
            elif final.is_negative:
                self.negative.append(format_hex(final.payload))
        self.sent += 1

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._send()
            except Exception as error:  # the bus went away: remember, report at stop
                self.error = error
                logger.console(f"[ WARN ] Tester Present stopped after {self.sent} requests: {error}")
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(self.interval + self.connection.p2_star_timeout + 1.0)
        if self.error is not None and not self.reported:
            self.reported = True
            logger.warn(f"Tester Present stopped on an error after {self.sent} requests: {self.error}")

    def summary(self) -> str:
        text = f"{self.sent} x {format_hex(self.payload)}"
        if self.unanswered:
            text += f", {self.unanswered} without an answer"
        if self.negative:
            text += f", {len(self.negative)} negative answers (first {self.negative[0]})"
        return text


class TesterPresentKeywords(LibraryComponent):
    """Keywords for the TesterPresent (0x3E) keep-alive."""

    @keyword("Start Tester Present", tags=["session", "tester present"])
    def start_tester_present(self, interval: str | float = "2 s", *, suppress_response: bool = True,
                             functional: bool = False) -> None:
        """Starts sending TesterPresent every ``interval`` in the background, to keep a non-default
        session alive past the ECU's S3 timeout; `Stop Tester Present` stops it (so does closing the
        connection).

        ``interval`` is a Robot Framework time (``2 s``, ``500 ms``, ``1.5``); it should be shorter
        than the ECU's S3 (a warning says so otherwise). The first request goes out at once.

        ``suppress_response=True`` (default) sends ``3E 80`` and expects no answer; ``False`` sends
        ``3E 00`` and reads the answer (missing or negative answers are reported by `Stop Tester
        Present`). ``functional=True`` sends on the functional id, to keep every ECU on the bus awake.

        The requests share the connection safely with the test's own requests. Starting it again
        restarts it with the new settings.

        Examples:
        | Start Tester Present |
        | Start Tester Present | 500 ms |
        | Start Tester Present | 1 s | functional=True |
        | Start Tester Present | 2 s | suppress_response=False |
        """
        seconds = _interval(interval)
        target = self.target
        if target.tester_present is not None:
            self._stop_keeper(target, restart=True)
        s3 = target.description.timing.s3 if target.description is not None else None
        if s3 is not None and seconds >= s3:
            logger.warn(f"Tester Present interval {secs_to_timestr(seconds)} is not shorter than the ECU's S3 "
                        f"{secs_to_timestr(s3)}: the session may time out between two requests")
        keeper = TesterPresent(target.connection, seconds, suppress_response=suppress_response,
                               functional=functional, name=target.name)
        keeper.start()
        target.tester_present = keeper
        addressing = target.connection.addressing
        can_id = addressing.functional_id if functional else addressing.request_id
        logger.info(f"Tester Present started: {format_hex(keeper.payload)} every {secs_to_timestr(seconds)}, "
                    f"{'functional' if functional else 'physical'} (id {can_id:X})")

    @keyword("Stop Tester Present", tags=["session", "tester present"])
    def stop_tester_present(self) -> None:
        """Stops the Tester Present of the active connection and logs how many requests it sent.

        Fails if the background thread stopped on an error (for example the CAN interface went
        away). Missing or negative answers (with ``suppress_response=False``) are logged as a
        warning. Safe to call when it is not running or no connection is open.

        Example:
        | Stop Tester Present |
        """
        if not self.lib.targets:
            logger.info("Tester Present is not running (no UDS connection is open)")
            return
        target = self.target
        if target.tester_present is None:
            logger.info("Tester Present is not running")
            return
        self._stop_keeper(target, restart=False)

    @staticmethod
    def _stop_keeper(target: Target, *, restart: bool) -> None:
        keeper: TesterPresent = target.tester_present
        target.tester_present = None
        if not restart:
            keeper.reported = True  # the keyword fails with the error below instead of a warning
        keeper.stop()
        error = keeper.error
        if keeper.unanswered or keeper.negative:
            logger.warn(f"Tester Present: {keeper.summary()}")
        else:
            logger.info(f"Tester Present {'restarted' if restart else 'stopped'} after {keeper.summary()}")
        if error is not None and not restart:
            raise TesterPresentError(f"Tester Present stopped on an error after {keeper.sent} requests: {error}")


def _interval(value: str | float) -> float:
    try:
        seconds = timestr_to_secs(value)
    except (ValueError, TypeError):
        raise UdsLibraryError(f"interval '{value}' is not a time such as '2 s' or '500 ms'") from None
    if seconds <= 0:
        raise UdsLibraryError(f"interval must be longer than 0, got '{value}'")
    return seconds
