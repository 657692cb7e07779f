"""Benchmark of the simulated ECU: what its rules cost, bulk throughput, wire-time fidelity and
robustness to error/remote frames. Every figure is a ratio against a baseline measured in this run,
in interleaved rounds; see docs/benchmarks.md.

    .venv/bin/python bench/bench_simulator.py      (or: make bench)

1. VIN read round trip: EcuSimulator (demo ECU as shipped) vs CannedResponder (no rules), same
   SimulatorRuntime, bus type and tester; also the simulator without application frames.
2. CPU of the ECU's runtime thread per request, and the time spent in `handle` alone.
3. 4000-byte DID read throughput (tester FC BS=0/STmin=0) on plain `virtual` and with 500 kbit/s wire
   emulation; the VIN round trip with wire emulation against the physical 1.11 ms.
4. VIN round trip while remote and error frames are injected every 5 ms, against no injection; and
   what a stock udsoncan/CanStack tester does under the same injection.
"""

from __future__ import annotations

import dataclasses
import logging
import statistics
import sys
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BULK_REQUEST,
    DEMO_ECU,
    VIN_REQUEST,
    EcuUnderTest,
    FrameInjector,
    HandleTimer,
    LeanTester,
    RoundResult,
    UdsoncanTester,
    interleaved,
    measure,
    median,
    ms,
    p95,
    paired_ratio,
    per_call,
    pooled,
    table,
    unique_channel,
    us,
)
from minimal_responder import demo_responder

from UdsLibrary.description.loader import load_ecu_description
from UdsLibrary.description.model import EcuDescription
from UdsLibrary.simulator.server import EcuServer
from UdsLibrary.transport.wire import frame_bits

# Figures of /work/shared/spec/transport-notes.md (same stack versions, 2-core machine, virtual bus)
NOTES_STACK_KBPS = 156.0  # 4000-byte read, thread-less TransportLayerLogic both ends, BS=0/STmin=0
NOTES_WIRE_LIMIT_KBPS = 31.4  # 4000-byte ISO-TP transfer at 500 kbit/s, BS=0, STmin=0
NOTES_VIN_WIRE_MS = 1.11  # VIN exchange (request, FF, FC, 2 CF) at 500 kbit/s
WIRE_BITRATE = 500_000
NOISE = 0.10  # differences under ~10 % are noise on these machines (notes)

VIN_ROUNDS, VIN_REQUESTS = 20, 100
HANDLE_ROUNDS = 4
UDSONCAN_ROUNDS, UDSONCAN_REQUESTS = 5, 100
BULK_ROUNDS, BULK_READS = 10, 8
WIRE_ROUNDS, WIRE_BULK_READS, WIRE_VIN_READS = 12, 2, 50
INJECT_ROUNDS, INJECT_REQUESTS = 20, 100
STALL = 0.010  # a request slower than this counts as stalled (CanStack's pause is 20 ms)
STOCK_ROUNDS, STOCK_REQUESTS, STOCK_INJECTED_REQUESTS = 2, 50, 3
WARMUP = 50

summary: list[list[str]] = []


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "MISSED")


def heading(title: str) -> None:
    print(f"\n== {title}", flush=True)


@contextmanager
def ecu_and_tester(*, label: str, description: EcuDescription, canned: bool = False, wire_bitrate: int | None = None,
                   tester: str = "lean") -> Iterator[tuple[EcuUnderTest, LeanTester | UdsoncanTester, str]]:
    """An ECU and a tester on a fresh channel; everything stopped and shut down on exit."""
    channel = unique_channel(label)
    with ExitStack() as local:
        if canned:
            ecu = EcuUnderTest(label, channel, server=demo_responder(description), wire_bitrate=wire_bitrate)
        else:
            ecu = EcuUnderTest(label, channel, description=description, wire_bitrate=wire_bitrate)
        ecu.start()
        local.callback(ecu.stop)
        client: LeanTester | UdsoncanTester
        if tester == "lean":
            client = LeanTester(channel, description.addressing, wire_bitrate=wire_bitrate)
        else:
            client = UdsoncanTester(channel, description.addressing, sleep_fix=(tester == "udsoncan-fixed"))
        local.callback(client.close)
        yield ecu, client, channel


def caller(client: LeanTester | UdsoncanTester, request: bytes) -> Callable[[], bytes]:
    if isinstance(client, LeanTester):
        return lambda: client.request(request)
    did = int.from_bytes(request[1:3], "big")
    return lambda: client.read_did(did)


# ---------------------------------------------------------------------------------------------- 1 + 2
def bench_vin(desc: EcuDescription, vin_response: bytes) -> None:
    heading(f"1. VIN read (22 F1 90) round trip, plain virtual bus, lean tester: "
            f"{VIN_ROUNDS} interleaved rounds x {VIN_REQUESTS} requests")
    no_frames = dataclasses.replace(desc, application_frames=())
    with ExitStack() as stack:
        setups = {
            "simulator": stack.enter_context(ecu_and_tester(label="sim", description=desc)),
            "simulator, no app frames": stack.enter_context(ecu_and_tester(label="sim-nf", description=no_frames)),
            "canned": stack.enter_context(ecu_and_tester(label="canned", description=desc, canned=True)),
        }
        for ecu, client, _ in setups.values():
            measure(caller(client, VIN_REQUEST), vin_response, WARMUP, ecu=ecu)
        runs = {name: (lambda e=ecu, c=client: measure(caller(c, VIN_REQUEST), vin_response, VIN_REQUESTS, ecu=e))
                for name, (ecu, client, _) in setups.items()}
        results = interleaved(VIN_ROUNDS, runs)

        # handle() timing in place: separate rounds, so the wrapper does not inflate the CPU figures above
        handle_runs = {}
        timers = {}
        for name in ("simulator", "canned"):
            ecu, client, _ = setups[name]
            timers[name] = HandleTimer(ecu.server)
            handle_runs[name] = (lambda e=ecu, c=client, t=timers[name]: _timed_round(t, e, c, vin_response))
        interleaved(HANDLE_ROUNDS, handle_runs)

    canned = results["canned"]
    rows = []
    for name, res in results.items():
        samples = pooled(res)
        rows.append([name, ms(median(samples)), ms(p95(samples)), f"{median([r.rate for r in res]):.0f}",
                     f"{paired_ratio(res, canned):.3f}", us(per_call(res, "ecu_cpu")),
                     f"{paired_ratio(res, canned, lambda r: r.ecu_cpu / r.calls):.3f}",  # type: ignore[operator]
                     us(per_call(res, "tester_cpu"))])
    print(table(["ECU", "median", "p95", "req/s", "RTT ratio vs canned", "ECU CPU/req", "CPU ratio",
                 "tester CPU/req"], rows))
    ratio = paired_ratio(results["simulator"], canned)
    ratio_nf = paired_ratio(results["simulator, no app frames"], canned)
    summary.append(["1", "VIN round trip, simulator / canned", f"{ratio:.3f}", "<= 1.2", verdict(ratio <= 1.2)])
    differs = abs(ratio - ratio_nf) > NOISE * ratio_nf
    summary.append(["1", "VIN round trip, simulator without app frames / canned", f"{ratio_nf:.3f}",
                    "(differs from shipped)" if differs else "(same as shipped, within noise)", "-"])

    heading("2. ECU CPU per request (CPU clock of the runtime thread, CLOCK_THREAD_CPUTIME_ID via "
            "time.pthread_getcpuclockid, read before and after each round / requests)")
    sim_cpu, canned_cpu = per_call(results["simulator"], "ecu_cpu"), per_call(canned, "ecu_cpu")
    print(f"simulator {us(sim_cpu)}, canned {us(canned_cpu)}, difference {us(sim_cpu - canned_cpu)} per request "
          f"(includes the runtime loop, python-can recv/send and ISO-TP of 5 frames; idle wake-ups every "
          f"<= 50 ms and the simulator's application frames are counted too)")
    sim_cpu_ratio = paired_ratio(results["simulator"], canned, lambda r: r.ecu_cpu / r.calls)  # type: ignore[operator]
    summary.append(["2", "ECU thread CPU per request, simulator / canned",
                    f"{sim_cpu_ratio:.3f} ({us(sim_cpu)} vs {us(canned_cpu)})", "-", "-"])
    rows = []
    handle_median = {}
    for name, timer in timers.items():
        values = [d / 1e9 for d in timer.durations]
        handle_median[name] = median(values)
        rows.append([name, str(len(values)), us(median(values)), us(p95(values))])
    print(f"\nhandle() alone, in the runtime thread ({HANDLE_ROUNDS} extra rounds with handle wrapped, "
          f"perf_counter_ns per call):")
    print(table(["ECU", "calls", "median", "p95"], rows))
    direct = {}
    for name, server in (("simulator", EcuServer(desc)), ("canned", demo_responder(desc))):
        number = 20000
        direct[name] = min(timeit.repeat(lambda s=server: s.handle(VIN_REQUEST, False), number=number,
                                         repeat=3)) / number
    print(f"handle() called directly in the main thread (best of 3 x 20000): simulator {us(direct['simulator'])}, "
          f"canned {us(direct['canned'])}")
    summary.append(["2", "EcuServer.handle per VIN request (in place / direct)",
                    f"{us(handle_median['simulator'])} / {us(direct['simulator'])}", "-", "-"])
    print(f"handle() in place is {handle_median['simulator'] / sim_cpu:.0%} of the simulator's ECU CPU per request "
          f"(canned: {handle_median['canned'] / canned_cpu:.0%})")

    heading(f"1b. The same with a stock udsoncan client (PythonIsoTpConnection over isotp.CanStack): "
            f"{UDSONCAN_ROUNDS} rounds x {UDSONCAN_REQUESTS}")
    with ExitStack() as stack:
        setups = {
            "simulator": stack.enter_context(ecu_and_tester(label="sim-u", description=desc, tester="udsoncan")),
            "canned": stack.enter_context(ecu_and_tester(label="canned-u", description=desc, canned=True,
                                                         tester="udsoncan")),
        }
        for ecu, client, _ in setups.values():
            measure(caller(client, VIN_REQUEST), vin_response, WARMUP, ecu=ecu)
        runs = {name: (lambda e=ecu, c=client: measure(caller(c, VIN_REQUEST), vin_response, UDSONCAN_REQUESTS,
                                                       ecu=e))
                for name, (ecu, client, _) in setups.items()}
        results = interleaved(UDSONCAN_ROUNDS, runs)
    rows = []
    for name, res in results.items():
        samples = pooled(res)
        rows.append([name, ms(median(samples)), ms(p95(samples)), f"{median([r.rate for r in res]):.0f}",
                     f"{paired_ratio(res, results['canned']):.3f}", us(per_call(res, "tester_cpu"))])
    print(table(["ECU", "median", "p95", "req/s", "RTT ratio vs canned", "tester CPU/req (caller thread)"], rows))
    ratio_u = paired_ratio(results["simulator"], results["canned"])
    summary.append(["1", "VIN round trip via udsoncan client, simulator / canned", f"{ratio_u:.3f}", "<= 1.2",
                    verdict(ratio_u <= 1.2)])


def _timed_round(timer: HandleTimer, ecu: EcuUnderTest, client: LeanTester | UdsoncanTester,
                 vin_response: bytes) -> RoundResult:
    with timer:
        return measure(caller(client, VIN_REQUEST), vin_response, VIN_REQUESTS, ecu=ecu)


# ---------------------------------------------------------------------------------------------- 3
def bench_bulk(desc: EcuDescription, vin_response: bytes, bulk_response: bytes) -> None:
    size = len(bulk_response) - 3
    heading(f"3. {size}-byte DID read (22 D1 00), tester flow control BS=0 STmin=0, lean tester")
    with ExitStack() as stack:
        plain = {
            "simulator": stack.enter_context(ecu_and_tester(label="bulk-sim", description=desc)),
            "canned": stack.enter_context(ecu_and_tester(label="bulk-canned", description=desc, canned=True)),
        }
        for _, client, _ in plain.values():
            measure(caller(client, BULK_REQUEST), bulk_response, 3)
        results = interleaved(BULK_ROUNDS, {
            name: (lambda c=client: measure(caller(c, BULK_REQUEST), bulk_response, BULK_READS))
            for name, (_, client, _) in plain.items()})
    kbps = {name: size / median(pooled(res)) / 1000 for name, res in results.items()}
    kbps_canned = kbps["canned"]
    rows = []
    for name, res in results.items():
        rows.append([name, ms(median(pooled(res))), ms(p95(pooled(res))), f"{kbps[name]:.1f} kB/s",
                     f"{kbps[name] / kbps_canned:.3f}", f"{kbps[name] / NOTES_STACK_KBPS:.2f}"])
    print(f"plain virtual bus, {BULK_ROUNDS} interleaved rounds x {BULK_READS} reads:")
    print(table(["ECU", "median", "p95", "throughput", "throughput vs canned", "vs notes' 156 kB/s"], rows))
    bulk_ratio = kbps["simulator"] / kbps["canned"]
    summary.append(["3", "4000-byte read on virtual: canned (stack baseline) kB/s vs notes' 156",
                    f"{kbps['canned']:.1f} kB/s ({kbps['canned'] / NOTES_STACK_KBPS:.2f}x)", "~156 kB/s", "-"])
    summary.append(["3", "4000-byte read on virtual: simulator throughput / canned", f"{bulk_ratio:.3f}",
                    "-", "-"])

    # the physical limits, from the same frame-length formula WireTimedBus uses
    frame = frame_bits(8)[0] / WIRE_BITRATE
    cf_count = -(-(len(bulk_response) - 6) // 7)
    bulk_limit = (3 + cf_count) * frame  # request, FF, FC, CFs
    vin_limit = 5 * frame  # request, FF, FC, 2 CFs
    heading(f"3b. The same with wire emulation at {WIRE_BITRATE // 1000} kbit/s (tester and ECU buses wrapped in "
            f"WireTimedBus on one wire): {WIRE_ROUNDS} interleaved rounds")
    print(f"physical limit (nominal frame length {frame * 1e6:.0f} us): {size}-byte read {3 + cf_count} frames "
          f"= {bulk_limit * 1e3:.1f} ms = {size / bulk_limit / 1000:.1f} kB/s (notes: {NOTES_WIRE_LIMIT_KBPS} kB/s); "
          f"VIN exchange 5 frames = {vin_limit * 1e3:.2f} ms (notes: {NOTES_VIN_WIRE_MS} ms)")
    with ExitStack() as stack:
        wired = {
            "simulator": stack.enter_context(ecu_and_tester(label="wire-sim", description=desc,
                                                            wire_bitrate=WIRE_BITRATE)),
            "canned": stack.enter_context(ecu_and_tester(label="wire-canned", description=desc, canned=True,
                                                         wire_bitrate=WIRE_BITRATE)),
        }
        for _, client, _ in wired.values():
            measure(caller(client, BULK_REQUEST), bulk_response, 1)
            measure(caller(client, VIN_REQUEST), vin_response, 20)
        bulk = interleaved(WIRE_ROUNDS, {
            name: (lambda c=client: measure(caller(c, BULK_REQUEST), bulk_response, WIRE_BULK_READS))
            for name, (_, client, _) in wired.items()})
        vin = interleaved(WIRE_ROUNDS, {
            name: (lambda c=client: measure(caller(c, VIN_REQUEST), vin_response, WIRE_VIN_READS))
            for name, (_, client, _) in wired.items()})
    rows = []
    share = {}
    vin_ratio = {}
    rate_canned = size / median(pooled(bulk["canned"])) / 1000
    for name in wired:
        bulk_median = median(pooled(bulk[name]))
        rate = size / bulk_median / 1000
        share[name] = rate / NOTES_WIRE_LIMIT_KBPS
        vin_median = median(pooled(vin[name]))
        vin_ratio[name] = vin_median / (NOTES_VIN_WIRE_MS / 1e3)
        rows.append([name, ms(bulk_median), ms(min(pooled(bulk[name]))), f"{rate:.1f} kB/s", f"{share[name]:.1%}",
                     f"{rate / rate_canned:.3f}", ms(vin_median), ms(p95(pooled(vin[name]))),
                     f"{vin_ratio[name]:.3f}"])
    print(table(["ECU", f"{size} B median", "best", "throughput", f"share of {NOTES_WIRE_LIMIT_KBPS} kB/s",
                 "vs canned", "VIN median", "VIN p95", "VIN / 1.11 ms"], rows))
    wire_ratio = share["simulator"] / share["canned"]
    summary.append(["3", "4000-byte read, 500 kbit/s wire: simulator share of 31.4 kB/s",
                    f"{share['simulator']:.1%} (canned {share['canned']:.1%}, sim/canned {wire_ratio:.3f})",
                    ">= 90 %", verdict(share["simulator"] >= 0.9)])
    summary.append(["3", "VIN round trip, 500 kbit/s wire: simulator / physical 1.11 ms",
                    f"{vin_ratio['simulator']:.3f} (canned {vin_ratio['canned']:.3f})", "~1.0", "-"])


# ---------------------------------------------------------------------------------------------- 4
def _injection_row(label: str, res: list[RoundResult], base: list[RoundResult]) -> list[str]:
    attempts, base_attempts = pooled(res, "attempts"), pooled(base, "attempts")
    return [label, ms(median(attempts)), ms(statistics.fmean(attempts)), ms(p95(attempts)), ms(max(attempts)),
            str(sum(1 for t in attempts if t > STALL)), f"{median(attempts) / median(base_attempts):.3f}",
            f"{statistics.fmean(attempts) / statistics.fmean(base_attempts):.3f}",
            f"{sum(r.errors for r in res)} of {len(attempts)}"]


def bench_injection(desc: EcuDescription, vin_response: bytes) -> None:
    remote_id = desc.addressing.response_id
    heading(f"4. VIN round trip while a third Bus instance injects a remote frame (0x{remote_id:03X}) and an error "
            f"frame every 5 ms, vs no injection")
    with ecu_and_tester(label="inject", description=desc) as (ecu, client, channel):
        injector = FrameInjector(channel, remote_id)
        try:
            measure(caller(client, VIN_REQUEST), vin_response, WARMUP)

            def run(active: bool) -> RoundResult:
                if active:
                    injector.active.set()
                    time.sleep(0.02)  # injection under way before the first request
                try:
                    return measure(caller(client, VIN_REQUEST), vin_response, INJECT_REQUESTS, ecu=ecu)
                finally:
                    injector.active.clear()

            lean = interleaved(INJECT_ROUNDS, {"no injection": lambda: run(False), "injection": lambda: run(True)})
        finally:
            injector.close()
        isotp_errors = client.isotp_errors if isinstance(client, LeanTester) else 0
    lean_injected = injector.sent

    # stock udsoncan testers: a fresh channel, simulator and tester every round, since a stalled CanStack
    # keeps a backlog of unread frames that would carry over into the next round
    def stock(active: bool, tester: str, n: int) -> RoundResult:
        with ecu_and_tester(label="stock", description=desc, tester=tester) as (_, uds, channel):
            measure(caller(uds, VIN_REQUEST), vin_response, 10)
            injector = FrameInjector(channel, remote_id)
            try:
                if active:
                    injector.active.set()
                    time.sleep(0.02)
                return measure(caller(uds, VIN_REQUEST), vin_response, n, allow_errors=True, budget=8.0)
            finally:
                injector.close()

    # the stalled stock stack's P2 timeouts (and the simulator's FC timeouts they cause) are counted below
    loggers = [logging.getLogger(name) for name in ("UdsClient", "isotp")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        stock_results = {
            tester: interleaved(STOCK_ROUNDS, {
                "no injection": lambda t=tester: stock(False, t, STOCK_REQUESTS),
                "injection": lambda t=tester, k=n_injected: stock(True, t, k)})
            for tester, n_injected in (("udsoncan", STOCK_INJECTED_REQUESTS), ("udsoncan-fixed", STOCK_REQUESTS))}
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)

    labels = {"lean": "lean tester (drops error/remote frames)", "udsoncan": "stock udsoncan + CanStack",
              "udsoncan-fixed": "udsoncan + CanStack.set_sleep_timing(0, 0)"}
    rows = [_injection_row(f"{labels['lean']}, {name}", res, lean["no injection"]) for name, res in lean.items()]
    for tester, by_name in stock_results.items():
        rows += [_injection_row(f"{labels[tester]}, {name}", res, by_name["no injection"])
                 for name, res in by_name.items()]
    print(f"ECU: the simulator. Lean tester: {INJECT_ROUNDS} interleaved rounds x {INJECT_REQUESTS} requests, "
          f"{lean_injected} frames injected, tester ISO-TP errors {isotp_errors}. Stock testers: {STOCK_ROUNDS} "
          f"interleaved rounds with a fresh channel/simulator/tester each, {STOCK_REQUESTS} requests (stock with "
          f"injection: {STOCK_INJECTED_REQUESTS}); failed requests (P2 timeouts) count with the time they took.")
    print(table(["tester, condition", "median", "mean", "p95", "max", f"> {STALL * 1e3:.0f} ms", "median ratio",
                 "mean ratio", "failed"], rows))

    def ratio(res: dict[str, list[RoundResult]], stat: Callable[[list[float]], float] = median) -> float:
        return stat(pooled(res["injection"], "attempts")) / stat(pooled(res["no injection"], "attempts"))

    lean_ratio = paired_ratio(lean["injection"], lean["no injection"])
    lean_mean = ratio(lean, statistics.fmean)
    stalls = sum(1 for t in pooled(lean["injection"], "attempts") if t > STALL)
    base_stalls = sum(1 for t in pooled(lean["no injection"], "attempts") if t > STALL)
    summary.append(["4", "VIN round trip with injection / without (simulator, lean tester)",
                    f"{lean_ratio:.3f} (mean {lean_mean:.3f}; > {STALL * 1e3:.0f} ms: {stalls} vs {base_stalls})",
                    "~1.0, no 20 ms stall", verdict(lean_ratio <= 1 + NOISE and stalls <= base_stalls + 2)])
    summary.append(["4", "same, stock udsoncan + CanStack (median ratio)", f"{ratio(stock_results['udsoncan']):.0f}",
                    "(stalls, as in the notes)", "-"])
    summary.append(["4", "same, udsoncan + CanStack.set_sleep_timing(0, 0)",
                    f"{ratio(stock_results['udsoncan-fixed']):.3f}", "-", "-"])


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    start = time.perf_counter()
    desc = load_ecu_description(DEMO_ECU)
    vin_response = b"\x62\xf1\x90" + desc.did(0xF190).initial
    bulk_response = b"\x62\xd1\x00" + desc.did(0xD100).initial
    print("Simulator benchmark: ratios against baselines measured in this run (interleaved rounds, medians).")
    print("python-can virtual bus, tester and ECU in one process; the machine is shared: differences under "
          "~10 % are noise.")
    bench_vin(desc, vin_response)
    bench_bulk(desc, vin_response, bulk_response)
    bench_injection(desc, vin_response)
    heading("Summary")
    print(table(["#", "figure", "measured", "target", ""], sorted(summary, key=lambda row: row[0])))
    print(f"\ntotal time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
