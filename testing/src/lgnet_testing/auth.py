"""Bearer tokens for tests: one signing key per session, tokens for any role and scope."""

from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from lgnet_runtime.auth import Role
from lgnet_runtime.devtokens import generate_key_pair, mint


@dataclass(frozen=True)
class DevAuth:
    private_pem: str
    public_pem: str

    @property
    def settings(self) -> dict[str, str]:
        """Settings overrides that make a service trust these tokens."""
        return {"auth_public_key": self.public_pem}

    def token(
        self,
        role: Role | str,
        municipalities: Iterable[str] = ("058091",),
        *,
        subject: str | None = None,
        shelter_id: str | None = None,
        roles: Iterable[Role | str] = (),
    ) -> str:
        all_roles = {str(role), *(str(r) for r in roles)}
        return mint(
            self.private_pem,
            subject=subject or f"{role}-tester",
            roles=all_roles,
            municipalities=municipalities,
            shelter_id=shelter_id,
        )

    def headers(
        self, role: Role | str, municipalities: Iterable[str] = ("058091",), **kwargs: object
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, municipalities, **kwargs)}"}  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def dev_auth() -> DevAuth:
    private_pem, public_pem = generate_key_pair()
    return DevAuth(private_pem, public_pem)
