"""Local stand-ins for the SMS gateway and App IO: for development and tests, never production.

Run both with `python -m lgnet_notifications.fakes`. Each records what it received, honours
idempotency keys, and can be told to fail the next N requests; the SMS one also sends
delivery reports and forwards replies to the service, as a real gateway would.
"""

from lgnet_notifications.fakes.app_io import FakeAppIo
from lgnet_notifications.fakes.server import serve_in_background
from lgnet_notifications.fakes.sms_gateway import FakeSmsGateway

__all__ = ["FakeAppIo", "FakeSmsGateway", "serve_in_background"]
