"""Settings of the payments service: the runtime's, plus configuration files, batches and secrets."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from lgnet_runtime.settings import RuntimeSettings

# The configuration shipped with the service; deployments point at their own copies.
CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


class PaymentsSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_PAYMENTS_", env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "payments"

    grants_config_file: Path = CONFIG_DIR / "grants.toml"
    allocations_config_file: Path = CONFIG_DIR / "allocations.toml"
    debtor_accounts_config_file: Path = CONFIG_DIR / "debtor_accounts.toml"
    # The shipped debtor accounts are fabricated; only development may pay "from" them.
    allow_placeholder_debtor_accounts: bool = False

    # Days between creating a batch and the requested execution date (moved off weekends).
    batch_execution_lead_days: int = Field(2, ge=0, le=30)
    # Grants per batch; the rest wait for the next batch.
    max_grants_per_batch: int = Field(1000, ge=1, le=10_000)

    # HMAC key of the household key (fiscal code hash): without it a leaked database cannot be
    # matched against a list of fiscal codes. At least 16 bytes; rotating it forgets past grants.
    household_pepper: SecretStr = SecretStr("")
