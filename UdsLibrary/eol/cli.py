"""`uds station`: the EOL station loop (`--config FILE`), or its quality figures (`--summary`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from UdsLibrary.errors import UdsLibraryError

DEFAULT_DATABASE = Path("results/quality.sqlite")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "station", help="EOL station: read barcodes from standard input and test one ECU per barcode",
        description="Reads barcodes from standard input, one per line (a scanner is a keyboard), runs the EOL "
                    "suite for each ECU against the station's bench, prints PASS or FAIL with the cycle time and "
                    "waits for the next scan. Ctrl-C stops after the current ECU. With --summary: yield, first-pass "
                    "yield and median cycle time per part number from the quality database.")
    parser.add_argument("--config", metavar="FILE", help="station file, e.g. resources/stations/demo_station.yaml")
    parser.add_argument("--suite", metavar="FILE", help="EOL suite to run (default: the station's station.suite)")
    parser.add_argument("--output", metavar="DIR", help="Robot output per ECU (default: the station's station.output)")
    parser.add_argument("--summary", action="store_true", help="print the quality figures per part number and exit")
    parser.add_argument("--database", metavar="FILE",
                        help=f"--summary: quality database (default: the station's, else {DEFAULT_DATABASE})")
    parser.add_argument("--part-number", metavar="PN", help="--summary: only this part number")
    parser.add_argument("--json", action="store_true", help="--summary: print JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from UdsLibrary.eol.config import load_station

    config = load_station(args.config) if args.config else None
    if args.summary:
        return summary(args, config.database if config else None)
    if config is None:
        raise UdsLibraryError("give the station file: uds station --config resources/stations/demo_station.yaml")
    from UdsLibrary.eol.station import Station

    station = Station(config, suite=args.suite, output=args.output)
    return station.loop(sys.stdin)


def summary(args: argparse.Namespace, station_database: Path | None) -> int:
    from UdsLibrary.eol.database import QualityDatabase, format_summary

    path = Path(args.database) if args.database else station_database or DEFAULT_DATABASE
    if not path.is_file():
        raise UdsLibraryError(f"there is no quality database at {path} yet (run the EOL suite or a station first)")
    with QualityDatabase(path) as database:
        summaries = database.summary(args.part_number)
    if args.json:
        print(json.dumps([s.as_dict() for s in summaries], indent=2))
    else:
        print(f"Quality figures from {path}")
        print(format_summary(summaries))
    return 0
