"""Conformance catalogue section 9: ReadDTCInformation 0x19 (TC1901-TC1915)."""

from __future__ import annotations

from typing import Any

from .conftest import Tester


def test_TC1901_number_of_dtc_by_status_mask(sim: Any, tester: Tester) -> None:
    tester.expect("19 01 08", "59 01 FF 01 00 02")


def test_TC1902_dtc_by_status_mask_confirmed(sim: Any, tester: Tester) -> None:
    tester.expect("19 02 08", "59 02 FF 01 23 45 09 C0 01 12 2F")


def test_TC1903_dtc_by_status_mask_all(sim: Any, tester: Tester) -> None:
    tester.expect("19 02 FF", "59 02 FF 01 23 45 09 C0 01 12 2F 9A 0B 13 50")


def test_TC1905_supported_dtcs(sim: Any, tester: Tester) -> None:
    tester.expect("19 0A", "59 0A FF 01 23 45 09 C0 01 12 2F 9A 0B 13 50")


def test_TC1906_snapshot_record(sim: Any, tester: Tester) -> None:
    tester.expect("19 04 C0 01 12 01", "59 04 C0 01 12 2F 01 02 F4 0D 00 32 F4 0C 0B B8")


def test_TC1907_no_snapshot_stored(sim: Any, tester: Tester) -> None:
    tester.expect("19 04 9A 0B 13 FF", "59 04 9A 0B 13 50")


def test_TC1908_snapshot_unknown_dtc(sim: Any, tester: Tester) -> None:
    tester.expect("19 04 12 34 56 01", "7F 19 31")


def test_TC1909_snapshot_unsupported_record(sim: Any, tester: Tester) -> None:
    tester.expect("19 04 C0 01 12 07", "7F 19 31")


def test_TC1910_extended_data_all_records(sim: Any, tester: Tester) -> None:
    tester.expect("19 06 C0 01 12 FF", "59 06 C0 01 12 2F 01 05 02 03")


def test_TC1911_extended_data_unknown_dtc(sim: Any, tester: Tester) -> None:
    tester.expect("19 06 12 34 56 FF", "7F 19 31")


def test_TC1912_missing_subfunction(sim: Any, tester: Tester) -> None:
    tester.expect("19", "7F 19 13")


def test_TC1913_snapshot_request_too_short(sim: Any, tester: Tester) -> None:
    tester.expect("19 04 C0 01 12", "7F 19 13")


def test_TC1914_unsupported_subfunction(sim: Any, tester: Tester) -> None:
    tester.expect("19 3F", "7F 19 12")


def test_TC1915_functional_unsupported_subfunction_silent(sim: Any, tester: Tester) -> None:
    tester.expect_silence("19 3F", functional=True)
