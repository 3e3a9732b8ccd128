"""A development mail catcher: an SMTP server on loopback that keeps every message as an .eml file."""

import argparse
import asyncio
import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class KeepMessages:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        name = f"{time.time_ns()}.eml"
        (self.directory / name).write_bytes(envelope.content)
        return "250 Message accepted for delivery"


def read_messages(directory: Path) -> list[Any]:
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(directory.glob("*.eml"))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8125)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    controller = Controller(KeepMessages(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print(f"mail catcher on {args.host}:{args.port}, keeping messages in {args.dir}", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
