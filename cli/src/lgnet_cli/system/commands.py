"""`lgnet up | down | status`: the whole system on this machine."""

import time

import typer

from .. import engines
from .local_env import FAKE_GATEWAYS_PORT, HOST, SMTP_PORT, LocalSystem
from .processes import running, start_service, start_support, stop_all, wait_ready


def _system() -> LocalSystem:
    return LocalSystem(engines.EngineConfig.from_env())


def up(
    demo: bool = typer.Option(True, help="walk one case through the whole flow once everything is up"),
    seed: bool = typer.Option(True, help="load the seed shelters (idempotent)"),
    follow: bool = typer.Option(False, help="stay in the foreground; Ctrl-C stops the services"),
) -> None:
    """Engines, the four services, the dev gateways, seed data and a case going through."""
    started = time.monotonic()
    system = _system()
    typer.secho("== engines", bold=True)
    found = engines.up(system.engines, echo=typer.echo)
    typer.secho("\n== services", bold=True)
    start_support(system, typer.echo)
    for spec in system.services:
        start_service(system, spec, typer.echo)
    for spec in system.services:
        wait_ready(system, spec)
        typer.echo(f"{spec.name:<17} ready  {spec.url}/docs")
    if seed:
        from .seed import seed_all

        typer.secho("\n== seed data", bold=True)
        seed_all(system, typer.echo)
    if demo:
        from .demo import run_demo

        typer.secho("\n== a case going through", bold=True)
        run_demo(system, typer.echo)
    typer.secho(f"\nAll up in {time.monotonic() - started:.0f}s.", bold=True)
    typer.echo(f"Kafka {found.kafka_bootstrap}   MongoDB {found.mongodb_uri}")
    typer.echo(
        f"Mail catcher smtp://{HOST}:{SMTP_PORT} (messages: {system.mail_dir})   "
        f"fake gateways http://{HOST}:{FAKE_GATEWAYS_PORT}"
    )
    typer.echo(
        f"Logs: {system.logs}\nA token: ./dev token issue --role hotline_operator --municipality 058091"
    )
    typer.echo("Stop with: ./dev down")
    if follow:
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            down(engines_too=False)


def seed() -> None:
    """Load the seed shelters into running services (LGNET_<NAME>_URL says where they are)."""
    from .seed import seed_all

    seed_all(_system(), typer.echo)


def down(
    engines_too: bool = typer.Option(True, "--engines/--keep-engines", help="stop the engines as well"),
    wipe: bool = typer.Option(False, help="also delete all local data"),
) -> None:
    """Stop the services (gracefully), the dev gateways and, by default, the engines."""
    system = _system()
    stop_all(system, typer.echo)
    if engines_too or wipe:
        engines.down(system.engines, wipe=wipe, echo=typer.echo)


def status() -> None:
    """What runs, and whether it answers."""
    system = _system()
    for s in engines.status(system.engines):
        state = "answering" if s.answering else ("running, not answering" if s.running else "stopped")
        typer.echo(f"{s.name:<14} {state}  {s.endpoint}")
    for spec in system.services:
        pid = running(system, spec.module)
        typer.echo(f"{spec.name:<14} {'running pid ' + str(pid) if pid else 'stopped'}  {spec.url}")
