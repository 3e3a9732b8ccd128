"""Each service in-process on the real engines, and a way to throw messages at its consumer.

`running` is the handle on a started service, `profiles` how each service is set up and what
shows its consumer went on, `legal` the valid-but-awkward events each must handle.
"""

from .profiles import PROFILES
from .running import Profile, Running, Sent, Sentinel

__all__ = ["PROFILES", "Profile", "Running", "Sent", "Sentinel"]
