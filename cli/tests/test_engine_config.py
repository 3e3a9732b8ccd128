"""Engine configuration without running anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgnet_cli.engines import EngineConfig
from lgnet_cli.engines.kafka import server_properties


def test_ports_and_dirs_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LGNET_KAFKA_PORT", "29092")
    monkeypatch.setenv("LGNET_MONGO_PORT", "29017")
    monkeypatch.setenv("LGNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LGNET_ENGINES_CACHE", str(tmp_path / "cache"))

    cfg = EngineConfig.from_env()

    assert cfg.kafka_bootstrap == "127.0.0.1:29092"
    assert cfg.kafka_controller_port == 29093
    assert cfg.mongodb_uri == "mongodb://127.0.0.1:29017/"
    assert cfg.data_dir == tmp_path / "data"
    assert cfg.pom.is_file()


def test_kafka_runs_as_one_combined_kraft_node(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LGNET_KAFKA_PORT", "29092")
    props = server_properties(EngineConfig.from_env(), tmp_path)

    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:29093"
    assert "controller.quorum.voters" not in props  # would clash with `format --standalone`
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["log.dirs"] == str(tmp_path)
