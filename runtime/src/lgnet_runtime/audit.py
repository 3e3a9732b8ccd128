"""The audit trail: who read whose case file, and who decided what, append-only, per service.

An entry names people only by their account (the token's subject) and things only by their
ids and codes: never a name, a contact, a note or any free text, so the trail itself holds
no personal data of the people the cases are about and can be kept longer than they are.
The collection is only ever inserted into; this module offers no way to change or remove an
entry. The auditor reads it, scoped to their municipalities, through `audit_router`.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import AwareDatetime, BaseModel
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from uuid_utils.compat import uuid7

from lgnet_runtime.auth import Principal, Role, require_roles

COLLECTION = "audit"
PAGE_SIZE_MAX = 200

# Ids, codes and numbers only: a value with spaces, '@' or a '+' is refused, which keeps
# names, addresses, e-mails, phone numbers and sentences out of the trail by construction.
_CODE = re.compile(r"^[A-Za-z0-9_.:/\-]{1,100}$")
# Account names look like "case_manager-tester", "system:retention" or a UUID.
_SUBJECT = re.compile(r"^[A-Za-z0-9_.:@/\-]{1,200}$")

Detail = str | int | bool | None


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    # Done in part; the rest follows later (e.g. data kept until a payment settles).
    DEFERRED = "deferred"
    REFUSED = "refused"


class AuditError(ValueError):
    """An entry would carry something that is not an id or a code."""


@dataclass(frozen=True, slots=True)
class Actor:
    subject: str
    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, principal: Principal) -> "Actor":
        return cls(principal.subject, tuple(sorted(str(r) for r in principal.roles)))

    @classmethod
    def system(cls, name: str) -> "Actor":
        """A job of the service itself (retention sweep, an event from another service)."""
        return cls(f"system:{name}", ())


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    at: datetime
    service: str
    actor: Actor
    action: str
    resource_type: str
    resource_id: str
    municipality: str
    case_id: str | None
    outcome: AuditOutcome
    details: Mapping[str, Detail] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditPage:
    items: list[AuditEntry]
    total: int
    page: int
    page_size: int


def _code(name: str, value: str) -> str:
    if not _CODE.match(value):
        raise AuditError(f"audit {name} must be an id or a code")
    return value


def _details(details: Mapping[str, Detail]) -> dict[str, Detail]:
    out: dict[str, Detail] = {}
    for key, value in details.items():
        _code("detail name", key)
        if isinstance(value, str):
            _code(f"detail {key}", value)
        elif value is not None and not isinstance(value, int | bool):
            raise AuditError(f"audit detail {key} must be a code, a number or a flag")
        out[key] = value
    return out


class AuditLog:
    """One service's audit trail in its own database (collection `audit`)."""

    def __init__(
        self,
        collection: AsyncCollection[dict[str, Any]],
        *,
        service: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._collection = collection
        self._service = service
        self._clock = clock

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes(
            [
                IndexModel([("municipality", ASCENDING), ("at", DESCENDING)], name="by_municipality"),
                IndexModel([("action", ASCENDING), ("at", DESCENDING)], name="by_action"),
                IndexModel([("case_id", ASCENDING), ("at", DESCENDING)], name="by_case"),
            ]
        )

    async def record(
        self,
        actor: Actor | Principal,
        action: str,
        *,
        resource_type: str,
        resource_id: str,
        municipality: str,
        case_id: str | None = None,
        outcome: AuditOutcome = AuditOutcome.SUCCESS,
        details: Mapping[str, Detail] | None = None,
    ) -> AuditEntry:
        """Append one entry. Raises (and writes nothing) when a value is not an id or a code."""
        who = actor if isinstance(actor, Actor) else Actor.of(actor)
        if not _SUBJECT.match(who.subject):
            raise AuditError("audit actor must be an account id")
        entry = AuditEntry(
            id=str(uuid7()),
            at=self._clock(),
            service=self._service,
            actor=who,
            action=_code("action", action),
            resource_type=_code("resource type", resource_type),
            resource_id=_code("resource id", resource_id),
            municipality=_code("municipality", municipality),
            case_id=_code("case id", case_id) if case_id is not None else None,
            outcome=AuditOutcome(outcome),
            details=_details(details or {}),
        )
        await self._collection.insert_one(_to_document(entry))
        return entry

    async def search(
        self,
        municipalities: frozenset[str],
        *,
        action: str | None = None,
        case_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> AuditPage:
        """Newest first, only entries of `municipalities`."""
        query: dict[str, Any] = {"municipality": {"$in": sorted(municipalities)}}
        if action is not None:
            query["action"] = action
        if case_id is not None:
            query["case_id"] = case_id
        if since is not None or until is not None:
            window: dict[str, datetime] = {}
            if since is not None:
                window["$gte"] = since
            if until is not None:
                window["$lt"] = until
            query["at"] = window
        total = await self._collection.count_documents(query)
        cursor = (
            self._collection.find(query)
            .sort([("at", DESCENDING), ("_id", DESCENDING)])
            .skip((page - 1) * page_size)
            .limit(page_size)
        )
        items = [_from_document(doc) async for doc in cursor]
        return AuditPage(items=items, total=total, page=page, page_size=page_size)


def _to_document(entry: AuditEntry) -> dict[str, Any]:
    return {
        "_id": entry.id,
        "at": entry.at,
        "service": entry.service,
        "actor": {"subject": entry.actor.subject, "roles": list(entry.actor.roles)},
        "action": entry.action,
        "resource": {"type": entry.resource_type, "id": entry.resource_id},
        "municipality": entry.municipality,
        "case_id": entry.case_id,
        "outcome": str(entry.outcome),
        "details": dict(entry.details),
    }


def _from_document(doc: Mapping[str, Any]) -> AuditEntry:
    at: datetime = doc["at"]
    return AuditEntry(
        id=doc["_id"],
        at=at if at.tzinfo is not None else at.replace(tzinfo=UTC),
        service=doc["service"],
        actor=Actor(doc["actor"]["subject"], tuple(doc["actor"].get("roles", []))),
        action=doc["action"],
        resource_type=doc["resource"]["type"],
        resource_id=doc["resource"]["id"],
        municipality=doc["municipality"],
        case_id=doc.get("case_id"),
        outcome=AuditOutcome(doc["outcome"]),
        details=doc.get("details", {}),
    )


# --- HTTP -----------------------------------------------------------------------------------


class AuditActorOut(BaseModel):
    subject: str
    roles: list[str]


class AuditEntryOut(BaseModel):
    id: str
    at: datetime
    service: str
    actor: AuditActorOut
    action: str
    resource_type: str
    resource_id: str
    case_id: str | None
    municipality: str
    outcome: str
    details: dict[str, Detail]


class AuditPageOut(BaseModel):
    items: list[AuditEntryOut]
    total: int
    page: int
    page_size: int


def entry_out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id,
        at=entry.at,
        service=entry.service,
        actor=AuditActorOut(subject=entry.actor.subject, roles=list(entry.actor.roles)),
        action=entry.action,
        resource_type=entry.resource_type,
        resource_id=entry.resource_id,
        case_id=entry.case_id,
        municipality=entry.municipality,
        outcome=str(entry.outcome),
        details=dict(entry.details),
    )


def audit_router(audit: AuditLog, current: Callable[..., Principal]) -> APIRouter:
    """`GET /audit`: the trail of this service, for auditors, of their municipalities only."""
    router = APIRouter(tags=["audit"])
    Auditor = Annotated[Principal, Depends(require_roles(current, Role.AUDITOR))]

    @router.get("/audit", response_model=AuditPageOut, summary="Sensitive reads and decisions, newest first")
    async def read_audit(
        principal: Auditor,
        municipality: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
        action: Annotated[str | None, Query(pattern=_CODE.pattern)] = None,
        case_id: Annotated[str | None, Query(pattern=_CODE.pattern)] = None,
        since: AwareDatetime | None = None,
        until: AwareDatetime | None = None,
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=PAGE_SIZE_MAX)] = 50,
    ) -> AuditPageOut:
        scope = principal.municipalities
        if municipality is not None:
            if not principal.may_access(municipality):
                raise HTTPException(status.HTTP_403_FORBIDDEN, "not your municipality")
            scope = frozenset({municipality})
        found = await audit.search(
            scope,
            action=action,
            case_id=case_id,
            since=since,
            until=until,
            page=page,
            page_size=page_size,
        )
        return AuditPageOut(
            items=[entry_out(e) for e in found.items],
            total=found.total,
            page=found.page,
            page_size=found.page_size,
        )

    return router
