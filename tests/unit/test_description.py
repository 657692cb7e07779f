"""The ECU description loader: the demo files, profiles, vehicles and the errors of bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from UdsLibrary.description import (
    EcuDescription,
    Vehicle,
    load_any,
    load_ecu_description,
    load_vehicle,
)
from UdsLibrary.errors import DescriptionError, UdsLibraryError

ROOT = Path(__file__).resolve().parents[2]
DEMO_ECU = ROOT / "resources" / "ecus" / "demo_ecu.yaml"
BODY_ECU = ROOT / "resources" / "ecus" / "body_ecu.yaml"
DEMO_VEHICLE = ROOT / "resources" / "vehicles" / "demo_vehicle.yaml"
SCHEMAS = ROOT / "UdsLibrary" / "description" / "schemas"


# --------------------------------------------------------------------------------------------
# the shipped files


def test_schemas_are_valid_draft_2020_12() -> None:
    for name in ("ecu", "vehicle"):
        schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["additionalProperties"] is False


def test_demo_ecu_catalogue_values() -> None:
    ecu = load_ecu_description(DEMO_ECU)
    assert ecu.name == "SIM-1"
    assert ecu.source == str(DEMO_ECU)
    assert (ecu.addressing.request_id, ecu.addressing.response_id) == (0x7E0, 0x7E8)
    assert ecu.addressing.functional_id == 0x7DF and ecu.addressing.padding == 0xAA
    assert (ecu.timing.p2, ecu.timing.p2_star, ecu.timing.s3, ecu.timing.reset_time) == (0.05, 5.0, 5.0, 0.2)
    assert [(s.id, s.name) for s in ecu.sessions] == [(1, "default"), (2, "programming"), (3, "extended")]
    assert ecu.session("programming").enter_from == frozenset({2, 3})
    assert ecu.session(1).enter_from is None
    assert ecu.session("extended").services == frozenset(
        {0x10, 0x11, 0x14, 0x19, 0x22, 0x27, 0x28, 0x2E, 0x31, 0x3E, 0x85}
    )
    assert ecu.reset_types == (0x01, 0x03)
    assert ecu.communication_control_types == (0, 1, 2, 3)

    security = ecu.security
    assert security.algorithm == "xor" and security.secret == b"\xa5\xa5\xa5\xa5"
    assert security.secret_env == "UDS_SIM1_SECRET"
    assert [level.level for level in security.levels] == [0x01, 0x11]
    level = ecu.security_level(0x11)
    assert level.sessions == (2,) and level.delay == 10.0 and level.max_attempts == 3 and level.delay_on_boot

    assert ecu.did(0xF186).source == "active_session"
    assert ecu.did(0xF186).read is not None and ecu.did(0xF186).read.sessions == (1, 2, 3)
    assert ecu.did("VIN").initial == b"WVWZZZ1JZXW000001"
    assert ecu.did(0xF190).write is not None and ecu.did(0xF190).write.security == (0x01,)
    assert ecu.did(0xF101).allowed_range == (1, 5) and ecu.did(0xF101).initial == b"\x01"
    assert ecu.did(0x0101).initial == bytes.fromhex("DEADBEEF")
    assert ecu.did(0x0101).read is not None and ecu.did(0x0101).read.sessions == (3,)
    assert ecu.did(0xF40C).unit == "rpm"
    bulk = ecu.did(0xD100).initial
    assert len(bulk) == 4000 and bulk[:17] == bytes(range(16)) + b"\x00" and bulk[-1] == 0x0F
    assert ecu.did(0xD101).initial[:7] == bytes.fromhex("C0FFEEC0FFEEC0") and len(ecu.did(0xD101).initial) == 200

    erase = ecu.routine("eraseMemory")
    assert erase.id == 0xFF00 and erase.blocking and erase.memory_option and erase.duration == 2.0
    assert erase.start is not None and erase.start.option_length == 9 and erase.stop is None
    assert erase.access.sessions == (2,) and erase.access.security == (0x11,)
    self_test = ecu.routine(0x1234)
    assert self_test.results is not None and self_test.results.result == b"\x00\x5a"
    assert self_test.preconditions == ("engine_off",)
    eol = ecu.routine(0xA001)
    assert eol.running_result == b"\x01" and eol.duration == 0.3

    assert ecu.dtc.groups == (0xFFFFFF, 0x000000, 0x400000, 0x800000, 0xC00000)
    assert ecu.dtc.snapshot_records == (1,) and ecu.dtc.extended_records == (1, 2)
    codes = {dtc.code: dtc for dtc in ecu.dtc.dtcs}
    assert set(codes) == {0x012345, 0xC00112, 0x9A0B13}
    lost = codes[0xC00112]
    assert lost.status == 0x2F
    assert lost.snapshots == {1: ((0xF40D, b"\x00\x32"), (0xF40C, b"\x0b\xb8"))}
    assert lost.extended_data == {1: b"\x05", 2: b"\x03"}

    assert ecu.download.areas[0].start == 0x10000 and ecu.download.areas[0].end == 0x7FFFF
    assert ecu.download.max_block_length == 0x402 and ecu.download.require_erase
    assert [(f.id, f.period, f.kind) for f in ecu.application_frames] == [(0x123, 0.1, "normal"), (0x510, 0.2, "nm")]


def test_profile_ci() -> None:
    base = load_ecu_description(DEMO_ECU)
    ci = load_ecu_description(DEMO_ECU, profile="ci")
    assert ci.timing.s3 == 1.0 and ci.timing.p2_star == 1.0 and ci.timing.reset_time == 0.05
    assert [level.delay for level in ci.security.levels] == [1.0, 1.0]
    # merged item by item: the rest of each level is unchanged
    assert [level.sessions for level in ci.security.levels] == [level.sessions for level in base.security.levels]
    assert ci.routine(0xFF00).duration == 1.5
    assert ci.routine(0xFF00).memory_option
    assert len(ci.routines) == len(base.routines)
    assert ci.dids == base.dids


def test_body_ecu() -> None:
    ecu = load_ecu_description(BODY_ECU)
    assert [s.name for s in ecu.sessions] == ["default", "extended"]
    assert ecu.download.areas == ()
    assert ecu.dtc.dtcs[0].code == 0x9A0B13
    assert ecu.security.levels[0].level == 0x01 and ecu.security.secret != b"\xa5\xa5\xa5\xa5"
    assert {0xF186, 0xF187, 0xF18C, 0xF190, 0xF195} <= {did.id for did in ecu.dids}


def test_demo_vehicle() -> None:
    vehicle = load_vehicle(DEMO_VEHICLE)
    assert isinstance(vehicle, Vehicle) and vehicle.name == "Demo vehicle"
    assert [ecu.name for ecu in vehicle.ecus] == ["ECM", "TCM", "BCM"]
    requests = [ecu.addressing.request_id for ecu in vehicle.ecus]
    responses = [ecu.addressing.response_id for ecu in vehicle.ecus]
    assert requests == [0x7E0, 0x7E1, 0x726] and responses == [0x7E8, 0x7E9, 0x72E]
    frame_ids = [frame.id for ecu in vehicle.ecus for frame in ecu.application_frames]
    assert len(frame_ids) == len(set(frame_ids))
    ecm, tcm, _ = vehicle.ecus
    assert ecm.did(0xF187).initial == b"03L906018A"
    assert tcm.did(0xF187).initial == b"09G927750K"
    assert tcm.did(0xF18C).initial != ecm.did(0xF18C).initial
    assert tcm.did(0xF195).initial != ecm.did(0xF195).initial
    assert tcm.addressing.functional_id == 0x7DF  # merged over the file's addressing
    assert tcm.source == str(DEMO_ECU)


def test_vehicle_profile_is_passed_down() -> None:
    vehicle = load_vehicle(DEMO_VEHICLE, profile="ci")
    assert all(ecu.timing.s3 == 1.0 for ecu in vehicle.ecus)


def test_load_any() -> None:
    assert isinstance(load_any(DEMO_ECU), EcuDescription)
    assert isinstance(load_any(DEMO_VEHICLE, profile="ci"), Vehicle)


def test_description_error_message_format() -> None:
    error = DescriptionError("a.yaml", "dids[3].length", "bad", line=7)
    assert str(error) == "a.yaml, line 7, dids[3].length: bad"
    assert (error.file, error.path, error.reason, error.line) == ("a.yaml", "dids[3].length", "bad", 7)
    assert str(DescriptionError("a.yaml", None, "bad")) == "a.yaml: bad"
    assert isinstance(error, UdsLibraryError) and UdsLibraryError.ROBOT_SUPPRESS_NAME


# --------------------------------------------------------------------------------------------
# bad files


def _variant(tmp_path: Path, old: str, new: str, source: Path = DEMO_ECU) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


ECU_CASES = [
    # (id, old, new, profile, path, reason fragment, line marker)
    (
        "typo_key",
        "    length: 17\n",
        "    lenght: 17\n",
        None,
        "dids[4].lenght",
        "unknown key 'lenght'; did you mean 'length'",
        "lenght",
    ),
    (
        "wrong_type",
        "  p2_ms: 50\n",
        "  p2_ms: fast\n",
        None,
        "timing.p2_ms",
        "expected a time in milliseconds",
        "p2_ms: fast",
    ),
    (
        "unknown_session",
        "write: {sessions: [extended], security: [0x01]}\n    persistent: true\n  - id: 0xF101",
        "write: {sessions: [extendd], security: [0x01]}\n    persistent: true\n  - id: 0xF101",
        None,
        "dids[4].write.sessions[0]",
        "unknown session 'extendd'",
        "extendd",
    ),
    (
        "did_length",
        'value: "SN00000042"',
        'value: "SN000042"',
        None,
        "dids[1].value",
        "8 characters long, the DID length is 10",
        "SN000042",
    ),
    ("duplicate_did", "  - id: 0xF187\n", "  - id: 0xF18C\n", None, "dids[2].id", "DID 0xF18C is defined twice", None),
    (
        "even_level",
        "    - level: 0x11\n",
        "    - level: 0x12\n",
        None,
        "security.levels[1].level",
        "security level 0x12 is even",
        "level: 0x12",
    ),
    (
        "unknown_codec",
        '    codec: bytes\n    value: "DE AD BE EF"',
        '    codec: hexx\n    value: "DE AD BE EF"',
        None,
        "dids[6].codec",
        "unknown codec 'hexx'; known codecs: ascii",
        "codec: hexx",
    ),
    (
        "unsupported_service",
        "0x31, 0x3E, 0x85]",
        "0x31, 0x3E, 0x85, 0x23]",
        None,
        "sessions.extended.services[11]",
        "service 0x23 is not implemented by the simulator",
        "0x85, 0x23",
    ),
    (
        "undefined_level",
        "    security: [0x11]\n",
        "    security: [0x13]\n",
        None,
        "routines[2].security[0]",
        "security level 0x13 is not defined",
        "security: [0x13]",
    ),
    (
        "no_subfunction",
        '    start: {result: "00"}\n  - id: 0x1234',
        "  - id: 0x1234",
        None,
        "routines[0]",
        "has no sub-function",
        None,
    ),
    (
        "allowed_range",
        "allowed_range: [0x01, 0x05]",
        "allowed_range: [0x06, 0x05]",
        None,
        "dids[5].allowed_range",
        "min 6 is greater than max 5",
        "allowed_range",
    ),
    (
        "unknown_profile",
        "ecu:\n",
        "ecu:\n",
        "nightly",
        "profiles",
        "unknown profile 'nightly'; available profiles: 'ci'",
        "profiles:",
    ),
    (
        "profile_typo",
        "{level: 0x01, delay_ms: 1000}",
        "{level: 0x01, delay: 1000}",
        None,
        "profiles.ci.security.levels[0].delay",
        "unknown key 'delay'",
        "delay: 1000",
    ),
    ("missing_required", "    name: VIN\n", "", None, "dids[4]", "missing required key 'name'", None),
    (
        "snapshot_record",
        "        0x01: {0xF40D",
        "        0x02: {0xF40D",
        None,
        "dtc.dtcs[1].snapshots.0x02",
        "snapshot record 0x02 is not listed",
        "0x02: {0xF40D",
    ),
    (
        "bad_dtc_code",
        "    - code: 0x012345\n",
        "    - code: X0123-45\n",
        None,
        "dtc.dtcs[0].code",
        "expected a DTC",
        "X0123-45",
    ),
    (
        "duplicate_yaml_key",
        "  p2_ms: 50\n",
        "  p2_ms: 50\n  p2_ms: 60\n",
        None,
        "timing.p2_ms",
        "duplicate key 'p2_ms'",
        "p2_ms: 60",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "profile", "path", "reason", "marker"),
    [case[1:] for case in ECU_CASES],
    ids=[case[0] for case in ECU_CASES],
)
def test_bad_ecu_file(
    tmp_path: Path, old: str, new: str, profile: str | None, path: str, reason: str, marker: str | None
) -> None:
    file = _variant(tmp_path, old, new)
    with pytest.raises(DescriptionError) as caught:
        load_ecu_description(file, profile=profile)
    error = caught.value
    assert isinstance(error, UdsLibraryError)
    message = str(error)
    assert str(file) in message
    assert error.path == path, message
    assert reason in error.reason, message
    assert f"{path}: " in message
    assert error.line is not None and f"line {error.line}" in message
    if marker is not None:
        assert error.line == _line_of(file, marker), message


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    file = _variant(tmp_path, "  p2_ms: 50\n", "  p2_ms: [50\n")
    with pytest.raises(DescriptionError) as caught:
        load_ecu_description(file)
    message = str(caught.value)
    assert message.startswith(f"{file}, line ")
    assert "invalid YAML" in message and "expected ','" in message
    assert caught.value.line is not None and abs(caught.value.line - _line_of(file, "p2_ms: [50")) <= 1


def test_missing_file(tmp_path: Path) -> None:
    file = tmp_path / "nowhere.yaml"
    with pytest.raises(DescriptionError, match="file not found") as caught:
        load_any(file)
    assert str(file) in str(caught.value)


def test_empty_file(tmp_path: Path) -> None:
    file = tmp_path / "empty.yaml"
    file.write_text("# nothing\n")
    with pytest.raises(DescriptionError, match="the file is empty"):
        load_ecu_description(file)


def test_vehicle_file_is_not_an_ecu() -> None:
    with pytest.raises(DescriptionError, match="vehicle file"):
        load_ecu_description(DEMO_VEHICLE)


def _vehicle_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = DEMO_VEHICLE.read_text(encoding="utf-8").replace("../ecus/", f"{DEMO_ECU.parent}/")
    assert old in text, old
    file = tmp_path / "vehicle.yaml"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


VEHICLE_CASES = [
    (
        "duplicate_request_id",
        "request_id: 0x726",
        "request_id: 0x7E1",
        "ecus[2].addressing.request_id",
        "request id 0x7E1 of ECU 'BCM' is already the request id of ECU 'TCM'",
    ),
    (
        "duplicate_response_id",
        "response_id: 0x7E9",
        "response_id: 0x7E8",
        "ecus[1].addressing.response_id",
        "response id 0x7E8 of ECU 'TCM' is already the response id of ECU 'ECM'",
    ),
    (
        "duplicate_frame",
        "{id: 0x124,",
        "{id: 0x123,",
        "ecus[1].application_frames",
        "application frame id 0x123 of ECU 'TCM' is also sent by ECU 'ECM'",
    ),
    ("duplicate_name", "  - name: TCM", "  - name: ECM", "ecus[1].name", "ECU name 'ECM' is used twice"),
    ("unknown_did", "sparePartNumber:", "sparePartNo:", "ecus[1].values.sparePartNo", "has no DID 'sparePartNo'"),
    ("value_length", '0xF195: "0310"', '0xF195: "03100"', "ecus[1].values.0xF195", "the DID length is 4"),
    ("missing_ecu_file", "body_ecu.yaml", "nobody_ecu.yaml", "ecus[2].file", "ECU file not found"),
    (
        "typo_key",
        "    addressing: {request_id: 0x726",
        "    adressing: {request_id: 0x726",
        "ecus[2].adressing",
        "unknown key 'adressing'; did you mean 'addressing'",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "path", "reason"), [case[1:] for case in VEHICLE_CASES], ids=[case[0] for case in VEHICLE_CASES]
)
def test_bad_vehicle_file(tmp_path: Path, old: str, new: str, path: str, reason: str) -> None:
    file = _vehicle_variant(tmp_path, old, new)
    with pytest.raises(DescriptionError) as caught:
        load_any(file)
    message = str(caught.value)
    assert str(file) in message
    assert caught.value.path == path, message
    assert reason in caught.value.reason, message
    assert caught.value.line is not None


def test_vehicle_unknown_profile(tmp_path: Path) -> None:
    file = _vehicle_variant(tmp_path, "vehicle:", "vehicle:")
    with pytest.raises(DescriptionError, match="unknown profile 'nightly'; available profiles: 'ci'"):
        load_vehicle(file, profile="nightly")


def test_unknown_routine_precondition_is_an_error(tmp_path):
    bad = tmp_path / "ecu.yaml"
    bad.write_text(DEMO_ECU.read_text().replace("preconditions: [engine_off]", "preconditions: [engine_of]"))
    with pytest.raises(DescriptionError) as caught:
        load_ecu_description(bad)
    message = str(caught.value)
    assert str(bad) in message and "routines[1].preconditions[0]" in message and "engine_of" in message


def test_a_loaded_description_is_reused_until_its_file_changes(tmp_path):
    import os

    from UdsLibrary.description import load_any

    copy = tmp_path / "ecu.yaml"
    copy.write_text(DEMO_ECU.read_text())
    first = load_any(copy)
    assert load_any(copy) is first
    copy.write_text(DEMO_ECU.read_text().replace("name: SIM-1", "name: SIM-9"))
    os.utime(copy, ns=(os.stat(copy).st_atime_ns, os.stat(copy).st_mtime_ns + 1_000_000))
    assert load_any(copy).name == "SIM-9"
    assert load_any(copy, profile="ci") is not load_any(copy)
