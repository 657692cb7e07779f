"""Parallel benches: the conformance and EOL suites with pabot on 1, 2 and 4 simulated benches.

Each condition is one pabot run as `make run` does it (`--pabotlib`, a value-set file listing the
benches, one process per bench), over the same suites, into a fresh output directory. The figure
is the wall time of the whole run (pabot's start, PabotLib, the suites, the merge) as a ratio to
the 1-bench run of the same round. Rounds are interleaved with the order rotated; ratios are
medians over rounds of the per-round ratios. Target: 4 benches >= 3x faster than 1 (the suites
mostly wait on ECU timers, so they should scale past the machine's two cores).

A fourth condition, "4 longest first", is pabot's own `--suitesfrom <output.xml>` with the warm-up
run's output: whole suites, the longest (and failed) ones started first.

A fifth condition, "4 ordered", runs the 4 benches with a pabot ordering file made from a
warm-up run's timings: the longest items first, and a suite longer than a quarter of the work
split into four groups of its tests (`--testlevelsplit --ordering <file>`, every other suite kept
whole by a `--suite` line, the groups as `{ --test ... }`). It shows how much of the gap is the
granularity of suite-level splitting rather than the machine. (Without `--testlevelsplit`, pabot
5.2.2 dropped the `--test` items of such a file with only a note; the pass/fail/skip check below
catches that.)

Also printed per run: the sum of the suites' own times, the longest suite (no number of benches
finishes sooner), the CPU time of all processes of the run against what the two cores could give,
the load average when the run started (other work on the machine), and the pass/fail/skip counts,
which must not depend on the number of benches.

    .venv/bin/python bench/bench_parallel.py [--rounds N] [suite paths...]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robot.api import ExecutionResult

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import interleaved, median, table

REPO = Path(__file__).resolve().parents[1]
BENCHES = REPO / "resources" / "benches"
DEFAULT_SUITES = ("suites/conformance", "suites/eol")
CONDITIONS = ("1", "2", "4", "4 longest first", "4 ordered")
TARGET = 3.0
TOP = "Bench"  # --name of every run, so ordering files name items the same way


@dataclass
class Run:
    wall: float  # seconds, the whole pabot run
    cpu: float  # seconds of CPU (user + system) of pabot and every process it started
    load: float  # 1-minute load average when the run started
    work: float  # seconds, sum of the leaf suites' elapsed times
    longest: tuple[float, str]  # the longest leaf suite
    counts: tuple[int, int, int]  # passed, failed, skipped
    result: Any  # robot.api ExecutionResult


def leaf_suites(suite: Any) -> list[Any]:
    leaves = [suite] if suite.tests else []
    for child in suite.suites:
        leaves += leaf_suites(child)
    return leaves


def value_set_file(directory: Path, benches: int) -> Path:
    file = directory / f"benches-{benches}.dat"
    file.write_text("".join(
        f"[sim-{i}]\nbench = {(BENCHES / f'sim-{i}.yaml').as_posix()}\ntags = demo-ecu, simulated\n\n"
        for i in range(1, benches + 1)), encoding="utf-8")
    return file


def ordering_file(directory: Path, result: Any, processes: int) -> Path:
    """Longest items first; a suite longer than 1/processes of the work split into groups of tests."""
    leaves = leaf_suites(result.suite)
    share = sum(s.elapsed_time.total_seconds() for s in leaves) / processes
    items: list[tuple[float, list[str]]] = []
    for suite in leaves:
        seconds = suite.elapsed_time.total_seconds()
        if seconds <= share or len(suite.tests) < 2:
            items.append((seconds, [f"--suite {suite.full_name}"]))
            continue
        groups: list[list[Any]] = [[] for _ in range(min(processes, len(suite.tests)))]
        loads = [0.0] * len(groups)
        for test in sorted(suite.tests, key=lambda t: -t.elapsed_time.total_seconds()):
            i = loads.index(min(loads))
            groups[i].append(test)
            loads[i] += test.elapsed_time.total_seconds()
        for load, group in zip(loads, groups, strict=True):
            items.append((load, ["{", *(f"--test {t.full_name}" for t in group), "}"]))
    file = directory / "ordering.txt"
    file.write_text("\n".join(line for _, lines in sorted(items, key=lambda i: -i[0]) for line in lines) + "\n",
                    encoding="utf-8")
    return file


def run_pabot(directory: Path, condition: str, suites: list[str], index: list[int], *,
              ordering: Path | None = None, previous: Path | None = None) -> Run:
    benches = int(condition.split()[0])
    index[0] += 1
    outputdir = directory / f"run-{index[0]:02d}-{condition.replace(' ', '-')}"
    options: list[str] = []
    if condition.endswith("ordered") and ordering:
        options = ["--testlevelsplit", "--ordering", str(ordering)]
    elif condition.endswith("longest first") and previous:
        options = ["--suitesfrom", str(previous)]
    command = [sys.executable, "-m", "pabot.pabot", "--command", sys.executable, "-m", "robot", "--end-command",
               "--processes", str(benches), "--pabotlib", "--pabotlibport", "0",
               "--resourcefile", str(value_set_file(directory, benches)), *options,
               "--artifacts", "blf,asc,json", "--artifactsinsubfolders",
               "--outputdir", str(outputdir), "--xunit", "xunit.xml", "--name", TOP, *suites]
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = outputdir / "output.xml"
    if not output.exists():
        raise RuntimeError(f"pabot ({condition}) wrote no output.xml (exit code {process.returncode}):\n"
                           f"{process.stdout[-3000:]}{process.stderr[-3000:]}")
    result = ExecutionResult(str(output))
    leaves = leaf_suites(result.suite)
    stats = result.statistics.total
    return Run(wall=wall, cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), load=load,
               work=sum(s.elapsed_time.total_seconds() for s in leaves),
               longest=max((s.elapsed_time.total_seconds(), s.name) for s in leaves),
               counts=(stats.passed, stats.failed, stats.skipped), result=result)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (default 2)")
    parser.add_argument("suites", nargs="*", help=f"suite paths (default: {' '.join(DEFAULT_SUITES)})")
    args = parser.parse_args()
    wanted = args.suites or list(DEFAULT_SUITES)
    suites = [s for s in wanted if (REPO / s).exists()] or ["suites"]
    missing = [s for s in wanted if not (REPO / s).exists()]
    cores = os.cpu_count() or 1
    print(f"Parallel benches: pabot over {', '.join(suites)} on 1, 2 and 4 simulated benches, {args.rounds} "
          f"interleaved rounds after a 1-bench warm-up; wall time ratios against 1 bench in the same round. "
          f"{cores} cores, shared with other work.")
    if missing:
        print(f"not there (left out): {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
        directory = Path(tmp)
        index = [0]
        warmup = run_pabot(directory, "1", suites, index)
        ordering = ordering_file(directory, warmup.result, 4)
        previous = Path(warmup.result.source)
        runs = interleaved(args.rounds, {
            c: (lambda c=c: run_pabot(directory, c, suites, index, ordering=ordering, previous=previous))
            for c in CONDITIONS})
    rows = []
    for r in range(args.rounds):
        for condition in CONDITIONS:
            run = runs[condition][r]
            rows.append([str(r + 1), condition, f"{run.wall:.1f}", f"{runs['1'][r].wall / run.wall:.2f}",
                         f"{run.work:.1f}", f"{run.longest[0]:.1f} {run.longest[1]}",
                         f"{run.cpu:.0f} ({run.cpu / (cores * run.wall):.0%})", f"{run.load:.1f}",
                         "/".join(map(str, run.counts))])
    print()
    print(table(["round", "benches", "wall s", "speed-up", "suites' time s", "longest suite s",
                 "CPU s (of cores)", "load", "pass/fail/skip"], rows))

    def speedup(condition: str) -> float:
        return median([runs["1"][r].wall / runs[condition][r].wall for r in range(args.rounds)])

    bound = median([runs["1"][r].wall / runs["1"][r].longest[0] for r in range(args.rounds)])
    consistent = len({run.counts for results in runs.values() for run in results}) == 1
    print()
    print(table(["figure", "measured", "target", ""], [
        ["wall time 1 bench / 2 benches", f"{speedup('2'):.2f}", "-", "-"],
        ["wall time 1 bench / 4 benches", f"{speedup('4'):.2f}", f">= {TARGET:.0f}",
         "ok" if speedup("4") >= TARGET else "MISSED"],
        ["wall time 1 bench / 4 benches, longest suites first", f"{speedup('4 longest first'):.2f}", "-", "-"],
        ["wall time 1 bench / 4 benches, ordered and longest suite split", f"{speedup('4 ordered'):.2f}", "-", "-"],
        ["bound of suite-level split: 1-bench wall / longest suite", f"{bound:.2f}", "-", "-"],
        ["same pass/fail/skip in every run", "yes" if consistent else "NO", "yes", "ok" if consistent else "MISSED"],
    ]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
