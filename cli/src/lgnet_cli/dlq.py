"""`lgnet dlq list|show|replay`: look at dead letters and re-drive them after a fix."""

import asyncio
import base64
import json
import os

import typer

from lgnet_runtime.deadletter_admin import StoredDeadLetter, read_dead_letters, replay

app = typer.Typer(help="Dead letters: messages a consumer gave up on.", no_args_is_help=True)

BootstrapOption = typer.Option(
    os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"),
    "--bootstrap",
    help="Kafka bootstrap servers",
)


NamespaceOption = typer.Option(
    os.environ.get("LGNET_TOPIC_NAMESPACE", ""), "--namespace", help="topic name prefix of the environment"
)


def _select(letters: list[StoredDeadLetter], ref: str | None, group: str | None) -> list[StoredDeadLetter]:
    return [
        s
        for s in letters
        if (ref is None or s.ref == ref) and (group is None or s.letter.consumer_group == group)
    ]


@app.command("list")
def list_(
    bootstrap: str = BootstrapOption,
    topic: list[str] = typer.Option(None, help="dead-letter topic(s); all by default"),
    group: str | None = typer.Option(None, help="only this consumer group"),
    namespace: str = NamespaceOption,
) -> None:
    """One line per dead letter: where it is, where it came from, why."""
    letters = _select(
        asyncio.run(read_dead_letters(bootstrap, topic or None, namespace=namespace)), None, group
    )
    for s in letters:
        d = s.letter
        typer.echo(
            f"{s.ref}  from {d.source_topic}[{d.partition}]@{d.offset}  group={d.consumer_group}  "
            f"{d.error_type} after {d.attempts} attempt(s)  at {d.dead_lettered_at:%Y-%m-%d %H:%M:%S}Z"
        )
    typer.echo(f"{len(letters)} dead letter(s)")


@app.command()
def show(
    ref: str = typer.Argument(..., help="TOPIC:PARTITION:OFFSET as printed by `list`"),
    bootstrap: str = BootstrapOption,
) -> None:
    """The whole record, with the original message decoded when it is text."""
    topic = ref.rsplit(":", 2)[0]
    found = _select(asyncio.run(read_dead_letters(bootstrap, [topic])), ref, None)
    if not found:
        typer.echo(f"no dead letter at {ref}", err=True)
        raise typer.Exit(1)
    record = json.loads(found[0].letter.model_dump_json())
    raw = base64.b64decode(record["value_b64"])
    try:
        record["value"] = json.loads(raw)
    except ValueError:
        record["value"] = raw.decode("utf-8", "replace")
    typer.echo(json.dumps(record, indent=2, ensure_ascii=False))


@app.command("replay")
def replay_(
    ref: str | None = typer.Argument(None, help="one dead letter (TOPIC:PARTITION:OFFSET); or use --all"),
    all_: bool = typer.Option(False, "--all", help="every dead letter (of --group, if given)"),
    group: str | None = typer.Option(None, help="only this consumer group"),
    bootstrap: str = BootstrapOption,
    namespace: str = NamespaceOption,
) -> None:
    """Publish the original messages again to their source topics; consumers are idempotent."""
    if (ref is None) == (not all_):
        typer.echo("name one dead letter or pass --all", err=True)
        raise typer.Exit(2)
    letters = _select(asyncio.run(read_dead_letters(bootstrap, namespace=namespace)), ref, group)
    if not letters:
        typer.echo("nothing to replay", err=True)
        raise typer.Exit(1)
    count = asyncio.run(replay(bootstrap, letters))
    typer.echo(f"replayed {count} message(s)")
