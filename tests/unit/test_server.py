"""EcuServer details that the catalogue tests cannot reach from the bus."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from UdsLibrary.description.loader import load_ecu_description
from UdsLibrary.simulator.server import EcuServer

DEMO = Path(__file__).resolve().parents[2] / "resources" / "ecus" / "demo_ecu.yaml"


def test_a_failing_service_handler_answers_general_reject_and_the_ecu_keeps_serving(caplog):
    server = EcuServer(load_ecu_description(DEMO))

    def broken(_server, _request):
        raise RuntimeError("defect")

    server._services[0x22] = dataclasses.replace(server._services[0x22], handler=broken)
    assert server.handle(bytes.fromhex("22 F1 90")) == [bytes.fromhex("7F 22 10")]
    assert "failed on request 22 f1 90" in caplog.text
    assert server.handle(bytes.fromhex("3E 00")) == [bytes.fromhex("7E 00")]


def test_description_faults_are_applied_at_start():
    description = dataclasses.replace(load_ecu_description(DEMO), faults={"low_voltage": True})
    server = EcuServer(description)
    assert server.faults.low_voltage
    assert server.handle(bytes.fromhex("10 03")) == [bytes.fromhex("7F 10 22")]



def test_a_failing_dtc_is_confirmed_again_right_after_a_clear():
    server = EcuServer(load_ecu_description(DEMO))
    server.faults.apply({"failing_dtcs": [0x012345]})
    assert server.handle(bytes.fromhex("14 FF FF FF")) == [b"\x54"]
    answer = server.handle(bytes.fromhex("19 02 08"))[0]
    assert answer[3:7] == bytes.fromhex("01 23 45") + bytes((answer[6],)) and answer[6] & 0x08
    assert len(answer) == 7  # only the failing DTC is confirmed
