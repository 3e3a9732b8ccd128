"""Event contracts shared by every LGNet3 Rapid Response service."""

from lgnet_contracts.envelope import Envelope, EventPayload, new_event
from lgnet_contracts.registry import InvalidEvent, UnknownEventType, decode, encode

__all__ = ["Envelope", "EventPayload", "InvalidEvent", "UnknownEventType", "decode", "encode", "new_event"]
