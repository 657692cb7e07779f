"""Run every bench/bench_*.py in turn (a subprocess each, same interpreter) and print their output.

Exits non-zero if one of them fails. This is what `make bench` runs.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent


def main() -> int:
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if not scripts:
        print(f"no bench_*.py in {BENCH_DIR}", file=sys.stderr)
        return 1
    failed: list[str] = []
    for script in scripts:
        name = script.relative_to(REPO)
        print(f"\n######## {name}", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=REPO, check=False)  # output goes straight through
        elapsed = time.perf_counter() - start
        status = "ok" if result.returncode == 0 else f"FAILED (exit code {result.returncode})"
        print(f"######## {name}: {status} in {elapsed:.0f} s", flush=True)
        if result.returncode != 0:
            failed.append(str(name))
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"\nall {len(scripts)} benchmark(s) passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
