"""Keyword logging outside a Robot run goes to Python logging and is not kept by Robot."""

from __future__ import annotations

import logging

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
