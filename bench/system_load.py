"""Load on the whole system, as four service processes: intake latency, time to a bed, and memory.

Reports, for N cases reported concurrently over HTTP to the referral service (a mix of
households in several municipalities): the intake latency (p50/p99), the time from report to
`placement.offered` or `placement.waitlisted` on Kafka, and each service's peak resident memory
(VmHWM) against the standing target of 150 MB.

    uv run python bench/system_load.py --cases 500 --concurrency 20

Engines: the local ones (started if needed), or KAFKA_BOOTSTRAP_SERVERS / MONGODB_URI.
"""

import argparse
import asyncio
import os
import platform
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from hdrh.histogram import HdrHistogram

from lgnet_cli.engines import EngineConfig, ensure_engines
from lgnet_cli.system.api import Api
from lgnet_cli.system.local_env import LocalSystem
from lgnet_cli.system.processes import running, start_service, start_support, stop_all, wait_ready
from lgnet_cli.system.seed import seed_all
from lgnet_contracts.topics import PLACEMENTS
from lgnet_testing.harness import EventProbe

MUNICIPALITIES = ["058091", "015146", "063049", "037006", "072006"]


def _report(i: int) -> dict[str, Any]:
    rng = random.Random(i)
    adults = rng.choice([["male"], ["female"], ["female", "male"]])
    minors = rng.choice([[], [], [3], [7, 11]])
    return {
        "municipality": rng.choice(MUNICIPALITIES),
        "location": "bench",
        "household": {"adults": adults, "minors_ages": minors},
        "factors": [],
        "needs": rng.choice([["shelter_tonight"], ["shelter_tonight", "economic_hardship"], ["food"]]),
        "contact": {"preferred_language": rng.choice(["it", "en", "ar", "uk", "fr", "es"])},
        "consent": {"contact": False, "data_processing": True},
        "not_a_duplicate": True,
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _fire(system: LocalSystem, cases: int, concurrency: int) -> tuple[HdrHistogram, dict[str, float]]:
    api = Api(system)
    headers = api.headers("hotline_operator", MUNICIPALITIES, subject="bench")
    url = next(s.url for s in system.services if s.name == "referral") + "/cases"
    latency = HdrHistogram(1, 60_000_000, 3)  # microseconds
    reported_at: dict[str, float] = {}
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(i: int) -> None:
            async with gate:
                started = time.perf_counter()
                answer = await client.post(url, json=_report(i), headers=headers)
                answer.raise_for_status()
                latency.record_value(int((time.perf_counter() - started) * 1e6))
                reported_at[answer.json()["case_id"]] = started

        await asyncio.gather(*(one(i) for i in range(cases)))
    return latency, reported_at


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()

    bootstrap, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URI")
    if not (bootstrap and mongo):
        found = ensure_engines()
        bootstrap, mongo = found.kafka_bootstrap, found.mongodb_uri
    namespace = f"bench{uuid.uuid4().hex[:6]}."
    # One load generator is one client: lift the per-client rate limit for this measurement.
    for name in ("REFERRAL", "HOUSING", "PAYMENTS", "NOTIFICATIONS"):
        os.environ[f"LGNET_{name}_RATE_LIMIT_PER_MINUTE"] = "1000000"
        os.environ[f"LGNET_{name}_RATE_LIMIT_BURST"] = "100000"
    system = LocalSystem(
        EngineConfig.from_env(),
        kafka_bootstrap=bootstrap,
        mongodb_uri=mongo,
        directory=Path(tempfile.mkdtemp(prefix="lgnet-bench-")),
        port_offset=3000,
        namespace=namespace,
    )
    quiet: list[str] = []
    try:
        start_support(system, quiet.append)
        for spec in system.services:
            start_service(system, spec, quiet.append)
        for spec in system.services:
            wait_ready(system, spec)
        seed_all(system, quiet.append)
        probe = EventProbe(bootstrap, [namespace + PLACEMENTS.name])
        await probe.start()
        began = time.perf_counter()
        latency, reported = await _fire(system, args.cases, args.concurrency)
        intake_seconds = time.perf_counter() - began
        housing_cases = {c for c in reported}  # cases that need a bed answer with offered or waitlisted
        decided: dict[str, float] = {}
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            for event in probe.events:
                if event.event_type in ("placement.offered", "placement.waitlisted") and event.case_id:
                    decided.setdefault(event.case_id, time.perf_counter())
            needing = sum(1 for i in range(args.cases) if "shelter_tonight" in _report(i)["needs"])
            if len(decided) >= needing:
                break
            await asyncio.sleep(0.2)
        await probe.stop()
        to_bed = HdrHistogram(1, 600_000_000, 3)
        for case_id, at in decided.items():
            if case_id in housing_cases:
                to_bed.record_value(int((at - reported[case_id]) * 1e6))
        rss = {s.name: _peak_rss_mb(pid) for s in system.services if (pid := running(system, s.module))}
    finally:
        stop_all(system, quiet.append)

    p50, p99 = (to_bed.get_value_at_percentile(q) / 1000 for q in (50, 99))
    print(f"machine: {os.cpu_count()} cores, {_cpu_model()}, Python {platform.python_version()}")
    print(f"cases reported: {args.cases} at concurrency {args.concurrency} in {intake_seconds:.1f}s")
    print(
        f"intake latency: p50 {latency.get_value_at_percentile(50) / 1000:.1f} ms, "
        f"p99 {latency.get_value_at_percentile(99) / 1000:.1f} ms"
    )
    print(
        f"report -> offered/waitlisted: {to_bed.get_total_count()} cases, p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )
    for name, mb in rss.items():
        print(f"peak RSS {name:<14} {mb:6.1f} MB  {'ok' if mb < 150 else 'OVER the 150 MB target'}")


if __name__ == "__main__":
    asyncio.run(main())
