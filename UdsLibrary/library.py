"""The `UdsLibrary` class: the keyword components assembled with robotlibcore's DynamicCore."""

from __future__ import annotations

from robot.api.deco import keyword
from robot.utils import ConnectionCache
from robotlibcore import DynamicCore

from UdsLibrary import __version__
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import Target
from UdsLibrary.keywords.connection import ConnectionKeywords
from UdsLibrary.log import logger
from UdsLibrary.trace.policy import TraceCapture

LOG_DETAILS = ("info", "none")


class TargetCache(ConnectionCache[Target]):
    """Robot's ConnectionCache (aliases, indices, switching) plus closing one connection of several."""

    def remove(self, target: Target) -> None:
        if target not in self._connections:
            return
        index = self._connections.index(target) + 1
        was_current = self.current is target
        self._connections.remove(target)
        aliases = {alias: i - (i > index) for alias, i in self._aliases.items() if i != index}
        self._aliases.clear()
        self._aliases.update(aliases)
        if was_current:
            self.current = self._connections[-1] if self._connections else self._no_current


class UdsLibrary(DynamicCore):
    """UdsLibrary: UDS (ISO 14229-1) diagnostics over CAN (ISO-TP) for Robot Framework.

    It wraps python-can, can-isotp and udsoncan: bus setup, diagnostic sessions, security
    access, DID read/write, routines, DTCs, ECU control and raw requests, with a simulated ECU so
    that suites run without hardware.

    %TOC%

    = Connections =

    `Open UDS Connection` opens a diagnostic link from a bench file (YAML: the CAN interface,
    the ECU's ids and description, and optionally a simulated ECU) or from explicit arguments.
    Several connections can be open at once; `Switch UDS Connection` changes the active one.
    `Close All UDS Connections` belongs in the suite teardown.

    = Implicit assertions =

    Every service keyword fails when the ECU answers with a negative response, unless the test
    says which negative response it expects with ``expected_nrc=`` (a number such as ``0x31``
    or ``31``, or a name such as ``requestOutOfRange``). The failure message names the request,
    the NRC, what it usually means and, where the cause is well known, a hint.

    = Hex =

    Wherever a tester thinks in hex, hex is accepted: ``22 F1 90``, ``22F190``, ``0x22F190``.
    Identifiers (DIDs, routines, CAN ids) are hex: ``F190`` and ``0xF190`` are the same DID.

    = Traces =

    With the import argument ``trace=always`` (or ``on_failure``) every test's CAN frames are
    recorded to ``${OUTPUT DIR}/traces/<suite>/<test>.blf`` (``trace_format=asc`` for ASC) and
    linked in the log; ``on_failure`` keeps only the traces of failed tests. `Start Trace Capture`
    and `Stop Trace Capture` record any other span, `Decode Trace` reads recorded traces back as
    UDS transactions and `Discover ECUs` lists the ECUs on the bus (see docs/traces.md).

    = Secrets =

    Security keys and secrets are never logged: keys are shown as ``**`` in the log, and secrets
    are taken as Robot Framework ``Secret`` values, from an environment variable, or from the ECU
    description.
    """

    ROBOT_LIBRARY_SCOPE = "GLOBAL"
    ROBOT_LIBRARY_VERSION = __version__
    ROBOT_LIBRARY_DOC_FORMAT = "ROBOT"
    ROBOT_LISTENER_API_VERSION = 3

    def __init__(self, bench: str | None = None, p2_timeout: float | None = None, log_detail: str = "info",
                 trace: str = "never", trace_format: str = "blf") -> None:
        """``bench`` is the default bench file for `Open UDS Connection`; ``p2_timeout`` (seconds)
        overrides the benches' client P2 timeout; ``log_detail`` is ``info`` (request/response
        tables in the log) or ``none``; ``trace`` is ``never``, ``on_failure`` or ``always`` (record
        each test's CAN frames, see `Traces`) and ``trace_format`` is ``blf`` or ``asc``."""
        if log_detail.lower() not in LOG_DETAILS:
            raise UdsLibraryError(f"log_detail must be one of {', '.join(LOG_DETAILS)}, got '{log_detail}'")
        self.default_bench = bench
        self.p2_timeout = p2_timeout
        self.log_detail = log_detail.lower()
        self.targets = TargetCache("No UDS connection is open: use 'Open UDS Connection' first.")
        self.trace_capture = TraceCapture(self, trace, trace_format)
        self.ROBOT_LIBRARY_LISTENER = self
        components = [ConnectionKeywords(self)]
        components += _optional_components(self)
        super().__init__(components)

    # library listener (trace capture) --------------------------------------------------
    def start_test(self, data, result) -> None:
        self.trace_capture.start_test(result.parent.full_name if result.parent else "suite", result.name)

    def end_keyword(self, data, result) -> None:
        self.trace_capture.sync()  # connections opened by this keyword join the running captures

    def end_test(self, data, result) -> None:
        self.trace_capture.end_test(failed=result.failed)

    def close(self) -> None:
        self.trace_capture.close()

    # state shared by the components ---------------------------------------------------
    def active_target(self) -> Target:
        if not self.targets:  # no current connection
            raise UdsLibraryError("No UDS connection is open: use 'Open UDS Connection' first.")
        return self.targets.current

    def close_target(self, target: Target) -> None:
        if target.timings:
            logger.info(f"UDS timing of connection '{target.name}': {_format_summary(target.timing_summary())}")
        try:
            if target.tester_present is not None:
                target.tester_present.stop()
                target.tester_present = None
            target.connection.close()
        finally:
            if target.simulator is not None:
                target.simulator.stop()
        self.targets.remove(target)

    def close_all_targets(self) -> None:
        errors = []
        for target in list(self.targets):
            try:
                self.close_target(target)
            except Exception as error:  # close the others anyway, report at the end
                errors.append(f"{target.name}: {error}")
        self.targets.empty_cache()
        if errors:
            logger.warn(f"Closing UDS connections reported: {'; '.join(errors)}")

    @keyword("Log UDS Timing Statistics", tags=["timing"])
    def log_uds_timing_statistics(self) -> dict:
        """Logs the response time statistics of the active connection (requests, median, 95th
        percentile and maximum final response time, count of 0x78) and returns them. Closing a
        connection logs the same line.

        Example:
        | ${stats} = | Log UDS Timing Statistics |
        | Should Be True | ${stats}[p95_ms] < 50 |
        """
        summary = self.active_target().timing_summary()
        logger.info(_format_summary(summary))
        return summary


def _format_summary(summary: dict) -> str:
    return ", ".join(f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}" for k, v in summary.items())


def _optional_components(library: UdsLibrary) -> list:
    from UdsLibrary.keywords import registry

    return [component(library) for component in registry.COMPONENTS]
