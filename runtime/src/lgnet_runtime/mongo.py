"""The MongoDB client, with timeouts that fail fast enough for the consumer to retry."""

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError

# Errors that mean "the server is unreachable right now": retry, never dead-letter.
UNAVAILABLE = (AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError)


def connect(uri: str, *, app_name: str) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(
        uri,
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        socketTimeoutMS=10000,
        retryWrites=False,  # no sessions on every engine we run on; the consumer retries instead
    )
