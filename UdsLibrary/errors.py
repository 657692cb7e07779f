"""Errors of UdsLibrary that a user can cause and fix: they are reported without a traceback."""

from __future__ import annotations

from pathlib import Path


class UdsLibraryError(Exception):
    """Base of every user-facing error of the library (Robot Framework shows only the message)."""

    ROBOT_SUPPRESS_NAME = True


class DescriptionError(UdsLibraryError):
    """An ECU description or vehicle file is missing, unreadable or invalid.

    The message is ``"<file>, line N, <path>: <reason>"``; missing parts are left out.
    """

    def __init__(
        self,
        file: str | Path | None,
        path: str | None,
        reason: str,
        line: int | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.path = path or None
        self.reason = reason
        self.line = line
        location = ", ".join(
            part
            for part in (
                self.file,
                f"line {line}" if line is not None else None,
                self.path,
            )
            if part
        )
        super().__init__(f"{location}: {reason}" if location else reason)
