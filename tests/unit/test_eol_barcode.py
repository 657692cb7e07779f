"""Barcodes: the station pattern splits them into part number, serial and VIN; malformed ones are refused
with a message that shows what came in and what was expected."""

from __future__ import annotations

import pytest

from UdsLibrary.eol.barcode import DEFAULT_EXAMPLE, BarcodeError, BarcodePattern, parse_barcode, visible

GOOD = "03L906018A;SN00000042;WVWZZZ1JZXW000001"


def test_the_default_pattern_splits_part_number_serial_and_vin() -> None:
    unit = parse_barcode(GOOD)
    assert (unit.part_number, unit.serial, unit.vin, unit.barcode) == ("03L906018A", "SN00000042",
                                                                       "WVWZZZ1JZXW000001", GOOD)
    assert unit.as_dict()["vin"] == "WVWZZZ1JZXW000001"


def test_scanner_line_endings_and_spaces_around_the_barcode_are_ignored() -> None:
    assert parse_barcode(f"  {GOOD}\r\n").barcode == GOOD


def test_a_custom_pattern_with_named_groups() -> None:
    pattern = BarcodePattern(r"(?P<serial>\w+)/(?P<vin>\w{17})/(?P<part_number>\w+)")
    unit = pattern.parse("SN42/WVWZZZ1JZXW000001/03L906018A")
    assert (unit.serial, unit.vin, unit.part_number) == ("SN42", "WVWZZZ1JZXW000001", "03L906018A")


@pytest.mark.parametrize(("barcode", "message"), [
    ("", "the barcode is empty: scan the ECU's label"),
    ("   ", "the barcode is empty: scan the ECU's label"),
    ("SN00000042", "barcode 'SN00000042' does not match the station's barcode pattern"),
    (GOOD + ";extra", "does not match"),
    ("03L906018A;SN00000042;WVWZZZ1JZXW00001", "does not match"),  # 16-character VIN
    ("03l906018a;SN00000042;WVWZZZ1JZXW000001", "does not match"),  # lower case
])
def test_malformed_barcodes_are_refused_before_anything_is_sent(barcode: str, message: str) -> None:
    with pytest.raises(BarcodeError) as error:
        parse_barcode(barcode)
    assert message in str(error.value)
    if barcode.strip():
        assert str(error.value).endswith("nothing was sent to the ECU")
        assert f"e.g. '{DEFAULT_EXAMPLE}'" in str(error.value)


def test_control_characters_from_the_scanner_are_shown() -> None:
    with pytest.raises(BarcodeError) as error:
        parse_barcode("03L906018A\x1dSN00000042\x1dWVWZZZ1JZXW000001")
    assert "'03L906018A\\x1dSN00000042\\x1dWVWZZZ1JZXW000001'" in str(error.value)
    assert visible("a\tb") == "a\\tb"


def test_a_vin_with_i_o_or_q_is_refused_even_when_the_pattern_allows_it() -> None:
    pattern = BarcodePattern(r"(?P<part_number>\w+);(?P<serial>\w+);(?P<vin>\w+)")
    with pytest.raises(BarcodeError, match="'WVWZZZ1JZXWO00001' is not a VIN"):
        pattern.parse("03L906018A;SN42;WVWZZZ1JZXWO00001")
    with pytest.raises(BarcodeError, match="is not a VIN"):
        pattern.parse("03L906018A;SN42;SHORT")


def test_an_empty_group_is_refused() -> None:
    pattern = BarcodePattern(r"(?P<part_number>\w*);(?P<serial>\w*);(?P<vin>\w{17})")
    with pytest.raises(BarcodeError, match="has an empty part_number"):
        pattern.parse(";SN42;WVWZZZ1JZXW000001")


@pytest.mark.parametrize(("pattern", "message"), [
    ("(?P<serial>.+)", "lacks the named group(s) (?P<part_number>...), (?P<vin>...)"),
    ("(?P<part_number>[", "is not a valid regular expression"),
])
def test_patterns_that_cannot_work_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(BarcodeError) as error:
        BarcodePattern(pattern)
    assert message in str(error.value)


def test_the_example_must_match_the_pattern() -> None:
    with pytest.raises(BarcodeError, match="the example barcode 'nope' does not match"):
        BarcodePattern(r"(?P<part_number>\w+);(?P<serial>\w+);(?P<vin>\w{17})", example="nope")
