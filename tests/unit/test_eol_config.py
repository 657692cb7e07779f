"""The station file: the demo station loads; mistakes name the file, line and key; the secret comes from
the environment (never quoted in a message) or, where allowed, from the ECU description."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from UdsLibrary.eol.config import load_station
from UdsLibrary.errors import DescriptionError, UdsLibraryError

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "stations" / "demo_station.yaml"
BENCH = ROOT / "resources" / "benches" / "sim-1.yaml"


def station_file(tmp_path: Path, **changes: object) -> Path:
    """The demo station with absolute paths, sections replaced by `changes` (None removes a key)."""
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["station"]["bench"] = str(BENCH)
    data["station"]["suite"] = str(ROOT / "suites" / "eol" / "eol.robot")
    data["station"]["output"] = str(tmp_path / "station")
    data["mes"] = {"folder": str(tmp_path / "mes"), "create_folder": True, "spool_folder": str(tmp_path / "spool")}
    data["database"] = str(tmp_path / "quality.sqlite")
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = tmp_path / "station.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_demo_station_loads_with_paths_relative_to_the_file() -> None:
    config = load_station(DEMO)
    assert config.station_id == "EOL-DEMO-01"
    assert config.tester_serial == "TS-0001"
    assert config.bench == BENCH
    assert config.mes_folder == ROOT / "results" / "mes"
    assert config.database == ROOT / "results" / "quality.sqlite"
    assert config.suite == ROOT / "suites" / "eol" / "eol.robot"
    assert config.variant_for("03L906018A") == 3
    assert config.security.level == 0x01 and config.security.algorithm == "xor"
    assert config.trace_format == "blf"
    assert config.time_limit("EOL calibration result") == 5.0
    assert config.time_limit("VIN") == 10.0
    assert config.hint("VIN")
    assert config.barcode.parse("03L906018A;SN00000042;WVWZZZ1JZXW000001").serial == "SN00000042"


def test_variant_codes_per_part_number_and_the_default(tmp_path: Path) -> None:
    config = load_station(station_file(tmp_path, variant={"code": 2, "by_part_number": {"PART000001": "0x05"}}))
    assert config.variant_for("PART000001") == 5
    assert config.variant_for("OTHER00001") == 2
    config = load_station(station_file(tmp_path, variant={"by_part_number": {"PART000001": 5}}))
    with pytest.raises(UdsLibraryError, match="part number OTHER00001 has no variant code at station EOL-DEMO-01"):
        config.variant_for("OTHER00001")


@pytest.mark.parametrize(("changes", "message"), [
    ({"databse": "x.sqlite"}, "unknown key 'databse'; did you mean 'database'?"),
    ({"database": None}, "missing required key 'database'"),
    ({"security": {"level": 2, "secret_env": "X"}}, "security.level: 0x02 is not a security level"),
    ({"security": {"level": 1}}, "security: no secret: set secret_env"),
    ({"security": {"secret_env": "1BAD", "level": 1}}, "security.secret_env: expected the name of an environment"),
    ({"limits": {"step_time": "soon"}}, "limits.step_time: expected a time such as '10 s'"),
    ({"limits": {"step_time": -1}}, "limits.step_time: expected a time"),
    ({"trace": {"format": "pcap"}}, "trace.format: 'pcap' is not allowed; expected one of 'blf', 'asc'"),
    ({"barcode": {"pattern": "(?P<serial>.+)"}}, "barcode.pattern: barcode pattern '(?P<serial>.+)' lacks"),
    ({"variant": {"code": 300}}, "variant.code: expected a byte"),
])
def test_mistakes_name_the_file_and_the_key(tmp_path: Path, changes: dict, message: str) -> None:
    path = station_file(tmp_path, **changes)
    with pytest.raises(DescriptionError) as error:
        load_station(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_a_missing_bench_file_is_named(tmp_path: Path) -> None:
    path = station_file(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["station"]["bench"] = "no-such-bench.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(DescriptionError, match=r"station.bench: bench file not found: .*no-such-bench.yaml"):
        load_station(path)


def test_a_bench_file_is_not_a_station_file() -> None:
    with pytest.raises(DescriptionError, match="this is a bench file, not a station file"):
        load_station(BENCH)


def test_the_secret_comes_from_the_environment_and_is_never_quoted(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_station(station_file(tmp_path, security={"level": 1, "secret_env": "EOL_TEST_SECRET"}))
    monkeypatch.setenv("EOL_TEST_SECRET", "0B AD C0 DE")
    assert config.security.secret() == bytes.fromhex("0BADC0DE")
    assert config.security.secret_origin() == "environment variable EOL_TEST_SECRET"
    monkeypatch.setenv("EOL_TEST_SECRET", "not hex 0BADC0DE")
    with pytest.raises(UdsLibraryError) as error:
        config.security.secret()
    assert "0BADC0DE" not in str(error.value)
    monkeypatch.delenv("EOL_TEST_SECRET")
    with pytest.raises(UdsLibraryError, match=r"EOL_TEST_SECRET \(security.secret_env of the station\) is not"):
        config.security.secret()


def test_the_description_secret_only_when_the_station_allows_it(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UDS_SIM1_SECRET", raising=False)
    config = load_station(DEMO)
    assert config.security.description_secret
    assert config.security.secret() is None  # the ECU description's secret
    assert config.security.secret_origin() == "the ECU description"


def test_overrides_replace_settings_and_refuse_unknown_names(tmp_path: Path) -> None:
    config = load_station(DEMO).with_overrides(mes_folder=str(tmp_path / "m"), create_mes_folder="false",
                                               step_time_limit="1.5 s", variant_code="0x04", trace_format="none")
    assert config.mes_folder == tmp_path / "m"
    assert config.create_mes_folder is False
    assert config.step_time_limit == 1.5
    assert config.variant_for("OTHER") == 4
    assert config.variant_for("03L906018A") == 3  # the part number's own code still wins
    assert config.trace_format is None
    with pytest.raises(UdsLibraryError, match="unknown station setting 'mes'; these can be overridden: bench"):
        load_station(DEMO).with_overrides(mes="x")
    with pytest.raises(UdsLibraryError, match="station setting 'step_time_limit' must be a time"):
        load_station(DEMO).with_overrides(step_time_limit="later")
