"""`uds sim`: serve simulated ECUs (an ECU description or a vehicle file) on a CAN bus until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

from UdsLibrary.errors import UdsLibraryError


def _parse_value(text: str) -> Any:
    """Fault values on the command line: true/false, numbers (0x.. too), lists a,b, or text."""
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if "," in text:
        return [_parse_value(part) for part in text.split(",")]
    try:
        return int(text, 0)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _bus_kwargs(pairs: list[str]) -> dict[str, Any]:
    kwargs = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UdsLibraryError(f"--bus-option '{pair}' is not KEY=VALUE")
        kwargs[key.replace("-", "_")] = _parse_value(value)
    return kwargs


def run(args: argparse.Namespace) -> int:
    from UdsLibrary.simulator import EcuSimulator

    kwargs = _bus_kwargs(args.bus_option)
    if args.bitrate:
        kwargs["bitrate"] = args.bitrate
    sim = EcuSimulator.from_file(
        args.ecu, interface=args.interface, channel=args.channel, profile=args.profile,
        wire_bitrate=args.wire_bitrate, wire_data_bitrate=args.wire_data_bitrate, deviations=args.deviation,
        **kwargs)
    for fault in args.fault:
        name, _, value = fault.partition("=")
        ecu_name, dot, fault_name = name.rpartition(".")
        targets = [sim.ecus[ecu_name]] if dot and ecu_name in sim.ecus else list(sim.ecus.values())
        for ecu in targets:
            try:
                ecu.faults.apply({fault_name if dot else name: _parse_value(value) if value else True})
            except ValueError as error:
                raise UdsLibraryError(f"--fault {fault}: {error}") from None

    stopping = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with sim:
        ecus = ", ".join(
            f"{name} {ecu.description.addressing.request_id:X}/{ecu.description.addressing.response_id:X}"
            for name, ecu in sim.ecus.items())
        print(f"uds sim: ready on {args.interface} {args.channel}: {ecus} (Ctrl-C stops)", flush=True)
        while not stopping.wait(0.2):
            if not sim.running:
                raise UdsLibraryError("the simulator stopped unexpectedly; see the log above")
    served = sum(ecu.stats["requests"] for ecu in sim.ecus.values())
    print(f"uds sim: stopped after {served} requests", flush=True)
    return 0


def register(commands: Any) -> None:
    sim = commands.add_parser("sim", help="serve simulated ECUs on a CAN bus")
    sim.add_argument("--ecu", required=True, help="ECU description or vehicle file (YAML)")
    sim.add_argument("--interface", default="udp_multicast", help="python-can interface (default udp_multicast)")
    sim.add_argument("--channel", default="239.74.163.2", help="python-can channel (default 239.74.163.2)")
    sim.add_argument("--bitrate", type=int, help="CAN bitrate for hardware interfaces")
    sim.add_argument("--profile", help="timing profile from the description (e.g. ci)")
    sim.add_argument("--wire-bitrate", type=int, help="emulate the wire time of this bitrate (e.g. 500000)")
    sim.add_argument("--wire-data-bitrate", type=int, help="CAN FD data bitrate for wire emulation")
    sim.add_argument("--fault", action="append", default=[], metavar="[ECU.]NAME[=VALUE]",
                     help="inject a fault at start (repeatable), e.g. low_voltage or ECM.slow_nvm=3")
    sim.add_argument("--deviation", action="append", default=[], metavar="NAME",
                     help="make every simulated ECU non-conforming in this one way (repeatable; see "
                          "docs/simulator.md), e.g. sprmib_ignored")
    sim.add_argument("--bus-option", action="append", default=[], metavar="KEY=VALUE",
                     help="extra python-can bus argument (repeatable), e.g. port=43113")
    sim.set_defaults(run=run)
