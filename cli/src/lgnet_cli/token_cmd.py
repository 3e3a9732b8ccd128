"""`lgnet token issue`: development bearer tokens signed with a local key (never in production)."""

import os
from pathlib import Path

import typer

from lgnet_contracts.municipalities import municipalities
from lgnet_runtime.auth import Role
from lgnet_runtime.devtokens import ensure_key_pair, mint

app = typer.Typer(help="Development tokens.", no_args_is_help=True)


def dev_key_dir() -> Path:
    return Path(os.environ.get("LGNET_DATA_DIR", ".lgnet")) / "auth"


@app.command()
def issue(
    role: list[Role] = typer.Option(..., "--role", help="one or more roles"),
    municipality: list[str] = typer.Option(..., "--municipality", help="ISTAT code(s) the token may act for"),
    shelter: str | None = typer.Option(None, "--shelter", help="shelter of a shelter_partner token"),
    subject: str = typer.Option("dev-user", help="who the token names"),
    hours: int = typer.Option(8, min=1, max=72, help="lifetime"),
) -> None:
    """Print a token; services trust it when LGNET_AUTH_PUBLIC_KEY_FILE points at the dev public key."""
    from datetime import timedelta

    unknown = [m for m in municipality if m not in municipalities()]
    if unknown:
        typer.echo(f"not programme municipalities: {', '.join(unknown)}", err=True)
        raise typer.Exit(2)
    if Role.SHELTER_PARTNER in role and not shelter:
        typer.echo("a shelter_partner token needs --shelter", err=True)
        raise typer.Exit(2)
    private_pem, _ = ensure_key_pair(dev_key_dir())
    typer.echo(
        mint(
            private_pem,
            subject=subject,
            roles=[r.value for r in role],
            municipalities=municipality,
            shelter_id=shelter,
            ttl=timedelta(hours=hours),
        )
    )


@app.command("public-key-file")
def public_key_file() -> None:
    """Where the dev public key is (creating the key pair if needed)."""
    ensure_key_pair(dev_key_dir())
    typer.echo(str((dev_key_dir() / "dev-signing-key.pub.pem").resolve()))
