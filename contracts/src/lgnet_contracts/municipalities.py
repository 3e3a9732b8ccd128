"""The programme's municipalities, read from the data file shipped with this package."""

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True, slots=True)
class Municipality:
    istat: str
    name: str
    province: str
    region: str


@cache
def municipalities() -> dict[str, Municipality]:
    raw = json.loads(files("lgnet_contracts").joinpath("data/municipalities.json").read_text("utf-8"))
    return {m["istat"]: Municipality(**m) for m in raw["municipalities"]}


def municipality(istat: str) -> Municipality:
    try:
        return municipalities()[istat]
    except KeyError:
        raise ValueError(
            f"{istat!r} is not the ISTAT code of one of the programme's municipalities"
        ) from None
