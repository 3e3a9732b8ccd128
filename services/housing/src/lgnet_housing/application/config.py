"""Read the housing configuration files (the domain never touches the file system)."""

import tomllib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType

from lgnet_housing.domain.neighbours import NeighbourMap
from lgnet_housing.domain.policy import OfferPolicy, Policies, policies_from_config
from lgnet_housing.domain.values import Priority


def load_policies(config_dir: Path, offer_ttl_override_seconds: float | None = None) -> Policies:
    with (config_dir / "placement.toml").open("rb") as handle:
        policies = policies_from_config(tomllib.load(handle))
    if offer_ttl_override_seconds is not None:
        ttl = timedelta(seconds=offer_ttl_override_seconds)
        policies = replace(policies, offers=OfferPolicy(MappingProxyType(dict.fromkeys(Priority, ttl))))
    return policies


def load_neighbours(config_dir: Path) -> NeighbourMap:
    with (config_dir / "neighbours.toml").open("rb") as handle:
        return NeighbourMap.from_config(tomllib.load(handle))
