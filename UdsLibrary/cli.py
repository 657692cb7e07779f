"""The `uds` command: one sub-command per module, each with a `register(subparsers)` function."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from UdsLibrary.errors import UdsLibraryError

# Modules that add sub-commands (`register(commands)` adds a parser whose default `run(args) -> int`).
COMMAND_MODULES = [
    "UdsLibrary.simulator.cli",  # uds sim
    "UdsLibrary.eol.cli",  # uds station
    "UdsLibrary.trace.cli",  # uds trace, uds scan
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uds", description="UDS diagnostics over CAN: simulator and tools")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except UdsLibraryError as error:
        print(f"uds {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
