"""DTC text form, parsing and status bits."""

from __future__ import annotations

import pytest

from UdsLibrary.dtc import STATUS_BITS, DecodedDtc, decode_status, format_dtc, parse_dtc


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (0x012345, "P0123-45"),
        (0xC00112, "U0001-12"),
        (0x9A0B13, "B1A0B-13"),
        (0x3F1234, "P3F12-34"),
        (0x4ABCDE, "C0ABC-DE"),
        (0x000000, "P0000-00"),
        (0xFFFFFF, "U3FFF-FF"),
    ],
)
def test_format_and_parse_round_trip(code: int, text: str) -> None:
    assert format_dtc(code) == text
    assert parse_dtc(text) == code
    assert parse_dtc(text.replace("-", "")) == code
    assert parse_dtc(text.lower()) == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0x012345, 0x012345),
        ("0x012345", 0x012345),
        ("012345", 0x012345),
        ("C00112", 0xC00112),  # 6 characters: hex, not a J2012 code
        ("  U0001-12 ", 0xC00112),
    ],
)
def test_parse_forms(value: int | str, expected: int) -> None:
    assert parse_dtc(value) == expected


@pytest.mark.parametrize("value", ["X0123-45", "P4123-45", "P0123", "0x1234567", "", -1, 0x1000000, True, 1.5])
def test_parse_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="DTC"):
        parse_dtc(value)  # type: ignore[arg-type]


def test_format_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        format_dtc(0x1000000)


def test_status_bits() -> None:
    assert STATUS_BITS[0] == "testFailed"
    assert STATUS_BITS[3] == "confirmedDTC"
    assert STATUS_BITS[7] == "warningIndicatorRequested"
    assert len(STATUS_BITS) == 8
    status = decode_status(0x2F)
    assert [name for name, on in status.items() if on] == [
        "testFailed",
        "testFailedThisOperationCycle",
        "pendingDTC",
        "confirmedDTC",
        "testFailedSinceLastClear",
    ]
    with pytest.raises(ValueError):
        decode_status(0x100)


def test_decoded_dtc() -> None:
    dtc = DecodedDtc(0xC00112, 0x09, "Lost communication")
    assert dtc.text == "U0001-12"
    assert dtc.failure_type == 0x12
    assert dtc.status_bits["testFailed"] and dtc.status_bits["confirmedDTC"]
    assert not dtc.status_bits["pendingDTC"]
    assert "U0001-12" in str(dtc)
    with pytest.raises(AttributeError):
        dtc.code = 1  # type: ignore[misc]
