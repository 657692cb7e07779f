"""`uds sim` in another process on udp_multicast, driven by a plain udsoncan client in this one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import can
import isotp
import pytest
import udsoncan
from udsoncan.client import Client
from udsoncan.connections import PythonIsoTpConnection
from udsoncan.services import DiagnosticSessionControl

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "ecus" / "demo_ecu.yaml"
VEHICLE = ROOT / "resources" / "vehicles" / "demo_vehicle.yaml"


def _start_sim(path: Path, group: str, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "UdsLibrary.cli", "sim", "--ecu", str(path), "--interface", "udp_multicast",
         "--channel", group, "--bus-option", f"port={port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=os.environ.copy())
    ready: list[str] = []

    def read_ready() -> None:
        assert process.stdout is not None
        ready.append(process.stdout.readline())

    reader = threading.Thread(target=read_ready, daemon=True)
    reader.start()
    reader.join(30)
    if not ready or "ready" not in ready[0]:
        process.kill()
        pytest.fail(f"uds sim did not report ready: {ready} {process.stderr.read() if process.stderr else ''}")
    return process


def _stop_sim(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> str:
    process.send_signal(sig)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    return out


@pytest.fixture
def multicast():
    # A group and port of our own: the default group/port is shared machine-wide.
    return f"239.74.{random.randint(1, 254)}.{random.randint(1, 254)}", random.randint(40000, 49999)


def _client(bus: can.BusABC, notifier: can.Notifier, txid: int, rxid: int) -> tuple[Client, isotp.TransportLayer]:
    # BS=8: a 4000-byte transfer with BS=0 overflows the UDP receive buffer (transport notes, pitfall 6).
    stack = isotp.NotifierBasedCanStack(
        bus, notifier, address=isotp.Address(isotp.AddressingMode.Normal_11bits, txid=txid, rxid=rxid),
        params={"tx_padding": 0xAA, "blocksize": 8, "stmin": 0})
    config = dict(udsoncan.configs.default_client_config)
    config.update({
        "request_timeout": 3.0, "p2_timeout": 1.0,
        "data_identifiers": {0xF190: udsoncan.AsciiCodec(17), 0xF187: udsoncan.AsciiCodec(10), 0xF186: "B"},
        "security_algo": lambda level, seed, params: bytes(b ^ 0xA5 for b in seed),
    })
    return Client(PythonIsoTpConnection(stack), config=config), stack


def test_udsoncan_client_in_this_process_talks_to_uds_sim_in_another(multicast):
    group, port = multicast
    process = _start_sim(DEMO, group, port)
    bus = can.Bus(interface="udp_multicast", channel=group, port=port)
    notifier = can.Notifier(bus, [], timeout=0.05)
    client, stack = _client(bus, notifier, 0x7E0, 0x7E8)
    try:
        with client:
            response = client.change_session(DiagnosticSessionControl.Session.extendedDiagnosticSession)
            assert response.service_data.session_echo == 0x03
            assert response.service_data.p2_server_max == pytest.approx(0.050)
            assert response.service_data.p2_star_server_max == pytest.approx(5.0)
            assert client.read_data_by_identifier(0xF190).service_data.values[0xF190] == "WVWZZZ1JZXW000001"
            assert client.unlock_security_access(1).positive
            dtcs = client.get_dtc_by_status_mask(0x08).service_data.dtcs
            assert sorted((d.id, d.status.get_byte_as_int()) for d in dtcs) == [(0x012345, 0x09), (0xC00112, 0x2F)]
            assert client.read_data_by_identifier(0xF186).service_data.values[0xF186] == (0x03,)
    finally:
        stack.stop()
        notifier.stop()
        bus.shutdown()
        out = _stop_sim(process)
    assert "stopped after" in out


def test_uds_sim_serves_a_vehicle_and_stops_on_sigint(multicast):
    group, port = multicast
    process = _start_sim(VEHICLE, group, port)
    bus = can.Bus(interface="udp_multicast", channel=group, port=port)
    notifier = can.Notifier(bus, [], timeout=0.05)
    part_numbers = {}
    try:
        for name, txid, rxid in (("ECM", 0x7E0, 0x7E8), ("TCM", 0x7E1, 0x7E9), ("BCM", 0x726, 0x72E)):
            client, stack = _client(bus, notifier, txid, rxid)
            try:
                with client:
                    part_numbers[name] = client.read_data_by_identifier(0xF187).service_data.values[0xF187]
            finally:
                stack.stop()
    finally:
        notifier.stop()
        bus.shutdown()
        _stop_sim(process, signal.SIGINT)
    assert part_numbers["ECM"] == "03L906018A"
    assert part_numbers["TCM"] == "09G927750K"
    assert len(set(part_numbers.values())) == 3


def test_uds_sim_reports_a_bad_description_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO.read_text().replace("  response_id: 0x7E8", "  respons_id: 0x7E8"))
    result = subprocess.run(
        [sys.executable, "-m", "UdsLibrary.cli", "sim", "--ecu", str(bad), "--interface", "virtual",
         "--channel", "x"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(bad) in result.stderr and "respons_id" in result.stderr
