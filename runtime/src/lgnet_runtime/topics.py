"""Topics as code: create every contract topic and its dead-letter topic, idempotently."""

from collections.abc import Iterable

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from lgnet_contracts.topics import ALL_TOPICS, TopicSpec

DAY_MS = 24 * 3600 * 1000


def topic_configs(spec: TopicSpec) -> dict[str, str]:
    return {
        "retention.ms": str(spec.retention_days * DAY_MS),
        "cleanup.policy": "compact" if spec.compacted else "delete",
        "min.insync.replicas": "1",
    }


def dead_letter_configs() -> dict[str, str]:
    # Dead letters wait for a person to look at them: keep them longer than their source.
    return {"retention.ms": str(90 * DAY_MS), "cleanup.policy": "delete"}


async def ensure_topics(
    bootstrap: str,
    specs: Iterable[TopicSpec] = ALL_TOPICS,
    *,
    replication_factor: int = 1,
    partitions_override: int | None = None,
    namespace: str = "",
) -> list[str]:
    """Create what is missing; never alter or delete what exists. Returns the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="lgnet-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted: list[NewTopic] = []
        for spec in specs:
            partitions = partitions_override or spec.partitions
            name, dead_letter = namespace + spec.name, namespace + spec.dead_letter
            if name not in existing:
                wanted.append(
                    NewTopic(name, partitions, replication_factor, topic_configs=topic_configs(spec))
                )
            if dead_letter not in existing:
                wanted.append(
                    NewTopic(dead_letter, 1, replication_factor, topic_configs=dead_letter_configs())
                )
        if wanted:
            response = await admin.create_topics(wanted)
            for error in response.to_object()["topic_errors"]:
                # 36: TOPIC_ALREADY_EXISTS, another instance won the race.
                if error["error_code"] not in (0, 36):
                    raise RuntimeError(f"could not create topic {error['topic']}: {error}")
        return [t.name for t in wanted]
    finally:
        await admin.close()


async def partitions_of(bootstrap: str, names: Iterable[str]) -> list[TopicPartition]:
    """Every partition of the named topics that exist (a missing topic has none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="lgnet-topics")
    await admin.start()
    try:
        described = await admin.describe_topics(list(names))
    finally:
        await admin.close()
    return [
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if t["error_code"] == 0
        for p in sorted(t["partitions"], key=lambda p: p["partition"])
    ]
