"""Flash images without a bus: reading Intel HEX, S-record and binary files with bincopy, cutting them
into segments by the ECU's memory areas, and the records RequestDownload and the routines take."""

from __future__ import annotations

from pathlib import Path

import bincopy
import pytest

from UdsLibrary.description.model import MemoryArea
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import UnexpectedResponseError
from UdsLibrary.keywords.transfer import (
    Segment,
    check_alfid,
    check_fits,
    image_segments,
    memory_record,
    parse_max_block_length,
    read_image,
)

AREAS = (MemoryArea(0x10000, 0x7FFFF, "flash"), MemoryArea(0x80000, 0x9FFFF, "calibration"))
A = bytes(range(256)) * 4
B = b"\x5a" * 100


def _image() -> bincopy.BinFile:
    image = bincopy.BinFile()
    image.add_binary(A, address=0x10000)
    image.add_binary(B, address=0x20000)
    return image


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    image = _image()
    paths = {"hex": tmp_path / "app.hex", "srec": tmp_path / "app.s19", "bin": tmp_path / "app.bin",
             "hex_other_suffix": tmp_path / "app.txt"}
    paths["hex"].write_text(image.as_ihex(), encoding="ascii")
    paths["hex_other_suffix"].write_text(image.as_ihex(), encoding="ascii")
    paths["srec"].write_text(image.as_srec(), encoding="ascii")
    paths["bin"].write_bytes(A)
    return paths


@pytest.mark.parametrize("kind, image_format", [("hex", "auto"), ("srec", "auto"), ("hex", "hex"), ("srec", "srec"),
                                                ("hex_other_suffix", "auto")])
def test_hex_and_srec_images_keep_their_addresses_and_gaps(files: dict[str, Path], kind: str,
                                                           image_format: str) -> None:
    segments = image_segments(read_image(files[kind], image_format), AREAS)
    assert segments == [Segment(0x10000, A, "flash"), Segment(0x20000, B, "flash")]


def test_a_binary_image_goes_to_its_base_address(files: dict[str, Path]) -> None:
    assert image_segments(read_image(files["bin"], "auto", 0x30000)) == [Segment(0x30000, A)]
    assert image_segments(read_image(files["hex"], "bin", 0x30000))[0].data == files["hex"].read_bytes()


@pytest.mark.parametrize("kind, image_format, base, message", [
    ("bin", "auto", None, r"image '.*app.bin' is a raw binary: give base_address= \(where its first byte goes"),
    ("hex", "auto", 0x10000, r"base_address applies to raw binary images only; '.*app.hex' is read as Intel HEX"),
    ("srec", "hex", None, r"image '.*app.s19' is not an Intel HEX file: record 'S3"),
    ("hex", "srec", None, r"image '.*app.hex' is not a Motorola S-record file"),
    ("hex", "elf", None, r"format must be auto, hex, srec or bin, got 'elf'"),
])
def test_image_mistakes_are_one_sentence(files: dict[str, Path], kind: str, image_format: str, base: int | None,
                                         message: str) -> None:
    with pytest.raises(UdsLibraryError, match=message):
        read_image(files[kind], image_format, base)


def test_missing_empty_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(UdsLibraryError, match=r"image file '.*nothing.hex' not found"):
        read_image(tmp_path / "nothing.hex")
    with pytest.raises(UdsLibraryError, match=r"is not a file"):
        read_image(tmp_path)
    (tmp_path / "empty.hex").write_text(":00000001FF\n", encoding="ascii")
    with pytest.raises(UdsLibraryError, match=r"image '.*empty.hex' holds no data"):
        read_image(tmp_path / "empty.hex")
    (tmp_path / "notes.txt").write_text("hello\n", encoding="ascii")
    with pytest.raises(UdsLibraryError, match=r"is not an Intel HEX, S-record or TI-TXT file \(give format=bin"):
        read_image(tmp_path / "notes.txt")


def test_segments_are_cut_at_the_memory_areas() -> None:
    image = bincopy.BinFile()
    image.add_binary(b"\x11" * 0x300, address=0x7FF00)
    assert image_segments(image, AREAS) == [Segment(0x7FF00, b"\x11" * 0x100, "flash"),
                                            Segment(0x80000, b"\x11" * 0x200, "calibration")]


def test_data_outside_the_areas_is_refused_with_every_range() -> None:
    image = bincopy.BinFile()
    image.add_binary(b"\x11" * 0x20, address=0xFFF0)
    image.add_binary(b"\x22" * 0x10, address=0xA0000)
    with pytest.raises(UdsLibraryError, match=r"app.hex has data outside the ECU's memory areas at "
                                              r"0x0000FFF0-0x0000FFFF, 0x000A0000-0x000A000F \(areas: flash "
                                              r"0x00010000-0x0007FFFF, calibration 0x00080000-0x0009FFFF\); nothing "
                                              r"was sent"):
        image_segments(image, AREAS, name="app.hex")


def test_without_areas_every_contiguous_range_is_a_segment() -> None:
    assert [s.address for s in image_segments(_image())] == [0x10000, 0x20000]


def test_fill_gaps_joins_ranges_with_small_holes() -> None:
    image = bincopy.BinFile()
    image.add_binary(b"\x01" * 16, address=0x10000)
    image.add_binary(b"\x02" * 16, address=0x10020)
    assert len(image_segments(image, AREAS, fill_gaps=8)) == 2
    joined = image_segments(image, AREAS, fill_gaps=16)
    assert joined == [Segment(0x10000, b"\x01" * 16 + b"\xff" * 16 + b"\x02" * 16, "flash")]
    assert len(image.segments) == 2  # the image itself is left as it was


def test_segment_label() -> None:
    assert Segment(0x10000, b"\x00" * 16, "flash").label(1, 2) == (
        "segment 1 of 2 (0x00010000-0x0001000F, 16 bytes, flash)")


def test_memory_record_and_formats() -> None:
    assert memory_record(0x44, 0x10000, 0x1000).hex(" ") == "44 00 01 00 00 00 00 10 00"
    assert memory_record(0x24, 0x80000, 0x100).hex(" ") == "24 00 08 00 00 01 00"
    check_alfid(0x44)
    for bad in (0x00, 0x40, 0x04, 0x54):
        with pytest.raises(UdsLibraryError, match="both nibbles must be 1 to 4"):
            check_alfid(bad)
    with pytest.raises(UdsLibraryError, match=r"does not fit address_and_length_format 0x22 \(2 address bytes"):
        check_fits(0x22, 0x10000, 16, "segment 1")


@pytest.mark.parametrize("answer, length", [("74 20 04 02", 0x402), ("74 10 82", 0x82), ("74 40 00 00 10 02", 0x1002)])
def test_max_block_length(answer: str, length: int) -> None:
    assert parse_max_block_length(bytes.fromhex(answer)) == length


@pytest.mark.parametrize("answer, message", [
    ("74", "carries no maxNumberOfBlockLength"),
    ("74 20 04", "announces a maxNumberOfBlockLength of 2 bytes but carries 1"),
    ("74 00 04", "announces a maxNumberOfBlockLength of 0 bytes"),
    ("74 10 02", "no room for data"),
])
def test_bad_max_block_length(answer: str, message: str) -> None:
    with pytest.raises(UnexpectedResponseError, match=message):
        parse_max_block_length(bytes.fromhex(answer))
