"""`lgnet topics ensure|list`: the topics of the contracts, created the same way everywhere."""

import asyncio
import os

import typer

from lgnet_contracts.topics import ALL_TOPICS
from lgnet_runtime.topics import ensure_topics, topic_configs

app = typer.Typer(help="Topics as code.", no_args_is_help=True)


@app.command()
def ensure(
    bootstrap: str = typer.Option(
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"), "--bootstrap"
    ),
    replication_factor: int = typer.Option(1, min=1, help="3 on a production cluster"),
) -> None:
    """Create every missing topic and dead-letter topic; change nothing that exists."""
    created = asyncio.run(ensure_topics(bootstrap, replication_factor=replication_factor))
    typer.echo(f"created: {', '.join(created) if created else 'nothing (all present)'}")


@app.command("list")
def list_() -> None:
    """The topics the contracts define, with partitions, retention and key."""
    for spec in ALL_TOPICS:
        typer.echo(
            f"{spec.name}  partitions={spec.partitions}  key={spec.key_by.value}  {topic_configs(spec)}"
        )
        typer.echo(f"{spec.dead_letter}  partitions=1  (dead letters)")
