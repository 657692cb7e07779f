"""Conformance catalogue section 12: ControlDTCSetting 0x85 (TC8501-TC8507).

"Inject fault X" = ``sim.ecu.report_dtc(0x9A0B13, failed=True)``; DTC X starts with status 0x50
(not confirmed), so ``19 02 08`` reports it only if the failed result was recorded.
"""

from __future__ import annotations

from typing import Any

from .conftest import DTC_X, Tester, hx, parse_dtc_records, to_extended

REPORT_WITHOUT_X = "59 02 FF 01 23 45 09 C0 01 12 2F"


def _assert_x_reported(tester: Tester) -> None:
    resp = tester.request("19 02 08")
    assert resp is not None, "no response to 19 02 08"
    records = parse_dtc_records(resp)
    assert DTC_X in records, f"DTC 9A 0B 13 not reported: {hx(resp)}"
    assert records[DTC_X] & 0x08, f"DTC 9A 0B 13 without the confirmed bit: {hx(resp)}"
    assert records.get(0x012345) == 0x09 and records.get(0xC00112) == 0x2F, hx(resp)


def test_TC8501_dtc_setting_off(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("85 02", "C5 02")
    sim.ecu.report_dtc(DTC_X, failed=True)
    tester.expect("19 02 08", REPORT_WITHOUT_X)


def test_TC8502_dtc_setting_on(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("85 02", "C5 02")
    tester.expect("85 01", "C5 01")
    sim.ecu.report_dtc(DTC_X, failed=True)
    _assert_x_reported(tester)


def test_TC8503_dtc_setting_off_sprmib(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect_silence("85 82")
    assert sim.ecu.dtc_setting_on is False
    sim.ecu.report_dtc(DTC_X, failed=True)
    tester.expect("19 02 08", REPORT_WITHOUT_X)


def test_TC8504_invalid_subfunction(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("85 00", "7F 85 12")


def test_TC8505_default_session_turns_setting_on(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("85 02", "C5 02")
    tester.expect("10 01", "50 01 00 32 01 F4")
    sim.ecu.report_dtc(DTC_X, failed=True)
    _assert_x_reported(tester)


def test_TC8506_functional_off_sprmib(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect_silence("85 82", functional=True)
    assert sim.ecu.dtc_setting_on is False


def test_TC8507_read_dtc_while_setting_off(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("85 02", "C5 02")
    sim.ecu.report_dtc(DTC_X, failed=True)
    tester.expect("19 02 FF", "59 02 FF 01 23 45 09 C0 01 12 2F 9A 0B 13 50")
