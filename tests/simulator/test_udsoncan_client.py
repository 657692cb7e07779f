"""A plain udsoncan client against the simulated ECU (third-party client interoperability).

Same catalogue cases as the raw-ISO-TP tests, but encoded, sent, awaited and decoded by udsoncan 1.x
on an isotp ``NotifierBasedCanStack``.
"""

from __future__ import annotations

import time
from itertools import pairwise
from typing import Any

from udsoncan.client import Client

from .conftest import CI, DTC_A, DTC_B, ERASE_OPTION, SECURED_0101, SERIAL, VIN, hexb


def test_TC1001_udsoncan_change_session(sim: Any, uds_client: Client) -> None:
    resp = uds_client.change_session(0x01)
    assert resp is not None and resp.positive
    assert resp.get_payload() == hexb("50 01 00 32 01 F4")
    assert resp.service_data.session_echo == 0x01
    assert resp.service_data.p2_server_max == 0.050
    assert resp.service_data.p2_star_server_max == 5.0


def test_TC1002_udsoncan_extended_session(sim: Any, uds_client: Client) -> None:
    uds_client.change_session(0x03)
    resp = uds_client.read_data_by_identifier(0xF186)
    assert resp is not None and resp.service_data.values[0xF186] == b"\x03"


def test_TC2201_udsoncan_read_vin(sim: Any, uds_client: Client) -> None:
    resp = uds_client.read_data_by_identifier(0xF190)
    assert resp is not None and resp.positive
    assert resp.service_data.values[0xF190] == VIN.decode()


def test_TC2202_udsoncan_read_two_dids(sim: Any, uds_client: Client) -> None:
    resp = uds_client.read_data_by_identifier([0xF190, 0xF18C])
    assert resp is not None and resp.positive
    assert resp.service_data.values == {0xF190: VIN.decode(), 0xF18C: SERIAL.decode()}
    assert resp.get_payload() == b"\x62\xf1\x90" + VIN + b"\xf1\x8c" + SERIAL


def test_TC2702_udsoncan_unlock_and_read_secured(sim: Any, uds_client: Client) -> None:
    uds_client.change_session(0x03)
    resp = uds_client.unlock_security_access(0x01)
    assert resp is not None and resp.positive
    assert resp.get_payload() == b"\x67\x02"
    data = uds_client.read_data_by_identifier(0x0101)
    assert data is not None and data.service_data.values[0x0101] == SECURED_0101


def test_TC1902_udsoncan_dtc_by_status_mask(sim: Any, uds_client: Client) -> None:
    resp = uds_client.get_dtc_by_status_mask(0x08)
    assert resp is not None and resp.positive
    assert resp.service_data.status_availability.get_byte_as_int() == 0xFF
    got = [(dtc.id, dtc.status.get_byte_as_int()) for dtc in resp.service_data.dtcs]
    assert got == [(DTC_A, 0x09), (DTC_B, 0x2F)]
    assert resp.service_data.dtc_count == 2


def test_TC1901_udsoncan_number_of_dtc(sim: Any, uds_client: Client) -> None:
    resp = uds_client.get_number_of_dtc_by_status_mask(0x08)
    assert resp is not None and resp.positive
    assert resp.service_data.dtc_count == 2
    assert resp.service_data.dtc_format == 0x01


def test_TC3101_udsoncan_start_routine(sim: Any, uds_client: Client) -> None:
    uds_client.change_session(0x03)
    resp = uds_client.start_routine(0x0203)
    assert resp is not None and resp.positive
    assert resp.service_data.control_type_echo == 0x01
    assert resp.service_data.routine_id_echo == 0x0203
    assert resp.service_data.routine_status_record == b"\x00"


def test_TC3102_udsoncan_routine_start_results_stop(sim: Any, uds_client: Client) -> None:
    uds_client.change_session(0x03)
    start = uds_client.start_routine(0x1234)
    assert start is not None and start.positive
    results = uds_client.get_routine_result(0x1234)
    assert results is not None and results.positive
    assert results.service_data.routine_id_echo == 0x1234
    assert len(results.service_data.routine_status_record) > 0
    stop = uds_client.stop_routine(0x1234)
    assert stop is not None and stop.positive


def test_GEN11_udsoncan_erase_waits_through_0x78(sim_ci: Any, uds_client: Client) -> None:
    pending: list[float] = []
    uds_client.config["nrc78_callback"] = lambda: pending.append(time.monotonic())
    uds_client.change_session(0x03)
    uds_client.change_session(0x02)
    unlocked = uds_client.unlock_security_access(0x11)
    assert unlocked is not None and unlocked.positive
    t0 = time.monotonic()
    resp = uds_client.start_routine(0xFF00, data=hexb(ERASE_OPTION))
    t_end = time.monotonic()
    assert resp is not None and resp.positive
    assert resp.get_payload() == hexb("71 01 FF 00 00")
    # erase 1.5 s > P2* 1.0 s: at least two 0x78, each next one within P2* (plus scheduling slack)
    assert len(pending) >= 2, f"{len(pending)} x 0x78 received"
    assert pending[0] - t0 < 0.5
    marks = [*pending, t_end]
    gaps = [b - a for a, b in pairwise(marks)]
    assert all(g <= CI.p2_star + 0.05 for g in gaps), f"gaps {[round(g * 1000) for g in gaps]} ms"
