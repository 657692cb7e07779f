"""The conformance suites cover the catalogue: every case id of docs/conformance-catalogue.md starts
exactly one test name in suites/conformance, and every test there is a catalogue case, tagged with
its service and addressing and documented in one line."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from robot.api import TestSuiteBuilder as RobotSuiteBuilder
from robot.running import TestSuite as RobotSuite

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "docs" / "conformance-catalogue.md"
SUITES = ROOT / "suites" / "conformance"
CASE_ID = re.compile(r"^\| (GEN\d{2}|TC[0-9A-F]{4}) \|", re.MULTILINE)
STATED_COUNT = re.compile(r"\b(\d+) cases\.")
ADDRESSING = {"physical", "functional"}


@pytest.fixture(scope="module")
def catalogue_ids() -> list[str]:
    return CASE_ID.findall(CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def suite() -> RobotSuite:
    return RobotSuiteBuilder().build(str(SUITES))


def test_catalogue_ids_are_unique_and_as_many_as_stated(catalogue_ids: list[str]) -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    stated = STATED_COUNT.search(text)
    assert stated, "the catalogue no longer states its number of cases ('143 cases.')"
    duplicates = [case for case, count in Counter(catalogue_ids).items() if count > 1]
    assert not duplicates, f"case ids listed twice in the catalogue: {', '.join(duplicates)}"
    assert len(catalogue_ids) == int(stated.group(1))


def test_every_catalogue_case_starts_exactly_one_test_name(catalogue_ids: list[str], suite: RobotSuite) -> None:
    first_words = Counter(test.name.split()[0] for test in suite.all_tests)
    missing = [case for case in catalogue_ids if first_words[case] == 0]
    repeated = [case for case in catalogue_ids if first_words[case] > 1]
    assert not missing, f"catalogue cases without a test in {SUITES.name}: {', '.join(missing)}"
    assert not repeated, f"catalogue cases with more than one test: {', '.join(repeated)}"


def test_every_test_is_a_catalogue_case(catalogue_ids: list[str], suite: RobotSuite) -> None:
    known = set(catalogue_ids)
    strays = [f"{test.parent.name}: {test.name}" for test in suite.all_tests if test.name.split()[0] not in known]
    assert not strays, f"tests whose name does not start with a catalogue id: {strays}"


def test_every_test_names_service_rule_and_addressing(suite: RobotSuite) -> None:
    problems = []
    for test in suite.all_tests:
        tags = {str(tag).lower() for tag in test.tags}
        if not any(tag.startswith("sid:0x") for tag in tags):
            problems.append(f"{test.name}: no sid:0x.. tag")
        if len(tags & ADDRESSING) != 1:
            problems.append(f"{test.name}: needs exactly one of the tags physical, functional")
        rules = tags - ADDRESSING - {"conformance"} - {t for t in tags if t.startswith(("sid:", "requires:"))}
        if not rules:
            problems.append(f"{test.name}: no rule tag (nrc, sprmib, timing, session, security, positive...)")
        doc = test.doc.strip()
        if not doc or "\n" in doc:
            problems.append(f"{test.name}: documentation must be one line")
    assert not problems, "\n".join(problems)


def test_each_service_has_its_own_suite(suite: RobotSuite) -> None:
    files = sorted(path.name for path in SUITES.glob("*.robot") if path.name != "__init__.robot")
    prefixes = {name.split("_")[0] for name in files}
    assert {"00", "10", "11", "14", "19", "22", "27", "28", "2E", "31", "34", "3E", "85"} <= prefixes, files
    assert len(suite.suites) == len(files)
