"""End-of-line (EOL) keywords: the station configuration, barcodes, EOL steps with expected and actual
values, and the report for the MES with its row in the quality database.

The sequence itself stays tabular (``resources/eol.resource``): each step is an ordinary keyword of
this library run through `EOL Step`, which records what was expected, what came back, pass/fail and
how long it took. `Write EOL Report` (in the test teardown, so a failing ECU is reported too) turns
the steps into the JSON report of ``UdsLibrary/eol/schemas/eol-report-1.json``, delivers it to the
MES folder (or the spool) and adds the result to the quality database.
"""

from __future__ import annotations

import contextlib
import html
import math
import os
import re
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robot.api.deco import keyword
from robot.api.types import Secret
from robot.errors import ExecutionFailed
from robot.libraries.BuiltIn import BuiltIn, register_run_keyword
from robot.utils import DotDict

from UdsLibrary import nrc as nrcs
from UdsLibrary.converters import parse_hex
from UdsLibrary.eol.barcode import BarcodePattern, Unit
from UdsLibrary.eol.config import StationConfig, load_station
from UdsLibrary.eol.database import QualityDatabase, format_summary
from UdsLibrary.eol.delivery import Delivered, DeliveryError, ReportDelivery
from UdsLibrary.eol.report import EolReport, Step, dump, file_name, read_report
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import LibraryComponent, Target
from UdsLibrary.keywords.data import to_number
from UdsLibrary.log import in_robot, logger

if TYPE_CHECKING:
    from UdsLibrary.library import UdsLibrary

_FORMATTED_HEX = re.compile(r"[0-9A-F]{2}( [0-9A-F]{2})*")
_NOTHING = ("", "NONE", "${NONE}")

# `EOL Step` runs another keyword with its arguments: Robot must hand those arguments over unresolved,
# so that `secret=${KEY}` reaches the keyword as the Secret object (not as text) and named arguments
# keep working. The first three (name, expected, keyword) are resolved as usual.
register_run_keyword("UdsLibrary", "EOL Step", args_to_process=3, deprecation_warning=False)


class EolStepError(UdsLibraryError):
    """An EOL step failed: the keyword failed, its value was not the expected one, or it took too long."""


def expected_value(expected: Any) -> Any:
    """None when the step only has to succeed (``${NONE}`` or empty), else the expected value."""
    if expected is None or (isinstance(expected, str) and expected.strip() in _NOTHING):
        return None
    return expected


def as_text(value: Any, expected: Any = None) -> str | None:
    """A value as the report shows it: numbers in hex when the expected value is written in hex."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        hexadecimal = isinstance(expected, str) and expected.strip().lower().startswith("0x")
        return f"0x{value:02X}" if hexadecimal else str(value)
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, dict):
        return ", ".join(f"{key}={as_text(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(as_text(item)) for item in value)
    return str(value)


def matches(expected: Any, actual: Any) -> bool:
    """Numbers compare as numbers (``0x03`` equals 3), hex bytes as bytes (``0A0B`` equals ``0A 0B``),
    anything else as text."""
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        try:
            number = to_number(expected, "expected value")
        except UdsLibraryError:
            return str(expected).strip() == as_text(actual)
        return math.isclose(actual, number, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(actual, str):
        wanted, got = str(expected).strip(), actual.strip()
        if wanted == got:
            return True
        if _FORMATTED_HEX.fullmatch(got):
            try:
                return parse_hex(wanted) == parse_hex(got)
            except UdsLibraryError:
                return False
        return False
    return as_text(expected) == as_text(actual)


def _quoted(text: str | None) -> str:
    return "nothing" if text is None else f"'{text}'"


class EolKeywords(LibraryComponent):
    """Load EOL Station, Parse Barcode, Start EOL Report, Get EOL Test, EOL Step, Record EOL Identification,
    Write EOL Report, Read EOL Report, EOL Summary."""

    def __init__(self, library: UdsLibrary) -> None:
        super().__init__(library)
        self.station: StationConfig | None = None
        self.secret: Secret | None = None
        self.report: EolReport | None = None

    # ------------------------------------------------------------------ helpers
    def _station(self, keyword_name: str) -> StationConfig:
        if self.station is None:
            raise UdsLibraryError(f"'{keyword_name}' needs a station: use 'Load EOL Station' first")
        return self.station

    def _report(self, keyword_name: str) -> EolReport:
        if self.report is None:
            raise UdsLibraryError(f"'{keyword_name}' needs an EOL report in progress: use 'Start EOL Report' first")
        return self.report

    def _current(self) -> Target | None:
        return self.lib.targets.current if self.lib.targets else None

    def _delivery(self, station: StationConfig) -> ReportDelivery:
        return ReportDelivery(station.mes_folder, station.spool_folder, create_mes_folder=station.create_mes_folder)

    @staticmethod
    def _robot_variable(name: str) -> Any:
        return BuiltIn().get_variable_value(name) if in_robot() else None

    # ------------------------------------------------------------------ station and barcode
    @keyword("Load EOL Station", tags=["eol"])
    def load_eol_station(self, path: str | Path, **overrides: Any) -> DotDict:
        """Loads the station configuration (a YAML file, see ``resources/stations/demo_station.yaml``)
        that the other EOL keywords use, delivers reports spooled by earlier runs to the MES folder,
        and returns the settings a suite needs.

        ``overrides`` replace settings of the file (paths relative to the working directory):
        ``bench``, ``mes_folder``, ``spool_folder``, ``database``, ``output``, ``create_mes_folder``,
        ``step_time_limit``, ``variant_code``, ``trace_format``.

        The returned dictionary has ``station_id``, ``tester_serial``, ``bench`` (the bench file),
        ``security_level``, ``key_algorithm`` (``None``: the ECU description's), ``secret`` (a
        ``Secret`` from the station's ``security.secret_env``, or ``None`` for the ECU description's
        secret), ``trace_format``, ``mes_folder``, ``spool_folder`` and ``database``. The secret is
        never logged; without ``security.secret_env`` set (and without ``description_secret: true``)
        the keyword fails before any ECU is touched.

        Examples:
        | ${station} = | Load EOL Station | ${CURDIR}/stations/demo_station.yaml |
        | Open UDS Connection | ${station}[bench] |
        | ${station} = | Load EOL Station | ${STATION_FILE} | mes_folder=${OUTPUT DIR}/mes | database=${TEMPDIR}/q.db |
        """
        config = load_station(path)
        if overrides:
            config = config.with_overrides(**overrides)
        secret = config.security.secret()
        self.station = config
        self.secret = Secret(secret.hex().upper()) if secret is not None else None
        self._deliver_spooled(config)
        logger.info(f"EOL station {config.station_id} (tester {config.tester_serial}) from {config.source}: bench "
                    f"{config.bench}, MES folder {config.mes_folder} (spool {config.spool_folder}), database "
                    f"{config.database}; security level 0x{config.security.level:02X} with key algorithm "
                    f"{config.security.algorithm or 'of the ECU description'} and the secret from "
                    f"{config.security.secret_origin()}")
        return self._settings(config)

    def _settings(self, config: StationConfig) -> DotDict:
        return DotDict(
            station_id=config.station_id, tester_serial=config.tester_serial, bench=str(config.bench),
            security_level=f"{config.security.level:02X}", key_algorithm=config.security.algorithm,
            secret=self.secret, trace_format=config.trace_format, mes_folder=str(config.mes_folder),
            spool_folder=str(config.spool_folder), database=str(config.database))

    def _deliver_spooled(self, config: StationConfig) -> list[tuple[Path, Path]]:
        delivered = self._delivery(config).flush_spool()
        if delivered:
            with QualityDatabase(config.database) as database:
                for spooled, target in delivered:
                    database.mark_delivered(str(spooled), str(target))
        return delivered

    @keyword("Parse Barcode", tags=["eol"])
    def parse_barcode(self, barcode: str, pattern: str | None = None) -> DotDict:
        """Splits a scanned barcode into ``part_number``, ``serial`` and ``vin`` (returned as a
        dictionary with the ``barcode`` itself) and fails if it is malformed - before anything is sent.

        ``pattern`` is a regular expression with the named groups ``part_number``, ``serial`` and
        ``vin``; default: the loaded station's pattern, else ``<part number>;<serial>;<VIN>``. The
        whole barcode must match (surrounding whitespace is ignored); the VIN must be 17 characters
        without I, O and Q. In the second example ``${SERIAL_VIN_PART}`` is
        ``(?P<serial>[0-9A-Z]+)/(?P<vin>[0-9A-Z]{17})/(?P<part_number>[0-9A-Z]+)``.

        Examples:
        | ${unit} = | Parse Barcode | 03L906018A;SN00000042;WVWZZZ1JZXW000001 |
        | Should Be Equal | ${unit}[vin] | WVWZZZ1JZXW000001 |
        | ${unit} = | Parse Barcode | SN42/WVWZZZ1JZXW000001/03L906018A | pattern=${SERIAL_VIN_PART} |
        """
        if pattern is not None:
            parser = BarcodePattern(pattern)
        elif self.station is not None:
            parser = self.station.barcode
        else:
            parser = BarcodePattern()
        return DotDict(parser.parse(barcode).as_dict())

    # ------------------------------------------------------------------ the report
    @keyword("Start EOL Report", tags=["eol"])
    def start_eol_report(self, barcode: str, *, run_id: str | None = None) -> DotDict:
        """Starts the EOL report of the ECU whose barcode was scanned, and its cycle time; returns the
        unit: ``barcode``, ``part_number``, ``serial``, ``vin``, ``variant_code`` (the code the station
        writes for that part number) and ``report_id``.

        The barcode is parsed with the station's pattern (see `Parse Barcode`): a malformed barcode,
        or a part number without a variant code, fails here - before anything is sent to the ECU.
        ``run_id`` (32 hex digits or a UUID) becomes the report id; ``uds station`` passes one to
        find the result afterwards. Needs `Load EOL Station` first.

        Example:
        | Load EOL Station | ${STATION_FILE} |
        | ${unit} = | Start EOL Report | ${BARCODE} |
        | EOL Step | VIN | ${unit}[vin] | Read DID | VIN |
        """
        station = self._station("Start EOL Report")
        if self.report is not None:
            logger.warn(f"The EOL report of ECU {self.report.unit.serial} was never written ('Write EOL Report' did "
                        "not run): it is dropped")
            self.report = None
        unit: Unit = station.barcode.parse(barcode)
        variant = station.variant_for(unit.part_number)
        report = EolReport(unit=unit, station_id=station.station_id, tester_serial=station.tester_serial,
                           bench=station.bench.stem, variant_code=variant)
        if run_id not in (None, ""):
            try:
                report.report_id = uuid.UUID(str(run_id)).hex
            except ValueError:
                raise UdsLibraryError(f"run_id '{run_id}' is not a UUID (32 hex digits)") from None
        self.report = report
        logger.info(f"EOL test of ECU {unit.serial} (part number {unit.part_number}, VIN {unit.vin}) started at "
                    f"station {station.station_id}; variant code 0x{variant:02X}; report id {report.report_id}")
        return self._unit(report)

    @staticmethod
    def _unit(report: EolReport) -> DotDict:
        return DotDict(report.unit.as_dict(), variant_code=report.variant_code, report_id=report.report_id)

    @keyword("Get EOL Test", tags=["eol"])
    def get_eol_test(self) -> DotDict | None:
        """Returns the EOL test in progress (between `Start EOL Report` and `Write EOL Report`), or
        ``None`` when there is none (e.g. the barcode was refused).

        The dictionary has ``station`` (the settings `Load EOL Station` returns), ``unit`` (what
        `Start EOL Report` returns: barcode fields, ``variant_code``, ``report_id``) and
        ``connected`` (a UDS connection is open), so that the keywords of a sequence and its
        teardown need no test variables.

        Examples:
        | ${eol} = | Get EOL Test |
        | EOL Step | VIN | ${eol.unit.vin} | Read DID | VIN |
        | IF | $eol is not None and $eol.connected |
        | | EOL Step | Default session | 0x01 | Change Session | default |
        | END |
        """
        if self.report is None or self.station is None:
            return None
        return DotDict(station=self._settings(self.station), unit=self._unit(self.report),
                       connected=bool(self.lib.targets))

    @keyword("EOL Step", tags=["eol"])
    def eol_step(self, name: str, expected: Any, keyword: str, *args: Any) -> Any:
        """Runs ``keyword`` with ``args`` as the EOL step ``name`` and records it in the EOL report:
        the expected value, the actual one, pass/fail and the duration. Returns what the keyword returns.

        ``expected`` is compared with the keyword's return value: numbers as numbers (``0x03``
        equals ``3``), hex bytes as bytes, anything else as text. ``${NONE}`` (or empty) means the
        step only has to succeed.

        The step fails - and with it the test - with one sentence naming the step, when:
        - the keyword fails (a negative response: the actual value is the NRC, and the reason keeps
          the library's hint, e.g. low supply voltage for NRC 0x22 on a session change);
        - its value is not the expected one (``expected 'X', got 'Y'``);
        - it took longer than its time limit (station ``limits``; the reason counts the 0x78
          responsePending answers, the sign of a slow NvM).
        The station's ``hints`` for the step name are added where the library has none.

        Arguments after ``keyword`` are handed to it as written, so named arguments and ``Secret``
        values work as in a direct call.

        Examples:
        | EOL Step | Extended session | 0x03 | Change Session | extended |
        | EOL Step | Security access | ${NONE} | Unlock Security Level | 01 | secret=${KEY} |
        | EOL Step | VIN | ${unit}[vin] | Read DID | VIN |
        | ${ident} = | EOL Step | Identification | ${NONE} | Read DID | sparePartNumber | ecuSerialNumber |
        """
        report = self._report("EOL Step")
        station = self._station("EOL Step")
        wanted = expected_value(expected)
        wanted_text = as_text(wanted)
        target = self._current()
        before = len(target.timings) if target is not None else 0
        started = time.perf_counter()
        try:
            value = BuiltIn().run_keyword(keyword, *args)
        except ExecutionFailed as error:
            duration = time.perf_counter() - started
            target = target or self._current()
            reason = self._with_hint(error.message, station.hint(name))
            actual = self._answer(target, before) or _first_line(error.message)
            report.add(Step(name, wanted_text, actual, False, duration, reason))
            logger.info(f"EOL step '{name}': FAIL after {duration * 1000:.0f} ms: {reason}")
            if error.exit or error.skip or error.timeout:
                raise
            raise EolStepError(f"EOL step '{name}' failed: {reason}") from None
        duration = time.perf_counter() - started
        target = target or self._current()
        actual = as_text(value, wanted)
        problem = None
        if wanted is not None and not matches(wanted, value):
            problem = self._with_hint(f"expected {_quoted(as_text(wanted))}, got {_quoted(actual)}",
                                      station.hint(name))
        elif duration > station.time_limit(name):
            problem = self._too_slow(name, duration, station, target, before)
        if problem is not None:
            report.add(Step(name, wanted_text, actual, False, duration, problem))
            logger.info(f"EOL step '{name}': FAIL after {duration * 1000:.0f} ms: {problem}")
            raise EolStepError(f"EOL step '{name}' failed: {problem}")
        report.add(Step(name, wanted_text, actual, True, duration))
        shown = f"{_quoted(actual)} as expected" if wanted is not None else (_quoted(actual) if actual else "done")
        logger.info(f"EOL step '{name}': PASS in {duration * 1000:.0f} ms: {shown}")
        return value

    @staticmethod
    def _with_hint(reason: str, hint: str | None) -> str:
        return f"{reason}; hint: {hint}" if hint and "hint:" not in reason else reason

    @staticmethod
    def _answer(target: Target | None, before: int) -> str | None:
        """What the ECU answered to the step's last request, when it was not a positive answer."""
        if target is None or len(target.timings) <= before or target.last is None:
            return None
        exchange = target.last
        final = exchange.final
        if final is None:
            pending = f" after {exchange.pending_count} x 0x78 responsePending" if exchange.pending_count else ""
            return f"no response{pending}"
        if final.is_negative and final.nrc is not None:
            return f"NRC 0x{final.nrc:02X} {nrcs.nrc_name(final.nrc)}"
        return None

    def _too_slow(self, name: str, duration: float, station: StationConfig, target: Target | None,
                  before: int) -> str:
        limit = station.time_limit(name)
        pending = sum(record.pending for record in target.timings[before:]) if target is not None else 0
        reason = f"it took {duration:.2f} s, longer than its limit of {limit:g} s"
        if pending:
            return (f"{reason}: the ECU answered {pending} x 0x78 responsePending (it needed more time, as a slow "
                    "NvM write does); hint: if the ECU's specification allows that time, raise the step's limit "
                    "(limits.steps in the station configuration, e.g. 10 s for NvM writes), otherwise the ECU's "
                    "NvM is too slow")
        return self._with_hint(reason, station.hint(name))

    @keyword("Record EOL Identification", tags=["eol"])
    def record_eol_identification(self, **values: Any) -> None:
        """Adds identification read from the ECU to the EOL report (``ecu.identification``), e.g. its
        part number, serial and software version; ``software_version`` also fills the report's
        ``ecu.software_version``.

        Example:
        | ${ident} = | EOL Step | Identification | ${NONE} | Read DID | sparePartNumber | F195 |
        | Record EOL Identification | part_number=${ident}[sparePartNumber] |
        | ... | software_version=${ident}[systemSupplierEcuSoftwareVersion] |
        """
        report = self._report("Record EOL Identification")
        if not values:
            raise UdsLibraryError("Record EOL Identification needs name=value pairs, e.g. software_version=0420")
        for name, value in values.items():
            report.identification[name] = as_text(value)
        if "software_version" in values:
            report.software_version = as_text(values["software_version"])
        logger.info("EOL identification: " + ", ".join(f"{k} = {as_text(v)}" for k, v in values.items()))

    @keyword("Write EOL Report", tags=["eol"])
    def write_eol_report(self, *, trace_file: str | Path | None = None, status: str | None = None,
                         message: str | None = None) -> str | None:
        """Finishes the EOL report: writes the JSON report for the MES (atomically; into the spool
        folder when the MES folder is unreachable, delivered by a later run), adds the result to the
        quality database and returns the report's path. Belongs in the test teardown, so that a
        failing ECU is reported too.

        The result is PASS when at least one step ran, every step passed and the test has not failed
        otherwise. In a test teardown the test's status and message are taken from Robot Framework
        (``status`` and ``message`` override them). ``trace_file`` is the CAN trace of the sequence.
        Without a report in progress (the barcode was refused) nothing is written and ``None`` is
        returned. The log links the report.

        Examples:
        | [Teardown] | Write EOL Report |
        | ${path} = | Write EOL Report | trace_file=${trace} |
        """
        report = self.report
        station = self.station
        if report is None or station is None:
            logger.info("No EOL report is in progress (the barcode was refused, or 'Start EOL Report' did not run): "
                        "nothing to write.")
            return None
        self.report = None
        if status is None:
            status = self._robot_variable("${TEST STATUS}")
        if message is None:
            message = self._robot_variable("${TEST MESSAGE}")
        test_failure = (str(message or "") or "the test failed") if str(status or "").upper() == "FAIL" else None
        target = self._current()
        if target is not None:
            report.bench = target.bench.name
        log_file = self._robot_variable("${LOG FILE}")
        data = report.finish(test_failure=test_failure, trace_file=str(trace_file) if trace_file else None,
                             log_file=str(log_file) if log_file and str(log_file).upper() != "NONE" else None)
        name = file_name(data)
        delivery = self._delivery(station)
        flushed = delivery.flush_spool()
        delivered: Delivered | None = None
        failure: DeliveryError | None = None
        try:
            delivered = delivery.deliver(name, dump(data))
        except DeliveryError as error:
            failure = error
        with QualityDatabase(station.database) as database:
            for spooled, target_file in flushed:
                database.mark_delivered(str(spooled), str(target_file))
            database.add(data, report_file=str(delivered.path) if delivered else None,
                         delivery="none" if delivered is None else "spool" if delivered.spooled else "mes")
        if failure is not None:
            raise failure
        assert delivered is not None
        self._log_written(data, delivered)
        return str(delivered.path)

    def _log_written(self, data: dict[str, Any], delivered: Delivered) -> None:
        where = "spooled in" if delivered.spooled else "written to"
        verdict = data["result"]
        ecu = data["ecu"]
        failure = data["failure"]
        why = f": {failure['step'] or 'test'}: {failure['reason']}" if failure else ""
        text = (f"EOL report {verdict} for ECU {ecu['serial']} (part number {ecu['part_number']}, cycle time "
                f"{data['cycle_time_s']:.2f} s){why}; {where} ")
        output_dir = self._robot_variable("${OUTPUT DIR}")
        link = delivered.path.as_uri() if delivered.path.is_absolute() else str(delivered.path)
        if output_dir:
            with contextlib.suppress(ValueError):  # another drive (Windows): keep the absolute link
                link = Path(os.path.relpath(delivered.path, output_dir)).as_posix()
        color = "green" if verdict == "PASS" else "red"
        logger.info(f"<b style='color:{color}'>{html.escape(text)}</b><a href=\"{html.escape(link)}\">"
                    f"{html.escape(str(delivered.path))}</a>", html=True)

    @keyword("Read EOL Report", tags=["eol"])
    def read_eol_report(self, path: str | Path) -> DotDict:
        """Reads an EOL report file, checks it against its schema (the ``schema_version`` it names) and
        returns it as a dictionary; fails naming the first problem.

        Example:
        | ${path} = | Write EOL Report |
        | ${report} = | Read EOL Report | ${path} |
        | Should Be Equal | ${report}[result] | PASS |
        """
        return DotDict(read_report(path))

    @keyword("EOL Summary", tags=["eol"])
    def eol_summary(self, part_number: str | None = None, *, database: str | Path | None = None) -> list[DotDict]:
        """Returns and logs the quality figures per part number from the quality database: ``tests``,
        ``units`` (distinct serials), ``yield`` (units whose latest test passed / units),
        ``first_pass_yield`` (units whose first test passed / units) and ``median_cycle_time_s``.

        ``database`` defaults to the loaded station's; ``part_number`` limits it to one part number.

        Examples:
        | ${summary} = | EOL Summary |
        | Should Be Equal As Numbers | ${summary}[0][first_pass_yield] | 1.0 |
        | EOL Summary | 03L906018A | database=${OUTPUT DIR}/quality.sqlite |
        """
        path = Path(database) if database else self._station("EOL Summary").database
        if not path.is_file():
            raise UdsLibraryError(f"there is no quality database at {path} yet")
        with QualityDatabase(path) as db:
            summaries = db.summary(part_number)
        logger.info(f"Quality figures from {path}:\n{format_summary(summaries)}")
        return [DotDict(summary.as_dict()) for summary in summaries]


def _first_line(message: str, limit: int = 200) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "failed"
    return line if len(line) <= limit else line[:limit - 3] + "..."
