"""`Download Image` and the steps apart against the simulated demo ECU: images with gaps in every
format land in the ECU's memory, the check routine catches a corrupted block, blocks are retried with
the same counter, an ECU reset in the middle fails clearly, the counter wraps FF -> 00, and the log
gets a summary instead of one entry per block.

The ECU is the demo ECU (profile ci) with the erase shortened to 50 ms, on a fresh virtual channel per
test, driven through the library's Python API.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import bincopy
import can
import pytest
import yaml

from UdsLibrary import UdsLibrary
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import NegativeResponseError, NoResponseError, UnexpectedResponseError
from UdsLibrary.simulator.server import EcuServer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "ecus" / "demo_ecu.yaml"
FLASH, CALIBRATION = 0x00010000, 0x00080000
RNG = random.Random(8)
PART_A = RNG.randbytes(5000)
PART_B = RNG.randbytes(1500)
PART_C = RNG.randbytes(700)


@pytest.fixture(scope="module")
def fast_ecu(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo ECU with the ci profile's erase shortened from 1.5 s to 50 ms."""
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    for routine in data["profiles"]["ci"]["routines"]:
        if routine["id"] == 0xFF00:
            routine["duration_ms"] = 50
    path = tmp_path_factory.mktemp("ecu") / "demo_fast_erase.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def lib(fast_ecu: Path, tmp_path: Path) -> Iterator[UdsLibrary]:
    bench = {
        "bench": {"name": "flash"},
        "can": {"interface": "virtual", "channel": f"flash-{uuid.uuid4().hex[:10]}"},
        "ecu": {"description": str(fast_ecu), "profile": "ci"},
        "timing": {"p2_ms": 150},
        "simulator": {"file": str(fast_ecu), "profile": "ci"},
    }
    path = tmp_path / "bench.yaml"
    path.write_text(yaml.safe_dump(bench), encoding="utf-8")
    library = UdsLibrary()
    library.open_uds_connection(str(path))
    yield library
    library.close_all_uds_connections()


def ecu_of(lib: UdsLibrary) -> EcuServer:
    return lib.get_uds_simulator()


def gapped_image() -> bincopy.BinFile:
    """Three ranges: two in flash with a gap between them, one across the flash/calibration bound."""
    image = bincopy.BinFile()
    image.add_binary(PART_A, address=FLASH)
    image.add_binary(PART_B, address=FLASH + 0x3000)
    image.add_binary(PART_C, address=CALIBRATION - 0x100)
    return image


def memory_at(ecu: EcuServer, address: int, size: int) -> bytes:
    area = next(start for start in ecu.memory if start <= address < start + len(ecu.memory[start]))
    return bytes(ecu.memory[area][address - area:address - area + size])


def assert_written(ecu: EcuServer, image: bincopy.BinFile) -> None:
    for segment in image.segments:
        data = bytes(segment.data)
        address = segment.minimum_address
        written = b""
        while len(written) < len(data):  # a range may cross from one memory area into the next
            area = next(s for s in ecu.memory if s <= address + len(written) < s + len(ecu.memory[s]))
            take = min(len(data) - len(written), area + len(ecu.memory[area]) - address - len(written))
            written += memory_at(ecu, address + len(written), take)
        assert written == data, f"memory at 0x{address:08X} differs from the image"


# ---------------------------------------------------------------------------- images in every format
@pytest.mark.parametrize("suffix", [".hex", ".s19", ".s37"])
def test_hex_and_srec_images_with_gaps_download_and_verify(lib: UdsLibrary, tmp_path: Path, suffix: str) -> None:
    image = gapped_image()
    path = tmp_path / f"app{suffix}"
    path.write_text(image.as_ihex() if suffix == ".hex" else image.as_srec(), encoding="ascii")
    summary = lib.download_image(str(path), progress=False)
    assert summary["segments"] == 4  # A, B, C up to 0x7FFFF, C from 0x80000
    assert summary["bytes"] == len(PART_A) + len(PART_B) + len(PART_C)
    assert summary["blocks"] == 5 + 2 + 1 + 1
    assert summary["retries"] == 0
    assert_written(ecu_of(lib), image)
    gap = memory_at(ecu_of(lib), FLASH + len(PART_A), 0x3000 - len(PART_A))
    assert gap == b"\x00" * len(gap)  # the gap was neither erased nor written


def test_binary_image_at_a_base_address(lib: UdsLibrary, tmp_path: Path) -> None:
    path = tmp_path / "cal.bin"
    path.write_bytes(PART_B)
    summary = lib.download_image(str(path), base_address="0x80400", progress=False)
    assert summary["segments"] == 1
    assert memory_at(ecu_of(lib), 0x80400, len(PART_B)) == PART_B


def test_block_size_and_counter_wrap_over_256_blocks(lib: UdsLibrary, tmp_path: Path) -> None:
    data = RNG.randbytes(300 * 20 + 7)
    image = bincopy.BinFile()
    image.add_binary(data, address=FLASH)
    path = tmp_path / "wrap.hex"
    path.write_text(image.as_ihex(), encoding="ascii")
    counters: list[int] = []
    request_id = lib.active_target().connection.addressing.request_id

    def first_frames(msg: can.Message) -> None:  # every request is multi-frame: First Frame 10 xx 36 <counter>
        if not msg.is_rx and msg.arbitration_id == request_id and msg.data[0] == 0x10 and msg.data[2] == 0x36:
            counters.append(msg.data[3])

    lib.active_target().connection.listeners.append(first_frames)
    summary = lib.download_image(str(path), block_size=20, progress=False)
    assert summary["blocks"] == 301
    assert counters[:3] == [0x01, 0x02, 0x03]
    assert counters[253:258] == [0xFE, 0xFF, 0x00, 0x01, 0x02]
    assert len(counters) == 301 and counters[-1] == 301 & 0xFF  # the last block: 7 bytes, still a First Frame
    assert memory_at(ecu_of(lib), FLASH, len(data)) == data


def test_steps_apart(lib: UdsLibrary) -> None:
    lib.change_session("extended")
    lib.change_session("programming")
    lib.unlock_security_level("11")
    lib.start_routine("eraseMemory", "44 00 01 00 00 00 00 00 10")
    assert lib.request_download("0x10000", 16) == 0x402
    assert lib.transfer_data("01", "00 11 22 33 44 55 66 77") == ""
    lib.transfer_data("03", "00", expected_nrc="wrongBlockSequenceCounter")
    assert lib.transfer_data("02", "88 99 AA BB CC DD EE FF") == ""
    assert lib.request_transfer_exit() == ""
    lib.request_transfer_exit(expected_nrc="requestSequenceError")
    assert memory_at(ecu_of(lib), FLASH, 16).hex() == "00112233445566778899aabbccddeeff"
    assert lib.request_download("0xFF000000", 16, expected_nrc="31") is None
    assert lib.request_download("0x10000", "0x10", data_format="11", expected_nrc="requestOutOfRange") is None


def test_request_download_checks_the_format_at_the_edge(lib: UdsLibrary) -> None:
    with pytest.raises(UdsLibraryError, match=r"does not fit address_and_length_format 0x22"):
        lib.request_download("0x10000", 16, address_and_length_format="22")
    with pytest.raises(UdsLibraryError, match=r"both nibbles must be 1 to 4"):
        lib.request_download("0x10000", 16, address_and_length_format="40")


# ---------------------------------------------------------------------------- verification and faults
def test_a_corrupted_block_is_caught_by_the_check_routine(lib: UdsLibrary, tmp_path: Path) -> None:
    path = tmp_path / "app.hex"
    path.write_text(gapped_image().as_ihex(), encoding="ascii")
    ecu_of(lib).faults.corrupt_block = 4
    with pytest.raises(AssertionError, match=r"check routine FF01 checkMemory reported status 01 \(mismatch\) for "
                                             r"segment 1 of 4 \(0x00010000-0x00011387, 5000 bytes, flash\): the "
                                             r"ECU's CRC-32 .* of what it wrote differs from the image's"):
        lib.download_image(str(path), progress=False)


def test_a_block_refused_once_is_sent_again_with_the_same_counter(lib: UdsLibrary, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "app.hex"
    image = gapped_image()
    path.write_text(image.as_ihex(), encoding="ascii")
    ecu_of(lib).faults.transfer_fail_once = 3
    with caplog.at_level(logging.INFO, logger="UdsLibrary"):
        summary = lib.download_image(str(path), progress=False)
    assert summary["retries"] == 1
    assert_written(ecu_of(lib), image)
    retry = [r.getMessage() for r in caplog.records if "sending it again" in r.getMessage()]
    assert retry == ["block 3 (counter 03) of segment 1 of 4 (0x00010000-0x00011387, 5000 bytes, flash) at offset "
                     "0x800 (address 0x00010800): NRC 0x72 generalProgrammingFailure (the ECU failed to write or "
                     "verify its memory); sending it again with the same counter (retry 1 of 2)"]


def test_without_retries_the_refused_block_fails_naming_block_segment_and_offset(lib: UdsLibrary,
                                                                                 tmp_path: Path) -> None:
    path = tmp_path / "app.hex"
    path.write_text(gapped_image().as_ihex(), encoding="ascii")
    ecu_of(lib).faults.transfer_fail_once = 2
    with pytest.raises(NegativeResponseError, match=r"rejected block 2 \(counter 02\) of segment 1 of 4 "
                                                    r"\(0x00010000-0x00011387, 5000 bytes, flash\) at offset 0x400 "
                                                    r"\(address 0x00010400\): NRC 0x72 generalProgrammingFailure"):
        lib.download_image(str(path), retries=0, progress=False)


def test_a_persistent_fault_fails_after_the_retries(lib: UdsLibrary, tmp_path: Path) -> None:
    path = tmp_path / "app.bin"
    path.write_bytes(PART_A)
    lib.download_image(str(path), base_address="10000", check_routine="NONE", progress=False)  # enter and unlock
    ecu_of(lib).faults.low_voltage = True
    with pytest.raises(NegativeResponseError, match=r"rejected block 1 \(counter 01\) of segment 1 of 1 .* at offset "
                                                    r"0x0 \(address 0x00010000\) \(3 attempts\): NRC 0x93 "
                                                    r"voltageTooLow"):
        lib.download_image(str(path), base_address="10000", session="NONE", progress=False)


def test_an_unanswered_block_is_sent_again_and_the_ecu_acknowledges_it(lib: UdsLibrary, tmp_path: Path) -> None:
    """The ECU wrote block 2 but its answer was lost: the repeat with counter 02 is acknowledged, not
    written again, and the download goes on."""
    path = tmp_path / "app.bin"
    path.write_bytes(PART_A)
    server = ecu_of(lib)
    original = server.handle
    dropped: list[int] = []

    def lose_one_answer(request: bytes, functional: bool = False) -> list[bytes]:
        answers = original(request, functional)
        if request[:2] == b"\x36\x02" and not dropped:
            dropped.append(1)
            return []
        return answers

    server.handle = lose_one_answer  # type: ignore[method-assign]
    summary = lib.download_image(str(path), base_address="10000", progress=False)
    assert dropped and summary["retries"] == 1
    assert memory_at(server, FLASH, len(PART_A)) == PART_A


def test_an_ecu_reset_in_the_middle_fails_clearly(lib: UdsLibrary, tmp_path: Path) -> None:
    path = tmp_path / "app.bin"
    path.write_bytes(PART_A)
    server = ecu_of(lib)
    request_id = lib.active_target().connection.addressing.request_id
    fired: list[int] = []

    def reset_at_block_4(msg: can.Message) -> None:  # the ECU resets (watchdog) as block 4 starts
        if (not fired and not msg.is_rx and msg.arbitration_id == request_id and msg.data[0] >> 4 == 1
                and msg.data[2:4] == b"\x36\x04"):
            fired.append(1)
            server.reset(server.clock())

    lib.active_target().connection.listeners.append(reset_at_block_4)
    with pytest.raises(NegativeResponseError, match=r"download interrupted at block 4 \(counter 04\) of segment 1 of "
                                                    r"1 .* at offset 0xC00 \(address 0x00010C00\): ECU 'flash' "
                                                    r"\(7E0/7E8\) did not answer it, then answered the repeat with 7F "
                                                    r"36 7F \(serviceNotSupportedInActiveSession\): the ECU no longer "
                                                    r"has the download - it most likely reset"):
        lib.download_image(str(path), base_address="10000", progress=False)


def test_an_ecu_that_stays_silent_fails_naming_the_block(lib: UdsLibrary, tmp_path: Path) -> None:
    path = tmp_path / "app.bin"
    path.write_bytes(PART_A)
    server = ecu_of(lib)
    original = server.handle

    def silent_from_block_2(request: bytes, functional: bool = False) -> list[bytes]:
        if request[:2] == b"\x36\x02":
            server.faults.not_responding = True
        return original(request, functional)

    server.handle = silent_from_block_2  # type: ignore[method-assign]
    with pytest.raises(NoResponseError, match=r"block 2 \(counter 02\) of segment 1 of 1 .*: no answer within 150 ms "
                                              r"\(2 attempts\); the ECU stopped answering during the download"):
        lib.download_image(str(path), base_address="10000", retries=1, progress=False)


# ---------------------------------------------------------------------------- checks before anything is sent
@pytest.mark.parametrize("options, message", [
    ({"base_address": "0x9F000"}, r"has data outside the ECU's memory areas at 0x000A0000-0x000A0387"),
    ({"base_address": "10000", "erase_routine": "checkMemory"}, r"erase_routine FF01 checkMemory is a check routine"),
    ({"base_address": "10000", "check_routine": "eraseMemory"}, r"check_routine FF00 eraseMemory is an erase routine"),
    ({"base_address": "10000", "check_routine": "checkMemory", "checksum": "sum32"},
     r"checksum 'sum32' differs from the check routine's memory_check 'crc32'"),
    ({"base_address": "10000", "check_routine": "ABCD", "checksum": "md5"}, r"unknown checksum 'md5'"),
    ({"base_address": "10000", "block_size": 2000}, r"block_size 2000 must be 1 to 1024"),
    ({"base_address": "10000", "retries": -1}, r"retries must be 0 or more"),
    ({"base_address": "10000", "erase_routine": "wipeFlash"}, r"unknown routine 'wipeFlash'"),
    ({"base_address": "10000", "address_and_length_format": "12"}, r"does not fit address_and_length_format 0x12"),
])
def test_mistakes_are_refused_before_anything_is_sent(lib: UdsLibrary, tmp_path: Path, options: dict,
                                                       message: str) -> None:
    path = tmp_path / "app.bin"
    path.write_bytes(PART_A)
    before = len(lib.active_target().timings)
    with pytest.raises(UdsLibraryError, match=message):
        lib.download_image(str(path), progress=False, **options)
    assert len(lib.active_target().timings) == before


# ---------------------------------------------------------------------------- log and console
def test_the_log_gets_a_summary_not_one_entry_per_block(lib: UdsLibrary, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture,
                                                        capfd: pytest.CaptureFixture[str]) -> None:
    data = RNG.randbytes(200 * 1024)
    image = bincopy.BinFile()
    image.add_binary(data, address=FLASH)
    path = tmp_path / "big.hex"
    path.write_text(image.as_ihex(), encoding="ascii")
    with caplog.at_level(logging.INFO, logger="UdsLibrary"):
        summary = lib.download_image(str(path))
    assert summary["blocks"] == 200
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) < 20, messages  # session, unlock, erase, 0x34, 0x37, check, summary
    assert not any(message.startswith("Request: 36") for message in messages)
    table = messages[-1]
    assert "Segments: 0x00010000-0x00041FFF (204800 bytes, flash)" in table
    assert "Bytes / blocks: 204800 bytes in 200 blocks of up to 1024 data bytes" in table
    assert "Retries: 0" in table and "kB/s (TransferData)" in table and "CRC-32" in table
    console = capfd.readouterr().out.splitlines()  # Robot's console writes to the real stdout
    progress = [line for line in console if line.startswith("Download Image:")]
    assert progress[-1].startswith("Download Image: 100 % (204800 of 204800 bytes), ")
    assert 5 <= len(progress) <= 30
    assert memory_at(ecu_of(lib), FLASH, len(data)) == data


def test_unexpected_echo_fails(lib: UdsLibrary, tmp_path: Path) -> None:
    path = tmp_path / "app.bin"
    path.write_bytes(PART_B)
    server = ecu_of(lib)
    original = server.handle

    def wrong_echo(request: bytes, functional: bool = False) -> list[bytes]:
        answers = original(request, functional)
        return [b"\x76\x09"] if request[:1] == b"\x36" and answers else answers

    server.handle = wrong_echo  # type: ignore[method-assign]
    with pytest.raises(UnexpectedResponseError, match=r"answered block 1 \(counter 01\) .* with 76 09, which is not "
                                                      r"76 01"):
        lib.download_image(str(path), base_address="10000", progress=False)
