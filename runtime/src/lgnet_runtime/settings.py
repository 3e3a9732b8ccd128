"""Settings every service shares, read from the environment and `.env`.

Engines use their conventional, unprefixed names (`KAFKA_BOOTSTRAP_SERVERS`, `MONGODB_URI`,
`OTEL_EXPORTER_OTLP_ENDPOINT`) so one `.env` serves all services; everything else is under
one prefix per service, e.g. `LGNET_REFERRAL_HTTP_PORT`.
"""

from typing import TYPE_CHECKING, ClassVar

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from lgnet_runtime.auth import TokenVerifier


class RuntimeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_prefix="LGNET_")

    service_name: ClassVar[str] = "lgnet"

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:19092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers")
    )
    mongodb_uri: SecretStr = Field(
        SecretStr("mongodb://127.0.0.1:27027/"), validation_alias=AliasChoices("MONGODB_URI", "mongodb_uri")
    )
    otlp_endpoint: str | None = Field(
        None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "otlp_endpoint")
    )
    # Prefix for every topic name (e.g. "staging."): lets environments, and tests, share a cluster.
    topic_namespace: str = Field("", pattern=r"^[a-z0-9_.-]*$")
    mongodb_database: str = ""
    consumer_group: str = ""
    instance_id: str = ""

    log_format: str = Field("auto", pattern="^(auto|json|console)$")
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")

    http_host: str = "127.0.0.1"
    http_port: int = Field(8000, ge=1, le=65535)
    # Request limits of every route but /healthz, /readyz and /metrics: body size (413 above it)
    # and a token bucket per token subject or client address (429 with Retry-After when empty).
    max_request_bytes: int = Field(1024 * 1024, ge=1024)
    rate_limit_per_minute: int = Field(600, ge=1)
    rate_limit_burst: int = Field(120, ge=1)

    # Consumer: how much to take per poll, how hard to retry before dead-lettering.
    consumer_max_records: int = Field(500, ge=1, le=10_000)
    consumer_batch_timeout_ms: int = Field(200, ge=1)
    handler_max_attempts: int = Field(5, ge=1, le=100)
    retry_base_seconds: float = Field(0.2, gt=0)
    retry_max_seconds: float = Field(30.0, gt=0)

    # Outbox relay.
    relay_batch_size: int = Field(500, ge=1, le=10_000)
    # How often an idle relay renews its lease and sees a standby's poke (latency of their events).
    relay_poll_seconds: float = Field(0.5, gt=0)
    # How often the lease holder looks for events a crashed writer left behind.
    relay_sweep_seconds: float = Field(30.0, gt=0)
    relay_lease_seconds: float = Field(15.0, gt=0)
    relay_linger_seconds: float = Field(0.02, ge=0, le=1)

    graceful_timeout_seconds: float = Field(20.0, gt=0)

    # Bearer tokens: a JWKS URL in production, or a PEM public key (inline or file) in development.
    auth_issuer: str = "https://auth.lgnet.invalid/dev"
    auth_audience: str = "lgnet"
    auth_jwks_url: str | None = None
    auth_public_key: str | None = None
    auth_public_key_file: str | None = None

    # Keys that seal personal data inside events: "kid:base64url(32 bytes)" comma-separated,
    # the first one seals, all of them open.
    sealing_keys: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices("LGNET_SEALING_KEYS", "sealing_keys")
    )

    def token_verifier(self) -> "TokenVerifier":
        from pathlib import Path

        from lgnet_runtime.auth import TokenVerifier

        key = self.auth_public_key
        if key is None and self.auth_public_key_file:
            key = Path(self.auth_public_key_file).read_text()
        return TokenVerifier(
            issuer=self.auth_issuer, audience=self.auth_audience, public_key=key, jwks_url=self.auth_jwks_url
        )

    @property
    def database(self) -> str:
        return self.mongodb_database or f"lgnet_{self.service_name}"

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"lgnet.{self.service_name}"
