"""`lgnet infra`: the local Kafka broker and MongoDB-wire server."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from . import engines

app = typer.Typer(
    help="Local engines: a Kafka broker (KRaft) and a MongoDB-wire server.", no_args_is_help=True
)


def _fail(error: Exception) -> typer.Exit:
    typer.secho(str(error), fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@app.command()
def up() -> None:
    """Start both engines (no-op for those already running) and print how to reach them."""
    began = time.monotonic()
    try:
        endpoints = engines.up(echo=typer.echo)
    except (engines.EngineError, RuntimeError) as error:
        raise _fail(error) from error
    typer.echo(f"engines ready in {time.monotonic() - began:.1f}s")
    typer.echo(f"kafka bootstrap servers: {endpoints.kafka_bootstrap}")
    typer.echo(f"mongodb uri: {endpoints.mongodb_uri}")
    typer.echo(f"export KAFKA_BOOTSTRAP_SERVERS={endpoints.kafka_bootstrap}")
    typer.echo(f"export MONGODB_URI={endpoints.mongodb_uri}")


@app.command()
def down(
    wipe: Annotated[
        bool, typer.Option("--wipe", help="Also delete the data dir (topics, databases).")
    ] = False,
) -> None:
    """Stop both engines gracefully (SIGTERM, SIGKILL after a timeout)."""
    engines.down(wipe=wipe, echo=typer.echo)


@app.command()
def status() -> None:
    """Show whether each engine runs and answers a real request."""
    cfg = engines.EngineConfig.from_env()
    states = engines.status(cfg)
    for state in states:
        if not state.running:
            line = "stopped"
        else:
            line = f"running (pid {state.pid}), {'answering' if state.answering else 'NOT answering'}"
        typer.echo(f"{state.name:<6} {line:<40} {state.endpoint}")
    typer.echo(f"data dir: {cfg.data_dir}")
    if not all(state.answering for state in states):
        raise typer.Exit(code=1)
