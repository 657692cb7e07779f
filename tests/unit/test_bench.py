"""Bench files and benches from keyword arguments: the shipped files, merging, bus arguments, errors."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import can
import pytest
from jsonschema import Draft202012Validator

from UdsLibrary.bench import (
    DEFAULT_P2_STAR_TIMEOUT,
    DEFAULT_P2_TIMEOUT,
    Bench,
    BenchArgumentError,
    bench_from_arguments,
    load_bench,
)
from UdsLibrary.description import Addressing, load_ecu_description
from UdsLibrary.errors import DescriptionError, UdsLibraryError
from UdsLibrary.simulator import EcuSimulator

ROOT = Path(__file__).resolve().parents[2]
BENCHES = ROOT / "resources" / "benches"
DEMO_ECU = ROOT / "resources" / "ecus" / "demo_ecu.yaml"
DEMO_VEHICLE = ROOT / "resources" / "vehicles" / "demo_vehicle.yaml"
SCHEMA = ROOT / "UdsLibrary" / "description" / "schemas" / "bench.schema.json"

EXPECTED_FILES = {
    "sim-1",
    "sim-2",
    "sim-3",
    "sim-4",
    "sim-wire",
    "sim-vehicle",
    "sim-multicast",
    "socketcan",
    "pcan",
    "vector",
    "kvaser",
}


def write(tmp_path: Path, text: str, name: str = "bench.yaml") -> Path:
    file = tmp_path / name
    file.write_text(textwrap.dedent(text).replace("DEMO_ECU", str(DEMO_ECU)), encoding="utf-8")
    return file


def load_error(tmp_path: Path, text: str) -> DescriptionError:
    file = write(tmp_path, text)
    with pytest.raises(DescriptionError) as info:
        load_bench(file)
    assert info.value.file == str(file)
    assert str(file) in str(info.value)
    return info.value


# --------------------------------------------------------------------------------------------
# the shipped files


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False


def test_every_shipped_bench_loads() -> None:
    files = sorted(BENCHES.glob("*.yaml"))
    assert {file.stem for file in files} >= EXPECTED_FILES
    for file in files:
        bench = load_bench(file)
        assert isinstance(bench, Bench)
        assert bench.name == file.stem
        assert bench.source == str(file)
        assert bench.ecu is not None and bench.tags
        assert isinstance(bench.channel, str)
        assert file.read_text().startswith("#"), f"{file.name} needs a header comment"


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_simulated_benches(number: int) -> None:
    bench = load_bench(BENCHES / f"sim-{number}.yaml")
    assert (bench.interface, bench.channel) == ("virtual", f"sim-{number}")
    assert bench.simulator is not None
    assert bench.simulator.file == DEMO_ECU and bench.simulator.profile == "ci"
    assert bench.ecu is not None and bench.ecu.name == "SIM-1"
    assert (bench.addressing.request_id, bench.addressing.response_id) == (0x7E0, 0x7E8)
    assert bench.p2_timeout == pytest.approx(0.15)


def test_sim_wire_vehicle_and_multicast() -> None:
    wire = load_bench(BENCHES / "sim-wire.yaml")
    assert wire.channel == "sim-wire" and wire.simulator is not None and wire.simulator.wire_bitrate == 500000

    vehicle = load_bench(BENCHES / "sim-vehicle.yaml")
    assert vehicle.simulator is not None and vehicle.simulator.file == DEMO_VEHICLE
    assert vehicle.ecu is not None and vehicle.ecu.name == "ECM"
    assert vehicle.ecu.did(0xF190).initial == b"WVWZZZ1JZXW000001"  # the vehicle's value, not the file's
    assert (vehicle.addressing.request_id, vehicle.addressing.response_id) == (0x7E0, 0x7E8)

    multicast = load_bench(BENCHES / "sim-multicast.yaml")
    assert multicast.bus_kwargs() == {"interface": "udp_multicast", "channel": "239.74.163.11", "port": 43111}
    assert multicast.addressing.blocksize >= 8


def test_relative_paths_resolve_against_the_bench_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ecus").mkdir()
    (tmp_path / "ecus" / "my_ecu.yaml").write_text(DEMO_ECU.read_text())
    (tmp_path / "benches").mkdir()
    file = write(
        tmp_path / "benches",
        """
        can: {interface: virtual, channel: rel}
        ecu: {description: ../ecus/my_ecu.yaml}
        simulator: {file: ../ecus/my_ecu.yaml}
        """,
    )
    monkeypatch.chdir(ROOT)  # the working directory does not matter
    bench = load_bench(file)
    assert bench.ecu is not None and bench.ecu.source == str(tmp_path / "ecus" / "my_ecu.yaml")
    assert bench.simulator is not None and bench.simulator.file == tmp_path / "ecus" / "my_ecu.yaml"
    assert bench.name == "bench"  # the file name without bench.name


def test_addressing_override_merges_over_the_description(tmp_path: Path) -> None:
    bench = load_bench(
        write(
            tmp_path,
            """
            can: {interface: virtual, channel: merge}
            ecu:
              description: DEMO_ECU
              addressing: {request_id: 0x7E1, response_id: 0x7E9, blocksize: 8, stmin: 2}
            """,
        )
    )
    assert bench.addressing == Addressing(
        request_id=0x7E1, response_id=0x7E9, functional_id=0x7DF, padding=0xAA, blocksize=8, stmin=2
    )
    assert bench.ecu is not None and bench.ecu.addressing.request_id == 0x7E0  # the description is unchanged


def test_no_description_uses_default_addressing_and_timing(tmp_path: Path) -> None:
    bench = load_bench(write(tmp_path, "can: {interface: virtual, channel: bare}\n"))
    assert bench.ecu is None and bench.simulator is None
    assert bench.addressing == Addressing()
    assert bench.p2_timeout == DEFAULT_P2_TIMEOUT and bench.p2_star_timeout == DEFAULT_P2_STAR_TIMEOUT


def test_client_p2_star_derived_from_the_description(tmp_path: Path) -> None:
    plain = load_bench(write(tmp_path, "can: {interface: virtual}\necu: {description: DEMO_ECU}\n"))
    assert plain.p2_star_timeout == pytest.approx(5.0 * 1.1)
    ci = load_bench(write(tmp_path, "can: {interface: virtual}\necu: {description: DEMO_ECU, profile: ci}\n"))
    assert ci.ecu is not None and ci.ecu.timing.p2_star == 1.0
    assert ci.p2_star_timeout == pytest.approx(1.1)
    explicit = load_bench(
        write(
            tmp_path,
            "can: {interface: virtual}\necu: {description: DEMO_ECU}\ntiming: {p2_ms: 200, p2_star_ms: 7000}\n",
        )
    )
    assert (explicit.p2_timeout, explicit.p2_star_timeout) == (0.2, 7.0)


def test_simulator_alone_provides_the_ecu(tmp_path: Path) -> None:
    bench = load_bench(
        write(
            tmp_path,
            """
            can: {interface: virtual, channel: alone}
            simulator: {file: DEMO_ECU, profile: ci, faults: {low_voltage: true}}
            """,
        )
    )
    assert bench.ecu is not None and bench.ecu.timing.p2_star == 1.0
    assert bench.simulator is not None and bench.simulator.faults == {"low_voltage": True}


# --------------------------------------------------------------------------------------------
# can.Bus arguments


def test_bus_kwargs_virtual() -> None:
    bench = load_bench(BENCHES / "sim-1.yaml")
    assert bench.bus_kwargs() == {"interface": "virtual", "channel": "sim-1", "receive_own_messages": False}


def test_bus_kwargs_pcan_and_kvaser() -> None:
    pcan = load_bench(BENCHES / "pcan.yaml")
    assert pcan.bus_kwargs() == {"interface": "pcan", "channel": "PCAN_USBBUS1", "bitrate": 500000}
    kvaser = load_bench(BENCHES / "kvaser.yaml")
    assert kvaser.channel == "0"  # an integer in the file, text in the bench
    assert kvaser.bus_kwargs()["channel"] == "0"


def test_bus_kwargs_vector_can_fd() -> None:
    bench = load_bench(BENCHES / "vector.yaml")
    assert bench.bus_kwargs() == {
        "interface": "vector",
        "channel": "0",
        "bitrate": 500000,
        "fd": True,
        "data_bitrate": 2000000,
        "app_name": "UdsLibrary",
    }
    assert bench.addressing.can_fd and bench.addressing.tx_data_length == 64


def test_fd_keeps_an_explicit_tx_data_length(tmp_path: Path) -> None:
    bench = load_bench(
        write(
            tmp_path,
            """
            can: {interface: virtual, fd: true}
            ecu: {addressing: {tx_data_length: 32}}
            """,
        )
    )
    assert bench.addressing.can_fd and bench.addressing.tx_data_length == 32


def test_interface_omitted_leaves_it_to_the_python_can_config(tmp_path: Path) -> None:
    bench = load_bench(write(tmp_path, "can: {config_context: bench-a}\n"))
    assert bench.interface is None and bench.channel is None
    assert bench.bus_kwargs() == {"config_context": "bench-a"}


def test_bench_opens_a_working_bus_with_its_simulator() -> None:
    bench = load_bench(BENCHES / "sim-1.yaml")
    assert bench.simulator is not None
    kwargs = {**bench.bus_kwargs(), "channel": f"test-bench-{time.monotonic_ns()}"}
    with (
        EcuSimulator.from_file(bench.simulator.file, profile=bench.simulator.profile, **kwargs),
        can.Bus(**kwargs) as bus,
    ):
        request = bytes([0x02, 0x3E, 0x00]).ljust(8, b"\xaa")
        bus.send(can.Message(arbitration_id=bench.addressing.request_id, data=request, is_extended_id=False))
        deadline = time.monotonic() + 2.0
        reply = None
        while time.monotonic() < deadline and reply is None:
            message = bus.recv(0.1)
            if message is not None and message.arbitration_id == bench.addressing.response_id:
                reply = message
        assert reply is not None and bytes(reply.data[:3]) == b"\x02\x7e\x00"


# --------------------------------------------------------------------------------------------
# keyword arguments


def test_arguments_explicit_ids() -> None:
    bench = bench_from_arguments(
        interface="virtual", channel=3, request_id="7E1", response_id=0x7E9, functional_id=None, padding="0x55"
    )
    assert bench.source is None and bench.channel == "3" and bench.name == "3"
    assert (bench.addressing.request_id, bench.addressing.response_id) == (0x7E1, 0x7E9)
    assert bench.addressing.functional_id is None and bench.addressing.padding == 0x55
    assert bench.ecu is None and bench.p2_star_timeout == DEFAULT_P2_STAR_TIMEOUT


def test_arguments_29_bit() -> None:
    bench = bench_from_arguments(
        interface="virtual", extended_id=True, request_id=0x18DA10F1, response_id=0x18DAF110, functional_id=0x18DB33F1
    )
    assert bench.addressing.mode == "normal_29bits"
    assert bench.addressing.request_id == 0x18DA10F1
    fixed = bench_from_arguments(
        interface="virtual", addressing_mode="normal_fixed_29bits", target_address="0x10", source_address=0xF1
    )
    assert (fixed.addressing.target_address, fixed.addressing.source_address) == (0x10, 0xF1)


def test_arguments_extended_addressing_and_description(tmp_path: Path) -> None:
    bench = bench_from_arguments(
        interface="virtual",
        channel="ext",
        ecu_description=str(DEMO_ECU),
        addressing_mode="extended_11bits",
        target_address=0x10,
        source_address=0xF1,
        blocksize="8",
        stmin=0,
        p2_timeout="200 ms",
        p2_star_timeout=6,
    )
    assert bench.addressing.mode == "extended_11bits"
    assert bench.addressing.request_id == 0x7E0  # from the description
    assert (bench.addressing.target_address, bench.addressing.source_address, bench.addressing.blocksize) == (
        0x10,
        0xF1,
        8,
    )
    assert (bench.p2_timeout, bench.p2_star_timeout) == (0.2, 6.0)
    relative = bench_from_arguments(interface="virtual", ecu_description="demo_ecu.yaml", base_dir=DEMO_ECU.parent)
    assert relative.ecu is not None and relative.ecu.name == "SIM-1"


def test_arguments_equal_the_file() -> None:
    from_file = load_bench(BENCHES / "vector.yaml")
    from_arguments = bench_from_arguments(
        name="vector",
        description=from_file.description,
        tags=list(from_file.tags),
        interface="vector",
        channel=0,
        bitrate="500000",
        fd="true",
        data_bitrate=2000000,
        app_name="UdsLibrary",
        ecu_description=str(DEMO_ECU),
        request_id=0x7E0,
        response_id=0x7E8,
        functional_id=0x7DF,
        p2_timeout=0.15,
    )
    assert from_arguments == dataclasses_replace_source(from_file)


def dataclasses_replace_source(bench: Bench) -> Bench:
    import dataclasses

    return dataclasses.replace(bench, source=None)


@pytest.mark.parametrize(
    ("arguments", "argument", "reason"),
    [
        ({"interface": "vitual"}, "interface", "did you mean 'virtual'"),
        ({"interface": "virtual", "bitrate": "fast"}, "bitrate", "expected an integer"),
        ({"interface": "virtual", "request_id": 0x800}, "request_id", "not an 11-bit CAN id"),
        ({"interface": "virtual", "request_id": "7G0"}, "request_id", "expected a hex number"),
        (
            {"interface": "virtual", "addressing_mode": "Normal_11bit"},
            "addressing_mode",
            "did you mean 'normal_11bits'",
        ),
        ({"interface": "virtual", "addressing_mode": "extended_11bits"}, "addressing_mode", "needs target_address"),
        (
            {"interface": "virtual", "addressing_mode": "normal_11bits", "extended_id": True},
            "extended_id",
            "contradicts",
        ),
        ({"interface": "virtual", "bitrat": 500000}, "bitrat", "did you mean 'bitrate'"),
        ({"interface": "virtual", "ecu_description": "/nonexistent/ecu.yaml"}, "ecu_description", "not found"),
        ({"interface": "virtual", "p2_timeout": "soon"}, "p2_timeout", "expected a time"),
        ({"interface": "virtual", "p2_timeout": 2, "p2_star_timeout": 1}, "p2_star_timeout", "must not be shorter"),
        ({"interface": "udp_multicast", "channel": "239.74.163.12"}, "blocksize", "blocksize >= 8"),
        ({"interface": "pcan", "bitrate": 500000, "fd": True}, "fd", "needs data_bitrate"),
        ({"interface": "virtual", "simulator_profile": "ci"}, "simulator", "need simulator"),
        (
            {"interface": "virtual", "simulator": str(DEMO_ECU), "simulator_profile": "fast"},
            "simulator_profile",
            "unknown profile 'fast'",
        ),
        ({"interface": "virtual", "port": True, "bus_options": {"bitrate": 5}}, "bitrate", "can.bitrate"),
    ],
)
def test_bad_arguments(arguments: dict, argument: str, reason: str) -> None:
    with pytest.raises(BenchArgumentError) as info:
        bench_from_arguments(**arguments)
    assert isinstance(info.value, UdsLibraryError)
    assert info.value.argument == argument
    assert f"argument '{argument}'" in str(info.value)
    assert reason in str(info.value)


# --------------------------------------------------------------------------------------------
# bad bench files: file, line, path and reason


def test_typo_key(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can:\n  interfase: virtual\n")
    assert (error.path, error.line) == ("can.interfase", 2)
    assert "did you mean 'interface'?" in error.reason


def test_missing_ecu_description_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can: {interface: virtual}\necu:\n  description: ../nowhere/ecu.yaml\n")
    assert (error.path, error.line) == ("ecu.description", 3)
    assert "ECU description file not found" in error.reason and "nowhere" in error.reason


def test_bad_interface_type(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can:\n  interface: 5\n")
    assert (error.path, error.line) == ("can.interface", 2)
    assert "expected a python-can interface name" in error.reason


def test_unknown_interface(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can:\n  interface: socketcann\n")
    assert error.path == "can.interface" and "did you mean 'socketcan'?" in error.reason


def test_bitrate_not_a_number(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can:\n  interface: pcan\n  bitrate: 500k\n")
    assert (error.path, error.line) == ("can.bitrate", 3)
    assert "expected a bitrate in bit/s" in error.reason and "'500k'" in error.reason


def test_fd_without_data_bitrate(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can:\n  interface: pcan\n  bitrate: 500000\n  fd: true\n")
    assert (error.path, error.line) == ("can.fd", 4)
    assert "needs data_bitrate" in error.reason


def test_data_bitrate_without_fd(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can:\n  interface: pcan\n  bitrate: 500000\n  data_bitrate: 2000000\n")
    assert error.path == "can.data_bitrate" and "needs fd: true" in error.reason


def test_unknown_simulator_profile(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can: {interface: virtual}\nsimulator:\n  file: DEMO_ECU\n  profile: fast\n")
    assert (error.path, error.line) == ("simulator.profile", 4)
    assert "unknown profile 'fast'" in error.reason and "'ci'" in error.reason


def test_missing_simulator_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can: {interface: virtual}\nsimulator:\n  file: sim.yaml\n")
    assert error.path == "simulator.file" and "simulator file not found" in error.reason


def test_wrong_addressing_mode(tmp_path: Path) -> None:
    error = load_error(
        tmp_path, "can: {interface: virtual}\necu:\n  description: DEMO_ECU\n  addressing:\n    mode: normal_11bit\n"
    )
    assert (error.path, error.line) == ("ecu.addressing.mode", 5)
    assert "did you mean 'normal_11bits'?" in error.reason


def test_addressing_mode_needs_its_addresses(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can: {interface: virtual}\necu:\n  addressing: {mode: mixed_11bits}\n")
    assert error.path == "ecu.addressing" and "needs address_extension" in error.reason


def test_can_fd_addressing_on_a_classical_bus(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can: {interface: virtual}\necu:\n  addressing: {can_fd: true}\n")
    assert error.path == "ecu.addressing.can_fd" and "set can.fd: true" in error.reason


def test_udp_multicast_needs_its_own_group_and_blocksize(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can: {interface: udp_multicast}\n")
    assert error.path == "can.channel" and "multicast group of its own" in error.reason
    error = load_error(tmp_path, "can: {interface: udp_multicast, channel: 10.0.0.1}\n")
    assert error.path == "can.channel" and "not a multicast address" in error.reason
    error = load_error(tmp_path, "can: {interface: udp_multicast, channel: 239.74.163.99}\n")
    assert error.path == "ecu.addressing.blocksize" and "blocksize >= 8" in error.reason
    error = load_error(
        tmp_path,
        "can:\n  interface: udp_multicast\n  channel: 239.74.163.99\n  options: {receive_own_messages: true}\n"
        "ecu: {addressing: {blocksize: 8}}\n",
    )
    assert error.path == "can.options.receive_own_messages"


def test_bus_argument_under_options(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can:\n  interface: pcan\n  options:\n    bitrate: 250000\n")
    assert (error.path, error.line) == ("can.options.bitrate", 4)
    assert "can.bitrate" in error.reason


def test_p2_star_shorter_than_p2(tmp_path: Path) -> None:
    error = load_error(tmp_path, "can: {interface: virtual}\ntiming:\n  p2_ms: 500\n  p2_star_ms: 100\n")
    assert (error.path, error.line) == ("timing.p2_star_ms", 4)


def test_unknown_fault(tmp_path: Path) -> None:
    error = load_error(
        tmp_path, "can: {interface: virtual}\nsimulator:\n  file: DEMO_ECU\n  faults:\n    low_voltag: true\n"
    )
    assert error.path == "simulator.faults.low_voltag" and "did you mean 'low_voltage'?" in error.reason


def test_vehicle_needs_an_ecu_name(tmp_path: Path) -> None:
    text = f"can: {{interface: virtual}}\necu:\n  description: {DEMO_VEHICLE}\n"
    error = load_error(tmp_path, text)
    assert error.path == "ecu" and "'ECM', 'TCM', 'BCM'" in error.reason
    error = load_error(tmp_path, text + "  name: EMC\n")
    assert (error.path, error.line) == ("ecu.name", 4) and "did you mean 'ECM'?" in error.reason


def test_missing_can_section_and_wrong_kind_of_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, "bench: {name: x}\n")
    assert "missing required key 'can'" in error.reason
    with pytest.raises(DescriptionError, match="this is an ECU description, not a bench file"):
        load_bench(DEMO_ECU)
    with pytest.raises(DescriptionError, match="file not found"):
        load_bench(tmp_path / "nowhere.yaml")


def test_errors_of_the_ecu_description_name_that_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken_ecu.yaml"
    broken.write_text(DEMO_ECU.read_text().replace("request_id: 0x7E0", "request_id: 0x7E0x", 1))
    file = write(tmp_path, "can: {interface: virtual}\necu: {description: broken_ecu.yaml}\n")
    with pytest.raises(DescriptionError) as info:
        load_bench(file)
    assert info.value.file == str(broken)
    assert load_ecu_description(DEMO_ECU).name == "SIM-1"


def test_bench_trace_format_is_read_and_checked(tmp_path):
    good = tmp_path / "asc.yaml"
    good.write_text("bench: {name: b, trace_format: asc}\ncan: {interface: virtual, channel: b}\n")
    assert load_bench(good).trace_format == "asc"
    bad = tmp_path / "bad.yaml"
    bad.write_text("bench: {name: b, trace_format: pcap}\ncan: {interface: virtual, channel: b}\n")
    with pytest.raises(DescriptionError) as caught:
        load_bench(bad)
    assert str(bad) in str(caught.value) and "bench.trace_format" in str(caught.value)
