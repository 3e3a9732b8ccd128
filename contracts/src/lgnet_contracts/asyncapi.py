"""An AsyncAPI 3.0 document of the topics and the events on each, generated from the models."""

from typing import Any

from lgnet_contracts.registry import PAYLOADS
from lgnet_contracts.schemas import generate, schema_file_name
from lgnet_contracts.topics import ALL_TOPICS


def document() -> dict[str, Any]:
    schemas = generate()
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for spec in ALL_TOPICS:
        channel_messages = {}
        for payload in PAYLOADS:
            if payload.topic != spec.name:
                continue
            name = f"{payload.event_type}.v{payload.schema_version}".replace(".", "_")
            messages[name] = {
                "name": payload.event_type,
                "title": f"{payload.event_type} v{payload.schema_version}",
                "summary": (payload.__doc__ or "").strip().split("\n")[0] or payload.event_type,
                "contentType": "application/json",
                "payload": {
                    "$ref": f"schemas/{schema_file_name(payload.event_type, payload.schema_version)}"
                },
                "bindings": {
                    "kafka": {"key": {"type": "string", "description": f"the event's {spec.key_by.value}"}}
                },
            }
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
        channels[spec.name.replace(".", "_")] = {
            "address": spec.name,
            "description": spec.description,
            "messages": channel_messages,
            "bindings": {"kafka": {"partitions": spec.partitions, "replicas": 3}},
        }
    assert len(messages) == len(schemas)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "LGNet3 Rapid Response events",
            "version": "1.0.0",
            "description": "Events exchanged by the referral, housing, payments and notifications services. "
            "W3C trace context travels in the Kafka headers `traceparent` and `tracestate`.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": messages},
    }
