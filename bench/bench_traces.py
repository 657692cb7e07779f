"""Trace decoding: throughput on a 100 MB BLF against python-can's bare BLFReader, and memory.

Generates (in a temporary folder, deleted at the end) a BLF file of about 100 MB with the traffic of
a vehicle bus while a tester scans it (`UdsLibrary.trace.synthetic.VehicleTraffic`: 24 periodic
application ids, functional and physical requests to nine ECUs, multi-frame answers, 0x78 chains,
NRCs; about 5 % of the frames are diagnostic, as on a 500 kbit/s vehicle bus carrying some 2000
application frames/s while a tester works through requests), written by python-can's BLFWriter with
its default compression. Then, each in a fresh
process so that neither inherits the other's memory:

* read: ``for msg in can.io.BLFReader(path)`` - python-can alone, the baseline;
* decode: the decoder over the same file with every transaction turned into its dictionary (what
  the JSON/CSV output and `Decode Trace` do), resident memory sampled after each quarter of the frames.

Figures: frames/s of both, the ratio decode/read of CPU time (target: at most 2), and the RSS
after each quarter of the file (the first quarter is about 25 MB of file; flat = streaming).
Smaller files are then read and decoded in three interleaved rounds (read, decode, read, ...) for
the spread of the ratio on a shared machine: the same mix, and a denser one (about 10 %
diagnostic). `--app-frames` sets how many application frames go between two exchanges; `--worst`
adds rounds on a bus with diagnostic frames only.

Last, the price of checking ASC frame lines (`UdsLibrary.trace.reader`: python-can's ASCReader
passes over damaged lines silently or stops at them, so every frame line is checked first): the
same vehicle scan as a 32100-frame ASC file read with ``read_frames`` and with python-can's
ASCReader alone, five interleaved rounds in this process; the figure is the ratio of the medians
(no target: correctness first, the figure says what it costs).

    .venv/bin/python bench/bench_traces.py [--size-mb 100] [--app-frames 250] [--worst]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import can

from UdsLibrary.trace.reader import Findings, read_frames
from UdsLibrary.trace.synthetic import VehicleTraffic

CHILD = "--child"


def generate(path: Path, size_mb: float, app_frames: int) -> tuple[int, int]:
    """Write scans until the file reaches `size_mb`; returns (frames, diagnostic frames).

    A block of 50 scans is generated once and written again and again, later each time (the
    application frames' random data repeats only every block, far beyond zlib's 32 kB window, so
    the file compresses as a fresh recording would): the time goes into BLFWriter, not into Python
    building frames.
    """
    block = list(VehicleTraffic(app_frames=app_frames).frames(cycles=50))
    stamps = [msg.timestamp for msg in block]
    span = stamps[-1] - stamps[0] + 0.05
    block_diagnostic = sum(msg.arbitration_id >= 0x700 for msg in block)
    frames = diagnostic = 0
    target = size_mb * 1e6
    with can.BLFWriter(str(path)) as writer:
        write = writer.on_message_received
        repeat = 0
        while writer.file.tell() < target:
            shift = repeat * span
            for msg, stamp in zip(block, stamps, strict=True):
                msg.timestamp = stamp + shift
                write(msg)
            frames += len(block)
            diagnostic += block_diagnostic
            repeat += 1
    return frames, diagnostic


def _rss_mb() -> float:
    """Resident memory now (Linux /proc), else the peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux and BSD: kB


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, path: str, total: int) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    from UdsLibrary.trace.decode import TraceDecoder
    from UdsLibrary.trace.reader import Findings, read_frames

    base_rss = _rss_mb()
    samples = []
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    count = 0
    if mode == "read":
        for _ in can.io.BLFReader(path):
            count += 1
    else:
        findings = Findings()
        decoder = TraceDecoder(findings=findings)
        quarter = max(1, total // 4)
        next_sample = quarter
        for transaction in decoder.run(read_frames(path, findings, decoder.progress)):
            transaction.to_dict(0.0)
            count += 1
            if decoder.frames >= next_sample:
                samples.append((decoder.frames, _rss_mb() - base_rss))
                next_sample += quarter
        if not samples or samples[-1][0] != decoder.frames:
            samples.append((decoder.frames, _rss_mb() - base_rss))
        if len(findings):
            print(f"findings: {[str(f) for f in findings][:3]}", file=sys.stderr)
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    print(json.dumps({"mode": mode, "cpu": cpu, "wall": wall, "count": count, "rss": samples,
                      "base_rss": base_rss, "peak": _peak_mb()}))


def measure(mode: str, path: Path, total: int) -> dict:
    out = subprocess.run([sys.executable, __file__, CHILD, mode, str(path), str(total)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rounds(folder: Path, size_mb: float, app_frames: int, label: str) -> None:
    """Read and decode a smaller file in three interleaved rounds: the spread of the ratio."""
    small = Path(folder) / f"small-{app_frames}.blf"
    frames, diagnostic = generate(small, size_mb, app_frames)
    ratios = []
    for _ in range(3):
        bare = measure("read", small, frames)
        full = measure("decode", small, frames)
        ratios.append(full["cpu"] / bare["cpu"])
    print(f"[{label}] {small.stat().st_size / 1e6:.0f} MB, {diagnostic / frames:.1%} diagnostic, 3 interleaved "
          f"rounds: decode/read CPU ratio median {statistics.median(ratios):.2f} (min {min(ratios):.2f}, "
          f"max {max(ratios):.2f})", flush=True)
    small.unlink()


def run(size_mb: float, app_frames: int, rounds_mb: float, dense_app_frames: int) -> None:
    label = "vehicle bus"
    with tempfile.TemporaryDirectory(prefix="uds-bench-traces-") as folder:
        big = Path(folder) / "big.blf"
        start = time.perf_counter()
        frames, diagnostic = generate(big, size_mb, app_frames)
        size = big.stat().st_size / 1e6
        print(f"[{label}] generated {size:.1f} MB BLF: {frames} frames, {diagnostic / frames:.1%} diagnostic "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
        read = measure("read", big, frames)
        decode = measure("decode", big, frames)
        ratio = decode["cpu"] / read["cpu"]
        print(f"[{label}] BLFReader alone: {frames / read['cpu']:,.0f} frames/s (CPU {read['cpu']:.1f} s, "
              f"wall {read['wall']:.1f} s)")
        print(f"[{label}] decode:          {frames / decode['cpu']:,.0f} frames/s (CPU {decode['cpu']:.1f} s, "
              f"wall {decode['wall']:.1f} s), {decode['count']} transactions")
        print(f"[{label}] decode / bare read (CPU): {ratio:.2f}   (wall: {decode['wall'] / read['wall']:.2f}; "
              "target <= 2)")
        quarters = ", ".join(f"{f / frames:.0%}: {mb:+.1f} MB" for f, mb in decode["rss"])
        print(f"[{label}] RSS while decoding the {size:.0f} MB file, against the start of decoding: {quarters}; "
              f"peak RSS of the process {decode['peak']:.0f} MB (bare read: {read['peak']:.0f} MB)", flush=True)
        big.unlink()
        rounds(Path(folder), rounds_mb, app_frames, label)
        if dense_app_frames != app_frames:
            rounds(Path(folder), rounds_mb, dense_app_frames, "dense diagnostics")


def asc_check(cycles: int = 100, repeats: int = 5) -> None:
    """ASC reading with the frame-line check against python-can's ASCReader alone, interleaved."""
    with tempfile.TemporaryDirectory(prefix="uds-bench-traces-") as folder:
        path = Path(folder) / "scan.asc"
        frames = VehicleTraffic().write(path, cycles=cycles)
        times: dict[str, list[float]] = {"ASCReader alone": [], "read_frames (checked)": []}
        for _ in range(repeats):
            for label in times:
                start = time.perf_counter()
                if label == "ASCReader alone":
                    count = sum(1 for _ in can.io.ASCReader(str(path)))
                else:
                    findings = Findings()
                    count = sum(1 for _ in read_frames(path, findings))
                    assert not list(findings), list(findings)
                times[label].append(time.perf_counter() - start)
                assert count == frames, (label, count, frames)
        alone, checked = (statistics.median(values) for values in times.values())
        print(f"[ASC] {frames} frames, {repeats} interleaved rounds: ASCReader alone {frames / alone:,.0f} frames/s, "
              f"read_frames with the frame-line check {frames / checked:,.0f} frames/s; checked / alone "
              f"(time) {checked / alone:.2f}", flush=True)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == CHILD:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--app-frames", type=int, default=250,
                        help="application frames between two exchanges (250: about 5 %% diagnostic frames)")
    parser.add_argument("--dense-app-frames", type=int, default=120,
                        help="the same for the second, denser mix of the rounds (120: about 10 %%)")
    parser.add_argument("--rounds-mb", type=float, default=8.0, help="size of the file for the interleaved rounds")
    parser.add_argument("--worst", action="store_true", help="also rounds on a bus with diagnostic frames only")
    args = parser.parse_args()
    run(args.size_mb, args.app_frames, args.rounds_mb, args.dense_app_frames)
    if args.worst:
        with tempfile.TemporaryDirectory(prefix="uds-bench-traces-") as folder:
            rounds(Path(folder), args.rounds_mb / 2, 0, "diagnostic only")
    asc_check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
