"""Checks of docker-compose.yml beyond the Compose Specification's schema.

    python deploy/compose/check_compose.py docker-compose.yml

Dependencies name real services, the four services have a /readyz health check and wait for
healthy engines, images are pinned, mounted config files exist, topics come from `lgnet topics
ensure`. Exits 1 on any finding.
"""

import sys
from pathlib import Path
from typing import Any

import yaml

SERVICES = ("referral", "housing", "payments", "notifications")


def findings(compose: dict[str, Any], root: Path) -> list[str]:
    errors: list[str] = []
    services: dict[str, Any] = compose["services"]
    for name, svc in services.items():
        image = svc.get("image", "")
        if not image or ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
            errors.append(f"{name}: image must carry a pinned tag (got {image!r})")
        for dep in svc.get("depends_on", {}):
            if dep not in services:
                errors.append(f"{name}: depends on unknown service {dep}")
        for volume in svc.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("./") and not (root / source).exists():
                errors.append(f"{name}: mounts missing file {source}")
    for name in SERVICES:
        svc = services.get(name)
        if svc is None:
            errors.append(f"service {name} is missing")
            continue
        if "/readyz" not in " ".join(svc.get("healthcheck", {}).get("test", [])):
            errors.append(f"{name}: health check must call /readyz")
        deps = svc.get("depends_on", {})
        for engine in ("kafka", "mongo"):
            if deps.get(engine, {}).get("condition") != "service_healthy":
                errors.append(f"{name}: must depend on {engine} being healthy")
        if deps.get("topics", {}).get("condition") != "service_completed_successfully":
            errors.append(f"{name}: must wait for the topics job")
    if services.get("topics", {}).get("command", [])[:2] != ["topics", "ensure"]:
        errors.append("topics: must run `lgnet topics ensure`")
    if not str(services.get("kafka", {}).get("image", "")).startswith("apache/kafka:4."):
        errors.append("kafka: must be Apache Kafka 4.x")
    return errors


def main(path: Path) -> int:
    errors = findings(yaml.safe_load(path.read_text()), path.parent)
    for error in errors:
        sys.stderr.write(f"{path}: {error}\n")
    sys.stdout.write(f"{path}: {len(errors)} finding(s)\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
