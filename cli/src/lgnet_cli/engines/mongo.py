"""The MongoDB-wire server: mongo-java-server with its H2 backend (deploy/engines/MongoWireServer.java)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .classpath import ensure_classpath
from .config import EngineConfig
from .process import port_open
from .readiness import wait_until

JVM_OPTIONS = [
    "-Xms64m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
    "-Dorg.slf4j.simpleLogger.showDateTime=true",
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
    # One line per client connection drowns everything else in a test run.
    "-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoWireProtocolHandler=warn",
]  # fmt: skip


class MongoEngine:
    name = "mongo"

    def __init__(self, cfg: EngineConfig) -> None:
        self.cfg = cfg

    @property
    def home(self) -> Path:
        return self.cfg.data_dir / "mongo"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def marker(self) -> str:
        return str(self.data)

    @property
    def endpoint(self) -> str:
        return self.cfg.mongodb_uri

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.cfg.mongo_port,)

    def prepare(self) -> list[str]:
        classpath = ensure_classpath(self.cfg, "mongo")
        self.data.mkdir(parents=True, exist_ok=True)
        source = self.cfg.engines_src / "MongoWireServer.java"
        args = ["--host", self.cfg.host, "--port", str(self.cfg.mongo_port), "--data", str(self.data)]
        return ["java", *JVM_OPTIONS, "-cp", classpath, str(source), *args]

    def probe(self) -> bool:
        if not port_open(self.cfg.host, self.cfg.mongo_port):
            return False
        from pymongo import MongoClient
        from pymongo.errors import PyMongoError

        client: MongoClient[dict[str, object]] = MongoClient(
            self.endpoint, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000
        )
        try:
            return client.admin.command("ping").get("ok") == 1
        except PyMongoError:
            return False
        finally:
            client.close()

    def wait_ready(self, alive: Callable[[], bool], timeout: float) -> None:
        wait_until(self.name, self.probe, alive, timeout, self.home / "mongo.log")
