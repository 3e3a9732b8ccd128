"""Who is calling: bearer tokens (JWT, OIDC-compatible) and the roles and municipalities they carry.

Tokens are verified against a JWKS (a real identity provider such as Keycloak) or, in
development, against a local public key (`lgnet token issue` mints with its private half).
Every role is scoped to municipalities; a shelter partner also to one shelter.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer


class Role(StrEnum):
    HOTLINE_OPERATOR = "hotline_operator"
    CASE_MANAGER = "case_manager"
    SHELTER_PARTNER = "shelter_partner"
    PAYMENTS_OFFICER = "payments_officer"
    PAYMENTS_APPROVER = "payments_approver"
    PROGRAMME_COORDINATOR = "programme_coordinator"
    AUDITOR = "auditor"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    municipalities: frozenset[str]
    shelter_id: str | None = None

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)

    def may_access(self, municipality: str) -> bool:
        return municipality in self.municipalities


class AuthError(Exception):
    pass


class TokenVerifier:
    ALGORITHMS = ("ES256", "RS256", "EdDSA")

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        public_key: str | None = None,
        jwks_url: str | None = None,
        leeway_seconds: int = 30,
    ) -> None:
        if not public_key and not jwks_url:
            raise ValueError("configure a JWKS URL or a public key to verify tokens")
        self._issuer = issuer
        self._audience = audience
        self._public_key = public_key
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self._leeway = leeway_seconds

    def verify(self, token: str) -> Principal:
        try:
            key: Any = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._public_key
            claims = jwt.decode(
                token,
                key,
                algorithms=list(self.ALGORITHMS),
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        try:
            roles = frozenset(Role(r) for r in claims.get("roles", []))
        except ValueError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        municipalities = claims.get("municipalities", [])
        if not isinstance(municipalities, list) or not all(isinstance(m, str) for m in municipalities):
            raise AuthError("invalid token: municipalities must be a list of ISTAT codes")
        shelter = claims.get("shelter_id")
        if Role.SHELTER_PARTNER in roles and not shelter:
            raise AuthError("invalid token: a shelter partner token names its shelter")
        return Principal(str(claims["sub"]), roles, frozenset(municipalities), shelter)


_bearer = HTTPBearer(auto_error=False, description="A JWT from the identity provider")


def authenticated(verifier: TokenVerifier) -> Callable[..., Principal]:
    def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "a bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            principal = verifier.verify(credentials.credentials)
        except AuthError as exc:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                str(exc),
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from None
        request.state.principal = principal
        return principal

    return dependency


def require_roles(current: Callable[..., Principal], *roles: Role) -> Callable[..., Principal]:
    """A dependency that lets through only principals holding one of `roles`."""
    allowed = frozenset(roles)

    def dependency(principal: Annotated[Principal, Depends(current)]) -> Principal:
        if not principal.has_any(allowed):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not do this")
        return principal

    return dependency


def ensure_municipality(principal: Principal, municipality: str, *, exists: bool = True) -> None:
    """Another municipality's record answers 404, as if absent: scope never reveals existence."""
    if not principal.may_access(municipality):
        if exists:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your municipality")
