"""Child process of `runtime_chain.py`: ONE runtime service (hop 1) alone, to measure its peak RSS.

It consumes the `case.closed` events already seeded in `<namespace>lgnet.referral.cases`, writes
them with their outbox, lets the relay publish all of them, and prints one JSON line:
RSS after the imports, peak RSS (VmHWM) at the end, and how long it took.
"""

import argparse
import asyncio
import json
import os
import sys
import time

from chain_common import Engines, Recorder, memory_kb
from chain_runtime import RuntimeChain

from lgnet_runtime.logging import configure_logging
from lgnet_runtime.telemetry import configure_tracing


async def run(engines: Engines, namespace: str, unique: str, events: int) -> dict[str, float]:
    recorder = Recorder()
    chain = RuntimeChain(engines, namespace, unique, recorder, hops=1)
    after_setup = memory_kb()["VmRSS"]
    await chain.start()
    stats = recorder.phase("backlog")
    deadline = time.monotonic() + max(120.0, events / 50)
    while stats.hop1_done < events or chain.published() < events:
        if time.monotonic() > deadline:
            raise TimeoutError(f"hop 1 alone: {stats.hop1_done} written, {chain.published()} published")
        await asyncio.sleep(0.02)
    first = stats.first_consumed or time.time()
    seconds = time.time() - first
    mem = memory_kb()
    await chain.stop()
    return {
        "rss_after_setup_kb": after_setup,
        "rss_end_kb": mem["VmRSS"],
        "peak_rss_kb": mem["VmHWM"],
        "seconds": seconds,
        "events": events,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--unique", required=True)
    parser.add_argument("--events", type=int, required=True)
    args = parser.parse_args()
    engines = Engines(os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["MONGODB_URI"])
    log_file = open(os.devnull, "w")  # noqa: SIM115  (lives as long as the process)
    real_stderr, sys.stderr = sys.stderr, log_file
    configure_logging("benchclosure", fmt="json", level="INFO")
    sys.stderr = real_stderr
    configure_tracing("benchclosure", None)
    result = asyncio.run(run(engines, args.namespace, args.unique, args.events))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
