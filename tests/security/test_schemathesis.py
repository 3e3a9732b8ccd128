"""schemathesis against every operation of every service, in-process on the real engines.

A token holding every role (and a shelter) reaches every handler. Valid and invalid requests
alike must never get a 5xx, an answer that contradicts the OpenAPI document, or a stack trace.
Bounded: a few dozen examples per operation, no shrinking (failures are collected, not minimised).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.sources import SessionEngines

from .conftest import MILANO, ROMA, SERVICES, build_app, drop_database, service_settings

pytestmark = [pytest.mark.engines, pytest.mark.slow]

POSITIVE_EXAMPLES = 25
NEGATIVE_EXAMPLES = 15
LEAKS = re.compile(r'Traceback \(most recent call last\)|File "[^"]+\.py", line \d+|\bsite-packages\b')


@dataclass
class Target:
    schema: Any
    headers: dict[str, str]


@pytest.fixture
def target(request: pytest.FixtureRequest, engines: SessionEngines, dev_auth: DevAuth) -> Iterator[Target]:
    """The service started by schemathesis' own ASGI client (its lifespan runs in that client's
    loop, and schemathesis' pytest plugin ends it when the test ends)."""
    service: str = request.param
    everything = dev_auth.headers(
        Role.CASE_MANAGER, (ROMA, MILANO), subject="fuzzer", roles=list(Role), shelter_id="sh-fuzz"
    )
    settings = service_settings(service, engines, dev_auth)
    try:
        yield Target(
            schemathesis.openapi.from_asgi("/openapi.json", build_app(service, settings)), everything
        )
    finally:
        shutdown_lifespans()
        drop_database(engines, settings)


def _fuzz_operation(operation: Any, headers: dict[str, str], failures: list[str]) -> int:
    calls = 0

    def record(case: Any, problem: str) -> None:
        where = f"{case.method} {case.formatted_path}"
        if len(failures) < 200:
            failures.append(f"{where}: {problem[:600]}")

    def exercise(case: Any) -> None:
        nonlocal calls
        calls += 1
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # the app must answer, whatever it was sent
            record(case, f"no answer: {type(exc).__name__}: {exc}")
            return
        if LEAKS.search(response.text or ""):
            record(case, f"stack trace in a {response.status_code} answer")
        try:
            case.validate_response(
                response,
                checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
                headers=headers,
            )
        except FailureGroup as group:
            for failure in group.exceptions:
                record(case, f"{response.status_code}: {getattr(failure, 'title', '')}: {failure}")

    for mode, examples in (
        (schemathesis.GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
        (schemathesis.GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
    ):
        try:
            strategy = operation.as_strategy(generation_mode=mode)
        except Exception as exc:  # e.g. an operation without anything to make invalid
            failures.append(f"{operation.label}: cannot generate {mode.value} cases: {exc}")
            continue

        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        @hypothesis.given(case=strategy)
        def run(case: Any) -> None:
            exercise(case)

        # Unsatisfiable: nothing invalid to send (no parameters); the positive run covered it.
        with contextlib.suppress(hypothesis.errors.Unsatisfiable):
            run()
    return calls


@pytest.mark.parametrize("target", SERVICES, indirect=True)
def test_no_5xx_no_schema_violation_no_stack_trace(target: Target) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in target.schema.get_all_operations()]
    assert operations
    calls = sum(_fuzz_operation(op, target.headers, failures) for op in operations)
    assert calls >= len(operations) * 10
    assert not failures, f"{len(failures)} problems in {calls} requests:\n" + "\n".join(failures)
