"""Traces: record the bus of a test, decode recorded traces into UDS transactions, find the ECUs."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from robot.api.deco import keyword
from robot.utils import DotDict

from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import LibraryComponent, to_seconds
from UdsLibrary.log import logger
from UdsLibrary.trace.capture import TRACE_FORMATS
from UdsLibrary.trace.policy import log_link

# Rows of the transaction table logged by Decode Trace (the returned list has them all).
_LOGGED_ROWS = 200


class EcuConfigurationError(UdsLibraryError):
    """The ECUs that answered are not the expected ones."""


class TraceTransactions(list):
    """The transactions of a trace (a list of dictionaries) with the trace's ``findings``."""

    def __init__(self, transactions: list[DotDict], findings: list[DotDict], summary: dict[str, Any]) -> None:
        super().__init__(transactions)
        self.findings = findings
        self.summary = summary


class TraceKeywords(LibraryComponent):
    """Keywords for trace capture, trace decoding and ECU discovery."""

    @property
    def capture(self):
        return self.lib.trace_capture

    # ------------------------------------------------------------------ capture
    @keyword("Start Trace Capture", tags=["trace"])
    def start_trace_capture(self, path: str | None = None, *, format: str | None = None) -> str:
        """Starts recording every CAN frame of the open UDS connections (and of connections opened
        later) to a trace file; returns its path. `Stop Trace Capture` ends it.

        ``path`` defaults to ``${OUTPUT DIR}/traces/<suite>/<test>.<format>`` (under pabot the name
        also carries ``${PABOTQUEUEINDEX}``); a relative ``path`` is relative to the output
        directory. The file's extension chooses the format: ``.blf`` (Vector), ``.asc``, ``.trc``
        (PEAK), ``.log`` (candump) or ``.csv``; a path without one gets ``.<format>``. Without
        ``format``, the bench's ``trace_format`` applies, else the library's (default ``blf``).

        Starting a capture while one runs stops the first one (its link is logged). The bytes of
        security keys (``27 <even>`` requests) are blanked in the file.

        Examples:
        | ${trace} = | Start Trace Capture |
        | Start Trace Capture | ${OUTPUT DIR}/flash.asc |
        | Start Trace Capture | format=asc |
        """
        fmt = (format or self.capture.format_for_benches()).strip().lower().lstrip(".")
        if fmt not in TRACE_FORMATS:
            raise UdsLibraryError(f"format must be one of {', '.join(TRACE_FORMATS)}, got '{format}'")
        capture = self.capture
        if capture.keyword_recorder is not None:
            logger.info("A trace capture was running: stopping it first")
            self.stop_trace_capture()
        file = capture.resolve_path(path, fmt) if path else capture.default_path(fmt)
        recorder = capture.start(file)
        capture.keyword_recorder = recorder
        count = len(recorder.connections)
        logger.info(f"Trace capture started: {file} ({count} connection{'s' if count != 1 else ''})")
        return str(file)

    @keyword("Stop Trace Capture", tags=["trace"])
    def stop_trace_capture(self) -> str | None:
        """Stops the capture started with `Start Trace Capture`, closes the file, logs a link to it
        and returns its path. Frames that arrived since the last request are written first. Safe
        to call when nothing is recorded (returns ``None``), e.g. in a teardown.

        Example:
        | ${trace} = | Stop Trace Capture |
        | ${transactions} = | Decode Trace | ${trace} |
        """
        capture = self.capture
        recorder, capture.keyword_recorder = capture.keyword_recorder, None
        if recorder is None:
            logger.info("No trace capture is running")
            return None
        path: Path = recorder.close()
        log_link(path, recorder.frames, "Trace")
        return str(path)

    # ------------------------------------------------------------------ decoding
    @keyword("Decode Trace", tags=["trace"])
    def decode_trace(self, path: str, *, ecu_description: str | None = None, dtc_table: str | None = None,
                     pairs: str | None = None) -> TraceTransactions:
        """Decodes a CAN trace file into UDS transactions and returns them as a list of dictionaries.

        Reads every format python-can reads (``.blf``, ``.asc``, ``.trc``, candump ``.log``,
        ``.csv``), reassembles ISO-TP (classical CAN and CAN FD, any padding), pairs each request
        with its responses - physical 0x7xx pairs (response id = request id + 8), functional
        requests on 0x7DF answered by several ECUs, 29-bit normal fixed ids (0x18DA/0x18DB) - and
        decodes them. ``pairs`` gives the request/response ids instead (``7E0:7E8,726:72E``).

        ``ecu_description`` (an ECU description or vehicle file) names and decodes DIDs;
        ``dtc_table`` (CSV, or ``.xlsx``) describes DTCs.

        Each transaction has the keys ``index``, ``time`` (seconds from the first frame),
        ``ecu``, ``request_id``, ``response_id``, ``functional``, ``service``, ``request`` and
        ``response`` (hex; security keys shown as ``**``), ``responses`` (with every 0x78),
        ``result`` (``positive``, ``negative``, ``no response``, ``suppressed``, ``pending``,
        ``no request``), ``nrc`` and ``nrc_name``, ``pending`` (count of 0x78), ``p2_ms``,
        ``p2_star_ms`` and ``response_ms``, ``decoded`` (a sentence), ``dids`` (``did``, ``name``,
        ``value``) and ``dtcs`` (``code`` such as ``P0A9B-00``, ``failure_type``, ``status``,
        ``status_bits``, ``description``).

        Problems in the file (truncated, corrupt, unknown format, incomplete ISO-TP messages,
        frames out of order) do not fail the keyword: they are logged and returned in
        ``${transactions.findings}`` (dictionaries with ``kind``, ``severity``, ``frame``,
        ``time``, ``line``, ``message``), and the rest of the file is decoded. A missing file fails.

        Examples:
        | ${transactions} = | Decode Trace | ${OUTPUT DIR}/traces/flash.blf |
        | Should Be Equal | ${transactions}[0][service] | DiagnosticSessionControl |
        | ${transactions} = | Decode Trace | vehicle.asc | ecu_description=${CURDIR}/vehicle.yaml | dtc_table=dtcs.csv |
        | Should Be Empty | ${transactions.findings} |
        """
        from UdsLibrary.trace.decode import DecodeOptions, TraceDecoder, ecu_map, parse_pairs
        from UdsLibrary.trace.reader import Findings, read_frames

        file = Path(path)
        if not file.is_file():
            raise UdsLibraryError(f"trace file '{path}' does not exist")
        table = None
        if dtc_table is not None:
            from UdsLibrary.dtc import load_dtc_table

            table = load_dtc_table(dtc_table)
        findings = Findings()
        decoder = TraceDecoder(DecodeOptions(pairs=parse_pairs(pairs)), ecus=ecu_map(ecu_description),
                               dtc_table=table, findings=findings)
        transactions = list(decoder.run(read_frames(file, findings, decoder.progress)))
        base = decoder.first_time or 0.0
        rows = [DotDict(t.to_dict(base)) for t in transactions]
        found = [DotDict(f.to_dict()) for f in findings]
        summary = {"frames": decoder.frames, "diagnostic_frames": decoder.diagnostic_frames,
                   "transactions": len(rows), "findings": len(findings)}
        logger.info(f"Decoded {file.name}: {decoder.frames} frames ({decoder.diagnostic_frames} diagnostic), "
                    f"{len(rows)} UDS transactions, {len(findings)} findings")
        if rows and self.lib.log_detail != "none":
            logger.info(lambda: _transaction_table(rows[:_LOGGED_ROWS], len(rows)), html=True)
        for finding in findings:
            logger.info(f"Trace finding: {finding}")
        return TraceTransactions(rows, found, summary)

    # ------------------------------------------------------------------ discovery
    @keyword("Discover ECUs", tags=["trace", "discovery"])
    def discover_ecus(self, *, id_range: str = "7E0-7EF", functional: bool = True, expected: Any = None,
                      timeout: str | float = "100 ms") -> list[DotDict]:
        """Finds the ECUs on the bus of the active connection and returns them; with ``expected``,
        fails unless exactly the expected ECUs answered.

        Probing: TesterPresent (``3E 00``) on the functional id (``functional=True``: the
        connection's, else 0x7DF, or 0x18DB33F1 when ``id_range`` is 29-bit) and to each request id
        of ``id_range`` (``7E0-7EF``: the request ids with bit 3 clear, each answered on request +
        8; ``700-7FF`` for the whole 11-bit diagnostic range; ``18DA00F1-18DAFFF1``: 29-bit normal
        fixed request ids to target addresses 00-FF from tester F1, each answered on
        0x18DAF1<target>; explicit pairs ``7E0:7E8,726:72E``; ``none`` for functional probing only).
        An ECU that answers anything - also a negative response - is there. Then the
        identification DIDs of each ECU are read:
        F187 part number, F18C serial number, F195 software version, F190 VIN, F197 system name,
        F191 hardware number, F18A supplier. ``timeout`` is the wait for each physical probe.

        Each ECU is a dictionary: ``name`` (from ``expected``, else F197), ``request_id``,
        ``response_id``, ``functional`` and ``physical`` (which probe it answered),
        ``tester_present`` (its answer), ``part_number``, ``serial_number``, ``software_version``,
        ``vin``, ``system_name``, ``hardware_number``, ``supplier``, and ``dids`` (all by DID).

        ``expected`` is a vehicle (or ECU description) file - its ECUs' ids - or a list of ids
        such as ``ECM=7E0:7E8``. The keyword then fails naming the missing ECUs (expected, did not
        answer) and the unexpected ones (answered, not expected). Each found ECU also gets
        ``expected`` (True/False).

        Tester Present of the connection pauses while the keyword runs; a running trace capture
        records the probes.

        Examples:
        | ${ecus} = | Discover ECUs |
        | Discover ECUs | expected=${CURDIR}/vehicles/demo_vehicle.yaml |
        | ${ecus} = | Discover ECUs | id_range=700-7FF | functional=False |
        | ${ecus} = | Discover ECUs | id_range=18DA00F1-18DAFFF1 |
        | Discover ECUs | expected=${{['ECM=7E0:7E8', 'TCM=7E1:7E9', 'BCM=726:72E']}} |
        """
        from UdsLibrary.trace.discovery import (
            compare,
            default_functional_id,
            describe_differences,
            discover_ecus,
            load_expected,
            parse_range,
        )

        pairs = parse_range(id_range)
        if not pairs and not functional:
            raise UdsLibraryError("nothing to probe: give functional=True or an id_range")
        wanted = load_expected(expected) if expected not in (None, "", "None") else None
        seconds = to_seconds(timeout, "timeout")
        target = self.target
        connection = target.connection
        functional_id = default_functional_id(pairs, connection.addressing.functional_id) if functional else None
        # The connection's lock keeps its Tester Present thread off the bus while the probes read it.
        with connection._lock:
            connection.drain()  # what arrived before belongs to the connection (and its capture)
            found = discover_ecus(connection.bus, pairs=pairs, functional_id=functional_id, timeout=seconds,
                                  template=connection.addressing, listeners=connection.listeners)
        missing, unexpected = compare(found, wanted) if wanted is not None else ([], [])
        rows = [DotDict(ecu.to_dict()) for ecu in found]
        if wanted is not None:
            flagged = {(u.request_id, u.response_id) for u in unexpected}
            for row, ecu in zip(rows, found, strict=True):
                row["name"] = ecu.name
                row["expected"] = (ecu.request_id, ecu.response_id) not in flagged
        logger.info(_ecu_table(rows), html=True)
        if wanted is not None:
            differences = describe_differences(missing, unexpected)
            if differences:
                raise EcuConfigurationError(f"the ECUs on the bus are not the expected ones: {differences}")
            logger.info(f"All {len(wanted)} expected ECUs answered, and no other")
        return rows


def _transaction_table(rows: list[DotDict], total: int) -> str:
    head = "".join(f"<th style='text-align:left;padding-right:1em'>{h}</th>"
                   for h in ("#", "time s", "ECU", "Request", "Response", "Result", "ms", "Meaning"))
    body = []
    for row in rows:
        ms = row.response_ms if row.response_ms is not None else row.p2_ms
        result = row.result + (f" ({row.pending} x 0x78)" if row.pending else "")
        cells = (str(row.index), f"{row.time:.4f}", row.ecu + (" (functional)" if row.functional else ""),
                 row.request, row.response, result, "" if ms is None else f"{ms:.1f}", row.decoded)
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    more = f"<p>... {total - len(rows)} more transactions in the returned list</p>" if total > len(rows) else ""
    return f"<table class='uds-trace'><tr>{head}</tr>{''.join(body)}</table>{more}"


def _ecu_table(rows: list[DotDict]) -> str:
    if not rows:
        return "No ECU answered"
    keys = ("name", "request_id", "response_id", "tester_present", "part_number", "serial_number",
            "software_version", "vin")
    head = "".join(f"<th style='text-align:left;padding-right:1em'>{k}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(row.get(k, '')))}</td>" for k in keys) + "</tr>"
                   for row in rows)
    return f"<table class='uds-ecus'><tr>{head}</tr>{body}</table>"
