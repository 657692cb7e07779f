"""Benches shared out among parallel suites: pabot's PabotLib value sets, with a timeout.

pabot already shares out value sets (`pabot --pabotlib --resourcefile <file>`): one section per
bench, with the bench file and its tags. What its `Acquire Value Set` keyword cannot do is give up:
it polls until a matching set is free, for ever, so a hung suite that holds a bench hangs every
suite waiting for it. `BenchPool` talks to the same PabotLib server (the `_PabotLib` methods pabot's
own keywords call remotely) and adds the missing parts: a deadline, disabling a broken bench with
a reason every process can read, and a clear sentence when no bench is left. Under plain `robot`
the pool is pabot's in-process `_PabotLib` holding the one bench of `${BENCH}`, so suites run
unchanged without pabot; so it is under pabot without value sets when that bench is a simulator on
python-can's in-process `virtual` bus (each process has its own), never for a bench processes share.

`resources/bench.resource` builds `Acquire Bench` and `Release Bench` on these keywords.

`HostLinks` is for the step after: several bench hosts' results combined with `rebot` (see
docs/jenkins.md). Each host's log links its traces and reports relative to that host's folder;
rebot copies messages as they are, so in the combined log the links would point at the wrong
folder. `rebot --prerebotmodifier UdsLibrary.pabot_benches.HostLinks` puts the host's folder in
front of them. Nothing in Robot Framework or pabot rewrites links across folders, hence this.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from pabot.pabotlib import _PabotLib
from robot.api.deco import keyword, library
from robot.errors import RemoteError
from robot.libraries.BuiltIn import BuiltIn
from robot.libraries.Remote import Remote
from robot.model import SuiteVisitor
from robot.utils import secs_to_timestr

from UdsLibrary.bench import Bench, load_bench
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import to_seconds
from UdsLibrary.log import logger

POLL_SECONDS = 0.2  # between two attempts to reserve a busy bench
REMOTE_TIMEOUT = 60.0  # one call to the PabotLib server; a dead server must not hang the suite
DISABLED_KEY = "UdsLibrary disabled benches"  # PabotLib parallel value: {name: {"reason", "tags"}}
LOCAL_CALLER = "robot"


class BenchUnavailableError(UdsLibraryError):
    """No bench could be reserved: none free in time, none matching, or PabotLib unreachable."""


class _Pool(Protocol):
    where: str

    def call(self, method: str, *args: Any) -> Any: ...


class _RemotePool:
    """The PabotLib server that `pabot --pabotlib` starts; every pabot process talks to it."""

    def __init__(self, uri: str) -> None:
        self.where = f"PabotLib at {uri}"
        self._remote = Remote(uri, timeout=REMOTE_TIMEOUT)

    def call(self, method: str, *args: Any) -> Any:
        return self._remote.run_keyword(method, list(args), {})


class _LocalPool:
    """Plain `robot`: pabot's own value-set store, in this process, holding the bench of `${BENCH}`."""

    where = "${BENCH}"

    def __init__(self, file: str, bench: Bench) -> None:
        self._lib = _PabotLib()
        self._lib.add_value_to_set(bench.name, {"bench": file, "tags": ", ".join(bench.tags)})

    def call(self, method: str, *args: Any) -> Any:
        return getattr(self._lib, method)(*args)


@library(scope="GLOBAL", auto_keywords=False, doc_format="ROBOT")
class BenchPool:
    """Reserves a bench for a suite from pabot's value sets, with a timeout.

    Meant to be used through `resources/bench.resource` (`Acquire Bench`, `Release Bench`). Under
    ``pabot --pabotlib --resourcefile <value-set file>`` the benches are the sections of the
    value-set file (``bench`` = the bench file, ``tags`` = what the bench carries); under plain
    ``robot`` the only bench is the file in ``${BENCH}``.
    """

    def __init__(self) -> None:
        self._pool: _Pool | None = None
        self._caller = LOCAL_CALLER
        self._reserved: dict[str, Any] | None = None
        self.ROBOT_LIBRARY_LISTENER = _ReleaseAtClose(self)

    # ------------------------------------------------------------------ keywords
    @keyword("Reserve Bench")
    def reserve_bench(self, *tags: str, timeout: str | float = "15 min") -> dict[str, Any]:
        """Reserves a free bench carrying every tag in ``tags`` and returns it as a dictionary with
        ``name``, ``file`` (the bench file) and ``tags``.

        Waits while every matching bench is reserved by other suites, at most ``timeout`` (a Robot
        Framework time); then fails saying so, instead of waiting for ever. Fails at once when no
        bench carries the tags, or when every one that does was disabled (the message lists them
        with the reason).

        Under plain ``robot`` it returns the bench in ``${BENCH}``, after checking that its file
        carries the tags (``bench.tags``).

        Example:
        | ${bench} = | Reserve Bench | demo-ecu | timeout=5 min |
        | Open UDS Connection | ${bench}[file] |
        """
        if self._reserved is not None:
            raise BenchUnavailableError(
                f"this suite already holds bench {self._reserved['name']}: give it back with `Release Bench` "
                "before acquiring another")
        seconds = to_seconds(timeout, "timeout")
        pool = self._connect(tags)
        wanted = _tags_text(tags)
        start = time.monotonic()
        waiting = False
        while True:
            try:
                name, values = pool.call("acquire_value_set", self._caller, *tags)
            except RemoteError as error:
                if "never imported" in str(error) and (local := self._private_simulated_bench(tags)) is not None:
                    pool = self._pool = local  # pabot without value sets, a bench no other process can see
                    continue
                raise self._unavailable(pool, tags, str(error)) from None
            except AssertionError as error:  # the local pool: raised without the remote wrapping
                raise self._unavailable(pool, tags, str(error)) from None
            except ValueError as error:
                raise self._unavailable(pool, tags, str(error)) from None
            except RuntimeError as error:
                raise BenchUnavailableError(self._unreachable(pool, error)) from None
            if name:
                break
            waited = time.monotonic() - start
            if waited >= seconds:
                raise BenchUnavailableError(
                    f"no bench {wanted} became free within {secs_to_timestr(seconds)}: other suites held every "
                    f"one all that time; a suite that hangs keeps its bench (pabot's --processtimeout ends it), "
                    f"and long suites need a longer wait (--variable BENCH_TIMEOUT:30min)")
            if not waiting:
                logger.info(f"Every bench {wanted} is reserved by another suite; waiting up to "
                            f"{secs_to_timestr(seconds)}")
                waiting = True
            time.sleep(min(POLL_SECONDS, max(0.0, seconds - waited)))
        file = str(values.get("bench", "")).strip()
        reserved = {"name": name, "file": file, "tags": list(values.get("tags") or [])}
        self._reserved = reserved
        if not file:
            self.disable_bench("its section in the value-set file has no `bench =` line naming the bench file")
            return self.reserve_bench(*tags, timeout=max(0.0, seconds - (time.monotonic() - start)))
        after = f" after waiting {secs_to_timestr(round(time.monotonic() - start, 1))}" if waiting else ""
        logger.info(f"Reserved bench {name} ({file}) from {pool.where}{after}")
        return reserved

    @keyword("Use Bench For Suite")
    def use_bench_for_suite(self) -> str:
        """Records that the current suite runs on the reserved bench: sets ``${BENCH}`` to its
        bench file for the suite and its child suites, and the suite metadata ``Bench`` to its
        name (so report.html shows where each suite ran). Returns the bench file.

        Example:
        | ${bench} = | Reserve Bench | demo-ecu |
        | Open UDS Connection | ${bench}[file] |
        | Use Bench For Suite |
        """
        reserved = self._reserved
        if reserved is None:
            raise BenchUnavailableError("no bench is reserved: call `Reserve Bench` (or `Acquire Bench`) first")
        builtin = BuiltIn()
        builtin.set_suite_variable("${BENCH}", reserved["file"], "children=True")
        builtin.set_suite_metadata("Bench", reserved["name"])
        return reserved["file"]

    @keyword("Disable Bench")
    def disable_bench(self, reason: str) -> None:
        """Takes the reserved bench out of the pool for the rest of the run, because of ``reason``
        (one sentence: what failed), and logs a warning. Suites that later ask for a bench get
        another one; when none is left, `Reserve Bench` fails listing the disabled benches with
        their reasons. Does nothing when no bench is reserved.

        Example:
        | Disable Bench | ECU did not answer TesterPresent at setup |
        """
        reserved = self._reserved
        if reserved is None or self._pool is None:
            return
        self._reserved = None
        pool = self._pool
        try:
            self._record_disabled(pool, reserved, reason)
            pool.call("disable_value_set", reserved["name"], self._caller)
        except (RemoteError, RuntimeError) as error:
            logger.warn(f"Could not disable bench {reserved['name']} in {pool.where}: {error}")
            return
        logger.warn(f"Bench {reserved['name']} ({reserved['file']}) is disabled for the rest of the run: {reason}")

    @keyword("Return Bench")
    def return_bench(self) -> None:
        """Gives the reserved bench back to the pool so another suite can take it; does nothing
        when no bench is reserved.

        Example:
        | Return Bench |
        """
        reserved = self._reserved
        if reserved is None or self._pool is None:
            return
        self._reserved = None
        try:
            self._pool.call("release_value_set", self._caller)
        except (RemoteError, RuntimeError) as error:
            logger.warn(f"Could not give bench {reserved['name']} back to {self._pool.where}: {error}")
            return
        logger.info(f"Bench {reserved['name']} is free for other suites")

    @keyword("Switch To Bench Connection")
    def switch_to_bench_connection(self) -> bool:
        """Makes the open UDS connection to the reserved bench the active one and returns True;
        returns False when no bench is reserved or no connection to it is open.

        Example:
        | ${open} = | Switch To Bench Connection |
        | IF | ${open} | Send UDS Request | 3E 00 |
        """
        reserved = self._reserved
        if reserved is None:
            return False
        uds = BuiltIn().get_library_instance("UdsLibrary")
        wanted = Path(reserved["file"]).resolve()
        for index, target in enumerate(uds.targets, start=1):
            source = target.bench.source
            if source is not None and Path(source).resolve() == wanted:
                uds.targets.switch(index)
                return True
        return False

    # ------------------------------------------------------------------ the pool
    def _connect(self, tags: tuple[str, ...]) -> _Pool:
        if self._pool is not None:
            return self._pool
        variables = BuiltIn()
        caller = variables.get_variable_value("${CALLER_ID}")
        if caller:  # pabot sets CALLER_ID and PABOTLIBURI for every process it starts
            self._caller = str(caller)
            self._pool = _RemotePool(str(variables.get_variable_value("${PABOTLIBURI}", "127.0.0.1:8270")))
            return self._pool
        given = _variable_bench()
        if given is None:
            raise BenchUnavailableError(
                "no bench: run the suite with --variable BENCH:<bench file>, or with pabot --pabotlib "
                "--resourcefile <value-set file>")
        file, bench = given
        missing = [tag for tag in tags if tag not in bench.tags]
        if missing:
            carried = ", ".join(bench.tags) or "no tags"
            raise BenchUnavailableError(
                f"the bench in ${{BENCH}} ({file}) carries {carried} (bench.tags), but the suite needs "
                f"{', '.join(missing)}: give it a bench that does with --variable BENCH:<bench file>")
        self._pool = _LocalPool(file, bench)
        return self._pool

    def _private_simulated_bench(self, tags: tuple[str, ...]) -> _LocalPool | None:
        """Under pabot without value sets (no ``--resourcefile``): the bench in ``${BENCH}`` when it
        is a simulated ECU on python-can's in-process ``virtual`` bus. Every process then starts a
        simulator of its own, so sharing the file takes nothing from another suite; a bench on a real
        interface or on ``udp_multicast`` is never shared this way (None: the caller fails)."""
        try:
            given = _variable_bench()
        except UdsLibraryError:
            return None
        if given is None:
            return None
        file, bench = given
        if bench.simulator is None or bench.interface != "virtual" or any(tag not in bench.tags for tag in tags):
            return None
        logger.info(f"PabotLib has no value sets (pabot without --resourcefile): this process uses its own "
                    f"simulated bench {bench.name} from ${{BENCH}} ({file})")
        return _LocalPool(file, bench)

    def _unavailable(self, pool: _Pool, tags: tuple[str, ...], error: str) -> BenchUnavailableError:
        disabled = self._disabled(pool)
        matching = {name: entry for name, entry in disabled.items()
                    if all(tag in entry.get("tags", []) for tag in tags)}
        wanted = _tags_text(tags)
        if matching:
            listed = "; ".join(f"{name}: {entry['reason']}" for name, entry in matching.items())
            return BenchUnavailableError(f"no working bench {wanted} is left; disabled: {listed}")
        if "never imported" in error:
            return BenchUnavailableError(
                "PabotLib has no benches: start pabot with --resourcefile <value-set file> "
                "(resources/benches/simulated.dat lists the simulated ones); without one, only a bench "
                "simulated in-process (virtual bus) in ${BENCH} can be used, one per process")
        if "No value set matching" in error:
            return BenchUnavailableError(f"no bench in the value-set file is tagged {', '.join(tags)}")
        return BenchUnavailableError(f"{pool.where} refused to reserve a bench {wanted}: {error}")

    @staticmethod
    def _unreachable(pool: _Pool, error: Exception) -> str:
        return (f"{pool.where} is not reachable ({error}): run pabot with its PabotLib (--pabotlib, not "
                "--no-pabotlib) and --resourcefile <value-set file>, or the suite with robot and "
                "--variable BENCH:<bench file>")

    def _disabled(self, pool: _Pool) -> dict[str, dict[str, Any]]:
        try:
            text = pool.call("get_parallel_value_for_key", DISABLED_KEY)
        except (RemoteError, RuntimeError):
            return {}
        return json.loads(text) if text else {}

    def _record_disabled(self, pool: _Pool, reserved: dict[str, Any], reason: str) -> None:
        # Read-modify-write of one shared value: under PabotLib's lock, so two processes disabling
        # benches at the same moment do not lose each other's entry.
        lock = DISABLED_KEY
        deadline = time.monotonic() + 10.0
        locked = pool.call("acquire_lock", lock, self._caller)
        while not locked and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            locked = pool.call("acquire_lock", lock, self._caller)
        try:
            disabled = self._disabled(pool)
            disabled[reserved["name"]] = {"reason": reason, "tags": reserved["tags"]}
            pool.call("set_parallel_value_for_key", DISABLED_KEY, json.dumps(disabled))
        finally:
            if locked:
                pool.call("release_lock", lock, self._caller)


class _ReleaseAtClose:
    """Last line of defence: a suite that ends without `Release Bench` still gives its bench back."""

    ROBOT_LISTENER_API_VERSION = 3

    def __init__(self, pool: BenchPool) -> None:
        self._pool = pool

    def close(self) -> None:
        if self._pool._reserved is not None:
            self._pool.return_bench()


def _variable_bench() -> tuple[str, Bench] | None:
    """The bench file in ``${BENCH}`` (normalised) and the bench it describes; None when unset."""
    file = BuiltIn().get_variable_value("${BENCH}")
    if not file:
        return None
    file = os.path.normpath(str(file))
    return file, load_bench(file)


def _tags_text(tags: tuple[str, ...]) -> str:
    return f"tagged {', '.join(tags)}" if tags else "at all"


class HostLinks(SuiteVisitor):
    """Pre-rebot modifier for combining bench hosts' results: in every suite directly under the
    combined top suite, relative links in HTML log messages get the suite's name as a folder in
    front (``traces/x.blf`` -> ``bench-host-1/traces/x.blf``). Each host's results must therefore
    be in a folder named like its top suite (``pabot --name bench-host-1 --outputdir
    results/bench-host-1``) next to the combined output.

    | rebot --prerebotmodifier UdsLibrary.pabot_benches.HostLinks --outputdir results
    |       results/bench-host-1/output.xml results/bench-host-2/output.xml
    """

    def visit_suite(self, suite: Any) -> None:  # the combined top suite only
        for host in suite.suites:
            host.visit(_PrefixLinks(quote(host.name) + "/"))


class _PrefixLinks(SuiteVisitor):
    # href="..." or src='...' whose target is relative: no scheme (http:, file:), no /, no #anchor
    _LINK = re.compile(r"""(\b(?:href|src)=)(["'])(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)""")

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix

    def visit_message(self, message: Any) -> None:
        if message.html:
            message.message = self._LINK.sub(lambda m: m.group(1) + m.group(2) + self._prefix, message.message)
