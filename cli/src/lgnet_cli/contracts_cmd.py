"""`lgnet contracts export|check`: the committed JSON Schemas and AsyncAPI document."""

import json
from pathlib import Path

import typer

from lgnet_contracts import asyncapi, schemas

app = typer.Typer(help="Event contracts: JSON Schema per event and version, AsyncAPI.", no_args_is_help=True)

DEFAULT_DIR = Path("contracts/schemas")
ASYNCAPI_FILE = Path("contracts/asyncapi.json")


def _asyncapi_text() -> str:
    return json.dumps(asyncapi.document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@app.command()
def export(
    directory: Path = typer.Option(DEFAULT_DIR, help="where the schemas live"),
    asyncapi_file: Path = typer.Option(ASYNCAPI_FILE, help="the AsyncAPI document"),
) -> None:
    """Write one JSON Schema per event and version, and the AsyncAPI document."""
    problems = [p for p in schemas.check(directory) if p.breaking] if directory.exists() else []
    if problems:
        for problem in problems:
            typer.echo(str(problem), err=True)
        typer.echo("refusing to overwrite published schemas with breaking changes", err=True)
        raise typer.Exit(1)
    written = schemas.export(directory)
    asyncapi_file.write_text(_asyncapi_text(), "utf-8")
    typer.echo(f"{len(written)} schema file(s) written to {directory}; AsyncAPI in {asyncapi_file}")


@app.command()
def check(
    directory: Path = typer.Option(DEFAULT_DIR, help="where the schemas live"),
    asyncapi_file: Path = typer.Option(ASYNCAPI_FILE, help="the AsyncAPI document"),
) -> None:
    """Fail when committed schemas are stale or a published version was broken."""
    problems = [str(p) for p in schemas.check(directory)]
    if not asyncapi_file.exists() or asyncapi_file.read_text("utf-8") != _asyncapi_text():
        problems.append(f"stale: {asyncapi_file}: differs from the models (run `lgnet contracts export`)")
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo("contracts: schemas and AsyncAPI match the models; no published version broken")
