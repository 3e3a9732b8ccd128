"""Settings of the housing service (`LGNET_HOUSING_*`); engines and shared secrets keep their own names."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lgnet_runtime.settings import RuntimeSettings

# services/housing/config, next to the package when run from the workspace.
_DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


class HousingSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_HOUSING_", env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "housing"

    # placement.toml (offer times, household fit, ranking) and neighbours.toml live here.
    config_dir: Path = _DEFAULT_CONFIG_DIR
    # When set, every priority gets this offer time: for drills and tests, never for production.
    offer_ttl_override_seconds: float | None = Field(None, gt=0)

    # The sweeper expires offers, repairs interrupted multi-document flows and promotes the waitlist.
    expiry_sweep_interval_seconds: float = Field(15.0, gt=0)
    # A hold or a step younger than this may belong to a flow still running: the sweeper leaves it.
    repair_grace_seconds: float = Field(60.0, ge=0)

    # How long after confirmation the person should arrive at the shelter.
    arrival_window_minutes: int = Field(180, ge=15, le=24 * 60)

    webhook_max_attempts: int = Field(8, ge=1, le=50)
    webhook_backoff_base_seconds: float = Field(5.0, gt=0)
    webhook_backoff_max_seconds: float = Field(900.0, gt=0)
    webhook_timeout_seconds: float = Field(5.0, gt=0)
    webhook_poll_seconds: float = Field(1.0, gt=0)
