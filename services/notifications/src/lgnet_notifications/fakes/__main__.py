"""`python -m lgnet_notifications.fakes`: the fake SMS gateway and fake App IO, side by side."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from lgnet_notifications.fakes.app_io import FakeAppIo
from lgnet_notifications.fakes.server import serve_in_background
from lgnet_notifications.fakes.sms_gateway import FakeSmsGateway


async def _serve(args: argparse.Namespace) -> None:
    gateway = FakeSmsGateway(
        api_key=args.sms_api_key, callback_token=args.callback_token, inbound_url=args.inbound_url
    )
    app_io = FakeAppIo(api_key=args.app_io_api_key)
    for fiscal_code in args.allow:
        app_io.profiles[fiscal_code.upper()] = True
    async with (
        serve_in_background(gateway.app(), args.host, args.sms_port) as sms_url,
        serve_in_background(app_io.app(), args.host, args.app_io_port) as io_url,
    ):
        sys.stderr.write(f"fake SMS gateway on {sms_url}\nfake App IO on {io_url}\n")
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lgnet_notifications.fakes", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--sms-port", type=int, default=9101)
    parser.add_argument("--app-io-port", type=int, default=9102)
    parser.add_argument("--sms-api-key", default="")
    parser.add_argument("--app-io-api-key", default="")
    parser.add_argument("--callback-token", default="", help="sent back in X-Callback-Token")
    parser.add_argument(
        "--inbound-url",
        default="http://127.0.0.1:8000/callbacks/sms/inbound",
        help="where replies (STOP) are forwarded",
    )
    parser.add_argument("--allow", nargs="*", default=[], help="fiscal codes whose IO profile accepts us")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
