"""Conformance catalogue section 3: ECUReset 0x11 (TC1101-TC1108)."""

from __future__ import annotations

import time
from typing import Any

from .conftest import CI, REF, Tester, assert_seed, to_extended, unlock


def test_TC1101_hard_reset(sim_ci: Any, tester: Tester) -> None:
    tester.expect("11 01", "51 01")
    # silent while resetting: a request sent during the reset time is not answered
    tester.expect_silence("3E 00", window=max(0.15, 2 * CI.reset))
    time.sleep(CI.reset)
    tester.expect("22 F1 86", "62 F1 86 01")


def test_TC1102_reset_returns_to_default_locked(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    tester.expect("11 01", "51 01")
    time.sleep(1.5 * REF.reset)
    tester.expect("10 03", "50 03 00 32 01 F4")
    assert_seed(tester.request("27 01"), 0x01)


def test_TC1103_unsupported_reset_type(sim: Any, tester: Tester) -> None:
    tester.expect("11 02", "7F 11 12")


def test_TC1104_missing_subfunction(sim: Any, tester: Tester) -> None:
    tester.expect("11", "7F 11 13")


def test_TC1105_wrong_length(sim: Any, tester: Tester) -> None:
    tester.expect("11 01 00", "7F 11 13")


def test_TC1106_sprmib_reset_still_done(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect_silence("11 81", window=0.15)
    time.sleep(1.5 * REF.reset)
    tester.expect("22 F1 86", "62 F1 86 01")


def test_TC1107_functional_unsupported_reset_silent(sim: Any, tester: Tester) -> None:
    tester.expect_silence("11 7F", functional=True)


def test_TC1108_vehicle_moving(sim: Any, tester: Tester) -> None:
    sim.ecu.faults.vehicle_moving = True
    tester.expect("11 01", "7F 11 22")
