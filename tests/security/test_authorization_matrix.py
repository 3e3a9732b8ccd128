"""Every cell of security/authorization-matrix.toml, proven by a real request on the real engines.

A cell is (route, role, own or other scope). Allowed in its own scope: the route works (its `ok`
statuses) and personal data reaches only the `personal_data` roles. Allowed but outside its
scope: 404 for an existing record (as if absent), 403 for a creation, or an answer without the
other scope's records. A role the route does not name: 403, whatever the scope.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from lgnet_contracts.topics import PLACEMENTS
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import probe
from lgnet_testing.sources import SessionEngines

from .conftest import MILANO, ROMA, RouteRule, load_matrix, running
from .worlds import HousingWorld, NotificationsWorld, PaymentsWorld, ReferralWorld, World

pytestmark = pytest.mark.engines

MATRIX = load_matrix()
SIDES = ("own", "other")


def cells(service: str) -> list[pytest.param]:  # type: ignore[valid-type]
    return [
        pytest.param(rule, role, side, id=f"{rule.method} {rule.path} | {role} | {side}")
        for rule in MATRIX.of(service)
        if rule.scope != "callback"  # no bearer token at all: tests/security/test_routes.py
        for role in MATRIX.roles
        for side in SIDES
    ]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def referral_world(engines: SessionEngines, dev_auth: DevAuth) -> AsyncIterator[ReferralWorld]:
    async with running("referral", engines, dev_auth) as service:
        world = ReferralWorld(service, dev_auth)
        await world.seed()
        yield world


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def housing_world(engines: SessionEngines, dev_auth: DevAuth) -> AsyncIterator[HousingWorld]:
    async with running("housing", engines, dev_auth, offer_ttl_override_seconds=3600) as service:
        s = service.settings
        async with probe(s.kafka_bootstrap_servers, s.topic_namespace, [PLACEMENTS]) as events:
            world = HousingWorld(service, dev_auth, events)
            await world.seed()
            yield world


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def payments_world(engines: SessionEngines, dev_auth: DevAuth) -> AsyncIterator[PaymentsWorld]:
    async with running("payments", engines, dev_auth) as service:
        world = PaymentsWorld(service, dev_auth)
        await world.seed()
        yield world


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def notifications_world(
    engines: SessionEngines, dev_auth: DevAuth
) -> AsyncIterator[NotificationsWorld]:
    async with running("notifications", engines, dev_auth) as service:
        world = NotificationsWorld(service, dev_auth)
        await world.seed()
        yield world


async def check_cell(world: World, rule: RouteRule, role: Role, side: str) -> None:
    call = await world.call_for(rule, role, side)
    headers = {**world.headers(role, side), **call.headers}
    response = await world.client.request(
        call.method, call.url, json=call.json, content=call.content, headers=headers
    )
    said = f"{rule.label} as {role} ({side}): {response.status_code} {response.text[:300]}"
    body = response.text

    if role not in rule.roles:
        assert response.status_code == 403, said
        assert response.json() == {"detail": "your role may not do this"}, said
        return

    if side == "own":
        assert response.status_code in rule.ok, said
        if call.marker is not None:
            assert call.marker in body, said
        if role in rule.personal_data and world.personal:
            assert any(value in body for value in world.personal), f"no personal data for {said}"
        else:
            leaked = [value for value in world.personal if value in body]
            assert not leaked, f"personal data {leaked} reached {said}"
        return

    # Allowed role, outside its municipality (or another shelter's partner).
    if rule.other == "not_found":
        assert response.status_code == 404, said
        # Exactly what a missing record answers: "not found", or the id the caller sent back.
        detail = response.json()["detail"]
        assert detail == "not found" or (isinstance(detail, str) and detail in call.url), said
    elif rule.other == "forbidden":
        assert response.status_code == 403, said
    else:
        assert response.status_code == 200, said
        assert call.marker is not None, rule.label
        assert call.marker not in body, said
    leaked = [value for value in world.personal if value in body]
    assert not leaked, f"personal data {leaked} reached {said}"


@pytest.mark.parametrize(("rule", "role", "side"), cells("referral"))
async def test_referral(referral_world: ReferralWorld, rule: RouteRule, role: Role, side: str) -> None:
    await check_cell(referral_world, rule, role, side)


@pytest.mark.parametrize(("rule", "role", "side"), cells("housing"))
async def test_housing(housing_world: HousingWorld, rule: RouteRule, role: Role, side: str) -> None:
    await check_cell(housing_world, rule, role, side)


@pytest.mark.parametrize(("rule", "role", "side"), cells("payments"))
async def test_payments(payments_world: PaymentsWorld, rule: RouteRule, role: Role, side: str) -> None:
    await check_cell(payments_world, rule, role, side)


@pytest.mark.parametrize(("rule", "role", "side"), cells("notifications"))
async def test_notifications(
    notifications_world: NotificationsWorld, rule: RouteRule, role: Role, side: str
) -> None:
    await check_cell(notifications_world, rule, role, side)


def test_every_route_has_a_request_builder() -> None:
    worlds: dict[str, type[World]] = {
        "referral": ReferralWorld,
        "housing": HousingWorld,
        "payments": PaymentsWorld,
        "notifications": NotificationsWorld,
    }
    for service, cls in worlds.items():
        world = cls.__new__(cls)  # builders only close over the instance
        wanted = {(r.method, r.path) for r in MATRIX.of(service) if r.scope != "callback"}
        assert set(world.builders()) == wanted, service


# -- rules the matrix cannot express as one cell ------------------------------------------------


async def test_an_explicit_query_for_another_municipality_is_forbidden(
    referral_world: ReferralWorld, housing_world: HousingWorld
) -> None:
    milano = referral_world.auth.headers(Role.CASE_MANAGER, (MILANO,))
    listing = await referral_world.client.get(f"/cases?municipality={ROMA}", headers=milano)
    assert listing.status_code == 403
    for path in (f"/shelters?municipality={ROMA}", f"/availability?municipality={ROMA}"):
        assert (await housing_world.client.get(path, headers=milano)).status_code == 403


async def test_a_token_for_several_municipalities_sees_each_of_them(referral_world: ReferralWorld) -> None:
    both = referral_world.auth.headers(Role.AUDITOR, (MILANO, ROMA))
    found = await referral_world.client.get(f"/cases/{referral_world.case_id}", headers=both)
    assert found.status_code == 200
    assert found.json()["person"] is None  # the auditor reads the case, never the person


async def test_four_eyes_hold_even_for_someone_holding_both_roles(payments_world: PaymentsWorld) -> None:
    dual = payments_world.auth.headers(
        Role.PAYMENTS_OFFICER, (ROMA,), subject="officer-and-approver", roles=[Role.PAYMENTS_APPROVER]
    )
    body = {**payments_world.details(), "municipality": ROMA}
    prepared = await payments_world.client.post("/grants", json=body, headers=dual)
    assert prepared.status_code == 201, prepared.text
    assert prepared.json()["status"] == "pending_review"
    grant_id = prepared.json()["grant_id"]
    refused = await payments_world.client.post(f"/grants/{grant_id}/approve", json={}, headers=dual)
    assert refused.status_code == 409
    assert "cannot also approve" in refused.json()["detail"]
    other = payments_world.auth.headers(Role.PAYMENTS_APPROVER, (ROMA,), subject="a-second-person")
    assert (
        await payments_world.client.post(f"/grants/{grant_id}/approve", json={}, headers=other)
    ).status_code == 200


async def test_a_partner_never_sees_another_shelters_placement_in_any_state(
    housing_world: HousingWorld,
) -> None:
    other = housing_world.partner(housing_world.other_shelter)
    offers = await housing_world.client.get("/partner/offers", headers=other)
    assert offers.status_code == 200
    assert offers.json() == []
    for step in ("accept", "decline", "check-in", "check-out"):
        url = f"/partner/placements/{housing_world.placement_id}/{step}"
        body = {"reason": "no_beds_available"} if step == "decline" else None
        answer = await housing_world.client.post(url, json=body, headers=other)
        missing = await housing_world.client.post(
            f"/partner/placements/pl-{step}-does-not-exist/{step}", json=body, headers=other
        )
        assert answer.status_code == missing.status_code == 404
        # Same body shape as for a placement that does not exist: only the id differs.
        assert set(answer.json()) == set(missing.json()) == {"detail"}
