"""Conformance catalogue section 10: ClearDiagnosticInformation 0x14 (TC1401-TC1408)."""

from __future__ import annotations

from typing import Any

from .conftest import Tester, to_extended


def _clear_all(tester: Tester) -> None:
    """TC1401: 14 FF FF FF -> 54; 19 01 08 -> count 0."""
    tester.expect("14 FF FF FF", "54")
    tester.expect("19 01 08", "59 01 FF 01 00 00")


def test_TC1401_clear_all(sim: Any, tester: Tester) -> None:
    _clear_all(tester)


def test_TC1402_status_after_clear(sim: Any, tester: Tester) -> None:
    _clear_all(tester)
    tester.expect("19 02 FF", "59 02 FF 01 23 45 50 C0 01 12 50 9A 0B 13 50")


def test_TC1403_snapshots_erased(sim: Any, tester: Tester) -> None:
    _clear_all(tester)
    tester.expect("19 04 C0 01 12 FF", "59 04 C0 01 12 50")


def test_TC1404_wrong_length(sim: Any, tester: Tester) -> None:
    tester.expect("14 FF FF", "7F 14 13")


def test_TC1405_unsupported_group(sim: Any, tester: Tester) -> None:
    tester.expect("14 12 34 56", "7F 14 31")


def test_TC1406_conditions_not_correct(sim: Any, tester: Tester) -> None:
    sim.ecu.faults.engine_running = True
    tester.expect("14 FF FF FF", "7F 14 22")


def test_TC1407_functional_clear(sim: Any, tester: Tester) -> None:
    tester.expect("14 FF FF FF", "54", functional=True)


def test_TC1408_clear_while_dtc_setting_off(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("85 02", "C5 02")
    tester.expect("14 FF FF FF", "54")
    tester.expect("19 01 08", "59 01 FF 01 00 00")
