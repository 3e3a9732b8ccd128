"""What a test session created on the engines, removed when the session ends.

Every test gets topics and a database of its own; left behind, thousands of partitions pile up
run after run until the broker runs out of memory. Only names this session made are removed,
so other sessions sharing the engines (and the data of `lgnet up`) are never touched.
"""

from __future__ import annotations

import contextlib
import threading

from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

_lock = threading.Lock()
_topic_prefixes: set[str] = set()
_databases: set[str] = set()


def created(*, topic_prefix: str | None = None, database: str | None = None) -> None:
    with _lock:
        if topic_prefix:
            _topic_prefixes.add(topic_prefix)
        if database:
            _databases.add(database)


async def remove(kafka_bootstrap: str, mongodb_uri: str) -> tuple[int, int]:
    """Delete this session's topics and drop its databases; returns how many of each."""
    with _lock:
        prefixes, databases = tuple(_topic_prefixes), set(_databases)
    topics = dropped = 0
    with contextlib.suppress(Exception):  # an engine a test left stopped: nothing to clean there
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap, request_timeout_ms=40_000)
        await admin.start()
        try:
            names = [n for n in await admin.list_topics() if n.startswith(prefixes)]
            for start in range(0, len(names), 100):
                with contextlib.suppress(Exception):  # one slow chunk does not keep the rest
                    await admin.delete_topics(names[start : start + 100], timeout_ms=30_000)
                    topics += len(names[start : start + 100])
        finally:
            await admin.close()
    with contextlib.suppress(Exception):
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            mongodb_uri, serverSelectionTimeoutMS=3000
        )
        try:
            for name in set(await client.list_database_names()) & databases:
                await client.drop_database(name)
                dropped += 1
        finally:
            await client.close()
    return topics, dropped
