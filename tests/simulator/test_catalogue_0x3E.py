"""Conformance catalogue section 5: TesterPresent 0x3E (TC3E01-TC3E12)."""

from __future__ import annotations

import time
from typing import Any

from .conftest import CI, Tester, keep_alive, to_extended


def test_TC3E01_tester_present(sim: Any, tester: Tester) -> None:
    tester.expect("3E 00", "7E 00")


def test_TC3E02_tester_present_sprmib(sim: Any, tester: Tester) -> None:
    tester.expect_silence("3E 80")


def test_TC3E03_tester_present_in_extended(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("3E 00", "7E 00")
    tester.expect("22 F1 86", "62 F1 86 03")


def test_TC3E04_tester_present_sprmib_in_extended(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect_silence("3E 80")
    tester.expect("22 F1 86", "62 F1 86 03")


def test_TC3E05_invalid_subfunction(sim: Any, tester: Tester) -> None:
    tester.expect("3E 01", "7F 3E 12")


def test_TC3E06_invalid_subfunction_sprmib_not_suppressed(sim: Any, tester: Tester) -> None:
    tester.expect("3E 81", "7F 3E 12")


def test_TC3E07_missing_subfunction(sim: Any, tester: Tester) -> None:
    tester.expect("3E", "7F 3E 13")


def test_TC3E08_wrong_length(sim: Any, tester: Tester) -> None:
    tester.expect("3E 00 00", "7F 3E 13")


def test_TC3E09_keep_alive_physical(sim_ci: Any, tester: Tester) -> None:
    to_extended(tester, CI)
    keep_alive(tester, duration=2.4 * CI.s3, period=0.4 * CI.s3)
    tester.expect("22 F1 86", "62 F1 86 03")


def test_TC3E10_no_keep_alive_s3_expires(sim_ci: Any, tester: Tester) -> None:
    to_extended(tester, CI)
    time.sleep(1.1 * CI.s3)
    tester.expect("22 F1 86", "62 F1 86 01")


def test_TC3E11_keep_alive_functional(sim_ci: Any, tester: Tester) -> None:
    to_extended(tester, CI)
    keep_alive(tester, duration=2.4 * CI.s3, period=0.4 * CI.s3, functional=True)
    tester.expect("22 F1 86", "62 F1 86 03")


def test_TC3E12_functional_invalid_then_valid(sim: Any, tester: Tester) -> None:
    tester.expect_silence("3E 01", functional=True)
    tester.expect("3E 00", "7E 00", functional=True)
