"""Which traces are recorded, where they go, and the link to them in log.html.

`TraceCapture` belongs to one library instance. It runs two kinds of capture:

* the library's policy (import argument ``trace=never|on_failure|always``): a trace of every test,
  started at test start on every open connection, kept (and linked in the log) or deleted at test
  end - ``on_failure`` keeps only the traces of failed tests;
* the keywords `Start Trace Capture` / `Stop Trace Capture`, for any span the suite chooses.

Both follow connections opened while they run (`sync`, called by the library listener after every
keyword). Default paths are ``${OUTPUT DIR}/traces/<suite>/<test>.<format>``; under pabot the file
name carries the pabot queue index, and pabot's ``--artifacts blf,asc --artifactsinsubfolders``
copies the files and rewrites the log's links.
"""

from __future__ import annotations

import html
import itertools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.log import in_robot, logger
from UdsLibrary.trace.capture import TRACE_FORMATS, TraceRecorder

if TYPE_CHECKING:
    from UdsLibrary.library import UdsLibrary

POLICIES = ("never", "on_failure", "always")
POLICY_FORMATS = ("blf", "asc")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def check_policy(policy: str, trace_format: str) -> tuple[str, str]:
    """The import arguments, checked: (policy, format)."""
    normal = str(policy).strip().lower().replace(" ", "_").replace("-", "_")
    if normal not in POLICIES:
        raise UdsLibraryError(f"trace must be one of {', '.join(POLICIES)}, got '{policy}'")
    fmt = str(trace_format).strip().lower().lstrip(".")
    if fmt not in POLICY_FORMATS:
        raise UdsLibraryError(f"trace_format must be one of {', '.join(POLICY_FORMATS)}, got '{trace_format}'")
    return normal, fmt


def safe_name(text: str, limit: int = 80) -> str:
    """A file name part from a suite or test name (spaces and odd characters become '_')."""
    name = _UNSAFE.sub("_", text.strip()).strip("._") or "unnamed"
    return name[:limit]


def _variable(name: str, default: Any = None) -> Any:
    if not in_robot():
        return default
    from robot.libraries.BuiltIn import BuiltIn

    return BuiltIn().get_variable_value(name, default)


class TraceCapture:
    """The running captures of one library instance (see the module docstring)."""

    def __init__(self, library: UdsLibrary, policy: str = "never", trace_format: str = "blf") -> None:
        self.lib = library
        self.policy, self.format = check_policy(policy, trace_format)
        self.keyword_recorder: TraceRecorder | None = None
        self.test_recorder: TraceRecorder | None = None
        self._used: set[Path] = set()
        self._counter = itertools.count(1)

    # ------------------------------------------------------------------ paths
    def default_path(self, trace_format: str, suite: str | None = None, test: str | None = None) -> Path:
        """``<output dir>/traces/<suite>/<test>[-p<pabot index>].<format>``, unique in this process."""
        output_dir = Path(_variable("${OUTPUT DIR}", os.getcwd()))
        suite = suite or _variable("${SUITE NAME}") or "suite"
        test = test or _variable("${TEST NAME}") or f"capture-{os.getpid()}"
        queue_index = _variable("${PABOTQUEUEINDEX}")
        suffix = f"-p{queue_index}" if queue_index not in (None, "") else ""
        folder = output_dir / "traces" / safe_name(suite)
        base = f"{safe_name(test)}{suffix}"
        path = folder / f"{base}.{trace_format}"
        while path in self._used or path.exists():  # a test name used twice, or a second capture
            path = folder / f"{base}-{next(self._counter)}.{trace_format}"
        self._used.add(path)
        return path

    @staticmethod
    def resolve_path(path: str | Path, trace_format: str) -> Path:
        """A path given by the user: relative to the output directory; its extension decides the format."""
        file = Path(path).expanduser()
        if not file.is_absolute():
            file = Path(_variable("${OUTPUT DIR}", os.getcwd())) / file
        if file.suffix.lower().lstrip(".") not in TRACE_FORMATS:
            file = file.with_name(f"{file.name}.{trace_format}")
        return file

    def format_for_benches(self) -> str:
        """The format the open benches ask for (the first that names one), else the library's."""
        return next((t.bench.trace_format for t in self.lib.targets if t.bench.trace_format), self.format)

    # ------------------------------------------------------------------ recorders
    def _connections(self) -> list:
        return [target.connection for target in self.lib.targets if not target.connection.closed]

    def start(self, path: Path) -> TraceRecorder:
        return TraceRecorder(path, *self._connections())

    def sync(self) -> None:
        """Attach the running recorders to connections opened since they started."""
        for recorder in (self.keyword_recorder, self.test_recorder):
            if recorder is not None and not recorder.closed:
                attached = {id(c) for c in recorder.connections}
                for connection in self._connections():
                    if id(connection) not in attached:
                        recorder.attach(connection)

    # ------------------------------------------------------------------ the policy (library listener)
    def start_test(self, suite: str, test: str) -> None:
        if self.policy == "never":
            return
        self._end_test_recorder(keep=False)  # a test that never ended (should not happen)
        try:
            self.test_recorder = self.start(self.default_path(self.format_for_benches(), suite, test))
        except UdsLibraryError as error:
            logger.warn(f"Trace capture of test '{test}' not started: {error}")

    def end_test(self, failed: bool) -> None:
        """Keep (and link) or delete the test's trace; a test without any connection leaves none."""
        keep = self.policy == "always" or (self.policy == "on_failure" and failed)
        self._end_test_recorder(keep=keep)

    def _end_test_recorder(self, keep: bool) -> None:
        recorder, self.test_recorder = self.test_recorder, None
        if recorder is None:
            return
        path = recorder.close()
        if keep and recorder.attached:
            log_link(path, recorder.frames, "Trace of this test")
        else:
            path.unlink(missing_ok=True)
            _remove_empty_parents(path.parent)

    def close(self) -> None:
        """Library teardown: close whatever still records (files are kept)."""
        for recorder in (self.keyword_recorder, self.test_recorder):
            if recorder is not None:
                recorder.close()
        self.keyword_recorder = self.test_recorder = None


def link_target(path: Path) -> str:
    """The path of a file as a link in log.html: relative to the log file's folder when possible."""
    log_file = _variable("${LOG FILE}")
    base = Path(log_file).parent if log_file and str(log_file).upper() != "NONE" else None
    base = base or Path(_variable("${OUTPUT DIR}", os.getcwd()))
    try:
        return os.path.relpath(path, base).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return path.resolve().as_uri()


def log_link(path: Path, frames: int, label: str) -> None:
    href = link_target(path)
    # double quotes: pabot rewrites href="..." links to the artifacts it copies
    logger.info(f'{html.escape(label)}: <a href="{html.escape(href)}">{html.escape(href)}</a> ({frames} frames)',
                html=True)


def _remove_empty_parents(folder: Path) -> None:
    """Remove the suite folder (and traces/) when the last trace in it was deleted."""
    for directory in (folder, folder.parent):
        ours = directory is folder or directory.name == "traces"
        if ours and directory.is_dir() and not any(directory.iterdir()):
            try:
                directory.rmdir()
            except OSError:  # another process put a file there meanwhile
                return
