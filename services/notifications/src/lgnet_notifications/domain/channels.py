"""Which channels to try for one person, in which order, and why none when none.

The person's own preference comes first, then the configured failover order for the
channels they did not rank. A channel is tried only if it is configured, the person
gave the contact data it needs, and they have not opted out of it (or of everything).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    APP_IO = "app_io"


# SMS first: it reaches prepaid phones and is read soonest. App IO last: many people we
# write to have no IO account, and whether they do is only known by asking IO at send time.
DEFAULT_FAILOVER_ORDER: tuple[Channel, ...] = (Channel.SMS, Channel.EMAIL, Channel.APP_IO)

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# App IO addresses people by the 16-character codice fiscale (omocodia letters allowed);
# its API rejects the 11-digit provisional code, so such a person cannot be reached there.
_FISCAL_CODE = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class NoChannelReason(StrEnum):
    NO_CONSENT = "no_consent"
    GLOBAL_OPT_OUT = "global_opt_out"
    NO_CONTACT_DATA = "no_contact_data"
    ALL_CHANNELS_OPTED_OUT = "all_channels_opted_out"


class SkipReason(StrEnum):
    NO_CONTACT_DATA = "no_contact_data"
    OPTED_OUT = "opted_out"


@dataclass(frozen=True, slots=True)
class ContactData:
    phone_e164: str | None = None
    email: str | None = None
    fiscal_code: str | None = None
    preferred: tuple[Channel, ...] = ()

    def can_reach(self, channel: Channel) -> bool:
        if channel is Channel.SMS:
            return self.phone_e164 is not None and bool(_E164.match(self.phone_e164))
        if channel is Channel.EMAIL:
            return self.email is not None and bool(_EMAIL.match(self.email))
        return self.fiscal_code is not None and bool(_FISCAL_CODE.match(self.fiscal_code.upper()))


@dataclass(frozen=True, slots=True)
class OptOuts:
    """A STOP reply or an API call sets these; they hold from then on."""

    everything: bool = False
    channels: frozenset[Channel] = frozenset()

    def excludes(self, channel: Channel) -> bool:
        return self.everything or channel in self.channels


@dataclass(frozen=True, slots=True)
class ChannelChoice:
    channels: tuple[Channel, ...]
    reason: NoChannelReason | None = None
    skipped: tuple[tuple[Channel, SkipReason], ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.channels)

    def after(self, channel: Channel) -> tuple[Channel, ...]:
        """The channels left to fail over to once `channel` has failed."""
        if channel not in self.channels:
            return ()
        return self.channels[self.channels.index(channel) + 1 :]


def _ordered(preferred: Sequence[Channel], failover_order: Sequence[Channel]) -> tuple[Channel, ...]:
    # A preference for a channel the municipality has not configured is ignored.
    allowed = tuple(dict.fromkeys(failover_order))
    first = [c for c in dict.fromkeys(preferred) if c in allowed]
    return (*first, *(c for c in allowed if c not in first))


def choose_channels(
    *,
    consent: bool,
    contact: ContactData,
    opt_outs: OptOuts = OptOuts(),  # frozen, so one shared default is safe
    failover_order: Sequence[Channel] = DEFAULT_FAILOVER_ORDER,
    requires_consent: bool = True,
) -> ChannelChoice:
    """The channels to try in order; when empty, `reason` says why."""
    if requires_consent and not consent:
        return ChannelChoice(channels=(), reason=NoChannelReason.NO_CONSENT)
    if opt_outs.everything:
        return ChannelChoice(channels=(), reason=NoChannelReason.GLOBAL_OPT_OUT)
    chosen: list[Channel] = []
    skipped: list[tuple[Channel, SkipReason]] = []
    for channel in _ordered(contact.preferred, failover_order):
        if not contact.can_reach(channel):
            skipped.append((channel, SkipReason.NO_CONTACT_DATA))
        elif opt_outs.excludes(channel):
            skipped.append((channel, SkipReason.OPTED_OUT))
        else:
            chosen.append(channel)
    reason: NoChannelReason | None = None
    if not chosen:
        opted_out = any(why is SkipReason.OPTED_OUT for _, why in skipped)
        reason = NoChannelReason.ALL_CHANNELS_OPTED_OUT if opted_out else NoChannelReason.NO_CONTACT_DATA
    return ChannelChoice(channels=tuple(chosen), reason=reason, skipped=tuple(skipped))
