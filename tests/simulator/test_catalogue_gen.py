"""Conformance catalogue section 1: cross-service rules (GEN01-GEN12)."""

from __future__ import annotations

import time
from itertools import pairwise
from typing import Any

from .conftest import (
    CI,
    ERASE_OK,
    ERASE_OPTION,
    ERASE_REQUEST,
    FUNC_REQ_ID,
    RESP_ID,
    Tester,
    assert_response,
    hx,
    padding_errors,
    to_extended,
    to_programming,
)


def _assert_functional_single_frames(tester: Tester, since: float) -> None:
    time.sleep(0.01)
    frames = tester.monitor.frames(FUNC_REQ_ID, since=since)
    assert frames, "the functional request was not seen on 0x7DF"
    for m in frames:
        assert m.data[0] >> 4 == 0, f"functional request must be a single frame: {hx(bytes(m.data))}"
    assert padding_errors(frames) == []


def test_GEN01_unsupported_sid(sim: Any, tester: Tester) -> None:
    tester.expect("83 01", "7F 83 11")


def test_GEN02_service_not_in_session_before_length(sim: Any, tester: Tester) -> None:
    tester.expect("2E F1", "7F 2E 7F")


def test_GEN03_minimum_length(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("10", "7F 10 13")


def test_GEN04_subfunction_before_total_length(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("10 7F 00", "7F 10 12")


def test_GEN05_functional_suppresses_0x11(sim: Any, tester: Tester) -> None:
    t0 = time.time()
    tester.expect_silence("83 01", functional=True)
    _assert_functional_single_frames(tester, t0)


def test_GEN06_functional_suppresses_0x12(sim: Any, tester: Tester) -> None:
    t0 = time.time()
    tester.expect_silence("10 05", functional=True)
    _assert_functional_single_frames(tester, t0)


def test_GEN07_functional_suppresses_0x31(sim: Any, tester: Tester) -> None:
    t0 = time.time()
    tester.expect_silence("22 12 34", functional=True)
    _assert_functional_single_frames(tester, t0)


def test_GEN08_functional_suppresses_0x7F(sim: Any, tester: Tester) -> None:
    t0 = time.time()
    tester.expect_silence("2E F1 90 00", functional=True)
    _assert_functional_single_frames(tester, t0)


def test_GEN10_sprmib_never_suppresses_nrc(sim: Any, tester: Tester) -> None:
    tester.expect("10 85", "7F 10 12")


def test_GEN11_response_pending_timing(sim_ci: Any, tester: Tester) -> None:
    to_programming(tester, CI)
    ex = tester.exchange(ERASE_REQUEST, p2_star=CI.p2_star)
    assert ex.responses, "no response to the erase request"
    assert_response(ex.responses[0][1], "7F 31 78", "first response")
    assert_response(ex.final, ERASE_OK, "final response")
    pending = ex.pending
    # the erase runs 1.5 s > P2* 1.0 s: the 0x78 must be repeated
    assert len(pending) >= 2, f"expected >= 2 x 7F 31 78, got {[hx(r) for _, r in ex.responses]}"
    assert all(r == bytes.fromhex("7F 31 78") for _, r in ex.responses[:-1])
    # bus timestamps: request frame -> first response frame -> ... (all single frames)
    assert ex.tx_frame_time is not None
    rx = [t for t in ex.rx_frame_times if t >= ex.tx_frame_time]
    assert len(rx) == len(ex.responses), f"{len(rx)} response frames for {len(ex.responses)} responses"
    first = rx[0] - ex.tx_frame_time
    assert first < CI.p2, f"first 7F 31 78 after {first * 1000:.1f} ms (P2 = {CI.p2 * 1000:.0f} ms)"
    gaps = [b - a for a, b in pairwise(rx)]
    assert all(g <= CI.p2_star for g in gaps), (
        f"gaps between responses {[round(g * 1000) for g in gaps]} ms exceed P2* {CI.p2_star * 1000:.0f} ms"
    )
    # the final response comes when the erase is done (>= ~erase time after the request)
    assert rx[-1] - ex.tx_frame_time >= CI.erase * 0.9
    assert padding_errors(tester.monitor.frames(RESP_ID, since=ex.t_send)) == []


def test_GEN12_final_response_after_0x78_despite_sprmib(sim_ci: Any, tester: Tester) -> None:
    to_programming(tester, CI)
    ex = tester.exchange("31 81 FF 00 " + ERASE_OPTION, p2_star=CI.p2_star)
    assert ex.responses, "no response to the erase request with SPRMIB"
    assert_response(ex.responses[0][1], "7F 31 78", "first response")
    assert_response(ex.final, ERASE_OK, "final response")
