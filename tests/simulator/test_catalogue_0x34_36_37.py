"""Conformance catalogue section 13: RequestDownload 0x34, TransferData 0x36, RequestTransferExit 0x37.

Common precondition: ``10 03``, ``10 02``, ``27 11``, ``27 12 <key>`` (PRG U11), then erase through
RID FF00. The ``ci`` profile is used (erase 1.5 s instead of 2 s); the bytes on the wire are the same.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from .conftest import (
    BLOCK,
    CI,
    Tester,
    assert_response,
    hx,
    prepare_download,
    request_download,
    to_programming,
    transfer,
    transfer_all,
)

DOWNLOAD_4K = "34 00 44 00 01 00 00 00 00 10 00"  # 0x1000 bytes at 0x00010000 = 4 blocks of 1024
SIZE_4K = 0x1000


def _after_tc3401(tester: Tester) -> None:
    prepare_download(tester, CI)
    tester.expect(DOWNLOAD_4K, "74 20 04 02")


def _all_transferred(tester: Tester) -> None:
    _after_tc3401(tester)
    assert transfer_all(tester, SIZE_4K) == 4


def test_TC3401_request_download(sim_ci: Any, tester: Tester) -> None:
    _after_tc3401(tester)


def test_TC3402_request_download_locked(sim_ci: Any, tester: Tester) -> None:
    to_programming(tester, CI, do_unlock=False)
    tester.expect(DOWNLOAD_4K, "7F 34 33")


def test_TC3403_request_download_too_short(sim_ci: Any, tester: Tester) -> None:
    prepare_download(tester, CI)
    tester.expect("34 00 44 00 01 00 00", "7F 34 13")


def test_TC3404_invalid_alfid(sim_ci: Any, tester: Tester) -> None:
    prepare_download(tester, CI)
    tester.expect("34 00 00 00 01 00 00", "7F 34 31")


def test_TC3405_compression_not_supported(sim_ci: Any, tester: Tester) -> None:
    prepare_download(tester, CI)
    tester.expect("34 11 44 00 01 00 00 00 00 10 00", "7F 34 31")


def test_TC3406_address_outside_flash(sim_ci: Any, tester: Tester) -> None:
    prepare_download(tester, CI)
    tester.expect("34 00 44 FF 00 00 00 00 00 10 00", "7F 34 31")


def test_TC3407_download_already_active(sim_ci: Any, tester: Tester) -> None:
    _after_tc3401(tester)
    tester.expect(DOWNLOAD_4K, "7F 34 22")


def test_TC3601_first_block(sim_ci: Any, tester: Tester) -> None:
    _after_tc3401(tester)
    assert_response(transfer(tester, 0x01), "76 01", "36 01")


def test_TC3602_second_block(sim_ci: Any, tester: Tester) -> None:
    _after_tc3401(tester)
    assert_response(transfer(tester, 0x01), "76 01", "36 01")
    assert_response(transfer(tester, 0x02), "76 02", "36 02")


def test_TC3604_wrong_block_sequence_counter(sim_ci: Any, tester: Tester) -> None:
    _after_tc3401(tester)
    assert_response(transfer(tester, 0x01), "76 01", "36 01")
    assert_response(transfer(tester, 0x02), "76 02", "36 02")
    assert_response(transfer(tester, 0x04), "7F 36 73", "36 04")


def test_TC3605_transfer_without_download(sim_ci: Any, tester: Tester) -> None:
    prepare_download(tester, CI)
    tester.expect("36 01 00", "7F 36 24")


def test_TC3606_block_too_long(sim_ci: Any, tester: Tester) -> None:
    _after_tc3401(tester)
    # 36 01 + 1025 bytes = 1027 bytes > maxNumberOfBlockLength 0x0402
    assert_response(transfer(tester, 0x01, BLOCK + 1), "7F 36 13", "36 01 <1025 B>")


def test_TC3607_block_counter_wraps_to_zero(sim_ci: Any, tester: Tester) -> None:
    prepare_download(tester, CI, option="44 00 01 00 00 00 06 00 00")
    tester.expect("34 00 44 00 01 00 00 00 04 B0 00", "74 20 04 02")  # 300 blocks of 1024 bytes
    answers: dict[int, bytes | None] = {}
    for n in range(1, 301):
        counter = n & 0xFF
        resp = transfer(tester, counter)
        answers[n] = resp
        assert_response(resp, bytes([0x76, counter]), f"block {n} (36 {counter:02X})")
    assert [hx(answers[n]) for n in (255, 256, 257)] == ["76 FF", "76 00", "76 01"]


def test_TC3609_transfer_after_all_data(sim_ci: Any, tester: Tester) -> None:
    _all_transferred(tester)
    assert_response(transfer(tester, 0x05), "7F 36 24", "36 05 after all data")


def test_TC3610_block_larger_than_remaining(sim_ci: Any, tester: Tester) -> None:
    prepare_download(tester, CI)
    request_download(tester, 0x500)
    assert_response(transfer(tester, 0x01), "76 01", "36 01")
    # 1024 bytes but only 0x500 - 1024 = 256 remain
    assert_response(transfer(tester, 0x02), "7F 36 71", "36 02 <too much>")


def test_TC3701_transfer_exit(sim_ci: Any, tester: Tester) -> None:
    _all_transferred(tester)
    tester.expect("37", "77")


def test_TC3702_exit_without_transfer(sim_ci: Any, tester: Tester) -> None:
    prepare_download(tester, CI)
    tester.expect("37", "7F 37 24")


def test_TC3703_exit_transfer_incomplete(sim_ci: Any, tester: Tester) -> None:
    _after_tc3401(tester)
    assert_response(transfer(tester, 0x01), "76 01", "36 01")
    tester.expect("37", "7F 37 24")


def test_TC3704_exit_crc_mismatch(sim_ci: Any, tester: Tester) -> None:
    _all_transferred(tester)
    sim_ci.ecu.faults.crc_mismatch = True
    tester.expect("37", "7F 37 72")


def test_TC3705_exit_slow_verification(sim_ci: Any, tester: Tester) -> None:
    _all_transferred(tester)
    sim_ci.ecu.faults.slow_verification = 1.5
    ex = tester.exchange("37", p2_star=CI.p2_star)
    assert ex.responses, "no response to 37"
    assert_response(ex.responses[0][1], "7F 37 78", "first response")
    assert_response(ex.final, "77", "final response")
    assert all(r == bytes.fromhex("7F 37 78") for _, r in ex.responses[:-1]), [hx(r) for _, r in ex.responses]
    assert ex.tx_frame_time is not None
    rx = [t for t in ex.rx_frame_times if t >= ex.tx_frame_time]
    assert rx[0] - ex.tx_frame_time < CI.p2, f"first 0x78 after {(rx[0] - ex.tx_frame_time) * 1000:.1f} ms"
    gaps = [b - a for a, b in pairwise(rx)]
    assert all(g <= CI.p2_star for g in gaps), f"gaps {[round(g * 1000) for g in gaps]} ms > P2*"
