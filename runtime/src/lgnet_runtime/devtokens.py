"""Development tokens: a local signing key pair and tokens minted with it (never for production)."""

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

DEV_ISSUER = "https://auth.lgnet.invalid/dev"
DEV_AUDIENCE = "lgnet"


def generate_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM) for ES256."""
    private = ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def ensure_key_pair(directory: Path) -> tuple[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    private_file, public_file = directory / "dev-signing-key.pem", directory / "dev-signing-key.pub.pem"
    if not private_file.exists():
        private_pem, public_pem = generate_key_pair()
        private_file.write_text(private_pem)
        private_file.chmod(0o600)
        public_file.write_text(public_pem)
    return private_file.read_text(), public_file.read_text()


def mint(
    private_pem: str,
    *,
    subject: str,
    roles: Iterable[str],
    municipalities: Iterable[str],
    shelter_id: str | None = None,
    ttl: timedelta = timedelta(hours=8),
    issuer: str = DEV_ISSUER,
    audience: str = DEV_AUDIENCE,
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": str(uuid.uuid4()),
        "roles": sorted(roles),
        "municipalities": sorted(municipalities),
    }
    if shelter_id:
        claims["shelter_id"] = shelter_id
    return jwt.encode(claims, private_pem, algorithm="ES256")
