"""Where the local engines live and which loopback ports they use, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_KAFKA_PORT = 19092
DEFAULT_MONGO_PORT = 27027
POM_RELATIVE = Path("deploy/engines/pom.xml")


def find_repo_root() -> Path:
    """The workspace root: the first parent holding deploy/engines/pom.xml (this file, then the cwd)."""
    override = os.environ.get("LGNET_REPO_ROOT")
    if override:
        return Path(override).resolve()
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if (candidate / POM_RELATIVE).is_file():
                return candidate
    # Outside a checkout (the CLI image): commands that need no engine still work from here;
    # starting engines then fails with a clear "no pom.xml" from Maven.
    return Path.cwd().resolve()


@dataclass(frozen=True)
class EngineConfig:
    repo_root: Path
    cache_dir: Path
    data_dir: Path
    kafka_port: int
    kafka_controller_port: int
    mongo_port: int
    host: str = HOST

    @property
    def pom(self) -> Path:
        return self.repo_root / POM_RELATIVE

    @property
    def engines_src(self) -> Path:
        return self.pom.parent

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def mongodb_uri(self) -> str:
        return f"mongodb://{self.host}:{self.mongo_port}/"

    @classmethod
    def from_env(cls) -> EngineConfig:
        root = find_repo_root()
        cache = os.environ.get("LGNET_ENGINES_CACHE") or str(Path.home() / ".cache" / "lgnet" / "engines")
        data = os.environ.get("LGNET_DATA_DIR") or str(root / ".lgnet")
        kafka_port = int(os.environ.get("LGNET_KAFKA_PORT", DEFAULT_KAFKA_PORT))
        controller_port = int(os.environ.get("LGNET_KAFKA_CONTROLLER_PORT", kafka_port + 1))
        mongo_port = int(os.environ.get("LGNET_MONGO_PORT", DEFAULT_MONGO_PORT))
        return cls(
            repo_root=root,
            cache_dir=Path(cache).expanduser().resolve(),
            data_dir=Path(data).expanduser().resolve(),
            kafka_port=kafka_port,
            kafka_controller_port=controller_port,
            mongo_port=mongo_port,
        )
