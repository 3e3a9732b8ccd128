"""Apache Kafka, one combined broker+controller node (KRaft) on loopback ports."""

from __future__ import annotations

import contextlib
import logging
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

from .classpath import ensure_classpath
from .config import EngineConfig
from .process import port_open
from .readiness import run_coroutine, wait_until
from .spec import EngineError

JVM_OPTIONS = [
    "-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true", "-Dorg.slf4j.simpleLogger.showDateTime=true",
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
    "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn",
]  # fmt: skip


def server_properties(cfg: EngineConfig, log_dir: Path) -> dict[str, str]:
    host, port, ctrl = cfg.host, cfg.kafka_port, cfg.kafka_controller_port
    return {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.bootstrap.servers": f"{host}:{ctrl}",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{ctrl}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(log_dir),
        "num.network.threads": "2",
        "num.io.threads": "4",
        "num.partitions": "3",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        # As in production: topics come from `lgnet topics ensure` or the services, never from a typo.
        "auto.create.topics.enable": "false",
        "delete.topic.enable": "true",
        # One broker: every internal topic has one replica; few partitions keep topic creation fast.
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "3",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        # After a kill -9 the controller refuses the restarted broker (DUPLICATE_BROKER_REGISTRATION) until
        # the dead incarnation's session expires: 9 s by default, which every crash test would wait out.
        "broker.session.timeout.ms": "3000",
        "broker.heartbeat.interval.ms": "500",
        # Small segments and indexes: a development broker holds little data.
        "log.segment.bytes": str(16 * 1024 * 1024),
        "log.index.size.max.bytes": str(1024 * 1024),
        "log.retention.hours": "168",
        "log.retention.check.interval.ms": "300000",
        "num.recovery.threads.per.data.dir": "1",
    }


@contextlib.contextmanager
def _quiet_aiokafka() -> Iterator[None]:
    """Connection errors while the broker starts are expected; keep them out of the terminal."""
    logger = logging.getLogger("aiokafka")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


async def describe_cluster(bootstrap: str, timeout_ms: int = 5000) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers")) and cluster.get("controller_id", -1) >= 0
    finally:
        await admin.close()


class KafkaEngine:
    name = "kafka"

    def __init__(self, cfg: EngineConfig) -> None:
        self.cfg = cfg

    @property
    def home(self) -> Path:
        return self.cfg.data_dir / "kafka"

    @property
    def properties_file(self) -> Path:
        return self.home / "server.properties"

    @property
    def marker(self) -> str:
        return str(self.properties_file)

    @property
    def endpoint(self) -> str:
        return self.cfg.kafka_bootstrap

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.cfg.kafka_port, self.cfg.kafka_controller_port)

    def prepare(self) -> list[str]:
        classpath = ensure_classpath(self.cfg, "kafka")
        log_dir = self.home / "logs"
        self.home.mkdir(parents=True, exist_ok=True)
        props = server_properties(self.cfg, log_dir)
        self.properties_file.write_text("".join(f"{key}={value}\n" for key, value in props.items()))
        if not (log_dir / "meta.properties").exists():
            self._format(classpath)
        return ["java", *JVM_OPTIONS, "-cp", classpath, "kafka.Kafka", str(self.properties_file)]

    def _format(self, classpath: str) -> None:
        tool = ["java", "-Xmx256m", "-cp", classpath, "kafka.tools.StorageTool"]
        cluster_id_file = self.home / "cluster.id"
        if not cluster_id_file.exists():
            uuid = self._run([*tool, "random-uuid"]).strip().splitlines()[-1]
            cluster_id_file.write_text(uuid + "\n")
        cluster_id = cluster_id_file.read_text().strip()
        config = str(self.properties_file)
        self._run([*tool, "format", "--standalone", "-t", cluster_id, "-c", config, "--ignore-formatted"])

    @staticmethod
    def _run(command: list[str]) -> str:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise EngineError(f"{' '.join(command[-4:])} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def probe(self) -> bool:
        if not port_open(self.cfg.host, self.cfg.kafka_port):
            return False
        with _quiet_aiokafka():
            try:
                return run_coroutine(lambda: describe_cluster(self.endpoint))
            except Exception:
                return False

    def wait_ready(self, alive: Callable[[], bool], timeout: float) -> None:
        wait_until(self.name, self.probe, alive, timeout, self.home / "kafka.log")
