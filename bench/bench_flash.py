"""Benchmark of flash programming: `Download Image` of a 512 KB image through the keyword library's
Python API, against the simulated demo ECU (profile ci). See docs/benchmarks.md ("Flash programming").

    .venv/bin/python bench/bench_flash.py      (or: make bench)

1. With 500 kbit/s wire emulation (tester and ECU bus wrapped in `WireTimedBus`, one shared wire, as
   resources/benches/sim-wire.yaml does): TransferData throughput as a share of the wire limit, the time
   the frames of the same RequestDownload / TransferData / RequestTransferExit exchanges take on the
   wire (`frame_bits`), for the same block size and the ECU's flow control (BS, STmin). Target >= 90 %.
2. On plain `virtual` (no wire timing): kB/s, for orientation.
3. Reference, same run: the 4000-byte read `22 D1 00` (the other direction: the ECU sends the consecutive
   frames) on the same wire-timed connection, as a share of its wire limit. bench_simulator.py measures
   the same figure; here it tells whether a low share of 1 comes from the download path or from a busy
   machine (the wire emulation runs on Python threads, so it slows down when other processes take the
   CPUs).

The image is 512 KB of seeded random bytes at 0x00010000-0x0008FFFF, written as Intel HEX; the demo ECU's
memory areas cut it into two segments (flash up to 0x0007FFFF, calibration from 0x00080000). Conditions
run in interleaved rounds; figures are medians over rounds. The erase (1.5 s per segment in the ci
profile) and the check routine are outside the measured transfer time but part of the total.
"""

from __future__ import annotations

import logging
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bincopy
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BULK_REQUEST, DEMO_ECU, interleaved, median, table, unique_channel

from UdsLibrary import UdsLibrary
from UdsLibrary.description.loader import load_ecu_description
from UdsLibrary.description.model import Addressing
from UdsLibrary.keywords.transfer import image_segments, read_image
from UdsLibrary.transport.wire import frame_bits

IMAGE_SIZE = 512 * 1024
IMAGE_ADDRESS = 0x00010000
BITRATE = 500_000
ROUNDS = 3
BULK_READS = 20  # 4000-byte reads per round (reference)
SHARE_TARGET = 0.90

summary: list[list[str]] = []


def heading(title: str) -> None:
    print(f"\n== {title}", flush=True)


def write_bench(folder: Path, name: str, wire_bitrate: int | None) -> Path:
    """A bench file like resources/benches/sim-wire.yaml (or sim-1.yaml without `wire_bitrate`) on a fresh
    virtual channel."""
    simulator: dict = {"file": str(DEMO_ECU), "profile": "ci"}
    if wire_bitrate:
        simulator["wire_bitrate"] = wire_bitrate
    content = {
        "bench": {"name": name, "description": "demo ECU simulated in-process (bench/bench_flash.py)"},
        "can": {"interface": "virtual", "channel": unique_channel(name), "bitrate": BITRATE},
        "ecu": {"description": str(DEMO_ECU), "profile": "ci"},
        "timing": {"p2_ms": 150},
        "simulator": simulator,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------- the wire limit
def _stmin_seconds(stmin: int) -> float:
    if stmin <= 0x7F:
        return stmin / 1000
    if 0xF1 <= stmin <= 0xF9:
        return (stmin - 0xF0) / 10_000
    return 0.127  # reserved values: the receiver must assume 127 ms


def message_seconds(length: int, addressing: Addressing, bitrate: int, flow_control: bool = True) -> float:
    """Wire time of one ISO-TP message of `length` bytes and, for a multi-frame message, its flow
    control frames (the receiver's BS and STmin from `addressing`): frame lengths as sent (padded to the
    frame size when `padding` is set), nominal bits without stuffing, as `WireTimedBus` times them."""
    size = addressing.tx_data_length
    head = 1 if addressing.mode.startswith(("extended", "mixed")) else 0  # addressing byte in each frame

    def frame(data: int) -> float:
        nominal, _ = frame_bits(size if addressing.padding is not None else head + data)
        return nominal / bitrate

    if length <= size - 1 - head:
        return frame(1 + length)
    first = size - 2 - head
    consecutive = math.ceil((length - first) / (size - 1 - head))
    seconds = frame(size - head)
    flow_controls = 1 if addressing.blocksize == 0 else math.ceil(consecutive / addressing.blocksize)
    if flow_control:
        seconds += flow_controls * frame(3)
    gap = _stmin_seconds(addressing.stmin)
    last = length - first - (consecutive - 1) * (size - 1 - head)
    for index in range(consecutive):
        duration = frame(1 + (size - 1 - head if index < consecutive - 1 else last))
        new_block = index == 0 or (addressing.blocksize and index % addressing.blocksize == 0)
        seconds += duration if new_block else max(duration, gap)
    return seconds


def wire_limit(lengths: list[int], block_data: int, addressing: Addressing, bitrate: int, alfid_bytes: int) -> float:
    """Seconds the RequestDownload, TransferData and RequestTransferExit exchanges of segments of
    `lengths` bytes take on the wire (requests, flow controls and the responses)."""
    seconds = 0.0
    for length in lengths:
        seconds += message_seconds(2 + 1 + alfid_bytes, addressing, bitrate) + message_seconds(4, addressing, bitrate)
        full, rest = divmod(length, block_data)
        seconds += full * (message_seconds(2 + block_data, addressing, bitrate) + message_seconds(2, addressing,
                                                                                                   bitrate))
        if rest:
            seconds += message_seconds(2 + rest, addressing, bitrate) + message_seconds(2, addressing, bitrate)
        seconds += message_seconds(1, addressing, bitrate) + message_seconds(1, addressing, bitrate)
    return seconds


# ---------------------------------------------------------------------------------------------- runs
def make_image(folder: Path, size: int) -> Path:
    data = random.Random(size).randbytes(size)
    image = bincopy.BinFile()
    image.add_binary(data, address=IMAGE_ADDRESS)
    path = folder / f"image-{size // 1024}k.hex"
    path.write_text(image.as_ihex(), encoding="utf-8")
    return path


def download(lib: UdsLibrary, image: Path, expected: bytes) -> Callable[[], dict]:
    def run() -> dict:
        result = lib.download_image(str(image), progress=False)
        ecu = lib.get_uds_simulator()
        written = bytes(ecu.memory[0x10000]) + bytes(ecu.memory[0x80000][:0x10000])
        if written != expected or result["retries"]:
            raise SystemExit(f"the download went wrong: memory equal {written == expected}, {result}")
        return result
    return run


def bulk_reads(lib: UdsLibrary, expected_length: int) -> Callable[[], float]:
    """Seconds per 4000-byte read (median of BULK_READS) on the library's connection, no keyword layer."""
    connection = lib.active_target().connection

    def run() -> float:
        times = []
        for _ in range(BULK_READS):
            start = time.perf_counter()
            exchange = connection.request(BULK_REQUEST, timeout=2.0)  # the answer takes 127 ms on the wire
            times.append(time.perf_counter() - start)
            if exchange.final is None or len(exchange.final.payload) != expected_length:
                raise SystemExit(f"the 4000-byte read went wrong: {exchange.final}")
        return median(times)
    return run


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    start = time.perf_counter()
    description = load_ecu_description(DEMO_ECU, profile="ci")
    addressing = description.addressing
    block_data = description.download.max_block_length - 2
    alfid = description.download.address_and_length_formats[0]
    print("Flash benchmark: Download Image of a 512 KB Intel HEX image, demo ECU (profile ci), tester and ECU in one "
          "process; interleaved rounds, medians.")
    with tempfile.TemporaryDirectory(prefix="uds-bench-flash-") as temp:
        folder = Path(temp)
        image = make_image(folder, IMAGE_SIZE)
        warm_up = make_image(folder, 16 * 1024)
        segments = image_segments(read_image(image), description.download.areas)
        expected = b"".join(segment.data for segment in segments)
        lengths = [len(segment.data) for segment in segments]
        limit = wire_limit(lengths, block_data, addressing, BITRATE, (alfid & 0x0F) + (alfid >> 4))
        libs = {"wire": UdsLibrary(), "virtual": UdsLibrary()}
        try:
            libs["wire"].open_uds_connection(str(write_bench(folder, "flash-wire", BITRATE)))
            libs["virtual"].open_uds_connection(str(write_bench(folder, "flash-virtual", None)))
            for lib in libs.values():  # warm-up: session, unlock, a first small download
                lib.download_image(str(warm_up), progress=False)
            runs: dict[str, Callable[[], Any]] = {name: download(lib, image, expected) for name, lib in libs.items()}
            runs["read"] = bulk_reads(libs["wire"], 3 + (description.did(0xD100).length or 0))
            results = interleaved(ROUNDS, runs)
        finally:
            for lib in libs.values():
                lib.close_all_uds_connections()
    heading("Rounds")
    reads = results.pop("read")
    rows = []
    for name, runs in results.items():
        for index, run in enumerate(runs, 1):
            rows.append([name, str(index), f"{run['transfer_seconds']:.2f} s", f"{run['bytes_per_second'] / 1000:.1f}",
                         f"{run['seconds']:.2f} s", str(run["blocks"]), str(run["segments"])])
    print(table(["condition", "round", "transfer", "kB/s", "total", "blocks", "segments"], rows))
    wire_rate = median([run["bytes_per_second"] for run in results["wire"]])
    virtual_rate = median([run["bytes_per_second"] for run in results["virtual"]])
    wire_time = median([run["transfer_seconds"] for run in results["wire"]])
    share = limit / wire_time
    heading("Wire limit")
    print(f"{len(segments)} segments, {IMAGE_SIZE} bytes, blocks of {block_data} data bytes, ECU flow control BS "
          f"{addressing.blocksize} STmin 0x{addressing.stmin:02X}, frames of {addressing.tx_data_length} bytes "
          f"(padding {'on' if addressing.padding is not None else 'off'}): {limit:.3f} s on a {BITRATE // 1000} "
          f"kbit/s wire = {IMAGE_SIZE / limit / 1000:.2f} kB/s")
    summary.append(["1", "512 KB TransferData throughput, 500 kbit/s wire: share of the wire limit",
                    f"{share * 100:.1f} % ({wire_rate / 1000:.1f} of {IMAGE_SIZE / limit / 1000:.1f} kB/s)",
                    f">= {SHARE_TARGET * 100:.0f} %", "ok" if share >= SHARE_TARGET else "MISSED"])
    read_limit = message_seconds(len(BULK_REQUEST), addressing, BITRATE) + message_seconds(
        3 + (description.did(0xD100).length or 0), addressing, BITRATE)
    read_share = read_limit / median(reads)
    print(f"reference: 4000-byte read {read_limit * 1000:.1f} ms on the wire; measured per round (median of "
          f"{BULK_READS}): {', '.join(f'{r * 1000:.1f} ms' for r in reads)}")
    summary.append(["1", "same, whole Download Image (session, unlock, 2 erases, checks)",
                    f"{median([run['seconds'] for run in results['wire']]):.1f} s", "-", "-"])
    summary.append(["2", "512 KB TransferData throughput, plain virtual", f"{virtual_rate / 1000:.1f} kB/s", "-", "-"])
    summary.append(["2", "same, whole Download Image",
                    f"{median([run['seconds'] for run in results['virtual']]):.1f} s", "-", "-"])
    summary.append(["3", "reference: 4000-byte read (ECU sends), same wire, share of its wire limit",
                    f"{read_share * 100:.1f} %", "-", "-"])
    heading("Summary")
    print(table(["#", "figure", "measured", "target", ""], summary))
    print(f"\ntotal time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
