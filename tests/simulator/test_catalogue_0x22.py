"""Conformance catalogue section 6: ReadDataByIdentifier 0x22 (TC2201-TC2212)."""

from __future__ import annotations

import time
from typing import Any

from .conftest import (
    PHYS_REQ_ID,
    RESP_ID,
    SECURED_0101,
    SERIAL,
    VIN,
    Tester,
    padding_errors,
    to_extended,
    unlock,
)


def test_TC2201_read_vin_multi_frame(sim: Any, tester: Tester) -> None:
    t0 = time.time()
    tester.expect("22 F1 90", b"\x62\xf1\x90" + VIN)
    time.sleep(0.01)
    rx = tester.monitor.frames(RESP_ID, since=t0)
    tx = tester.monitor.frames(PHYS_REQ_ID, since=t0)
    # FF + CFs from the ECU, after the tester's flow control
    assert rx and rx[0].data[0] >> 4 == 1, "the 20-byte response must start with a first frame"
    assert [m.data[0] >> 4 for m in rx[1:]] == [2, 2], "expected two consecutive frames"
    fc = [m for m in tx if m.data[0] >> 4 == 3]
    assert fc and rx[0].timestamp <= fc[0].timestamp <= rx[1].timestamp, "CFs must follow the tester's FC"
    assert padding_errors(rx) == []


def test_TC2202_read_two_dids_in_order(sim: Any, tester: Tester) -> None:
    tester.expect("22 F1 90 F1 8C", b"\x62\xf1\x90" + VIN + b"\xf1\x8c" + SERIAL)


def test_TC2203_unsupported_did_left_out(sim: Any, tester: Tester) -> None:
    tester.expect("22 F1 90 12 34", b"\x62\xf1\x90" + VIN)


def test_TC2204_unsupported_did(sim: Any, tester: Tester) -> None:
    tester.expect("22 12 34", "7F 22 31")


def test_TC2205_missing_did(sim: Any, tester: Tester) -> None:
    tester.expect("22", "7F 22 13")


def test_TC2206_odd_length(sim: Any, tester: Tester) -> None:
    tester.expect("22 F1 90 F1", "7F 22 13")


def test_TC2208_response_too_long(sim: Any, tester: Tester) -> None:
    # 0xD100 (4000 B) + 0xD101 (200 B): 4205 bytes > 4095 (classic ISO-TP limit)
    tester.expect("22 D1 00 D1 01", "7F 22 14")


def test_TC2209_did_not_in_session(sim: Any, tester: Tester) -> None:
    tester.expect("22 01 02", "7F 22 31")


def test_TC2210_secured_did_locked(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("22 01 01", "7F 22 33")


def test_TC2212_secured_did_unlocked(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    tester.expect("22 01 01 F1 86", b"\x62\x01\x01" + SECURED_0101 + b"\xf1\x86\x03")
