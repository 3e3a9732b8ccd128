"""The `lgnet` command; each group of subcommands lives in its own module."""

import typer

from . import checks, contracts_cmd, dlq, infra, ops, token_cmd, topics_cmd
from .system import commands as system

app = typer.Typer(help="LGNet3 Rapid Response developer and operations tool.", no_args_is_help=True)
app.add_typer(infra.app, name="infra")
app.add_typer(contracts_cmd.app, name="contracts")
app.add_typer(dlq.app, name="dlq")
app.add_typer(topics_cmd.app, name="topics")
app.add_typer(token_cmd.app, name="token")
app.add_typer(ops.app, name="ops")
app.command("test")(checks.run_all)
app.command("up")(system.up)
app.command("down")(system.down)
app.command("status")(system.status)
app.command("seed")(system.seed)

if __name__ == "__main__":
    app()
