"""Conformance catalogue section 2: DiagnosticSessionControl 0x10 (TC1001-TC1010)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .conftest import (
    APP_FRAME_ID,
    CI,
    DTC_X,
    REF,
    RESP_ID,
    Tester,
    app_frame_resumed,
    app_frames_stopped,
    assert_seed,
    last_frame_time,
    padding_errors,
    parse_dtc_records,
    to_extended,
    unlock,
)


def test_TC1001_default_session(sim: Any, tester: Tester) -> None:
    t0 = time.time()
    tester.expect("10 01", "50 01 00 32 01 F4")
    time.sleep(0.01)
    assert padding_errors(tester.monitor.frames(RESP_ID, since=t0)) == []


def test_TC1002_enter_extended(sim: Any, tester: Tester) -> None:
    tester.expect("10 03", "50 03 00 32 01 F4")
    tester.expect("22 F1 86", "62 F1 86 03")


def test_TC1003_enter_programming_from_extended(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("10 02", "50 02 00 32 01 F4")
    tester.expect("22 F1 86", "62 F1 86 02")


def test_TC1004_programming_not_from_default(sim: Any, tester: Tester) -> None:
    tester.expect("10 02", "7F 10 7E")


def test_TC1005_unsupported_session(sim: Any, tester: Tester) -> None:
    tester.expect("10 04", "7F 10 12")


def test_TC1006_wrong_length(sim: Any, tester: Tester) -> None:
    tester.expect("10 03 00", "7F 10 13")


def test_TC1007_sprmib_suppresses_positive_response(sim: Any, tester: Tester) -> None:
    tester.expect_silence("10 83")
    tester.expect("22 F1 86", "62 F1 86 03")


def test_TC1008_same_session_reentry_relocks(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    tester.expect("10 03", "50 03 00 32 01 F4")
    assert_seed(tester.request("27 01"), 0x01)


def test_TC1009_s3_expiry_ci(sim_ci: Any, tester: Tester) -> None:
    to_extended(tester, CI)
    time.sleep(1.1 * CI.s3)
    tester.expect("22 F1 86", "62 F1 86 01")


@pytest.mark.slow
def test_TC1009_s3_expiry_reference_timing(sim: Any, tester: Tester) -> None:
    """The S3 fallback with the real 5 s reference S3 (idle 5.5 s)."""
    to_extended(tester, REF)
    time.sleep(1.1 * REF.s3)
    tester.expect("22 F1 86", "62 F1 86 01")


def test_TC1010_default_session_resets_comm_and_dtc_setting(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("28 03 01", "68 03")
    tester.expect("85 02", "C5 02")
    t_off = last_frame_time(tester.monitor)
    assert app_frames_stopped(tester.monitor, t_off) == [], "precondition: 0x123 must stop after 28 03 01"
    tester.expect("10 01", "50 01 00 32 01 F4")
    t_def = last_frame_time(tester.monitor)
    assert app_frame_resumed(tester.monitor, t_def) is not None, (
        f"application frame {APP_FRAME_ID:03X} did not resume within 300 ms after 50 01"
    )
    # DTC setting on again: a failed test result is recorded
    assert sim.ecu.dtc_setting_on is True
    sim.ecu.report_dtc(DTC_X, failed=True)
    resp = tester.request("19 02 08")
    assert resp is not None
    records = parse_dtc_records(resp)
    assert DTC_X in records and records[DTC_X] & 0x08, f"DTC 9A0B13 not reported after 10 01: {resp.hex(' ')}"
