"""Conformance catalogue section 8: RoutineControl 0x31 (TC3101-TC3112)."""

from __future__ import annotations

from typing import Any

from .conftest import ERASE_REQUEST, Tester, to_extended, to_programming


def test_TC3101_start_routine(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("31 01 02 03", "71 01 02 03 00")


def test_TC3102_start_results_stop(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect_prefix("31 01 12 34", "71 01 12 34")
    results = tester.expect_prefix("31 03 12 34", "71 03 12 34")
    assert len(results) > 4, f"expected a routine status record with the results, got {results.hex(' ')}"
    tester.expect_prefix("31 02 12 34", "71 02 12 34")


def test_TC3103_stop_before_start(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("31 02 12 34", "7F 31 24")


def test_TC3104_results_before_start(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("31 03 12 34", "7F 31 24")


def test_TC3105_unsupported_rid(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("31 01 FF FF", "7F 31 31")


def test_TC3106_unsupported_subfunction(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("31 05 12 34", "7F 31 12")


def test_TC3107_rid_check_before_subfunction(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("31 05 FF FF", "7F 31 31")


def test_TC3108_rid_without_stop(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("31 02 02 03", "7F 31 12")


def test_TC3109_rid_not_in_default(sim: Any, tester: Tester) -> None:
    tester.expect("31 01 12 34", "7F 31 31")


def test_TC3110_erase_locked(sim: Any, tester: Tester) -> None:
    to_programming(tester, do_unlock=False)
    tester.expect(ERASE_REQUEST, "7F 31 33")


def test_TC3111_sprmib_start_still_runs(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect_silence("31 81 12 34")
    tester.expect_prefix("31 03 12 34", "71 03 12 34")


def test_TC3112_precondition_failure(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    sim.ecu.faults.routine_precondition_failed = {0x0203}
    tester.expect("31 01 02 03", "7F 31 22")
