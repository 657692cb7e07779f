"""Keyword logging outside a Robot run goes to Python logging and is not kept by Robot."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from robot.output.logger import LOGGER

from UdsLibrary.log import in_robot, logger


def test_outside_robot_messages_go_to_python_logging_as_plain_text(caplog):
    assert not in_robot()
    with caplog.at_level(logging.INFO, logger="UdsLibrary"):
        logger.info("<table><tr><th>Request</th><td><code>22 F1 90</code></td></tr></table>", html=True)
    assert caplog.records[-1].getMessage() == "Request: 22 F1 90"


def test_outside_robot_nothing_accumulates_in_robots_message_cache():
    cache = LOGGER._message_cache
    before = len(cache) if cache is not None else 0
    for _ in range(100):
        logger.info("x")
    after = len(LOGGER._message_cache) if LOGGER._message_cache is not None else 0
    assert after == before


def test_lazy_messages_are_only_built_when_someone_listens(caplog):
    built = []

    def message() -> str:
        built.append(1)
        return "expensive"

    logging.getLogger("UdsLibrary").setLevel(logging.WARNING)
    try:
        logger.info(message)
        assert built == []
    finally:
        logging.getLogger("UdsLibrary").setLevel(logging.NOTSET)


def _run_read_vin(tmp_path, level: str) -> str:
    import robot
    from robot.api import ExecutionResult

    root = Path(__file__).resolve().parents[2]
    suite = tmp_path / "frames.robot"
    suite.write_text(
        "*** Settings ***\nLibrary    UdsLibrary\n\n*** Test Cases ***\nRead\n"
        f"    Open UDS Connection    {root / 'resources' / 'benches' / 'sim-1.yaml'}\n"
        "    Read DID    VIN\n    [Teardown]    Close All UDS Connections\n")
    with open(os.devnull, "w") as quiet:
        robot.run(str(suite), outputdir=str(tmp_path / level), loglevel=level, log="NONE", report="NONE",
                  stdout=quiet)
    result = ExecutionResult(str(tmp_path / level / "output.xml"))
    messages: list[str] = []

    def collect(item) -> None:
        for child in getattr(item, "body", []):
            if getattr(child, "type", "") == "MESSAGE":
                messages.append(child.message)
            collect(child)

    collect(result.suite.tests[0])
    return "\n".join(messages)


def test_frames_are_logged_at_debug_only(tmp_path):
    at_debug = _run_read_vin(tmp_path, "DEBUG")
    at_info = _run_read_vin(tmp_path, "INFO")
    assert "uds-frames" in at_debug and "Tx 7E0" in at_debug and "Rx 7E8" in at_debug
    assert "uds-frames" not in at_info and "<table class='uds'>" in at_info


def test_long_payloads_are_abbreviated_in_the_request_table():
    from UdsLibrary.keywords.base import _abbreviated

    assert _abbreviated(bytes.fromhex("22 F1 90")) == "22 F1 90"
    text = _abbreviated(bytes(range(200)))
    assert text.startswith("00 01 02") and text.endswith("C4 C5 C6 C7 (200 bytes)") and len(text) < 130
