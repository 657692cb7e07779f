"""ECU discovery against the simulated demo vehicle (ECM 7E0/7E8, TCM 7E1/7E9, BCM 726/72E): the
Python API, the comparison with an expected vehicle, and `uds scan`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import can
import pytest

from UdsLibrary.cli import main
from UdsLibrary.description import load_ecu_description
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.simulator import EcuSimulator
from UdsLibrary.trace.capture import TraceRecorder
from UdsLibrary.trace.decode import decode_trace
from UdsLibrary.trace.discovery import compare, describe_differences, discover_ecus, load_expected, parse_range
from UdsLibrary.transport.connection import UdsConnection

ROOT = Path(__file__).resolve().parents[2]
VEHICLE = ROOT / "resources" / "vehicles" / "demo_vehicle.yaml"
DEMO = ROOT / "resources" / "ecus" / "demo_ecu.yaml"


@pytest.fixture
def vehicle_bus():
    channel = f"scan-{uuid.uuid4().hex}"
    sim = EcuSimulator.from_file(VEHICLE, interface="virtual", channel=channel, profile="ci")
    sim.start()
    bus = can.Bus(interface="virtual", channel=channel)
    yield channel, bus
    bus.shutdown()
    sim.stop()


def test_discovery_finds_every_simulated_ecu_with_its_identification(vehicle_bus) -> None:
    _, bus = vehicle_bus
    found = discover_ecus(bus, pairs=parse_range("7E0-7EF"))
    assert [(e.request_id, e.response_id) for e in found] == [(0x726, 0x72E), (0x7E0, 0x7E8), (0x7E1, 0x7E9)]
    bcm, ecm, tcm = found
    assert bcm.functional and not bcm.physical  # outside 7E0-7EF: only the functional probe reaches it
    assert ecm.functional and ecm.physical and ecm.tester_present == "7E 00"
    assert ecm.to_dict()["part_number"] == "03L906018A"
    assert tcm.to_dict()["serial_number"] == "SN00000117"
    assert bcm.to_dict()["vin"] == "WVWZZZ1JZXW000001"
    missing, unexpected = compare(found, load_expected(VEHICLE))
    assert (missing, unexpected) == ([], [])
    assert [e.name for e in found] == ["BCM", "ECM", "TCM"]


def test_discovery_flags_a_missing_and_an_unexpected_ecu(vehicle_bus, tmp_path: Path) -> None:
    _, bus = vehicle_bus
    expected_file = tmp_path / "expected.yaml"
    entries = "".join(
        f"  - name: {name}\n    file: {DEMO}\n    addressing: {{request_id: {req}, response_id: {resp}}}\n"
        f"    application_frames: []\n" for name, req, resp in (("ECM", "0x7E0", "0x7E8"), ("TCM", "0x7E1", "0x7E9"),
                                                             ("ABS", "0x7E2", "0x7EA")))
    expected_file.write_text(f"vehicle:\n  name: Expected vehicle\necus:\n{entries}")
    found = discover_ecus(bus, pairs=parse_range("7E0-7E7"))
    missing, unexpected = compare(found, load_expected(expected_file))
    assert [m.name for m in missing] == ["ABS"]
    assert [(u.request_id, u.response_id) for u in unexpected] == [(0x726, 0x72E)]
    assert describe_differences(missing, unexpected) == (
        "missing (expected, did not answer): ABS (7E2/7EA); unexpected (answered, not expected): (726/72E)")


def test_physical_probing_alone_and_a_recorded_probe(vehicle_bus, tmp_path: Path) -> None:
    _, bus = vehicle_bus
    demo = load_ecu_description(DEMO, "ci")
    connection = UdsConnection(bus, demo.addressing, owns_bus=False)
    recorder = TraceRecorder(tmp_path / "scan.blf", connection)
    found = discover_ecus(bus, pairs=parse_range("7E0:7E8,7E1:7E9,726:72E,7E2:7EA"), functional_id=None,
                          timeout=0.05, listeners=connection.listeners)
    recorder.close()
    assert [e.response_id for e in found] == [0x72E, 0x7E8, 0x7E9]
    assert not any(e.functional for e in found)
    probes = [t.to_dict() for t in decode_trace(tmp_path / "scan.blf")]
    testers = [p for p in probes if p["request"] == "3E 00"]
    assert [(p["request_id"], p["result"]) for p in testers] == [
        ("7E0", "positive"), ("7E1", "positive"), ("726", "positive"), ("7E2", "no response")]


def test_range_and_expected_forms() -> None:
    assert parse_range("7E0-7EF") == [(0x7E0 + i, 0x7E8 + i) for i in range(8)]
    whole = parse_range("700-7FF")
    assert len(whole) == 127 and (0x7D7, 0x7DF) not in whole and (0x770, 0x778) in whole
    assert parse_range("none") == [] and parse_range(["7E0:7E8"]) == [(0x7E0, 0x7E8)]
    with pytest.raises(UdsLibraryError, match="is not FIRST-LAST"):
        parse_range("7E0..7EF")
    with pytest.raises(UdsLibraryError, match="11-bit ids"):
        parse_range("7F0-800")
    forms = load_expected(["ECM=7E0:7E8", "7E9", {"name": "BCM", "request_id": "726", "response_id": 0x72E}])
    assert [(e.name, e.request_id, e.response_id) for e in forms] == [
        ("ECM", 0x7E0, 0x7E8), ("", None, 0x7E9), ("BCM", 0x726, 0x72E)]
    with pytest.raises(UdsLibraryError, match="is not REQUEST:RESPONSE"):
        load_expected(["ECM=somewhere"])


def _ecu_29bit(tmp_path: Path, target: int) -> Path:
    """The demo ECU on 29-bit normal fixed ids: 0x18DA<target>F1 / 0x18DAF1<target>, 0x18DB33F1."""
    text = DEMO.read_text(encoding="utf-8")
    old = "  mode: normal_11bits\n  request_id: 0x7E0\n  response_id: 0x7E8\n  functional_id: 0x7DF\n"
    assert old in text
    new = (f"  mode: normal_fixed_29bits\n  request_id: 0x18DA{target:02X}F1\n  response_id: 0x18DAF1{target:02X}\n"
           f"  functional_id: 0x18DB33F1\n  target_address: 0x{target:02X}\n  source_address: 0xF1\n")
    file = tmp_path / f"ecu_{target:02X}.yaml"
    file.write_text(text.replace(old, new).replace("name: SIM-1", f"name: SIM-{target:02X}"), encoding="utf-8")
    return file


def test_29_bit_normal_fixed_ecus_are_found_functionally_and_physically(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    channel = f"scan29-{uuid.uuid4().hex}"
    sims = [EcuSimulator.from_file(_ecu_29bit(tmp_path, target), interface="virtual", channel=channel, profile="ci")
            for target in (0x10, 0x2A)]
    for sim in sims:
        sim.start()
    bus = can.Bus(interface="virtual", channel=channel)
    try:
        pairs = parse_range("18DA00F1-18DA3FF1")
        assert len(pairs) == 64 and (0x18DA10F1, 0x18DAF110) in pairs and (0x18DAF1F1, 0x18DAF1F1) not in pairs
        found = discover_ecus(bus, pairs=pairs, functional_id=0x18DB33F1, timeout=0.05)
        assert [(e.request_id, e.response_id, e.functional, e.physical) for e in found] == [
            (0x18DA10F1, 0x18DAF110, True, True), (0x18DA2AF1, 0x18DAF12A, True, True)]
        assert all(e.tester_present == "7E 00" and len(e.identification[0xF190]) == 17 for e in found)
        assert found[0].to_dict()["request_id"] == "18DA10F1"
        missing, unexpected = compare(found, load_expected(["A=18DA10F1:18DAF110", "B=18DA11F1:18DAF111"]))
        assert describe_differences(missing, unexpected) == (
            "missing (expected, did not answer): B (18DA11F1/18DAF111); "
            "unexpected (answered, not expected): (18DA2AF1/18DAF12A)")
        # uds scan: --functional picks 0x18DB33F1 for a 29-bit range
        assert main(["scan", "--interface", "virtual", "--channel", channel, "--range", "18DA28F1-18DA2FF1",
                     "--functional", "--format", "json"]) == 0
        document = json.loads(capsys.readouterr().out)
        assert [(e["request_id"], e["functional"], e["physical"]) for e in document["ecus"]] == [
            ("18DA10F1", True, False), ("18DA2AF1", True, True)]
    finally:
        bus.shutdown()
        for sim in sims:
            sim.stop()
    with pytest.raises(UdsLibraryError, match="29-bit normal fixed request ids"):
        parse_range("18DA00F1-18DBFFF1")
    assert main(["scan", "--interface", "virtual", "--channel", "unused", "--functional-id", "XYZ"]) == 2
    assert capsys.readouterr().err.strip() == (
        "uds scan: error: --functional-id 'XYZ' is not a CAN id in hex (such as 7DF or 18DB33F1)")


def test_discover_ecus_keyword_probes_29_bit_ids_from_an_11_bit_connection(tmp_path: Path) -> None:
    """The keyword probes functionally on 0x18DB33F1 for a 29-bit range, not on the connection's 0x7DF."""
    from UdsLibrary import UdsLibrary

    channel = f"scan29k-{uuid.uuid4().hex}"
    sim = EcuSimulator.from_file(_ecu_29bit(tmp_path, 0x10), interface="virtual", channel=channel, profile="ci")
    sim.start()
    library = UdsLibrary()
    try:
        library.open_uds_connection(interface="virtual", channel=channel, request_id="7E0", response_id="7E8",
                                    functional_id="7DF")
        ecus = library.discover_ecus(id_range="18DA00F1-18DA0FF1")  # 0x10 is outside: only the functional probe
        assert [(e["request_id"], e["functional"], e["physical"], e["tester_present"]) for e in ecus] == [
            ("18DA10F1", True, False, "7E 00")]
        assert len(ecus[0]["vin"]) == 17
    finally:
        library.close_all_uds_connections()
        sim.stop()


def test_uds_scan(vehicle_bus, capsys: pytest.CaptureFixture[str]) -> None:
    channel, _ = vehicle_bus
    assert main(["scan", "--interface", "virtual", "--channel", channel, "--functional",
                 "--expected", str(VEHICLE)]) == 0
    out = capsys.readouterr().out
    assert "3 ECU(s) answered" in out and "as expected" in out and "03L906018A" in out
    assert main(["scan", "--interface", "virtual", "--channel", channel, "--range", "7E0-7E7",
                 "--format", "json", "--expected", str(DEMO)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [e["response_id"] for e in document["ecus"]] == ["7E8", "7E9"]
    assert document["unexpected"] == ["7E1/7E9"] and document["missing"] == []
    assert main(["scan", "--interface", "virtual", "--channel", channel, "--range", "none"]) == 2
