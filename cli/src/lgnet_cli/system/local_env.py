"""Where the local system lives and what each process is told (ports, keys, engines)."""

import os
from dataclasses import dataclass
from pathlib import Path

from lgnet_runtime.devtokens import ensure_key_pair
from lgnet_runtime.sealing import Sealer

from ..engines import EngineConfig

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    host: str = HOST

    @property
    def module(self) -> str:
        return f"lgnet_{self.name}"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def prefix(self) -> str:
        return f"LGNET_{self.name.upper()}_"


SERVICES = (
    ServiceSpec("referral", 8101),
    ServiceSpec("housing", 8102),
    ServiceSpec("payments", 8103),
    ServiceSpec("notifications", 8104),
)
SMTP_PORT = 8125
# Shared by the fake SMS gateway and the notifications service in local runs only.
DEV_CALLBACK_TOKEN = "local-dev-callback-token"  # noqa: S105
FAKE_GATEWAYS_PORT = 8190


@dataclass(frozen=True)
class LocalSystem:
    """One running copy of the system. Tests run several side by side, each with its own
    directory, ports, topic namespace and databases; `lgnet up` uses the defaults."""

    engines: EngineConfig
    kafka_bootstrap: str = ""
    mongodb_uri: str = ""
    directory: Path | None = None
    port_offset: int = 0
    namespace: str = ""

    @property
    def root(self) -> Path:
        return self.directory or self.engines.data_dir / "system"

    @property
    def services(self) -> tuple[ServiceSpec, ...]:
        return tuple(ServiceSpec(s.name, s.port + self.port_offset) for s in SERVICES)

    @property
    def smtp_port(self) -> int:
        return SMTP_PORT + self.port_offset

    @property
    def gateways_port(self) -> int:
        return FAKE_GATEWAYS_PORT + self.port_offset

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def mail_dir(self) -> Path:
        return self.root / "mail"

    @property
    def auth_dir(self) -> Path:
        return self.engines.data_dir / "auth" if self.directory is None else self.root / "auth"

    def sealing_keys(self) -> str:
        """A development sealing key, made once and kept with the local data."""
        path = self.root / "sealing-keys"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"dev1:{Sealer.generate_key()}\n")
            path.chmod(0o600)
        return path.read_text().strip()

    def signing_key(self) -> str:
        private_pem, _ = ensure_key_pair(self.auth_dir)
        return private_pem

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        ensure_key_pair(self.auth_dir)
        p = spec.prefix
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap or self.engines.kafka_bootstrap,
            "MONGODB_URI": self.mongodb_uri or self.engines.mongodb_uri,
            "LGNET_SEALING_KEYS": self.sealing_keys(),
            f"{p}HTTP_HOST": HOST,
            f"{p}HTTP_PORT": str(spec.port),
            f"{p}AUTH_PUBLIC_KEY_FILE": str(self.auth_dir / "dev-signing-key.pub.pem"),
            f"{p}LOG_FORMAT": "json",
            f"{p}IDENTITY_PEPPER": "local-development-pepper-not-for-production",
            f"{p}HOUSEHOLD_PEPPER": "local-development-pepper-not-for-production",
            f"{p}ALLOW_PLACEHOLDER_DEBTOR_ACCOUNTS": "true",
            f"{p}SMTP_HOST": HOST,
            f"{p}SMTP_PORT": str(self.smtp_port),
            f"{p}SMS_GATEWAY_URL": f"http://{HOST}:{self.gateways_port}",
            f"{p}APP_IO_URL": f"http://{HOST}:{self.gateways_port + 1}",
            f"{p}SMS_CALLBACK_TOKEN": DEV_CALLBACK_TOKEN,
            f"{p}PUBLIC_BASE_URL": spec.url,
            f"{p}DEFAULT_HOTLINE_PHONE": "+390600000000",
        }
        if self.namespace:
            env[f"{p}TOPIC_NAMESPACE"] = self.namespace
            env[f"{p}MONGODB_DATABASE"] = f"{spec.name}_{self.namespace.strip('.')}"
            env[f"{p}CONSUMER_GROUP"] = f"{spec.name}-{self.namespace.strip('.')}"
        return env
