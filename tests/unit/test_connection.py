"""The tester's connection: stale frames, timing, 0x78 chains, functional requests."""

from __future__ import annotations

import uuid
from pathlib import Path

import can

from UdsLibrary.simulator import EcuSimulator
from UdsLibrary.transport.connection import UdsConnection

DEMO = Path(__file__).resolve().parents[2] / "resources" / "ecus" / "demo_ecu.yaml"


def test_a_stale_first_frame_gets_no_flow_control_and_the_next_request_is_answered():
    """A late multi-frame answer (e.g. to a timed-out request) must not be taken up by the next one."""
    channel = uuid.uuid4().hex
    with EcuSimulator.from_file(DEMO, bus=can.Bus(interface="virtual", channel=channel)) as sim:
        injector = can.Bus(interface="virtual", channel=channel)
        connection = UdsConnection(can.Bus(interface="virtual", channel=channel), sim.ecu.description.addressing)
        monitor = can.Bus(interface="virtual", channel=channel)
        try:
            # a First Frame from the ECU's response id that nobody asked for
            injector.send(can.Message(arbitration_id=0x7E8, data=bytes.fromhex("10 14 62 F1 90 57 56 57"),
                                      is_extended_id=False))
            exchange = connection.request(bytes.fromhex("22 F1 86"))
            assert exchange.final is not None and exchange.final.payload == bytes.fromhex("62 F1 86 01")
            sent = []
            while (msg := monitor.recv(0)) is not None:
                if msg.arbitration_id == 0x7E0:
                    sent.append(bytes(msg.data))
            assert all(frame[0] >> 4 != 3 for frame in sent), "the tester sent a flow control for a stale frame"
        finally:
            connection.close()
            injector.shutdown()
            monitor.shutdown()
            sim.bus.shutdown()


def test_response_pending_chain_is_followed_and_timed():
    channel = uuid.uuid4().hex
    with EcuSimulator.from_file(DEMO, bus=can.Bus(interface="virtual", channel=channel), profile="ci") as sim:
        connection = UdsConnection(can.Bus(interface="virtual", channel=channel), sim.ecu.description.addressing,
                                   p2_star_timeout=1.1)
        try:
            sim.ecu.faults.slow_nvm = 1.2  # longer than P2* (1 s): the ECU must repeat 0x78
            assert connection.request(bytes.fromhex("10 03")).final.payload[:2] == bytes.fromhex("50 03")
            seed = connection.request(bytes.fromhex("27 01")).final.payload[2:]
            connection.request(bytes.fromhex("27 02") + bytes(b ^ 0xA5 for b in seed))
            exchange = connection.request(bytes.fromhex("2E F1 01 03"))
            assert exchange.final.payload == bytes.fromhex("6E F1 01")
            assert exchange.pending_count >= 2
            assert exchange.first_response_time < 0.05 <= 1.0 < exchange.final_response_time
        finally:
            connection.close()
            sim.bus.shutdown()


def test_functional_request_collects_every_ecu_of_a_vehicle():
    vehicle = DEMO.parents[1] / "vehicles" / "demo_vehicle.yaml"
    channel = uuid.uuid4().hex
    with EcuSimulator.from_file(vehicle, bus=can.Bus(interface="virtual", channel=channel)) as sim:
        others = {ecu.description.addressing.response_id: ecu.description.addressing for ecu in sim.ecus.values()}
        connection = UdsConnection(can.Bus(interface="virtual", channel=channel), sim.ecu.description.addressing,
                                   extra_response_ids=others)
        try:
            exchange = connection.request(bytes.fromhex("3E 00"), functional=True, collect_all=True, timeout=0.2)
            answers = {source: [r.payload for r in responses] for source, responses in exchange.by_source().items()}
            assert answers == {0x7E8: [b"\x7e\x00"], 0x7E9: [b"\x7e\x00"], 0x72E: [b"\x7e\x00"]}
        finally:
            connection.close()
            sim.bus.shutdown()
