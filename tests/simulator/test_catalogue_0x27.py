"""Conformance catalogue section 4: SecurityAccess 0x27 (TC2701-TC2714)."""

from __future__ import annotations

import time
from typing import Any

from .conftest import (
    CI,
    REF,
    SECURED_0101,
    Tester,
    Timing,
    assert_response,
    assert_seed,
    keep_alive,
    key_for,
    last_frame_time,
    to_extended,
    unlock,
    wrong_key_for,
)


def _exhaust_attempts(tester: Tester, timing: Timing) -> None:
    """TC2706: 3 x (27 01; 27 02 <wrong>) -> 35, 35, 36."""
    to_extended(tester, timing)
    for expected in ("7F 27 35", "7F 27 35", "7F 27 36"):
        seed = assert_seed(tester.request("27 01"), 0x01)
        tester.expect(b"\x27\x02" + wrong_key_for(seed), expected)


def test_TC2701_not_in_default(sim: Any, tester: Tester) -> None:
    tester.expect("27 01", "7F 27 7F")


def test_TC2702_unlock_and_read_secured(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    seed = assert_seed(tester.request("27 01"), 0x01)
    tester.expect(b"\x27\x02" + key_for(seed), "67 02")
    tester.expect("22 01 01", b"\x62\x01\x01" + SECURED_0101)


def test_TC2703_zero_seed_when_unlocked(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    unlock(tester, 0x01)
    tester.expect("27 01", "67 01 00 00 00 00")


def test_TC2704_key_without_seed(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("27 02 11 22 33 44", "7F 27 24")


def test_TC2705_failed_key_uses_up_seed(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    seed = assert_seed(tester.request("27 01"), 0x01)
    tester.expect(b"\x27\x02" + wrong_key_for(seed), "7F 27 35")
    tester.expect(b"\x27\x02" + key_for(seed), "7F 27 24")


def test_TC2706_attempt_limit(sim: Any, tester: Tester) -> None:
    _exhaust_attempts(tester, REF)


def test_TC2707_delay_active(sim_ci: Any, tester: Tester) -> None:
    _exhaust_attempts(tester, CI)
    tester.expect("27 01", "7F 27 37")


def test_TC2708_after_delay(sim_ci: Any, tester: Tester) -> None:
    _exhaust_attempts(tester, CI)
    t_nrc36 = last_frame_time(tester.monitor)
    # wait the security delay, keeping the extended session alive (S3 is 1 s in the ci profile)
    keep_alive(tester, duration=max(0.0, t_nrc36 + 1.1 * CI.security_delay - time.time()), period=0.4 * CI.s3)
    seed = assert_seed(tester.request("27 01"), 0x01)
    tester.expect(b"\x27\x02" + key_for(seed), "67 02")


def test_TC2709_delay_again_after_power_on(sim_ci: Any, tester: Tester) -> None:
    _exhaust_attempts(tester, CI)
    tester.expect("11 01", "51 01")
    time.sleep(2 * CI.reset)
    tester.expect("10 03", CI.dsc(0x03))
    tester.expect("27 01", "7F 27 37")


def test_TC2709_delay_restarts_at_power_on(sim_ci: Any, tester: Tester) -> None:
    """TC2709 with the reset late in the delay: 27 01 after the first delay has run out but within
    the delay restarted at power-on must still be refused (the delay restarts, it does not go on)."""
    _exhaust_attempts(tester, CI)
    t_nrc36 = last_frame_time(tester.monitor)
    keep_alive(tester, duration=max(0.0, t_nrc36 + 0.8 * CI.security_delay - time.time()), period=0.4 * CI.s3)
    tester.expect("11 01", "51 01")
    time.sleep(2 * CI.reset)
    tester.expect("10 03", CI.dsc(0x03))
    time.sleep(max(0.0, t_nrc36 + 1.1 * CI.security_delay - time.time()))
    tester.expect("27 01", "7F 27 37")


def test_TC2710_unsupported_level(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    tester.expect("27 03", "7F 27 12")


def test_TC2711_key_wrong_length(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    seed = assert_seed(tester.request("27 01"), 0x01)
    tester.expect(b"\x27\x02" + key_for(seed) + b"\x00", "7F 27 13")


def test_TC2712_unsupported_level_before_sequence(sim: Any, tester: Tester) -> None:
    to_extended(tester)
    seed = assert_seed(tester.request("27 01"), 0x01)
    tester.expect(b"\x27\x04" + key_for(seed), "7F 27 12")


def test_TC2714_s3_timeout_relocks(sim_ci: Any, tester: Tester) -> None:
    to_extended(tester, CI)
    unlock(tester, 0x01)
    time.sleep(1.1 * CI.s3)
    resp = tester.request("10 03")
    assert_response(resp, CI.dsc(0x03), "10 03 after S3")
    assert_seed(tester.request("27 01"), 0x01)
