"""`uds trace FILE`: decode a recorded trace; `uds scan`: find the ECUs on a bus.

Exit codes: ``uds trace`` 0 when the file was read (findings are printed), 1 when (part of) it
could not be read; ``uds scan`` 0, or 1 when ``--expected`` differs from what answered; 2 for a
usage error (missing file, bad argument) as every ``uds`` command.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from UdsLibrary.errors import UdsLibraryError


def register(commands: Any) -> None:
    trace = commands.add_parser(
        "trace", help="decode a CAN trace (BLF, ASC, TRC, candump log, CSV) into UDS transactions",
        description="Reassembles ISO-TP, pairs requests with responses and decodes UDS. Ids 0x700-0x7FF pair "
                    "as request/response = request + 8 (0x7DF functional) unless --pairs is given; 29-bit normal "
                    "fixed ids (0x18DA/0x18DB) are always recognised. Security keys are masked.")
    trace.add_argument("file", help="the trace file")
    trace.add_argument("--ecu", metavar="DESCRIPTION", help="ECU description or vehicle file: DID names and values")
    trace.add_argument("--dtc-table", metavar="TABLE", help="DTC descriptions (CSV, or .xlsx with openpyxl)")
    trace.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output (default table)")
    trace.add_argument("--pairs", metavar="REQ:RESP,...", help="request/response id pairs, e.g. 7E0:7E8,726:72E")
    trace.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    trace.set_defaults(run=run_trace)

    scan = commands.add_parser(
        "scan", help="find the ECUs on a bus (TesterPresent, identification DIDs)",
        description="Sends TesterPresent functionally (0x7DF, or 0x18DB33F1 for 29-bit) and/or physically over an "
                    "id range, reads the identification DIDs of every ECU that answers and compares with an "
                    "expected vehicle.")
    scan.add_argument("--interface", required=True, help="python-can interface (socketcan, pcan, vector, virtual...)")
    scan.add_argument("--channel", required=True, help="python-can channel (can0, PCAN_USBBUS1, 0...)")
    scan.add_argument("--bitrate", type=int, help="bitrate in bit/s (interfaces that set it)")
    scan.add_argument("--range", dest="id_range", default="7E0-7EF",
                      help="request ids to probe physically: FIRST-LAST of 11-bit ids (response = request + 8), "
                           "of 29-bit normal fixed ids such as 18DA00F1-18DAFFF1 (response 18DAF1<target>), or "
                           "REQ:RESP pairs; 'none' for functional only (default 7E0-7EF)")
    scan.add_argument("--functional", action="store_true",
                      help="also probe functionally: on 0x7DF, or 0x18DB33F1 when the range is 29-bit")
    scan.add_argument("--functional-id", metavar="ID", help="the functional id to probe on (hex), implies --functional")
    scan.add_argument("--expected", metavar="VEHICLE", help="vehicle or ECU description file to compare with")
    scan.add_argument("--timeout", type=float, default=0.1, help="seconds to wait for each probe (default 0.1)")
    scan.add_argument("--format", choices=("table", "json"), default="table")
    scan.set_defaults(run=run_scan)


def run_trace(args: argparse.Namespace) -> int:
    from pathlib import Path

    from UdsLibrary.trace.decode import DecodeOptions, TraceDecoder, ecu_map, parse_pairs
    from UdsLibrary.trace.output import Summary, close_json, write_csv, write_json, write_table
    from UdsLibrary.trace.reader import Findings, read_frames

    if not Path(args.file).is_file():
        raise UdsLibraryError(f"trace file '{args.file}' does not exist")
    pairs = parse_pairs(args.pairs)
    ecus = ecu_map(args.ecu)
    table = None
    if args.dtc_table:
        from UdsLibrary.dtc import load_dtc_table

        table = load_dtc_table(args.dtc_table)
    findings = Findings()
    decoder = TraceDecoder(DecodeOptions(pairs=pairs), ecus=ecus, dtc_table=table, findings=findings)
    transactions = decoder.run(read_frames(args.file, findings, decoder.progress))
    summary = Summary()

    def base() -> float | None:
        return decoder.first_time

    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.format == "json":
            write_json(transactions, out, base, summary, {"file": str(args.file)})
            close_json(out, findings, summary.to_dict(decoder.frames, decoder.diagnostic_frames, findings))
        elif args.format == "csv":
            write_csv(transactions, out, base, summary)
        else:
            write_table(transactions, out, base, summary)
            counts = summary.to_dict(decoder.frames, decoder.diagnostic_frames, findings)
            results = ", ".join(f"{v} {k}" for k, v in sorted(counts["results"].items()))
            out.write(f"\n{counts['frames']} frames ({counts['diagnostic_frames']} diagnostic), "
                      f"{counts['transactions']} transactions ({results or 'none'}), {len(findings)} findings; "
                      "ECU* = functional request\n")
    except BrokenPipeError:  # `uds trace big.blf | head`: the reader has seen enough
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout at exit
        return 0
    finally:
        if out is not sys.stdout:
            out.close()
    if args.format != "json" or args.output:
        for finding in findings:
            print(f"uds trace: {finding}", file=sys.stderr)
        if findings.dropped:
            print(f"uds trace: ... and {findings.dropped} more findings", file=sys.stderr)
    return 1 if findings.errors else 0


def run_scan(args: argparse.Namespace) -> int:
    import json

    from UdsLibrary.converters import parse_id
    from UdsLibrary.trace.discovery import (
        compare,
        default_functional_id,
        describe_differences,
        discover_ecus,
        id_text,
        load_expected,
        parse_range,
    )
    from UdsLibrary.transport.bus import open_bus

    pairs = parse_range(args.id_range)
    functional_id = None
    if args.functional_id is not None:
        try:
            functional_id = parse_id(args.functional_id, "--functional-id", 0x1FFFFFFF)
        except UdsLibraryError:
            raise UdsLibraryError(f"--functional-id '{args.functional_id}' is not a CAN id in hex (such as 7DF or "
                                  "18DB33F1)") from None
    elif args.functional:
        functional_id = default_functional_id(pairs)
    if not pairs and functional_id is None:
        raise UdsLibraryError("nothing to probe: give --functional or an id --range")
    expected = load_expected(args.expected) if args.expected else None
    kwargs: dict[str, Any] = {"bitrate": args.bitrate} if args.bitrate else {}
    bus = open_bus(args.interface, args.channel, **kwargs)
    try:
        found = discover_ecus(bus, pairs=pairs, functional_id=functional_id, timeout=args.timeout)
    finally:
        bus.shutdown()
    missing, unexpected = compare(found, expected) if expected is not None else ([], [])
    if args.format == "json":
        print(json.dumps({"ecus": [e.to_dict() for e in found],
                          "missing": [{"name": m.name,
                                       "request_id": id_text(m.request_id) if m.request_id is not None else "",
                                       "response_id": id_text(m.response_id)} for m in missing],
                          "unexpected": [f"{id_text(u.request_id)}/{id_text(u.response_id)}" for u in unexpected]},
                         indent=2))
    else:
        width = max([9, *(len(id_text(e.request_id)) + len(id_text(e.response_id)) + 1 for e in found)])
        print(f"{'ECU':<10} {'ids':<{width}} {'found by':<20} {'TesterPresent':<14} {'part number':<16} "
              f"{'serial':<14} {'software':<10} VIN")
        for ecu in found:
            entry = ecu.to_dict()
            how = "+".join(k for k in ("functional", "physical") if entry[k])
            print(f"{ecu.name or '?':<10} {entry['request_id'] + '/' + entry['response_id']:<{width}} {how:<20} "
                  f"{entry['tester_present']:<14} {entry['part_number']:<16} {entry['serial_number']:<14} "
                  f"{entry['software_version']:<10} {entry['vin']}")
        print(f"{len(found)} ECU(s) answered")
        if expected is not None:
            print(describe_differences(missing, unexpected) or "as expected: every expected ECU answered, no other")
    return 1 if missing or unexpected else 0
