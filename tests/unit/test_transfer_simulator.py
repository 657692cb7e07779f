"""The simulated ECU's side of flash programming: the check routine (`memory_check`), the transfer
faults `transfer_fail_once` and `corrupt_block`, and the description checks of `memory_check`.

The ECU is driven through `EcuServer.handle`/`poll` with a fake clock (no bus), demo ECU, profile ci.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

import pytest
import yaml
from fake_clock import FakeClock

from UdsLibrary.checksums import CHECKSUMS, get_checksum
from UdsLibrary.description.loader import load_ecu_description
from UdsLibrary.errors import DescriptionError
from UdsLibrary.simulator.server import EcuServer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "ecus" / "demo_ecu.yaml"
SCHEMA = ROOT / "UdsLibrary" / "description" / "schemas" / "ecu.schema.json"
FLASH = 0x00010000
CALIBRATION = 0x00080000


class Ecu:
    """The demo ECU on a fake clock; `send` returns the final answer as upper-case hex."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.server = EcuServer(load_ecu_description(DEMO, profile="ci"), clock=self.clock, rng=random.Random(3))

    def send(self, request: str | bytes) -> str:
        payload = bytes.fromhex(request) if isinstance(request, str) else request
        answers = self.server.handle(payload)
        for _ in range(1000):  # follow 0x78 until the final answer (erase: 1.5 s)
            if answers and not (answers[-1][0] == 0x7F and answers[-1][2] == 0x78):
                break
            self.clock.now += 0.01
            answers = self.server.poll() or answers
        return answers[-1].hex(" ").upper() if answers else ""

    def programming(self) -> Ecu:
        assert self.send("10 03").startswith("50 03")
        assert self.send("10 02").startswith("50 02")
        seed = bytes.fromhex(self.send("27 11")[6:])
        assert self.send(b"\x27\x12" + bytes(b ^ 0xA5 for b in seed)) == "67 12"
        return self

    def download(self, address: int, data: bytes, block: int = 1024) -> None:
        size = len(data)
        assert self.send(f"31 01 FF 00 44 {address:08X} {size:08X}") == "71 01 FF 00 00"
        assert self.send(f"34 00 44 {address:08X} {size:08X}") == "74 20 04 02"
        counter = 1
        for offset in range(0, size, block):
            assert self.send(bytes((0x36, counter)) + data[offset:offset + block]) == f"76 {counter:02X}"
            counter = (counter + 1) & 0xFF
        assert self.send("37") == "77"


def check_request(address: int, size: int, crc: int) -> str:
    return f"31 01 FF 01 44 {address:08X} {size:08X} {crc:08X}"


@pytest.fixture
def ecu() -> Ecu:
    return Ecu().programming()


DATA = random.Random(5).randbytes(3000)


def test_check_routine_reports_00_when_the_crc_matches(ecu: Ecu) -> None:
    ecu.download(FLASH, DATA)
    assert ecu.send(check_request(FLASH, len(DATA), zlib.crc32(DATA))) == "71 01 FF 01 00"


def test_check_routine_reports_01_when_the_crc_differs(ecu: Ecu) -> None:
    ecu.download(FLASH, DATA)
    assert ecu.send(check_request(FLASH, len(DATA), zlib.crc32(DATA) ^ 1)) == "71 01 FF 01 01"


def test_check_routine_covers_exactly_the_range(ecu: Ecu) -> None:
    ecu.download(CALIBRATION + 0x100, DATA)
    part = DATA[10:20]
    assert ecu.send(check_request(CALIBRATION + 0x10A, 10, zlib.crc32(part))) == "71 01 FF 01 00"


@pytest.mark.parametrize("request_hex, answer", [
    ("31 01 FF 01 44 FF 00 00 00 00 00 00 10 00 00 00 00", "7F 31 31"),  # outside every memory area
    ("31 01 FF 01 44 00 07 FF 00 00 00 02 00 00 00 00 00", "7F 31 31"),  # across the flash/calibration bound
    ("31 01 FF 01 00 00 01 00 00 00 00 00 10 00 00 00 00", "7F 31 31"),  # invalid ALFID
    ("31 01 FF 01 44 00 01 00 00 00 00 10 00 00 00 00", "7F 31 13"),  # one byte short
])
def test_check_routine_rejects_bad_option_records(ecu: Ecu, request_hex: str, answer: str) -> None:
    assert ecu.send(request_hex) == answer


def test_check_routine_needs_the_programming_level() -> None:
    ecu = Ecu()
    ecu.send("10 03")
    ecu.send("10 02")
    assert ecu.send(check_request(FLASH, 16, 0)) == "7F 31 33"


def test_routine_failure_fault_replaces_the_check_status(ecu: Ecu) -> None:
    ecu.download(FLASH, DATA)
    ecu.server.faults.routine_failure[0xFF01] = b"\x22"
    assert ecu.send(check_request(FLASH, len(DATA), zlib.crc32(DATA))) == "71 01 FF 01 22"


def test_transfer_fail_once_answers_0x72_once_and_the_same_counter_then_succeeds(ecu: Ecu) -> None:
    ecu.send(f"31 01 FF 00 44 {FLASH:08X} 00000800")
    ecu.send(f"34 00 44 {FLASH:08X} 00000800")
    ecu.server.faults.transfer_fail_once = 2
    assert ecu.send(b"\x36\x01" + DATA[:1024]) == "76 01"
    assert ecu.send(b"\x36\x02" + DATA[1024:2048]) == "7F 36 72"
    assert ecu.server.faults.transfer_fail_once is None
    assert ecu.send(b"\x36\x02" + DATA[1024:2048]) == "76 02"
    assert ecu.send("37") == "77"
    assert bytes(ecu.server.memory[FLASH][:2048]) == DATA[:2048]


def test_a_repeated_block_is_acknowledged_without_writing_again(ecu: Ecu) -> None:
    ecu.send(f"31 01 FF 00 44 {FLASH:08X} 00000800")
    ecu.send(f"34 00 44 {FLASH:08X} 00000800")
    assert ecu.send(b"\x36\x01" + DATA[:1024]) == "76 01"
    assert ecu.send(b"\x36\x01" + DATA[:1024]) == "76 01"  # the answer was lost: the tester repeats
    assert ecu.send(b"\x36\x02" + DATA[1024:2048]) == "76 02"
    assert bytes(ecu.server.memory[FLASH][:2048]) == DATA[:2048]


def test_corrupt_block_writes_a_wrong_byte_that_the_check_routine_catches(ecu: Ecu) -> None:
    ecu.server.faults.corrupt_block = 2
    ecu.download(FLASH, DATA)
    memory = bytes(ecu.server.memory[FLASH][:len(DATA)])
    assert memory[1024] == DATA[1024] ^ 0xFF and memory[:1024] == DATA[:1024] and memory[1025:] == DATA[1025:]
    assert ecu.send(check_request(FLASH, len(DATA), zlib.crc32(DATA))) == "71 01 FF 01 01"


def test_faults_clear_resets_the_transfer_faults(ecu: Ecu) -> None:
    ecu.server.faults.apply({"transfer_fail_once": 3, "corrupt_block": 4})
    ecu.server.faults.clear()
    assert ecu.server.faults.transfer_fail_once is None and ecu.server.faults.corrupt_block is None


# ---------------------------------------------------------------------------- checksums and the description
def test_checksums() -> None:
    assert get_checksum("crc32").of(b"123456789") == bytes.fromhex("CBF43926")
    assert get_checksum("crc16-ccitt").of(b"123456789") == bytes.fromhex("29B1")  # CRC-16/CCITT-FALSE check value
    assert get_checksum("sum32").of(b"\xff\xff\x01") == bytes.fromhex("000001FF")
    with pytest.raises(ValueError, match="unknown checksum 'md5'; known checksums: crc32, crc16-ccitt, sum32"):
        get_checksum("md5")


def test_the_schema_lists_every_checksum() -> None:
    import json

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    routine = schema["properties"]["routines"]["items"]["properties"]
    assert routine["memory_check"]["enum"] == list(CHECKSUMS)


def test_the_demo_ecu_has_a_crc32_check_routine() -> None:
    routine = load_ecu_description(DEMO).routine("checkMemory")
    assert (routine.id, routine.memory_check, routine.start.option_length) == (0xFF01, "crc32", 13)
    assert routine.access.security == (0x11,)


def _description_with(tmp_path: Path, routine: dict) -> Path:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["routines"].append(routine)
    path = tmp_path / "ecu.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("routine, message", [
    ({"id": 0xFF02, "name": "check2", "sessions": ["programming"], "start": {"option_length": 6},
      "memory_check": "crc32"}, r"routines\[5\].start.option_length: memory_check crc32 needs start.option_length "
                                r"7 to 13 \(ALFID, address, size and the 4-byte checksum; 13 for ALFID 0x44\)"),
    ({"id": 0xFF02, "name": "check2", "sessions": ["programming"], "results": {}, "memory_check": "crc16-ccitt"},
     r"routines\[5\]: memory_check crc16-ccitt needs start.option_length 5 to 11"),
    ({"id": 0xFF02, "name": "check2", "sessions": ["programming"], "start": {"option_length": 13},
      "memory_check": "crc32", "memory_option": True}, r"either memory_option \(erase\) or memory_check"),
    ({"id": 0xFF02, "name": "check2", "sessions": ["programming"], "start": {"option_length": 13},
      "memory_check": "md5"}, r"routines\[5\].memory_check"),
])
def test_memory_check_mistakes_name_the_place(tmp_path: Path, routine: dict, message: str) -> None:
    with pytest.raises(DescriptionError, match=message):
        load_ecu_description(_description_with(tmp_path, routine))
