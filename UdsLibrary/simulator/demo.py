"""A diagnostic session against the simulated demo vehicle, driven by a plain udsoncan client.

`python -m UdsLibrary.simulator.demo` starts the demo vehicle on a python-can `virtual` bus, runs
a short end-of-line style sequence against its engine ECU (session, security, VIN, variant coding,
routine, DTCs, reset), scans the vehicle's ECUs, prints every step with its timing and ends with a
summary. The exit code is the number of failed steps (0 = all good).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import can
import isotp
import udsoncan
from udsoncan.client import Client
from udsoncan.connections import PythonIsoTpConnection
from udsoncan.services import DiagnosticSessionControl, ECUReset

from UdsLibrary.dtc import format_dtc
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keyalgorithms import get_algorithm
from UdsLibrary.simulator import EcuSimulator
from UdsLibrary.transport.addressing import isotp_params, tester_addresses

ROOT = Path(__file__).resolve().parents[2]
VEHICLE = ROOT / "resources" / "vehicles" / "demo_vehicle.yaml"


def _client(bus: can.BusABC, notifier: can.Notifier, ecu: Any) -> tuple[Client, isotp.NotifierBasedCanStack]:
    addressing = ecu.description.addressing
    physical, _ = tester_addresses(addressing)
    stack = isotp.NotifierBasedCanStack(bus, notifier, address=physical, params=isotp_params(addressing))
    config = dict(udsoncan.configs.default_client_config)
    config.update({
        "request_timeout": 6.0, "p2_timeout": 0.3, "use_server_timing": True,
        "data_identifiers": {0xF190: udsoncan.AsciiCodec(17), 0xF187: udsoncan.AsciiCodec(10),
                             0xF18C: udsoncan.AsciiCodec(10), 0xF195: udsoncan.AsciiCodec(4), 0xF101: "B", 0xF186: "B"},
        "security_algo": lambda level, seed, params: get_algorithm("xor")(bytes(seed), level, params["secret"]),
        "security_algo_params": {"secret": bytes.fromhex("A5A5A5A5")},
    })
    return Client(PythonIsoTpConnection(stack), config=config), stack


def run(output: Path | None) -> int:
    channel = f"demo-{uuid.uuid4().hex[:8]}"
    steps: list[dict[str, Any]] = []

    def step(name: str, expected: Any, action: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            actual = action()
            passed = actual == expected
        except Exception as error:  # a demo step reports any failure and goes on
            actual, passed = f"{type(error).__name__}: {error}", False
        elapsed = (time.perf_counter() - start) * 1000
        steps.append({"step": name, "expected": expected, "actual": actual, "pass": passed, "ms": round(elapsed, 2)})
        print(f"  {'PASS' if passed else 'FAIL'}  {name:<44} {actual!s:<30} {elapsed:8.2f} ms", flush=True)
        return actual

    sim_bus = can.Bus(interface="virtual", channel=channel)
    tester_bus = can.Bus(interface="virtual", channel=channel)
    notifier = can.Notifier(tester_bus, [], timeout=0.05)
    with EcuSimulator.from_file(VEHICLE, bus=sim_bus, profile="ci") as sim:
        print(f"Simulated vehicle '{sim.name}' on virtual channel {channel}: {', '.join(sim.ecus)}")
        ecm = sim.ecu
        client, stack = _client(tester_bus, notifier, ecm)
        try:
            with client:
                print(f"\nEnd-of-line sequence on {ecm.description.name}:")
                step("extended session", 3, lambda: client.change_session(
                    DiagnosticSessionControl.Session.extendedDiagnosticSession).service_data.session_echo)
                step("security unlock level 01", True, lambda: client.unlock_security_access(1).positive)
                vin = ecm.did_values[0xF190].decode()
                step("read VIN (F190)", vin, lambda: client.read_data_by_identifier(0xF190).service_data.values[0xF190])
                step("write variant code (F101) = 3", True,
                     lambda: client.write_data_by_identifier(0xF101, 3).positive)
                step("read back variant code", 3,
                     lambda: client.read_data_by_identifier(0xF101).service_data.values[0xF101][0])
                step("start EOL calibration (A001)", True, lambda: client.start_routine(0xA001).positive)
                time.sleep(0.35)
                step("calibration result record", b"\x00", lambda: bytes(
                    client.get_routine_result(0xA001).service_data.routine_status_record))
                ecm.report_dtc(0x9A0B13, failed=True)
                step("confirmed DTCs before clear", ["P0123-45", "U0001-12", "B1A0B-13"], lambda: [
                    format_dtc(d.id) for d in client.get_dtc_by_status_mask(0x08).service_data.dtcs])
                step("clear all DTCs", True, lambda: client.clear_dtc(0xFFFFFF).positive)
                step("confirmed DTCs after clear", 0,
                     lambda: client.get_number_of_dtc_by_status_mask(0x08).service_data.dtc_count)
                step("ECU reset (hard)", True, lambda: client.ecu_reset(ECUReset.ResetType.hardReset).positive)
                time.sleep(ecm.description.timing.reset_time + 0.05)
                step("session after reset (F186)", 1,
                     lambda: client.read_data_by_identifier(0xF186).service_data.values[0xF186][0])
        finally:
            stack.stop()
        print("\nVehicle scan (TesterPresent + F187/F195 on every ECU):")
        for ecu in sim.ecus.values():
            scan_client, scan_stack = _client(tester_bus, notifier, ecu)
            try:
                with scan_client:
                    step(f"{ecu.description.name} answers TesterPresent", True,
                         lambda c=scan_client: c.tester_present().positive)
                    expected = ecu.did_values[0xF187].decode()
                    step(f"{ecu.description.name} part number (F187)", expected,
                         lambda c=scan_client: c.read_data_by_identifier(0xF187).service_data.values[0xF187])
            finally:
                scan_stack.stop()
    notifier.stop()
    tester_bus.shutdown()
    sim_bus.shutdown()

    failed = sum(not s["pass"] for s in steps)
    total_ms = sum(s["ms"] for s in steps)
    print(f"\nSummary: {len(steps)} steps, {len(steps) - failed} passed, {failed} failed "
          f"({total_ms:.0f} ms on the bus)")
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        report = output / "simulator-demo.json"
        report.write_text(json.dumps({"steps": steps, "failed": failed}, indent=2, default=str))
        print(f"Report: {report}")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="folder for the JSON summary")
    args = parser.parse_args(argv)
    try:
        return min(run(args.output), 100)
    except UdsLibraryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
