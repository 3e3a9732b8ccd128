"""Settings of the referral service: the runtime's, plus triage, duplicates, identity and the SLA watchdog."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from lgnet_runtime.settings import RuntimeSettings

# The policy files shipped with the service; deployments may point elsewhere.
DEFAULT_TRIAGE_DIR = Path(__file__).resolve().parents[2] / "config" / "triage"


class ReferralSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_REFERRAL_", env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "referral"

    # default.toml plus one <ISTAT code>.toml per municipality that overrides it.
    triage_config_dir: Path = DEFAULT_TRIAGE_DIR
    # A second report of the same person within this window links to the first case.
    duplicate_window_hours: float = Field(72.0, gt=0, le=24 * 90)
    # HMAC key of the duplicate-lookup hashes; without it a leaked database cannot be matched
    # against a phone book. At least 16 bytes; rotating it orphans the existing lookup keys.
    identity_pepper: SecretStr = SecretStr("")
    sla_watchdog_interval_seconds: float = Field(30.0, gt=0)
    # Cases looked at per sweep; the rest wait for the next one (the oldest deadline first).
    sla_watchdog_batch_size: int = Field(200, ge=1, le=10_000)
    # The SLA state "due soon" starts this long before the deadline.
    sla_due_soon_minutes: int = Field(60, ge=0)
    # Closed cases are anonymised (their personal data erased, reason "retention") this long
    # after closing; the sweep looks for them every `retention_sweep_interval_seconds`.
    retention_days_after_close: float = Field(365.0, gt=0, le=3650)
    retention_sweep_interval_seconds: float = Field(3600.0, gt=0)
    retention_sweep_batch_size: int = Field(200, ge=1, le=10_000)
    # How long an unwrapped data key stays in memory; another instance's erasure is seen by
    # this one at the latest after this long.
    data_key_cache_seconds: float = Field(30.0, ge=0, le=3600)
