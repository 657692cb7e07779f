"""Conformance catalogue section 11: CommunicationControl 0x28 (TC2801-TC2809).

Application frames of the demo ECU: 0x123 (normal, every 100 ms) and 0x510 (NM, every 200 ms).
"Stop" = no frame for >= 300 ms after the response (or after request + P2 when the response is
suppressed); "resume" = a frame within 300 ms.
"""

from __future__ import annotations

import time
from typing import Any

from .conftest import (
    APP_FRAME_ID,
    CI,
    FUNC_REQ_ID,
    NM_FRAME_ID,
    PHYS_REQ_ID,
    REF,
    Tester,
    app_frame_resumed,
    app_frames_stopped,
    hx,
    last_frame_time,
    to_extended,
)


def _request_frame_time(tester: Tester, since: float, arbitration_id: int = PHYS_REQ_ID) -> float:
    time.sleep(0.01)
    frames = tester.monitor.frames(arbitration_id, since=since)
    assert frames, f"request frame on {arbitration_id:03X} not seen"
    return frames[0].timestamp


def _fmt(frames: list[Any]) -> str:
    return ", ".join(f"{m.arbitration_id:03X}@{m.timestamp:.3f}" for m in frames[:5])


def test_TC2801_disable_normal_tx(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    assert app_frame_resumed(tester.monitor, time.time() - 0.05) is not None, "precondition: 0x123 is sent"
    tester.expect("28 03 01", "68 03")
    t = last_frame_time(tester.monitor)
    tester.expect("22 F1 86", "62 F1 86 03")  # diagnostics still answered
    late = app_frames_stopped(tester.monitor, t)
    assert late == [], f"0x123 sent after 68 03: {_fmt(late)}"
    # communicationType 01 = normal messages only: NM goes on
    assert app_frame_resumed(tester.monitor, t, window=0.45, arbitration_id=NM_FRAME_ID) is not None, (
        "NM frame 0x510 stopped too (28 03 01 disables normal messages only)"
    )


def test_TC2802_enable_normal_tx(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("28 03 01", "68 03")
    t_off = last_frame_time(tester.monitor)
    assert app_frames_stopped(tester.monitor, t_off) == [], "precondition: 0x123 stops after 28 03 01"
    tester.expect("28 00 01", "68 00")
    t_on = last_frame_time(tester.monitor)
    resumed = app_frame_resumed(tester.monitor, t_on)
    assert resumed is not None, "0x123 did not resume within 300 ms after 68 00"


def test_TC2803_disable_with_sprmib(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    t_send = time.time()
    tester.expect_silence("28 83 01")
    anchor = _request_frame_time(tester, t_send) + REF.p2
    late = app_frames_stopped(tester.monitor, anchor)
    assert late == [], f"0x123 sent after 28 83 01 (+P2): {_fmt(late)}"


def test_TC2804_not_in_default(sim: Any, tester: Tester) -> None:
    tester.expect("28 03 01", "7F 28 7F")


def test_TC2805_unsupported_control_type(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("28 06 01", "7F 28 12")


def test_TC2806_missing_communication_type(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("28 03", "7F 28 13")


def test_TC2807_invalid_communication_type(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("28 03 00", "7F 28 31")


def test_TC2808_functional_disable_normal_and_nm(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    t_send = time.time()
    tester.expect_silence("28 83 03", functional=True)
    frames = tester.monitor.frames(FUNC_REQ_ID, since=t_send)
    assert frames and frames[0].data[0] >> 4 == 0, f"functional request not a single frame: {frames}"
    anchor = _request_frame_time(tester, t_send, FUNC_REQ_ID) + REF.p2
    time.sleep(max(0.0, anchor + 0.5 - time.time()))
    late = [m for m in tester.monitor.frames(since=anchor) if m.arbitration_id in (APP_FRAME_ID, NM_FRAME_ID)]
    assert late == [], f"application/NM frames after 28 83 03: {_fmt(late)} ({hx(bytes(late[0].data))})"


def test_TC2809_s3_expiry_enables_tx(sim_ci: Any, tester: Tester) -> None:
    to_extended(tester, CI)
    tester.expect("28 03 01", "68 03")
    t_off = last_frame_time(tester.monitor)
    # no request any more: S3 -> DEF resets 0x28
    time.sleep(max(0.0, t_off + 1.1 * CI.s3 - time.time()))
    stopped = tester.monitor.frames(APP_FRAME_ID, since=t_off, until=t_off + 0.9 * CI.s3)
    assert stopped == [], f"0x123 sent while communication was off: {_fmt(stopped)}"
    resumed = app_frame_resumed(tester.monitor, t_off + 0.9 * CI.s3, window=0.2 * CI.s3 + 0.3)
    assert resumed is not None, "0x123 did not resume within 300 ms after the S3 expiry"
