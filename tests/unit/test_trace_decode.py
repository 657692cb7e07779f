"""Decoding traces: a generated multi-ECU vehicle scan in every format python-can writes, CAN FD,
29-bit normal fixed ids, explicit id pairs, DID and DTC decoding, broken input, the `uds trace`
command, and security keys kept out of every output."""

from __future__ import annotations

import json
import random
from pathlib import Path

import can
import pytest

from UdsLibrary.cli import main
from UdsLibrary.trace.decode import DecodeOptions, TraceDecoder, decode_trace, parse_pairs
from UdsLibrary.trace.reader import Findings, read_frames, sniff_format
from UdsLibrary.trace.synthetic import VehicleTraffic, segment
from UdsLibrary.trace.uds import interpret

ROOT = Path(__file__).resolve().parents[2]
VEHICLE = ROOT / "resources" / "vehicles" / "demo_vehicle.yaml"
KEY = bytes.fromhex("C0FFEE42")


def _write_blf(path: Path, frames) -> None:
    writer = can.BLFWriter(str(path))
    for frame in frames:
        writer.on_message_received(frame)
    writer.stop()


def _decode(path: Path, **kwargs) -> tuple[list, Findings]:
    findings = Findings()
    return list(decode_trace(path, findings=findings, **kwargs)), findings


def _as_expected(transactions: list) -> list[tuple]:
    return [(t.request_id, t.response_id, t.functional, t.request.payload if t.request else None,
             t.final.payload if t.final else None, t.pending) for t in transactions]


# ---------------------------------------------------------------------- the vehicle scan (seed style)

@pytest.mark.parametrize("fd", [False, True], ids=["classical", "fd"])
def test_a_generated_vehicle_scan_in_blf_decodes_to_what_was_generated(tmp_path: Path, fd: bool) -> None:
    traffic = VehicleTraffic(fd=fd, security_key=KEY)
    path = tmp_path / "scan.blf"
    _write_blf(path, traffic.frames(cycles=2))
    transactions, findings = _decode(path)
    assert not list(findings)
    expected = [(e.request_id, e.response_id, e.functional, e.request, e.final, e.pending) for e in traffic.expected]
    assert sorted(_as_expected(transactions), key=repr) == sorted(expected, key=repr)
    starts = [t.start for t in transactions]
    assert starts == sorted(starts)  # in request order
    assert [t.index for t in transactions] == list(range(1, len(transactions) + 1))
    rows = [t.to_dict() for t in transactions]
    decoded_dtcs = {row["ecu"]: [d["code"] for d in row["dtcs"]] for row in rows if row["dtcs"]}
    wanted_dtcs = {f"{e.response_id:03X}": list(e.dtcs) for e in traffic.expected if e.dtcs}
    assert decoded_dtcs == wanted_dtcs
    assert decoded_dtcs["7CC"] == ["P0A9B-00", "U0001-12", "C1123-00"]


def test_the_details_of_the_scan(tmp_path: Path) -> None:
    path = tmp_path / "scan.blf"
    VehicleTraffic().write(path)
    rows = [t.to_dict() for t in decode_trace(path)]
    functional = [r for r in rows if r["functional"]]
    assert len(functional) == 18 and {r["request"] for r in functional} == {"3E 00", "19 02 09"}
    slow = next(r for r in rows if r["ecu"] == "7A8" and r["service"] == "ReadDTCInformation")
    assert slow["pending"] == 1 and slow["responses"][0] == "7F 19 78" and slow["p2_star_ms"] > 0
    assert slow["response_ms"] > slow["p2_ms"]
    routine = next(r for r in rows if r["service"] == "RoutineControl")
    assert routine["pending"] == 3 and routine["result"] == "positive" and routine["response"] == "71 01 FF 00 00"
    nrcs = {(r["ecu"], r["sid"], r["nrc"], r["nrc_name"]) for r in rows if r["result"] == "negative"}
    assert ("7DA", "3E", "11", "serviceNotSupported") in nrcs
    assert ("7E8", "10", "12", "subFunctionNotSupported") in nrcs
    assert ("778", "22", "31", "requestOutOfRange") in nrcs
    assert ("7A8", "3E", "7F", "serviceNotSupportedInActiveSession") in nrcs
    ident = next(r for r in rows if r["ecu"] == "7BB" and r["service"] == "ReadDataByIdentifier")
    assert ident["dids"][0]["value"] == "97250-K2300 HEATER-CONTROL FATC"
    assert ident["dids"][0]["name"] == "vehicleManufacturerSparePartNumber"
    quiet = rows[-1]
    assert quiet["request"] == "3E 80" and quiet["result"] == "suppressed"
    mfc = next(r for r in rows if r["ecu"] == "7CC" and r["dtcs"])
    assert mfc["dtcs"][1] == {"code": "U0001-12", "hex": "C00112", "failure_type": "12", "status": "2F",
                              "status_bits": ["testFailed", "testFailedThisOperationCycle", "pendingDTC",
                                              "confirmedDTC", "testFailedSinceLastClear"], "description": ""}


@pytest.mark.parametrize("suffix", [".asc", ".log", ".csv", ".trc", ".asc.gz"])
def test_every_format_python_can_writes_decodes_the_same(tmp_path: Path, suffix: str) -> None:
    traffic = VehicleTraffic()
    path = tmp_path / f"scan{suffix}"
    traffic.write(path)
    transactions, findings = _decode(path)
    assert not list(findings)
    assert len(transactions) == len(traffic.expected)


def test_a_file_without_a_known_extension_is_recognised_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "scan.asc"
    VehicleTraffic().write(path)
    renamed = path.rename(tmp_path / "scan.trace")
    assert sniff_format(renamed) == ".asc"
    transactions, findings = _decode(renamed)
    assert transactions and not list(findings)


def test_29_bit_normal_fixed_addressing_physical_and_functional() -> None:
    tester, ecu_a, ecu_b = 0xF1, 0x10, 0x18
    frames = []
    now = [100.0]

    def add(can_id: int, payload: bytes) -> None:
        for data in segment(payload):
            now[0] += 0.001
            frames.append(can.Message(timestamp=now[0], arbitration_id=can_id, data=data, is_extended_id=True))

    add(0x18DA0000 | ecu_a << 8 | tester, b"\x22\xf1\x90")  # 18DA10F1
    add(0x18DA0000 | tester << 8 | ecu_a, b"\x62\xf1\x90" + b"WVWZZZ1JZXW000001")  # 18DAF110, multi-frame
    add(0x18DB33F1, b"\x3e\x00")
    add(0x18DA0000 | tester << 8 | ecu_b, b"\x7e\x00")
    add(0x18DA0000 | tester << 8 | ecu_a, b"\x7e\x00")
    decoder = TraceDecoder()
    transactions = list(decoder.run(frames))
    rows = [t.to_dict() for t in transactions]
    assert rows[0]["request_id"] == "18DA10F1" and rows[0]["response_id"] == "18DAF110"
    assert rows[0]["dids"][0]["value"] == "WVWZZZ1JZXW000001"
    functional = sorted(r["response_id"] for r in rows if r["functional"])
    assert functional == ["18DAF110", "18DAF118"]
    assert all(r["request_id"] in ("18DA10F1", "18DA18F1") for r in rows if r["functional"])


def test_explicit_pairs_replace_the_0x7xx_rule() -> None:
    assert parse_pairs("7E0:7E8, 0x641/0x642") == [(0x7E0, 0x7E8), (0x641, 0x642)]
    frames = [can.Message(timestamp=1.0, arbitration_id=0x641, data=segment(b"\x10\x03")[0], is_extended_id=False),
              can.Message(timestamp=1.01, arbitration_id=0x642, data=segment(b"\x50\x03\x00\x32\x01\xf4")[0],
                          is_extended_id=False),
              can.Message(timestamp=1.02, arbitration_id=0x7E0, data=segment(b"\x3e\x00")[0], is_extended_id=False)]
    paired = list(TraceDecoder(DecodeOptions(pairs=[(0x641, 0x642)])).run(frames))
    assert [(t.to_dict()["request_id"], t.to_dict()["response"]) for t in paired] == [("641", "50 03 00 32 01 F4")]
    default = list(TraceDecoder().run(frames))
    assert [t.to_dict()["request"] for t in default] == ["3E 00"]  # 0x641 is no diagnostic id by default


def test_dids_are_named_and_decoded_with_a_vehicle_description(tmp_path: Path) -> None:
    frames = []
    for i, (can_id, payload) in enumerate([(0x7E1, b"\x22\xf1\x87"), (0x7E9, b"\x62\xf1\x87" + b"09G927750K"),
                                           (0x726, b"\x22\xf1\x95"), (0x72E, b"\x62\xf1\x95" + b"0112")]):
        for data in segment(payload):
            frames.append(can.Message(timestamp=1 + i * 0.01, arbitration_id=can_id, data=data, is_extended_id=False))
    path = tmp_path / "ids.blf"
    _write_blf(path, frames)
    transactions, _ = _decode(path, ecu_description=VEHICLE)
    rows = [t.to_dict() for t in transactions]
    assert [r["ecu"] for r in rows] == ["TCM", "BCM"]
    assert rows[0]["dids"][0]["name"] == "sparePartNumber" and rows[0]["dids"][0]["value"] == "09G927750K"
    assert "sparePartNumber = '09G927750K'" in rows[0]["decoded"]


def test_dtc_descriptions_from_a_csv_and_an_xlsx_table(tmp_path: Path) -> None:
    path = tmp_path / "scan.blf"
    VehicleTraffic().write(path)
    csv_table = tmp_path / "dtcs.csv"
    csv_table.write_text("DTC;Description\nP0A9B;Hybrid battery temperature sensor\nU0001-12;Lost communication\n")
    rows = [t.to_dict() for t in decode_trace(path, dtc_table=csv_table)]
    mfc = next(r for r in rows if r["ecu"] == "7CC" and r["dtcs"])
    assert [d["description"] for d in mfc["dtcs"]] == ["Hybrid battery temperature sensor", "Lost communication", ""]
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.append(["DTC", "Description"])
    workbook.active.append(["P0A9B", "from Excel"])
    workbook.save(tmp_path / "dtcs.xlsx")
    rows = [t.to_dict() for t in decode_trace(path, dtc_table=tmp_path / "dtcs.xlsx")]
    mfc = next(r for r in rows if r["ecu"] == "7CC" and r["dtcs"])
    assert mfc["dtcs"][0]["description"] == "from Excel"


def test_interpret_reads_counts_snapshots_and_session_timing() -> None:
    assert interpret(b"\x19\x01\x08", b"\x59\x01\x08\x01\x00\x03").text.endswith("3 DTC(s) match status mask 0x08")
    snapshot = interpret(b"\x19\x04\x01\x23\x45\x01", b"\x59\x04\x01\x23\x45\x2f\x01\x01\xf4\x0d\x00")
    assert snapshot.dtcs[0]["code"] == "P0123-45" and "records 01 01 F4 0D 00" in snapshot.text
    assert interpret(b"\x10\x03", b"\x50\x03\x00\x32\x01\xf4").text.endswith("P2 50 ms, P2* 5000 ms")
    assert interpret(b"\x19\x02\xff", b"\x59\x02\xff\x01\x23").problem is not None
    assert "does not answer" in (interpret(b"\x22\xf1\x90", b"\x50\x03").problem or "")


# ---------------------------------------------------------------------- broken input

def _good_blf(tmp_path: Path) -> tuple[Path, VehicleTraffic]:
    traffic = VehicleTraffic()
    path = tmp_path / "good.blf"
    with can.BLFWriter(str(path), compression_level=9) as writer:
        for frame in traffic.frames(cycles=40):
            writer.on_message_received(frame)
    return path, traffic


def test_a_truncated_blf_reports_it_and_decodes_what_is_there(tmp_path: Path) -> None:
    path, traffic = _good_blf(tmp_path)
    data = path.read_bytes()
    cut = tmp_path / "cut.blf"
    cut.write_bytes(data[: len(data) * 2 // 3])
    transactions, findings = _decode(cut)
    assert 0 < len(transactions) < len(traffic.expected)
    truncated = [f for f in findings if "truncated" in f.message]
    assert truncated and truncated[0].severity == "error" and truncated[0].frame and truncated[0].time


def test_a_corrupt_blf_container_is_a_finding(tmp_path: Path) -> None:
    path, traffic = _good_blf(tmp_path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(random.Random(3).getrandbits(8) for _ in range(64))
    broken = tmp_path / "broken.blf"
    broken.write_bytes(bytes(data))
    transactions, findings = _decode(broken)
    assert len(transactions) < len(traffic.expected)
    assert list(findings), "a damaged container must be reported"
    assert all(f.kind in ("file", "isotp", "order") for f in findings)


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("noise.blf", b"\x00\x01garbage" * 50, "file"),
    ("empty.asc", b"", None),
    ("words.txt", b"hello", "format"),
    ("table.csv", b"a,b\n1,2\n", "file"),
])
def test_files_that_are_no_traces(tmp_path: Path, name: str, content: bytes, kind: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    transactions, findings = _decode(path)
    assert transactions == []
    assert [f.kind for f in findings][:1] == ([kind] if kind else [])


def test_bad_lines_of_a_candump_log_are_skipped_with_their_line_number(tmp_path: Path) -> None:
    path = tmp_path / "scan.log"
    VehicleTraffic().write(path)
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(10, "(12.5) can0 7E0#zz\n")
    lines.insert(20, "garbage\n")
    path.write_text("".join(lines))
    transactions, findings = _decode(path)
    assert [f.line for f in findings] == [11, 21]
    assert len(transactions) > 20


DAMAGED_ASC_LINES = [  # (line, what the finding names)
    (" 1.0O2000 1  7E0             Rx   d 8 02 10 03 00 00 00 00 00\n", "time '1.0O2000'"),
    (" 1.002000 1  7G0             Rx   d 8 02 10 03 00 00 00 00 00\n", "id '7G0'"),
    (" 1.002000 1  7E0             Rx   d 8 02 10 03 00 0Z 00 00 00\n", "data byte '0Z'"),
    (" 1.002000 1  7E0             Rx   d 8 02 10 03\n", "3 of 8 data bytes"),
    (" 1.002000 1  7E0             Rx   d Q 02 10 03 00 00 00 00 00\n", "DLC 'Q'"),
    (" 1.002000 1  Rx   d 8 02 10 03 00 00 00 00 00\n", "no id before the direction"),
    (" 1.002000 CANFD   1 Rx      7E0  1 0 d 12 02 10 03\n", "3 of 12 data bytes"),
]


def test_damaged_frame_lines_of_an_asc_file_are_skipped_with_their_line_number(tmp_path: Path) -> None:
    path = tmp_path / "scan.asc"
    written = VehicleTraffic().write(path)
    intact, intact_findings = _decode(path)
    assert not list(intact_findings)
    lines = path.read_text().splitlines(keepends=True)
    positions = [10 + 7 * i for i in range(len(DAMAGED_ASC_LINES))]
    for position, (line, _) in zip(positions, DAMAGED_ASC_LINES, strict=True):
        lines.insert(position, line)
    # lines the ASC format has besides frames pass without a finding
    lines.insert(6, " 0.000300 1  Statistic: D 0 R 0 XD 0 XR 0 E 0 O 0 B 0.00%\n")
    lines.insert(6, " 0.000200 1  ErrorFrame\n")
    lines.insert(6, "// a comment\n")
    path.write_text("".join(lines))
    findings = Findings()
    frames = list(read_frames(path, findings))
    expected_lines = [position + 3 + 1 for position in positions]  # 1-based, after the three inserted above
    assert [f.line for f in findings] == expected_lines
    for finding, (_, problem) in zip(findings, DAMAGED_ASC_LINES, strict=True):
        assert f"damaged frame line skipped ({problem})" in finding.message
    assert len(frames) == written + 1  # every intact frame and the error frame
    transactions, _ = _decode(path)
    assert _as_expected(transactions) == _as_expected(intact)


def test_an_asc_file_in_decimal_is_checked_in_decimal(tmp_path: Path) -> None:
    path = tmp_path / "dec.asc"
    path.write_text("date Sat Nov 21 08:06:48.334 2026\nbase dec  timestamps absolute\ninternal events logged\n"
                    "Begin Triggerblock\n"
                    " 0.001000 1  2016            Rx   d 8 2 16 3 0 0 0 0 0\n"
                    " 0.002000 1  2024            Rx   d 8 6 80 3 0 50 1 244 0\n"
                    " 0.003000 1  2024            Rx   d 8 6 80 3 0 50 1 7F 0\n"
                    "End TriggerBlock\n")
    findings = Findings()
    frames = list(read_frames(path, findings))
    assert [bytes(frame.data).hex(" ") for frame in frames] == ["02 10 03 00 00 00 00 00", "06 50 03 00 32 01 f4 00"]
    assert [frame.arbitration_id for frame in frames] == [0x7E0, 0x7E8]
    assert [(f.line, "data byte '7F'" in f.message) for f in findings] == [(7, True)]


def test_isotp_problems_and_frames_out_of_order_are_findings() -> None:
    def msg(t: float, can_id: int, hex_data: str) -> can.Message:
        return can.Message(timestamp=t, arbitration_id=can_id, data=bytes.fromhex(hex_data), is_extended_id=False)

    frames = [
        msg(1.000, 0x7E0, "0322F190AAAAAAAA"),
        msg(1.001, 0x7E8, "101462F190575657"),
        msg(1.002, 0x7E0, "300000AAAAAAAAAA"),
        msg(1.003, 0x7E8, "225A5A5A314A5A58"),  # sequence number 2 instead of 1
        msg(1.010, 0x7E8, "2157303030303031"),  # a consecutive frame nobody started
        msg(0.500, 0x123, "00"),  # time goes back
        msg(1.020, 0x7E0, "0322F187AAAAAAAA"),
        msg(1.021, 0x7E8, "100D62F187303300"),  # first frame, then the trace ends
    ]
    decoder = TraceDecoder()
    transactions = list(decoder.run(frames))
    messages = [f"{f.kind}: {f.message}" for f in decoder.findings]
    assert any("WrongSequenceNumber" in m or "wrong SequenceNumber" in m for m in messages), messages
    assert any("ConsecutiveFrame while reception was idle" in m for m in messages), messages
    assert any(m.startswith("order: timestamp goes back by 510") for m in messages), messages
    assert any("at the end of the trace (6 of 13 bytes)" in m for m in messages), messages
    assert [t.result for t in transactions] == ["no response", "no response"]
    assert all(f.frame for f in decoder.findings if f.kind != "isotp" or "end" not in f.message)


# ---------------------------------------------------------------------- uds trace, and secrets

def test_uds_trace_outputs_never_contain_the_security_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scan.blf"
    traffic = VehicleTraffic(security_key=KEY)
    traffic.write(path)
    raw = b"".join(bytes(m.data) for m in can.LogReader(str(path)))
    assert KEY in raw  # the trace itself carries it (a vehicle trace, not one the library recorded)
    outputs = {}
    for fmt in ("table", "json", "csv"):
        assert main(["trace", str(path), "--format", fmt]) == 0
        outputs[fmt] = capsys.readouterr().out
        assert "27 02 **" in outputs[fmt]
        for spelling in (KEY.hex(" ").upper(), KEY.hex().upper(), KEY.hex(), KEY.hex(" ")):
            assert spelling not in outputs[fmt], fmt
    document = json.loads(outputs["json"])
    assert document["summary"]["transactions"] == len(document["transactions"]) == len(traffic.expected)
    assert document["findings"] == []
    header = outputs["csv"].splitlines()[0]
    assert header.startswith("index,time,ecu,request_id,response_id")
    assert "transactions" in outputs["table"].splitlines()[-1]


def test_uds_trace_to_a_file_with_pairs_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scan.asc"
    VehicleTraffic().write(path)
    out = tmp_path / "out.json"
    assert main(["trace", str(path), "--format", "json", "--pairs", "7E0:7E8", "-o", str(out)]) == 0
    rows = json.loads(out.read_text())["transactions"]
    assert {r["response_id"] for r in rows if not r["functional"]} == {"7E8"}
    broken = tmp_path / "broken.blf"
    broken.write_bytes(b"LOGG" + bytes(200))
    assert main(["trace", str(broken)]) == 1
    assert "error" in capsys.readouterr().err
    assert main(["trace", str(tmp_path / "missing.blf")]) == 2
    assert main(["trace", str(path), "--pairs", "7E0-7E8"]) == 2
    assert "is not REQUEST:RESPONSE" in capsys.readouterr().err
