"""The demo's last word: what reached the person, read from the stand-in providers."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from .local_env import HOST, LocalSystem
from .mailcatcher import read_messages

Echo = Callable[[str], None]


def show_messages(
    system: LocalSystem, echo: Echo, since: datetime, phone: str, email: str, timeout: float = 30.0
) -> None:
    import time

    gateway = f"http://{HOST}:{system.gateways_port}"
    deadline = time.monotonic() + timeout
    sms: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        # Earlier demo runs used the same phone: keep what arrived since this case was reported.
        answer = httpx.get(f"{gateway}/_control/messages", timeout=5).json()
        sms = [m for m in answer if m["to"] == phone and datetime.fromisoformat(m["received_at"]) >= since]
        if len(sms) >= 4:
            break
        time.sleep(0.5)
    masked = f"{phone[:4]}…{phone[-2:]}"
    echo(f"5. the family is told, in Arabic, by SMS      -> {len(sms)} message(s) to {masked}")
    for message in sms:
        echo(f"     [{message['segments']} segment(s)] {message['text']}")
        # The gateway reports delivery back, as a real one would a few seconds later.
        httpx.post(f"{gateway}/_control/deliver/{message['message_id']}", json={}, timeout=5)
    mails = [m for m in read_messages(system.mail_dir) if email in str(m["To"])]
    if mails:
        echo(
            f"   and by email                                -> {len(mails)} message(s), "
            f"first subject: {mails[0]['Subject']}"
        )
