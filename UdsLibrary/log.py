"""Logging for keywords that works inside and outside a Robot Framework run.

Inside a run, messages go to Robot's log (HTML where given). Outside one - the library used as a
plain Python API, e.g. by a station loop - Robot's logger would keep every message in memory until
an output file is opened, which never happens; there, messages go to Python's `logging` (logger
"UdsLibrary") as plain text, and HTML is only built when someone listens.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Callable

from robot.api import logger as robot_logger
from robot.running.context import EXECUTION_CONTEXTS

_python_logger = logging.getLogger("UdsLibrary")
_TAGS = re.compile(r"<[^>]+>")
_LEVELS = {"TRACE": 5, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING,
           "ERROR": logging.ERROR}


def in_robot() -> bool:
    """True while Robot Framework is running tests in this thread's process."""
    return EXECUTION_CONTEXTS.current is not None


_ROBOT_ORDER = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "NONE")


def enabled(level: str) -> bool:
    """Whether a message of `level` would be kept (Robot's current log level, or Python logging's)."""
    context = EXECUTION_CONTEXTS.current
    if context is not None:
        try:  # Robot 7 keeps the level on the running output; cheap, unlike a variable look-up
            current = str(context.output.log_level.level).upper()
        except AttributeError:
            from robot.libraries.BuiltIn import BuiltIn

            current = str(BuiltIn().get_variable_value("${LOG LEVEL}", "INFO")).upper()
        return current in _ROBOT_ORDER and _ROBOT_ORDER.index(level) >= _ROBOT_ORDER.index(current)
    return _python_logger.isEnabledFor(_LEVELS.get(level, logging.INFO))


def _plain(message: str) -> str:
    text = _TAGS.sub(" ", message.replace("</tr>", "; ").replace("</th>", ":"))
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip(" ;")


class _Logger:
    """`robot.api.logger`'s interface; messages may also be given lazily as a callable."""

    def write(self, message: str | Callable[[], str], level: str = "INFO", html: bool = False) -> None:
        if in_robot():
            robot_logger.write(message() if callable(message) else message, level, html)
            return
        python_level = _LEVELS.get(level, logging.INFO)
        if _python_logger.isEnabledFor(python_level):
            text = message() if callable(message) else message
            _python_logger.log(python_level, _plain(text) if html else text)

    def trace(self, message: str | Callable[[], str], html: bool = False) -> None:
        self.write(message, "TRACE", html)

    def debug(self, message: str | Callable[[], str], html: bool = False) -> None:
        self.write(message, "DEBUG", html)

    def info(self, message: str | Callable[[], str], html: bool = False) -> None:
        self.write(message, "INFO", html)

    def warn(self, message: str | Callable[[], str], html: bool = False) -> None:
        self.write(message, "WARN", html)

    def error(self, message: str | Callable[[], str], html: bool = False) -> None:
        self.write(message, "ERROR", html)

    @staticmethod
    def console(message: str, newline: bool = True, stream: str = "stdout") -> None:
        robot_logger.console(message, newline, stream)  # type: ignore[arg-type]


logger = _Logger()
