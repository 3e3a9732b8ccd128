"""Benchmark: N events through a two-hop chain on `lgnet_runtime`, then through a hand-written one.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:29092 MONGODB_URI=mongodb://127.0.0.1:27037/ \
        uv run python bench/runtime_chain.py --events 20000

Per chain: a warm-up round on its own topics, then `--rounds` measured rounds, the chains taking
turns (their order alternates from round to round): N `case.closed` events are seeded first
(6 partitions), the chain is started and drains them (throughput, and each event's age when
written), then `--paced` more events are produced at `--rate` events/s into the running chain
(latency per hop when the chain keeps up). Each chain is reported by its median round. See
bench/README.md.
"""

import argparse
import asyncio
import cProfile
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from chain_common import (
    Engines,
    PhaseStats,
    Recorder,
    create_topics,
    delete_topics,
    drop_databases,
    memory_kb,
    reset_peak_rss,
    seed,
)
from chain_handwritten import HandWrittenChain
from chain_runtime import RuntimeChain
from hdrh.histogram import HdrHistogram

from lgnet_runtime.logging import configure_logging
from lgnet_runtime.telemetry import configure_tracing

HERE = os.path.dirname(os.path.abspath(__file__))


class Chain(Protocol):
    name: str

    @property
    def databases(self) -> list[str]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


ChainFactory = Any  # RuntimeChain or HandWrittenChain: (engines, namespace, unique, recorder) -> Chain
CHAINS: dict[str, ChainFactory] = {"runtime": RuntimeChain, "hand-written": HandWrittenChain}


@dataclass
class ChainResult:
    name: str
    events: int
    seconds: float
    backlog: PhaseStats
    paced: PhaseStats | None
    peak_rss_kb: int
    rss_end_kb: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.events / self.seconds


def percentiles_ms(histogram: HdrHistogram) -> tuple[float, float]:
    return (
        histogram.get_value_at_percentile(50) / 1000,
        histogram.get_value_at_percentile(99) / 1000,
    )


async def run_chain(
    kind: str,
    engines: Engines,
    events: int,
    *,
    paced: int = 0,
    rate: float = 0.0,
    profile: str | None = None,
) -> ChainResult:
    unique = uuid.uuid4().hex[:10]
    namespace = f"bench{unique}."
    recorder = Recorder()
    timeout = max(120.0, events / 50)
    await create_topics(engines.kafka, namespace)
    chain: Chain = CHAINS[kind](engines, namespace, unique, recorder)
    try:
        await seed(engines.kafka, namespace, events, "backlog")
        reset_peak_rss()
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        await chain.start()
        await recorder.wait_hop2("backlog", events, timeout)
        if paced:
            await seed(engines.kafka, namespace, paced, "paced", rate=rate)
            await recorder.wait_hop2("paced", paced, timeout)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{profile}.{kind}.prof")
        mem = memory_kb()
    finally:
        await chain.stop()
        await drop_databases(engines.mongo, chain.databases)
        await delete_topics(engines.kafka, namespace)
    backlog = recorder.phase("backlog")
    assert backlog.first_consumed is not None
    return ChainResult(
        name=kind,
        events=events,
        seconds=backlog.last_hop2 - backlog.first_consumed,
        backlog=backlog,
        paced=recorder.phase("paced") if paced else None,
        peak_rss_kb=mem["VmHWM"],
        rss_end_kb=mem["VmRSS"],
    )


async def single_hop_rss(engines: Engines, events: int) -> dict[str, Any]:
    """Runtime hop 1 alone in a child process: one service's peak RSS."""
    unique = uuid.uuid4().hex[:10]
    namespace = f"bench{unique}."
    await create_topics(engines.kafka, namespace)
    try:
        await seed(engines.kafka, namespace, events, "backlog")
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            os.path.join(HERE, "single_hop.py"),
            "--namespace",
            namespace,
            "--unique",
            unique,
            "--events",
            str(events),
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": engines.kafka, "MONGODB_URI": engines.mongo},
        )
        out, _ = await child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"single-hop child failed with {child.returncode}")
        result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    finally:
        await drop_databases(engines.mongo, [f"benchclosure_{unique}"])
        await delete_topics(engines.kafka, namespace)
    return result


def median_round(rounds: list[ChainResult]) -> ChainResult:
    return sorted(rounds, key=lambda r: r.throughput)[len(rounds) // 2]


def report(
    rounds: dict[str, list[ChainResult]], single: dict[str, Any] | None, args: argparse.Namespace
) -> str:
    lines = [
        f"events={args.events} warmup={args.warmup} paced={args.paced}@{args.rate:g}/s "
        f"rounds={args.rounds} (both hops in this one process, pid {os.getpid()})",
        "",
        "| chain (median round) | throughput ev/s | drain s | hop-1 age p50/p99 ms | hop-2 p50/p99 ms "
        "| paced hop-1 p50/p99 ms | paced hop-2 p50/p99 ms | peak RSS MB | dup |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, results in rounds.items():
        r = median_round(results)
        h1, h2 = percentiles_ms(r.backlog.hop1), percentiles_ms(r.backlog.hop2)
        p1, p2 = (percentiles_ms(r.paced.hop1), percentiles_ms(r.paced.hop2)) if r.paced else ((0, 0), (0, 0))
        lines.append(
            f"| {name} | {r.throughput:,.0f} | {r.seconds:.1f} | {h1[0]:,.0f} / {h1[1]:,.0f} "
            f"| {h2[0]:,.0f} / {h2[1]:,.0f} | {p1[0]:.1f} / {p1[1]:.1f} | {p2[0]:.1f} / {p2[1]:.1f} "
            f"| {r.peak_rss_kb / 1024:.0f} | {sum(x.backlog.duplicates for x in results)} |"
        )
    lines.append("")
    for name, results in rounds.items():
        lines.append(f"{name} rounds, ev/s: " + ", ".join(f"{r.throughput:,.0f}" for r in results))
    if "runtime" in rounds and "hand-written" in rounds:
        ratio = median_round(rounds["runtime"]).throughput / median_round(rounds["hand-written"]).throughput
        per_round = [
            a.throughput / b.throughput
            for a, b in zip(rounds["runtime"], rounds["hand-written"], strict=True)
        ]
        verdict = "meets" if ratio >= 0.7 else "MISSES"
        lines += [
            f"runtime / hand-written, per round: {', '.join(f'{x:.0%}' for x in per_round)}",
            "",
            f"runtime / hand-written throughput (medians): {ratio:.0%} ({verdict} the 70 % target)",
        ]
    if single:
        lines.append(
            f"runtime hop 1 alone (child process): peak RSS {single['peak_rss_kb'] / 1024:.0f} MB, "
            f"RSS after set-up {single['rss_after_setup_kb'] / 1024:.0f} MB, "
            f"{single['events'] / single['seconds']:,.0f} ev/s"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    engines = Engines(
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"),
        os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27027/"),
    )
    kinds = [args.only] if args.only else list(CHAINS)
    started = time.monotonic()
    if args.warmup:
        for kind in kinds:
            await run_chain(kind, engines, args.warmup)
            print(f"warm-up {kind}: done", file=sys.stderr)
    rounds: dict[str, list[ChainResult]] = {kind: [] for kind in kinds}
    for number in range(args.rounds):
        # Turns alternate, so neither chain always runs on a fresher (or more tired) machine.
        for kind in kinds if number % 2 == 0 else kinds[::-1]:
            result = await run_chain(
                kind,
                engines,
                args.events,
                paced=args.paced,
                rate=args.rate,
                profile=f"{args.profile}.round{number + 1}" if args.profile else None,
            )
            print(f"round {number + 1} {kind}: {result.throughput:,.0f} events/s", file=sys.stderr)
            rounds[kind].append(result)
    single = await single_hop_rss(engines, args.events) if args.single_hop else None
    text = report(rounds, single, args)
    print(text)
    print(f"\n(total wall time {time.monotonic() - started:.0f} s)")
    return {
        "results": [
            {
                "chain": r.name,
                "round": number + 1,
                "events_per_s": r.throughput,
                "seconds": r.seconds,
                "backlog_ms": [percentiles_ms(r.backlog.hop1), percentiles_ms(r.backlog.hop2)],
                "paced_ms": [percentiles_ms(r.paced.hop1), percentiles_ms(r.paced.hop2)] if r.paced else None,
                "peak_rss_kb": r.peak_rss_kb,
            }
            for results in rounds.values()
            for number, r in enumerate(results)
        ],
        "median_events_per_s": {
            kind: statistics.median(r.throughput for r in rs) for kind, rs in rounds.items()
        },
        "single_hop": single,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Runtime vs hand-written two-hop chain.")
    parser.add_argument("--events", type=int, default=20_000, help="events seeded before each chain starts")
    parser.add_argument("--warmup", type=int, default=2_000, help="events of the warm-up round per chain")
    parser.add_argument("--paced", type=int, default=2_000, help="events produced at --rate after the drain")
    parser.add_argument("--rate", type=float, default=500.0, help="events/s of the paced phase")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per chain, turns alternating")
    parser.add_argument("--only", choices=list(CHAINS), help="run one chain only")
    parser.add_argument("--no-single-hop", dest="single_hop", action="store_false", help="skip the RSS child")
    parser.add_argument(
        "--profile", metavar="PREFIX", help="cProfile each measured round to PREFIX.roundN.<chain>.prof"
    )
    parser.add_argument("--log-file", default=os.devnull, help="where the services' JSON log lines go")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    # As a deployed service: JSON log lines (one per handled event) and tracing spans (no exporter).
    log_file = open(args.log_file, "w")  # noqa: SIM115  (lives as long as the process)
    real_stderr, sys.stderr = sys.stderr, log_file
    configure_logging("bench", fmt="json", level="INFO")
    sys.stderr = real_stderr
    configure_tracing("bench", None)
    figures = asyncio.run(main_async(args))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)


if __name__ == "__main__":
    main()
