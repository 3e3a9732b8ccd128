"""Settings of the notifications service: the runtime's, plus providers, retries and rate limits."""

from typing import ClassVar, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from lgnet_notifications.domain.channels import DEFAULT_FAILOVER_ORDER, Channel
from lgnet_runtime.settings import RuntimeSettings

# Provider names: the keys of `rate_limits` and the `provider` of `notification.sent`.
SMTP_PROVIDER = "smtp"
SMS_GATEWAY_PROVIDER = "sms_gateway"
APP_IO_PROVIDER = "app_io"


class NotificationsSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_NOTIFICATIONS_", env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "notifications"

    # Email: empty host switches the channel off.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(1025, ge=1, le=65535)
    smtp_sender: str = "LGNet3 Pronto intervento sociale <noreply@lgnet.invalid>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_start_tls: bool = False
    # The domain part of Message-IDs; a stable one lets mail systems spot a resent duplicate.
    message_id_domain: str = "notifications.lgnet.invalid"

    # SMS gateway (HTTP JSON API); no URL switches the channel off.
    sms_gateway_url: str | None = None
    sms_gateway_api_key: SecretStr = SecretStr("")
    sms_sender: str = Field("LGNet3", min_length=1, max_length=11)
    # Shared secret the gateway sends back on callbacks; empty accepts unsigned callbacks (dev only).
    sms_callback_token: SecretStr = SecretStr("")
    # Words that, replied alone to one of our SMS, stop further SMS to that number.
    stop_keywords: list[str] = ["STOP", "STOPP", "ARRET", "ARRÊT", "BASTA", "ALTO", "СТОП", "توقف"]

    # App IO messages API; no URL switches the channel off.
    app_io_url: str | None = None
    app_io_api_key: SecretStr = SecretStr("")

    # Where providers reach this service (delivery callbacks), e.g. https://notifications.example.it
    public_base_url: str = "http://127.0.0.1:8000"

    # Channel order when the person expressed no preference; unconfigured channels drop out.
    channel_order: list[Channel] = list(DEFAULT_FAILOVER_ORDER)
    max_sms_segments: int = Field(3, ge=1, le=10)
    timezone: str = "Europe/Rome"

    # Attempts per channel before the notification is dead there, and the backoff between them.
    max_attempts: int = Field(6, ge=1, le=50)
    retry_backoff_base_seconds: float = Field(30.0, gt=0)
    retry_backoff_cap_seconds: float = Field(3600.0, gt=0)
    # Messages per second per provider (a token bucket each; per process).
    rate_limits: dict[str, float] = {SMTP_PROVIDER: 10.0, SMS_GATEWAY_PROVIDER: 5.0, APP_IO_PROVIDER: 5.0}

    # Dispatcher.
    dispatch_poll_seconds: float = Field(1.0, gt=0)
    dispatch_batch_size: int = Field(100, ge=1, le=10_000)
    dispatch_concurrency: int = Field(8, ge=1, le=256)
    # An attempt in flight longer than this is presumed dead (crash) and retried with the same key.
    send_lease_seconds: float = Field(120.0, gt=0)
    send_timeout_seconds: float = Field(15.0, gt=0)

    # The municipality's 24/7 number, by ISTAT code; the default covers the others.
    hotline_phones: dict[str, str] = {}
    default_hotline_phone: str = ""
    # An event older than this asks for no message: replaying a topic (a new consumer group,
    # a restore) must not tell someone to be at a shelter yesterday.
    max_event_age_hours: float = Field(48.0, gt=0)
    # Days a person has to ask for a review of a rejected grant.
    grant_review_days: int = Field(30, ge=1, le=365)

    # Key of the phone-number hashes that find the person behind a STOP reply, so the plain
    # number is never stored. Set it in production: the one derived from the sealing keys when
    # this is empty changes when they rotate, and older hashes stop matching.
    phone_lookup_key: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _lease_outlives_an_attempt(self) -> Self:
        # A lease shorter than a send would let a second dispatcher resend a message in flight.
        if self.send_lease_seconds <= 2 * self.send_timeout_seconds:
            raise ValueError("send_lease_seconds must be more than twice send_timeout_seconds")
        return self
