"""The DID, routine and DTC keywords without a bus: argument parsing, response splitting and decoding,
DTC tables, and the keywords themselves against a scripted connection (so malformed answers can be
tested, which the simulated ECU never sends)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from UdsLibrary.description import load_ecu_description
from UdsLibrary.description.model import Addressing, Did, EcuDescription
from UdsLibrary.dtc import DtcTable, load_dtc_table, parse_table_code
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import NegativeResponseError, Target, UnexpectedResponseError
from UdsLibrary.keywords.data import (
    DataKeywords,
    decode_value,
    resolve_reference,
    show_value,
    split_read_response,
    to_number,
)
from UdsLibrary.keywords.dtc import (
    DtcKeywords,
    dtc_entry,
    interpret,
    parse_bit_conditions,
    parse_dtc_argument,
    parse_group,
    parse_status_mask,
    split_extended_data,
)
from UdsLibrary.keywords.routine import RoutineKeywords, status_matches
from UdsLibrary.transport.connection import Exchange, Response

ROOT = Path(__file__).resolve().parents[2]
DEMO = load_ecu_description(ROOT / "resources" / "ecus" / "demo_ecu.yaml")
VIN = Did(0xF190, "VIN", 17, "ascii")
SPEED = Did(0xF40D, "vehicleSpeed", 2, "uint", unit="km/h")
TEMP = Did(0x0105, "coolant", 1, "uint", scale=1.0, offset=-40.0, unit="°C")
VARIABLE = Did(0x0200, "freeText", None, "ascii")


# ---------------------------------------------------------------------- a scripted connection
class ScriptedConnection:
    """Answers each request with what `answer(payload)` returns (a list of response payloads)."""

    def __init__(self, answer: Callable[[bytes], list[bytes]]) -> None:
        self.answer = answer
        self.addressing = Addressing()
        self.p2_timeout = 0.05
        self.p2_star_timeout = 1.0
        self.sent: list[bytes] = []
        self.p2_star_seen: list[float] = []

    def request(self, payload: bytes, *, functional: bool = False, expect_response: bool = True,
                timeout: float | None = None, collect_all: bool = False) -> Exchange:
        self.sent.append(payload)
        self.p2_star_seen.append(self.p2_star_timeout)
        exchange = Exchange(request=payload, functional=functional, sent_at=0.0, timeout_used=self.p2_timeout)
        for i, data in enumerate(self.answer(payload)):
            exchange.responses.append(Response(data, 0.001 * (i + 1), self.addressing.response_id))
        return exchange


class FakeLibrary:
    def __init__(self, target: Target, log_detail: str = "none") -> None:
        self.target = target
        self.log_detail = log_detail

    def active_target(self) -> Target:
        return self.target


def make(component: type, answer: Callable[[bytes], list[bytes]], description: EcuDescription | None = DEMO,
         log_detail: str = "none") -> tuple[Any, ScriptedConnection]:
    connection = ScriptedConnection(answer)
    target = Target(name="t", bench=None, connection=connection, description=description)  # type: ignore[arg-type]
    return component(FakeLibrary(target, log_detail)), connection


def fixed(*payloads: str) -> Callable[[bytes], list[bytes]]:
    return lambda _request: [bytes.fromhex(p) for p in payloads]


# ---------------------------------------------------------------------- names and numbers
NAMES = {"VIN": 0xF190, "vehicleSpeed": 0xF40D, "BEEF": 0x0001}


@pytest.mark.parametrize(("value", "number"), [
    ("VIN", 0xF190), ("vin", 0xF190), ("F190", 0xF190), ("0xF190", 0xF190), (" f190 ", 0xF190), (0xF40D, 0xF40D),
    ("BEEF", 0x0001),  # a name wins over hex
])
def test_resolve_reference(value: str | int, number: int) -> None:
    assert resolve_reference(value, "DID", NAMES, "ECU") == number


def test_resolve_reference_suggests_close_names() -> None:
    with pytest.raises(UdsLibraryError, match=r"unknown DID 'vehicleSped'.*ECU description 'ECU'; did you mean "
                                              r"vehicleSpeed\?"):
        resolve_reference("vehicleSped", "DID", NAMES, "ECU")
    with pytest.raises(UdsLibraryError, match=r"unknown routine 'zzz'.* \(known: BEEF, VIN, vehicleSpeed\)"):
        resolve_reference("zzz", "routine", NAMES, "ECU")
    with pytest.raises(UdsLibraryError, match="DID names need an ECU description"):
        resolve_reference("VIN", "DID", {}, None)
    with pytest.raises(UdsLibraryError, match=r"DID 0x1F190 is out of range"):
        resolve_reference("1F190", "DID", NAMES, "ECU")


def test_to_number_and_show_value() -> None:
    assert to_number("05", "v") == 5
    assert to_number("-3", "v") == -3
    assert to_number("0x1F", "v") == 31
    assert to_number("2.5", "v") == 2.5
    with pytest.raises(UdsLibraryError, match="v 'x' is not a number"):
        to_number("x", "v")
    assert show_value("WVW", VIN) == "'WVW'"
    assert show_value(50, SPEED) == "50 km/h"
    assert show_value(0.1 + 0.2, None) == "0.3"


# ---------------------------------------------------------------------- 0x62 splitting and decoding
def test_split_several_dids_with_known_lengths() -> None:
    data = bytes.fromhex("F190") + b"WVWZZZ1JZXW000001" + bytes.fromhex("F40D 0032")
    records = split_read_response(data, [(0xF190, VIN), (0xF40D, SPEED)])
    assert [(n, d) for n, _, d in records] == [(0xF190, b"WVWZZZ1JZXW000001"), (0xF40D, b"\x00\x32")]


def test_split_allows_left_out_dids() -> None:
    data = bytes.fromhex("F40D 0032")
    records = split_read_response(data, [(0xF190, VIN), (0xF40D, SPEED)])
    assert [n for n, _, _ in records] == [0xF40D]


def test_split_unknown_lengths_at_the_next_requested_did() -> None:
    data = bytes.fromhex("F190 4142 F18C 43")
    records = split_read_response(data, [(0xF190, None), (0xF18C, None)])
    assert [(n, d) for n, _, d in records] == [(0xF190, b"AB"), (0xF18C, b"C")]
    assert split_read_response(bytes.fromhex("0200 414243"), [(0x0200, VARIABLE)])[0][2] == b"ABC"


@pytest.mark.parametrize(("data", "message"), [
    ("F40D 0032", "holds DID F40D, which was not requested"),
    ("F190 4142", "DID F190 VIN came back with 2 data bytes, the ECU description says 17"),
    ("F1", "ends with a partial DID number"),
    ("F190 5756575A5A5A314A5A5857303030303031 3132", "after DID F190 VIN (17 bytes per the ECU description)"),
])
def test_split_rejects_answers_that_do_not_match(data: str, message: str) -> None:
    with pytest.raises(UnexpectedResponseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        split_read_response(bytes.fromhex(data), [(0xF190, VIN)])


def test_decode_value() -> None:
    assert decode_value(0xF190, VIN, b"WVW", raw=False) == "WVW"
    assert decode_value(0xF190, VIN, b"WVW", raw=True) == "57 56 57"
    assert decode_value(0x1234, None, b"\x01\x02", raw=False) == "01 02"
    assert decode_value(0x0105, TEMP, b"\x5a", raw=False) == 50.0  # 90 - 40
    with pytest.raises(UdsLibraryError, match=r"DID F190 VIN data FF cannot be decoded as ascii.*raw=True"):
        decode_value(0xF190, VIN, b"\xff", raw=False)


# ---------------------------------------------------------------------- the data keywords, scripted
def test_read_did_one_and_several_in_one_request() -> None:
    vin = "62 F190 " + b"WVWZZZ1JZXW000001".hex()
    keywords, connection = make(DataKeywords, fixed(vin))
    assert keywords.read_did("VIN") == "WVWZZZ1JZXW000001"
    keywords, connection = make(DataKeywords, fixed(vin + " F40D 0032"))
    assert keywords.read_did("VIN", "F40D") == {"VIN": "WVWZZZ1JZXW000001", "vehicleSpeed": 50}
    assert connection.sent == [bytes.fromhex("22 F190 F40D")]
    assert keywords.read_did("VIN", "F40D", raw=True)["vehicleSpeed"] == "00 32"


def test_read_did_decodes_with_logging_on() -> None:
    keywords, _ = make(DataKeywords, fixed("62 F40D 0032"), log_detail="info")
    assert keywords.read_did("vehicleSpeed") == 50


def test_read_did_without_description_uses_hex_names() -> None:
    keywords, _ = make(DataKeywords, fixed("62 F190 4142 F18C 43"), description=None)
    assert keywords.read_did("F190", "0xF18C") == {"F190": "41 42", "F18C": "43"}


def test_read_did_fails_when_nothing_requested_came_back() -> None:
    keywords, _ = make(DataKeywords, fixed("62"))
    with pytest.raises(UnexpectedResponseError, match="none of the requested DIDs came back"):
        keywords.read_did("VIN", "F40D")


def test_read_did_reports_a_foreign_did() -> None:
    keywords, _ = make(DataKeywords, fixed("62 F40C 0BB8"))
    with pytest.raises(UnexpectedResponseError, match=r"answer 62 F4 0C 0B B8 to 22 F4 0D does not match the "
                                                      r"request: the response holds DID F40C"):
        keywords.read_did("F40D")


def test_read_did_expected_nrc_returns_none() -> None:
    keywords, _ = make(DataKeywords, fixed("7F 22 31"))
    assert keywords.read_did("0102", expected_nrc="requestOutOfRange") is None
    with pytest.raises(NegativeResponseError, match="NRC 0x31 requestOutOfRange"):
        keywords.read_did("0102")


def test_unknown_did_is_rejected_before_sending() -> None:
    keywords, connection = make(DataKeywords, fixed("62"))
    with pytest.raises(UdsLibraryError, match="did you mean VIN"):
        keywords.read_did("VINN")
    with pytest.raises(UdsLibraryError, match="at least one DID"):
        keywords.read_did()
    assert connection.sent == []


def test_write_did_encodes_with_the_codec() -> None:
    keywords, connection = make(DataKeywords, lambda request: [bytes((0x6E,)) + request[1:3]])
    keywords.write_did("VIN", "WVWZZZ1JZXW000002")
    keywords.write_did("variantCode", "05")
    keywords.write_did("variantCode", 3)
    keywords.write_did("F101", "04", raw=True)
    keywords.write_did("1234", "DE AD")  # unknown DID: hex
    assert connection.sent == [
        bytes.fromhex("2E F190") + b"WVWZZZ1JZXW000002", bytes.fromhex("2E F101 05"), bytes.fromhex("2E F101 03"),
        bytes.fromhex("2E F101 04"), bytes.fromhex("2E 1234 DEAD")]


@pytest.mark.parametrize(("did", "value", "raw", "message"), [
    ("VIN", "SHORT", False, r"cannot write DID F190 VIN \(codec ascii, 17 bytes\): ascii value 'SHORT' is 5 bytes "
                            r"long, expected 17; nothing was sent"),
    ("variantCode", "256", False, r"cannot write DID F101 variantCode \(codec uint, 1 byte\): uint value 256 does "
                                  r"not fit in 1 byte\(s\)"),
    ("variantCode", "-1", False, "does not fit"),
    ("variantCode", "x", False, "value for DID F101 variantCode 'x' is not a number"),
    ("F101", "01 02", True, r"2 data byte\(s\) given \(01 02\), the ECU description says 1; nothing was sent"),
    ("F101", "0G", True, "data for DID F101 variantCode '0G' is not hex"),
])
def test_write_did_rejects_bad_values_before_sending(did: str, value: str, raw: bool, message: str) -> None:
    keywords, connection = make(DataKeywords, fixed("6E"))
    with pytest.raises(UdsLibraryError, match=message):
        keywords.write_did(did, value, raw=raw)
    assert connection.sent == []


def test_write_did_raw_with_expected_nrc_sends_a_wrong_length() -> None:
    keywords, connection = make(DataKeywords, fixed("7F 2E 13"))
    keywords.write_did("F101", "01 02", raw=True, expected_nrc="13")
    assert connection.sent == [bytes.fromhex("2E F101 0102")]


def test_write_did_refused_outside_the_allowed_range_says_so() -> None:
    keywords, _ = make(DataKeywords, fixed("7F 2E 31"))
    with pytest.raises(NegativeResponseError, match=r"variant matrix.*the value 9 is outside the ECU description's "
                                                    r"allowed range 1\.\.5$"):
        keywords.write_did("variantCode", 9)
    with pytest.raises(NegativeResponseError, match=r"variant matrix[^;]*$"):
        keywords.write_did("variantCode", 2)  # inside the range: no note


def test_write_did_checks_the_echo() -> None:
    keywords, _ = make(DataKeywords, fixed("6E F1 90"))
    with pytest.raises(UnexpectedResponseError, match="confirmed the write of DID F101 variantCode for DID F1 90"):
        keywords.write_did("variantCode", 1)


def test_did_should_be() -> None:
    keywords, _ = make(DataKeywords, fixed("62 F40D 0032"))
    keywords.did_should_be("vehicleSpeed", "50")
    keywords.did_should_be("vehicleSpeed", "50.0")
    keywords.did_should_be("vehicleSpeed", "0x32")
    keywords.did_should_be("F40D", "0032", raw=True)
    with pytest.raises(AssertionError, match=r"^DID F40D vehicleSpeed is 50 km/h, expected 51 km/h$"):
        keywords.did_should_be("vehicleSpeed", 51)
    with pytest.raises(AssertionError, match=r"^DID F40D vehicleSpeed is 00 32, expected 00 33$"):
        keywords.did_should_be("vehicleSpeed", "00 33", raw=True)
    keywords, _ = make(DataKeywords, fixed("62 F190 " + b"WVWZZZ1JZXW000001".hex()))
    with pytest.raises(AssertionError, match=r"^DID F190 VIN is 'WVWZZZ1JZXW000001', expected 'WVWZZZ1JZXW000002'$"):
        keywords.did_should_be("VIN", "WVWZZZ1JZXW000002")
    keywords, _ = make(DataKeywords, fixed("62 0101 DEADBEEF"))
    keywords.did_should_be("securedData", "deadbeef")  # bytes codec compares as hex


def test_scaled_did_reads_the_physical_value() -> None:
    description = replace(DEMO, dids=(*DEMO.dids, TEMP))
    keywords, _ = make(DataKeywords, fixed("62 0105 5A"), description=description)
    assert keywords.read_did("coolant") == 50.0
    keywords.did_should_be("coolant", "50")


# ---------------------------------------------------------------------- routines, scripted
def routine_echo(status: str) -> Callable[[bytes], list[bytes]]:
    return lambda request: [bytes((0x71, request[1] & 0x7F)) + request[2:4] + bytes.fromhex(status)]


def test_routine_start_results_stop() -> None:
    keywords, connection = make(RoutineKeywords, routine_echo("00 5A"))
    assert keywords.start_routine("selfTest") == "00 5A"
    assert keywords.get_routine_results("1234", expected_status="00") == "00 5A"
    assert keywords.stop_routine("0x1234", expected_status="00 5A") == "00 5A"
    assert connection.sent == [bytes.fromhex("31 01 1234"), bytes.fromhex("31 03 1234"), bytes.fromhex("31 02 1234")]
    with pytest.raises(AssertionError, match=r"^routine 1234 selfTest results reported status 00 5A, expected 01$"):
        keywords.get_routine_results("selfTest", expected_status="01")


def test_routine_option_and_timeout() -> None:
    keywords, connection = make(RoutineKeywords, routine_echo("00"))
    keywords.start_routine("eraseMemory", "44 00010000 00001000", timeout="5 s")
    assert connection.sent[-1] == bytes.fromhex("31 01 FF00 44 00010000 00001000")
    assert connection.p2_star_seen[-1] == 5.0
    assert connection.p2_star_timeout == 1.0  # restored
    with pytest.raises(UdsLibraryError, match=r"option record of 9 byte\(s\) per the ECU description, got 1 \(44\)"):
        keywords.start_routine("eraseMemory", "44")
    with pytest.raises(UdsLibraryError, match="timeout 'soon' is not a time"):
        keywords.start_routine("selfTest", timeout="soon")
    assert len(connection.sent) == 1


def test_routine_expected_nrc_skips_the_option_check() -> None:
    keywords, connection = make(RoutineKeywords, fixed("7F 31 13"))
    assert keywords.start_routine("eraseMemory", "44", expected_nrc="13") is None
    assert connection.sent == [bytes.fromhex("31 01 FF00 44")]


def test_routine_answer_for_another_routine_fails() -> None:
    keywords, _ = make(RoutineKeywords, fixed("71 01 12 35 00"))
    with pytest.raises(UnexpectedResponseError, match="echoes another sub-function or routine id"):
        keywords.start_routine("selfTest")


def test_routine_suppressed_response() -> None:
    keywords, connection = make(RoutineKeywords, fixed())
    assert keywords.start_routine("selfTest", suppress_response=True) == ""
    assert connection.sent == [bytes.fromhex("31 81 1234")]
    keywords, _ = make(RoutineKeywords, fixed("7F 31 22"))
    with pytest.raises(NegativeResponseError, match="NRC 0x22 conditionsNotCorrect"):
        keywords.start_routine("selfTest", suppress_response=True)
    assert keywords.start_routine("selfTest", suppress_response=True, expected_nrc="22") is None


def test_status_matches_first_bytes() -> None:
    assert status_matches(b"\x00\x5a", b"\x00")
    assert status_matches(b"\x00\x5a", b"")
    assert not status_matches(b"\x00", b"\x00\x5a")


# ---------------------------------------------------------------------- DTC arguments
@pytest.mark.parametrize("value", ["U0001-12", "U000112", "u0001-12", "C00112", "0xC00112", 0xC00112])
def test_dtc_argument_forms(value: str | int) -> None:
    assert parse_dtc_argument(value) == 0xC00112


def test_dtc_argument_errors_and_groups() -> None:
    with pytest.raises(UdsLibraryError, match="DTC 'X0001-12' is not a DTC"):
        parse_dtc_argument("X0001-12")
    assert parse_group("all") == parse_group("ALL") == parse_group("FFFFFF") == 0xFFFFFF
    assert parse_group("U0001-12") == 0xC00112
    assert parse_status_mask("FF") == parse_status_mask("0xff") == parse_status_mask(255) == 0xFF
    with pytest.raises(UdsLibraryError, match="status_mask 'FF FF' must be one byte"):
        parse_status_mask("FF FF")


def test_bit_conditions() -> None:
    assert parse_bit_conditions({"CONFIRMEDDTC": "True", "testfailed": False}) == {
        "confirmedDTC": True, "testFailed": False}
    with pytest.raises(UdsLibraryError, match=r"unknown DTC status bit 'confirmed'; the eight status bits are "
                                              r"testFailed, .*warningIndicatorRequested$"):
        parse_bit_conditions({"confirmed": True})
    with pytest.raises(UdsLibraryError, match="must be True or False"):
        parse_bit_conditions({"testFailed": "maybe"})


def test_dtc_entry() -> None:
    entry = dtc_entry(0xC00112, 0x2F, "Lost communication")
    assert entry == {
        "code": "U0001-12", "number": 0xC00112, "hex": "C00112", "failure_type": 0x12, "status": 0x2F,
        "status_hex": "2F", "status_bits": entry["status_bits"], "description": "Lost communication"}
    assert entry.status_bits.confirmedDTC and not entry.status_bits.warningIndicatorRequested


# ---------------------------------------------------------------------- DTC responses
def test_interpret_by_status_mask_and_count() -> None:
    data = interpret(bytes.fromhex("59 02 FF 012345 09 C00112 2F"), 0x02)
    assert [(d.id, d.status.get_byte_as_int()) for d in data.dtcs] == [(0x012345, 0x09), (0xC00112, 0x2F)]
    assert interpret(bytes.fromhex("59 01 FF 01 0003"), 0x01).dtc_count == 3
    with pytest.raises(UnexpectedResponseError, match="is not a valid ReadDTCInformation response"):
        interpret(bytes.fromhex("59 02 FF 0123"), 0x02)


def test_split_extended_data() -> None:
    assert split_extended_data(bytes.fromhex("01 05 02 03"), 0xFF, {1: 1, 2: 1}) == ({1: "05", 2: "03"}, [])
    assert split_extended_data(bytes.fromhex("01 0506 02 03"), 0xFF, {1: 2, 2: 1}) == ({1: "05 06", 2: "03"}, [])
    assert split_extended_data(bytes.fromhex("02 0304"), 0x02, {}) == ({2: "03 04"}, [])
    assert split_extended_data(b"", 0xFF, {}) == ({}, [])
    records, warnings = split_extended_data(bytes.fromhex("01 05 03 0A0B"), 0xFF, {1: 1})
    assert records == {1: "05", 3: "0A 0B"}
    assert "no size for extended data record 03" in warnings[0]
    records, warnings = split_extended_data(bytes.fromhex("01 05"), 0xFF, {1: 2})
    assert records == {1: "05"} and "is 1 bytes, the ECU description says 2" in warnings[0]
    with pytest.raises(UnexpectedResponseError, match="record 01 came back, 02 was requested"):
        split_extended_data(bytes.fromhex("01 05"), 0x02, {})


DTC_ANSWERS = {
    "19 02 FF": "59 02 FF 012345 09 C00112 2F 9A0B13 50",
    "19 02 08": "59 02 FF 012345 09 C00112 2F",
    "19 01 08": "59 01 FF 01 0002",
    "19 04 C00112 FF": "59 04 C00112 2F 01 02 F40D 0032 F40C 0BB8",
    "19 04 012345 FF": "59 04 012345 09 01 01 ABCD 00",
    "19 06 C00112 FF": "59 06 C00112 2F 01 05 02 03",
    "19 06 012345 FF": "59 06 C00112 2F 01 05",
}


def dtc_answer(request: bytes) -> list[bytes]:
    for key, value in DTC_ANSWERS.items():
        if request == bytes.fromhex(key):
            return [bytes.fromhex(value)]
    return [bytes.fromhex("7F 19 31")]


def test_read_dtcs_and_assertions() -> None:
    keywords, _ = make(DtcKeywords, dtc_answer, log_detail="info")
    dtcs = keywords.read_dtcs()
    assert [d["code"] for d in dtcs] == ["P0123-45", "U0001-12", "B1A0B-13"]
    assert dtcs[1]["description"] == "Lost communication with engine control module"
    assert keywords.dtc_should_be_present("U000112", confirmedDTC="True")["status"] == 0x2F
    keywords.dtc_count_should_be(2, "08")
    keywords.dtc_should_not_be_present("B1A0B-13")
    with pytest.raises(AssertionError, match=r"^the ECU reports 2 DTC\(s\) matching status mask 0x08, expected 1$"):
        keywords.dtc_count_should_be("1", status_mask="08")
    with pytest.raises(AssertionError, match=r"^the ECU reports 2 confirmed DTC\(s\): P0123-45 \(Mass or volume "
                                             r"air flow circuit range/performance\), U0001-12 \(Lost communication"):
        keywords.no_confirmed_dtcs()
    with pytest.raises(AssertionError, match=r"^DTC P1234-56 is not reported with status mask 0xFF; the ECU "
                                             r"reports P0123-45 \(.*\), U0001-12 \(.*\), B1A0B-13 \(.*\)$"):
        keywords.dtc_should_be_present("P1234-56")
    with pytest.raises(AssertionError, match=r"has status 0x2F: warningIndicatorRequested is False, expected True$"):
        keywords.dtc_should_be_present("U0001-12", warningIndicatorRequested=True)


def test_unknown_bit_name_is_rejected_before_sending() -> None:
    keywords, connection = make(DtcKeywords, dtc_answer)
    with pytest.raises(UdsLibraryError, match="unknown DTC status bit"):
        keywords.dtc_should_be_present("U0001-12", confirmedDtcs=True)
    assert connection.sent == []


def test_snapshot_and_extended_data() -> None:
    keywords, _ = make(DtcKeywords, dtc_answer, log_detail="info")
    assert keywords.read_dtc_snapshot("U0001-12") == [{"record": 1, "dids": {"vehicleSpeed": 50, "engineSpeed": 3000}}]
    assert keywords.read_dtc_extended_data("U0001-12") == {1: "05", 2: "03"}
    with pytest.raises(UdsLibraryError, match=r"holds DID ABCD whose length the ECU description does not give"):
        keywords.read_dtc_snapshot("P0123-45")
    with pytest.raises(UnexpectedResponseError, match="is for DTC U0001-12, not P0123-45"):
        keywords.read_dtc_extended_data("P0123-45")
    assert keywords.read_dtc_extended_data("P1234-56", expected_nrc="31") is None


def test_snapshot_without_description_needs_lengths() -> None:
    keywords, _ = make(DtcKeywords, dtc_answer, description=None)
    with pytest.raises(UdsLibraryError, match="holds DID F40D whose length"):
        keywords.read_dtc_snapshot("U0001-12")


def test_clear_dtcs_payloads() -> None:
    keywords, connection = make(DtcKeywords, fixed("54"))
    keywords.clear_dtcs()
    keywords.clear_dtcs("U0001-12")
    keywords.clear_dtcs("all")
    assert connection.sent == [bytes.fromhex("14 FFFFFF"), bytes.fromhex("14 C00112"), bytes.fromhex("14 FFFFFF")]


def test_descriptions_come_from_the_table_when_the_description_has_none(tmp_path: Path) -> None:
    table = tmp_path / "dtcs.csv"
    table.write_text("code,description\nP0123-45,from table\nB1A0B,heater (any failure type)\n", encoding="utf-8")
    keywords, _ = make(DtcKeywords, dtc_answer, description=None)
    assert keywords.load_dtc_table(str(table)) == 2
    assert [d["description"] for d in keywords.read_dtcs()] == ["from table", "", "heater (any failure type)"]
    keywords, _ = make(DtcKeywords, dtc_answer)
    keywords.load_dtc_table(table)
    assert keywords.read_dtcs()[0]["description"] == "Mass or volume air flow circuit range/performance"


# ---------------------------------------------------------------------- DTC tables
@pytest.mark.parametrize(("text", "expected"), [
    ("P0123-45", (0x012345, False)), ("P012345", (0x012345, False)), ("0xC00112", (0xC00112, False)),
    ("C00112", (0xC00112, False)), ("P0123", (0x0123, True)), ("u0001", (0xC001, True)), (12345, (0x012345, False)),
])
def test_table_codes(text: str | int, expected: tuple[int, bool]) -> None:
    assert parse_table_code(text) == expected


def test_table_lookup_prefers_the_full_dtc() -> None:
    table = DtcTable(exact={0x012345: "exact"}, base={0x0123: "base"})
    assert table.lookup(0x012345) == "exact"
    assert table.lookup(0x012399) == "base"
    assert table.lookup(0x999999) == ""


@pytest.mark.parametrize(("content", "encoding"), [
    ("DTC;Description;Owner\nP0123-45;Luftmasse;engine\n\nU0001;Kommunikation;net\n", "utf-8-sig"),
    ("Code,Text\nP0123-45,Luftmasse\nU0001,Kommunikation\n", "cp1252"),
    ("code\tdescription\n012345\tLuftmasse\nU0001\tKommunikation\n", "utf-8"),
])
def test_load_csv_tables(tmp_path: Path, content: str, encoding: str) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(content.encode(encoding))
    table = load_dtc_table(path)
    assert table.lookup(0x012345) == "Luftmasse"
    assert table.lookup(0xC00112) == "Kommunikation"


def test_load_table_errors(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    with pytest.raises(UdsLibraryError, match="does not exist"):
        load_dtc_table(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(UdsLibraryError, match="is empty"):
        load_dtc_table(path)
    path.write_text("Fehlercode,Text\nP0123-45,x\n", encoding="utf-8")
    with pytest.raises(UdsLibraryError, match=r"needs a 'code' \(or 'DTC'\) column .*found: Fehlercode, Text"):
        load_dtc_table(path)
    path.write_text("code,description\nP0123-45,ok\nQ1234,bad\n", encoding="utf-8")
    with pytest.raises(UdsLibraryError, match=r"table.csv', row 3: invalid DTC 'Q1234'"):
        load_dtc_table(path)


def test_xlsx_without_openpyxl_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "table.xlsx"
    path.write_bytes(b"PK not really")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    with pytest.raises(UdsLibraryError, match=r"needs openpyxl: pip install openpyxl \(or save it as CSV\)"):
        load_dtc_table(path)


def test_xlsx_with_openpyxl(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.append(["DTC", "Description"])
    workbook.active.append(["B1A0B-13", "Heater"])
    workbook.active.append([None, None])
    workbook.active.append([12345, "numeric cell"])
    path = tmp_path / "table.xlsx"
    workbook.save(path)
    table = load_dtc_table(path)
    assert table.lookup(0x9A0B13) == "Heater"
    assert table.lookup(0x012345) == "numeric cell"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(UdsLibraryError, match="cannot be read as an Excel workbook"):
        load_dtc_table(broken)
