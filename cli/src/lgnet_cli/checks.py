"""`lgnet test`: every check the project makes, in the order a reviewer would want them."""

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import typer

SOURCES = [
    "contracts/src",
    "runtime/src",
    "cli/src",
    "testing/src",
    "services/referral/src",
    "services/housing/src",
    "services/payments/src",
    "services/notifications/src",
]


@dataclass(frozen=True)
class Step:
    name: str
    command: list[str]


def _steps(with_deploy: bool) -> list[Step]:
    py = sys.executable
    steps = [
        Step("lint (ruff)", [py, "-m", "ruff", "check", "."]),
        Step("format (ruff)", [py, "-m", "ruff", "format", "--check", "."]),
        Step("types (mypy)", [py, "-m", "mypy", *SOURCES]),
        Step("import rules (import-linter)", [str(Path(py).with_name("lint-imports"))]),
        Step("event contracts", [py, "-m", "lgnet_cli.main", "contracts", "check"]),
        Step("secret scan (detect-secrets)", [py, "-m", "lgnet_cli.audits", "secrets"]),
        Step("dependency audit (pip-audit)", [py, "-m", "lgnet_cli.audits", "dependencies"]),
    ]
    if with_deploy and Path("deploy/validate.sh").exists() and shutil.which("bash"):
        steps.append(Step("deployment manifests", ["bash", "deploy/validate.sh"]))
    return steps


def _run(step: Step) -> tuple[bool, float]:
    typer.secho(f"\n== {step.name}", bold=True)
    started = time.monotonic()
    ok = subprocess.run(step.command, check=False).returncode == 0
    return ok, time.monotonic() - started


def run_all(
    pytest_args: list[str] = typer.Argument(None, help="extra arguments for pytest, after --"),
    checks_only: bool = typer.Option(False, "--checks-only", help="lint, types and manifests; no tests"),
    skip_checks: bool = typer.Option(False, "--skip-checks", help="only the test suite"),
    deploy: bool = typer.Option(True, help="validate docker-compose and Kubernetes manifests"),
) -> None:
    """Lint, types, import rules, contracts, manifests, then the whole test suite on real engines."""
    results: list[tuple[str, bool, float]] = []
    if not skip_checks:
        for step in _steps(deploy):
            ok, seconds = _run(step)
            results.append((step.name, ok, seconds))
    if not checks_only:
        # pytest exits 5 when it collected nothing: that is a failure here, never a pass.
        step = Step(
            "tests (pytest, real Kafka and MongoDB-wire engines)",
            [sys.executable, "-m", "pytest", *(pytest_args or [])],
        )
        ok, seconds = _run(step)
        results.append((step.name, ok, seconds))
    typer.secho("\n== summary", bold=True)
    for name, ok, seconds in results:
        typer.secho(f"{'ok  ' if ok else 'FAIL'} {name} ({seconds:.0f}s)", fg="green" if ok else "red")
    if not all(ok for _, ok, _ in results):
        raise typer.Exit(1)
