"""One seeded world per service, and for every route of the matrix the request that exercises a cell.

A world holds records of Roma (the "own" municipality of the callers); "other" callers are of
Milano, or partners of another shelter. Cells that change a record get a fresh one, so every
cell can run alone and in any order.
"""

from .base import Builder, Call, World
from .housing import HousingWorld
from .notifications import NotificationsWorld
from .payments import PaymentsWorld
from .referral import ReferralWorld

__all__ = [
    "Builder",
    "Call",
    "HousingWorld",
    "NotificationsWorld",
    "PaymentsWorld",
    "ReferralWorld",
    "World",
]
