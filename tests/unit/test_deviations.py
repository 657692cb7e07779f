"""Simulator deviations: each one changes what the catalogue case named in its registry entry
observes, and nothing else is needed to switch it on; unknown names are refused everywhere.

The ECU is driven through `EcuServer.handle`/`poll` with a fake clock (no bus), in the demo ECU's
`ci` profile, the one the conformance suites run against: P2 50 ms, P2* 1 s, S3 1 s, reset 50 ms,
security delay 1 s, erase 1.5 s.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from fake_clock import FakeClock

from UdsLibrary.bench import bench_from_arguments, load_bench
from UdsLibrary.description.loader import load_ecu_description
from UdsLibrary.errors import DescriptionError
from UdsLibrary.simulator import EcuSimulator
from UdsLibrary.simulator.deviations import CAUGHT_BY, DEVIATIONS, UnknownDeviationError, check_deviations
from UdsLibrary.simulator.server import EcuServer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "ecus" / "demo_ecu.yaml"
CATALOGUE = ROOT / "docs" / "conformance-catalogue.md"
DTC_X = 0x9A0B13
ERASE = "31 01 FF 00 44 00 01 00 00 00 06 00 00"  # 0x00010000-0x0006FFFF: room for 300 blocks (TC3607)


@pytest.fixture(scope="module")
def description():
    return load_ecu_description(DEMO, profile="ci")


class Ecu:
    """One simulated ECU on a fake clock; answers are upper-case hex strings."""

    STEP = 0.005

    def __init__(self, description, deviation: str | None) -> None:
        self.clock = FakeClock()
        self.server = EcuServer(description, clock=self.clock, rng=random.Random(7),
                                deviations=[deviation] if deviation else [])
        self.timing = description.timing

    def wait(self, seconds: float) -> list[tuple[float, str]]:
        """Let time pass; what the ECU sent meanwhile, with the time since the start of the wait."""
        start, out = self.clock.now, []
        while self.clock.now - start < seconds:
            self.clock.now += self.STEP
            out += [(self.clock.now - start, answer.hex(" ").upper()) for answer in self.server.poll()]
        return out

    def send(self, request: str, functional: bool = False, window: float | None = None) -> str:
        """The answers to `request` within `window` (default P2), joined by ' | '."""
        answers = [a.hex(" ").upper() for a in self.server.handle(bytes.fromhex(request), functional)]
        answers += [answer for _, answer in self.wait(self.timing.p2 if window is None else window)]
        return " | ".join(answers)

    def unlock(self, level: int) -> None:
        seed = bytes.fromhex(self.send(f"27 {level:02X}")[6:])
        assert any(seed), "the level is already unlocked"
        key = bytes(b ^ 0xA5 for b in seed)
        assert self.send(f"27 {level + 1:02X} {key.hex()}") == f"67 {level + 1:02X}"

    def fail_three_keys(self) -> str:
        answers = []
        for _ in range(3):
            self.send("27 01")
            answers.append(self.send("27 02 00 00 00 00"))
        return ", ".join(answers)

    def programming_unlocked(self) -> None:
        self.send("10 03")
        self.send("10 02")
        self.unlock(0x11)

    def erase(self, request: str = ERASE) -> list[tuple[float, str]]:
        return [(0.0, self.send(request, window=0.0)), *self.wait(self.timing.p2_star * 2.5)]

    def after_reset(self, request: str) -> str:
        answer = self.send(request)
        self.wait(self.timing.reset_time + 0.02)
        return answer


def _longest_silence_after_pending(answers: list[tuple[float, str]]) -> float:
    times = [t for t, _ in answers]
    return max(b - a for a, b in itertools.pairwise(times))


def _seed(answer: str) -> str:
    return answer[6:]


def _download_300_blocks(ecu: Ecu) -> str:
    ecu.programming_unlocked()
    ecu.erase()
    assert ecu.send("34 00 44 00 01 00 00 00 04 B0 00") == "74 20 04 02"
    answers = []
    for block in range(1, 258):
        answers.append(ecu.send(f"36 {block & 0xFF:02X} " + "00 " * 1024, window=0.0))
    return ", ".join(answers[-3:])  # the blocks FF, 00, 01


# deviation -> what its catalogue case observes (a function of a fresh ECU)
OBSERVE: dict[str, Callable[[Ecu], object]] = {
    "nrc13_before_7f": lambda ecu: ecu.send("2E F1"),  # GEN02
    "length_before_subfunction": lambda ecu: (ecu.send("10 03"), ecu.send("10 7F 00")),  # GEN04
    "sprmib_ignored": lambda ecu: ecu.send("3E 80"),  # TC3E02
    "sprmib_suppresses_nrc": lambda ecu: ecu.send("10 85"),  # GEN10
    "nrc_on_functional": lambda ecu: ecu.send("83 01", functional=True),  # GEN05
    "functional_ignored": lambda ecu: ecu.send("3E 00", functional=True),  # TC3E12
    "pending_not_repeated": lambda ecu: (  # GEN11: never silent for longer than P2* after a 0x78
        ecu.programming_unlocked(), _longest_silence_after_pending(ecu.erase()) <= ecu.timing.p2_star)[1],
    "final_suppressed_after_pending": lambda ecu: (  # GEN12
        ecu.programming_unlocked(), ecu.erase(ERASE.replace("31 01", "31 81"))[-1][1])[1],
    "p2_exceeded": lambda ecu: ecu.send("3E 00"),  # GEN11, every answer: nothing within P2
    "s3_never_expires": lambda ecu: (ecu.send("10 03"), ecu.wait(ecu.timing.s3 + 0.1), ecu.send("22 F1 86"))[2],
    "s3_not_restarted_by_tester_present": lambda ecu: (  # TC3E09
        ecu.send("10 03"), [(ecu.send("3E 80"), ecu.wait(ecu.timing.s3 / 2)) for _ in range(6)],
        ecu.send("22 F1 86"))[2],
    "same_session_keeps_unlock": lambda ecu: (  # TC1008
        ecu.send("10 03"), ecu.unlock(0x01), ecu.send("10 03"), any(bytes.fromhex(_seed(ecu.send("27 01")))))[3],
    "programming_from_default": lambda ecu: ecu.send("10 02"),  # TC1004
    "p2_star_wrong_resolution": lambda ecu: ecu.send("10 01"),  # TC1001
    "dtc_setting_kept_in_default": lambda ecu: (  # TC8505
        ecu.send("10 03"), ecu.send("85 02"), ecu.send("10 01"), ecu.server.report_dtc(DTC_X),
        ecu.send("19 02 08"))[4],
    "reset_keeps_session": lambda ecu: (ecu.send("10 03"), ecu.after_reset("11 81"), ecu.send("22 F1 86"))[2],
    "reset_without_response": lambda ecu: ecu.after_reset("11 01"),  # TC1101
    "zero_seed_while_locked": lambda ecu: (  # TC2702
        ecu.send("10 03"), any(bytes.fromhex(_seed(ecu.send("27 01")))))[1],
    "no_zero_seed_when_unlocked": lambda ecu: (  # TC2703
        ecu.send("10 03"), ecu.unlock(0x01), ecu.send("27 01"))[2],
    "seed_not_consumed_by_wrong_key": lambda ecu: (  # TC2705
        ecu.send("10 03"), seed := bytes.fromhex(_seed(ecu.send("27 01"))), ecu.send("27 02 00 00 00 00"),
        ecu.send("27 02 " + bytes(b ^ 0xA5 for b in seed).hex()))[3],
    "max_attempts_off_by_one": lambda ecu: (ecu.send("10 03"), ecu.fail_three_keys())[1],  # TC2706
    "attempt_counter_reset_on_reset": lambda ecu: (  # TC2709
        ecu.send("10 03"), ecu.fail_three_keys(), ecu.after_reset("11 01"), ecu.send("10 03"),
        ecu.send("27 01")[:8])[4],
    "delay_not_on_boot": lambda ecu: (  # TC2709
        ecu.send("10 03"), ecu.fail_three_keys(), ecu.after_reset("11 01"), ecu.send("10 03"),
        ecu.send("27 01")[:8])[4],
    "unsupported_did_fails_whole_read": lambda ecu: ecu.send("22 F1 90 12 34")[:8],  # TC2203
    "did_security_before_support": lambda ecu: (ecu.send("10 03"), ecu.send("2E 12 34 00"))[1],  # TC2E07
    "routine_sf_before_rid": lambda ecu: (ecu.send("10 03"), ecu.send("31 05 FF FF"))[1],  # TC3107
    "routine_sequence_not_checked": lambda ecu: (ecu.send("10 03"), ecu.send("31 02 12 34"))[1],  # TC3103
    "wrong_dtc_format_identifier": lambda ecu: ecu.send("19 01 08"),  # TC1901
    "clear_keeps_status_bits": lambda ecu: (ecu.send("14 FF FF FF"), ecu.send("19 02 FF"))[1],  # TC1402
    "snapshots_survive_clear": lambda ecu: (ecu.send("14 FF FF FF"), ecu.send("19 04 C0 01 12 FF"))[1],  # TC1403
    "dtc_setting_off_ignored": lambda ecu: (  # TC8501
        ecu.send("10 03"), ecu.send("85 02"), ecu.server.report_dtc(DTC_X), ecu.send("19 02 08"))[3],
    "comm_control_ignored": lambda ecu: (  # TC2801: the application frames' gate
        ecu.send("10 03"), ecu.send("28 03 01"), ecu.server.communication_tx_enabled)[1:],
    "block_counter_wraps_to_01": _download_300_blocks,  # TC3607
    "transfer_exit_without_data": lambda ecu: (ecu.programming_unlocked(), ecu.send("37"))[1],  # TC3702
}

# what the conforming ECU shows, where the catalogue gives the bytes (the others are checked by the
# catalogue tests in tests/simulator)
CONFORMING = {
    "nrc13_before_7f": "7F 2E 7F",
    "length_before_subfunction": ("50 03 00 32 00 64", "7F 10 12"),
    "sprmib_ignored": "",
    "sprmib_suppresses_nrc": "7F 10 12",
    "nrc_on_functional": "",
    "functional_ignored": "7E 00",
    "pending_not_repeated": True,
    "final_suppressed_after_pending": "71 01 FF 00 00",
    "p2_exceeded": "7E 00",
    "s3_never_expires": "62 F1 86 01",
    "s3_not_restarted_by_tester_present": "62 F1 86 03",
    "same_session_keeps_unlock": True,
    "programming_from_default": "7F 10 7E",
    "p2_star_wrong_resolution": "50 01 00 32 00 64",
    "reset_keeps_session": "62 F1 86 01",
    "reset_without_response": "51 01",
    "zero_seed_while_locked": True,
    "no_zero_seed_when_unlocked": "67 01 00 00 00 00",
    "seed_not_consumed_by_wrong_key": "7F 27 24",
    "max_attempts_off_by_one": "7F 27 35, 7F 27 35, 7F 27 36",
    "attempt_counter_reset_on_reset": "7F 27 37",
    "delay_not_on_boot": "7F 27 37",
    "unsupported_did_fails_whole_read": "62 F1 90",
    "did_security_before_support": "7F 2E 31",
    "routine_sf_before_rid": "7F 31 31",
    "routine_sequence_not_checked": "7F 31 24",
    "wrong_dtc_format_identifier": "59 01 FF 01 00 02",
    "clear_keeps_status_bits": "59 02 FF 01 23 45 50 C0 01 12 50 9A 0B 13 50",
    "snapshots_survive_clear": "59 04 C0 01 12 50",
    "comm_control_ignored": ("68 03", False),
    "block_counter_wraps_to_01": "76 FF, 76 00, 76 01",
    "transfer_exit_without_data": "7F 37 24",
}


def test_there_are_at_least_20_deviations_and_each_has_an_observation():
    assert len(DEVIATIONS) >= 20
    assert set(OBSERVE) == set(DEVIATIONS) == set(CAUGHT_BY)


def test_each_deviation_names_existing_catalogue_cases():
    ids = set(re.findall(r"^\| ((?:TC|GEN)[0-9A-F]+) \|", CATALOGUE.read_text(encoding="utf-8"), re.MULTILINE))
    assert len(ids) == 143
    for name, cases in CAUGHT_BY.items():
        assert cases, name
        assert set(cases) <= ids, (name, set(cases) - ids)


@pytest.mark.parametrize("name", sorted(DEVIATIONS))
def test_deviation_changes_what_its_catalogue_case_observes(description, name):
    conforming = OBSERVE[name](Ecu(description, None))
    deviating = OBSERVE[name](Ecu(description, name))
    if name in CONFORMING:
        assert conforming == CONFORMING[name]
    assert deviating != conforming, f"{name} is not observable: {deviating!r}"


def test_deviations_come_from_the_description_and_add_up(description):
    described = dataclasses.replace(description, deviations=("sprmib_ignored",))
    server = EcuServer(described, deviations=["p2_star_wrong_resolution"])
    assert server.deviations == {"sprmib_ignored", "p2_star_wrong_resolution"}
    assert server.handle(bytes.fromhex("3E 80")) == [bytes.fromhex("7E 00")]
    server.deviations = []
    assert server.handle(bytes.fromhex("3E 80")) == []


def _message(error: pytest.ExceptionInfo[BaseException]) -> str:
    return str(error.value)


def test_unknown_deviation_names_are_refused_with_the_known_ones(description):
    with pytest.raises(UnknownDeviationError) as error:
        check_deviations(["sprmib_ignord"])
    assert _message(error).startswith("unknown deviation 'sprmib_ignord'; did you mean 'sprmib_ignored'? "
                                      "known deviations: attempt_counter_reset_on_reset, ")
    with pytest.raises(UnknownDeviationError, match="unknown deviation 'bogus'"):
        EcuServer(description, deviations=["bogus"])
    server = EcuServer(description)
    with pytest.raises(UnknownDeviationError, match="unknown deviation 'bogus'"):
        server.deviations = {"bogus"}
    assert server.deviations == frozenset()
    with pytest.raises(UnknownDeviationError, match="unknown deviation 'bogus'"):
        EcuSimulator.from_file(DEMO, interface="virtual", channel="never-opened", deviations=["bogus"])


def test_unknown_deviation_in_a_description_or_bench_names_the_file_and_entry(tmp_path):
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["deviations"] = ["sprmib_ignored", "bogus"]
    ecu_file = tmp_path / "ecu.yaml"
    ecu_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(DescriptionError, match=r"ecu\.yaml, line \d+, deviations\[1\]: unknown deviation 'bogus'"):
        load_ecu_description(ecu_file)

    bench = {
        "can": {"interface": "virtual", "channel": "deviations"},
        "simulator": {"file": str(DEMO), "profile": "ci", "deviations": ["s3_never_expires"]},
    }
    bench_file = tmp_path / "bench.yaml"
    bench_file.write_text(yaml.safe_dump(bench), encoding="utf-8")
    assert load_bench(bench_file).simulator.deviations == ("s3_never_expires",)
    bench["simulator"]["deviations"] = ["s3_never_expire"]
    bench_file.write_text(yaml.safe_dump(bench), encoding="utf-8")
    with pytest.raises(DescriptionError, match=r"simulator\.deviations\[0\]: unknown deviation 's3_never_expire'; "
                                               r"did you mean 's3_never_expires'\?"):
        load_bench(bench_file)
    arguments = {"interface": "virtual", "channel": "x", "simulator": str(DEMO)}
    assert bench_from_arguments(**arguments, deviations="sprmib_ignored, s3_never_expires").simulator.deviations == (
        "sprmib_ignored", "s3_never_expires")
    with pytest.raises(DescriptionError, match="argument 'deviations': unknown deviation 'bogus'"):
        bench_from_arguments(**arguments, deviations="bogus")


def test_uds_sim_refuses_an_unknown_deviation(capsys):
    from UdsLibrary.cli import main

    assert main(["sim", "--ecu", str(DEMO), "--interface", "virtual", "--channel", "x", "--deviation", "bogus"]) != 0
    assert "unknown deviation 'bogus'" in capsys.readouterr().err


def test_every_deviation_is_documented_in_the_simulator_guide():
    guide = (ROOT / "docs" / "simulator.md").read_text(encoding="utf-8")
    for name, cases in CAUGHT_BY.items():
        assert f"| `{name}` |" in guide, name
        row = next(line for line in guide.splitlines() if line.startswith(f"| `{name}` |"))
        assert row.endswith(f"| {', '.join(cases)} |"), row
