"""Conformance catalogue section 7: WriteDataByIdentifier 0x2E (TC2E01-TC2E09)."""

from __future__ import annotations

import time
from typing import Any

from .conftest import REF, VIN, Tester, to_extended, unlock

NEW_VIN = b"WVWZZZ1KZAW123456"
assert len(NEW_VIN) == 17 and NEW_VIN != VIN


def test_TC2E01_write_vin(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    tester.expect(b"\x2e\xf1\x90" + NEW_VIN, "6E F1 90")
    tester.expect("22 F1 90", b"\x62\xf1\x90" + NEW_VIN)


def test_TC2E02_not_in_default(sim: Any, tester: Tester) -> None:
    tester.expect(b"\x2e\xf1\x90" + NEW_VIN, "7F 2E 7F")


def test_TC2E03_locked(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect(b"\x2e\xf1\x90" + NEW_VIN, "7F 2E 33")


def test_TC2E04_wrong_record_length(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    tester.expect(b"\x2e\xf1\x90" + NEW_VIN[:16], "7F 2E 13")


def test_TC2E05_unsupported_did(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    tester.expect("2E 12 34 00", "7F 2E 31")


def test_TC2E06_read_only_did(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    tester.expect(b"\x2e\xf1\x8c" + b"SN99999999", "7F 2E 31")


def test_TC2E07_did_check_before_security(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("2E 12 34 00", "7F 2E 31")


def test_TC2E08_nvm_write_error(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    sim.ecu.faults.nvm_write_error = True
    tester.expect(b"\x2e\xf1\x90" + NEW_VIN, "7F 2E 72")


def test_TC2E09_written_vin_survives_reset(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    tester.expect(b"\x2e\xf1\x90" + NEW_VIN, "6E F1 90")
    tester.expect("11 01", "51 01")
    time.sleep(1.5 * REF.reset)
    tester.expect("22 F1 90", b"\x62\xf1\x90" + NEW_VIN)
