"""Checks of rendered manifests that no schema can express, and the split for the validators.

    python deploy/k8s/check_rendered.py RENDERED.yaml OUT_DIR

Writes OUT_DIR/core.yaml (built-in kinds, for kubernetes-validate) and one JSON file per KEDA
ScaledObject (for check-jsonschema with deploy/schemas/), then checks what ties the manifests
to the code: consumer groups and topics from lgnet_contracts, probes on the health endpoints,
memory limits, secrets only by reference. Exits 1 on any finding.
"""

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from lgnet_contracts.topics import ALL_TOPICS

CUSTOM_KINDS = {("keda.sh/v1alpha1", "ScaledObject")}
MEMORY_LIMIT_MAX = 192 * 1024 * 1024
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|PEPPER|API_KEY|SEALING|LOOKUP_KEY|MONGODB_URI)")
PARTITIONS = {spec.name: spec.partitions for spec in ALL_TOPICS}
UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}


def bytes_of(quantity: str) -> int:
    for suffix, factor in UNITS.items():
        if quantity.endswith(suffix):
            return int(float(quantity[: -len(suffix)]) * factor)
    return int(quantity)


def check_deployment(doc: dict[str, Any], errors: list[str]) -> None:
    name = doc["metadata"]["name"]
    pod = doc["spec"]["template"]["spec"]
    if not pod.get("securityContext", {}).get("runAsNonRoot"):
        errors.append(f"Deployment {name}: pods must run as non-root")
    for container in pod["containers"]:
        where = f"Deployment {name} container {container['name']}"
        if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
            errors.append(f"{where}: readiness probe must be GET /readyz")
        if container.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
            errors.append(f"{where}: liveness probe must be GET /healthz")
        resources = container.get("resources", {})
        limit = resources.get("limits", {}).get("memory")
        if limit is None or bytes_of(str(limit)) > MEMORY_LIMIT_MAX:
            errors.append(f"{where}: memory limit must be set and at most 192Mi (got {limit})")
        if not resources.get("requests"):
            errors.append(f"{where}: resource requests must be set")
        for env in container.get("env", []):
            if SECRET_NAME.search(env["name"]) and "secretKeyRef" not in env.get("valueFrom", {}):
                errors.append(f"{where}: {env['name']} must come from a Secret (secretKeyRef)")


def check_scaled_object(doc: dict[str, Any], deployments: set[str], errors: list[str]) -> None:
    name = doc["metadata"]["name"]
    spec = doc["spec"]
    target = spec["scaleTargetRef"]["name"]
    if target not in deployments:
        errors.append(f"ScaledObject {name}: targets unknown Deployment {target}")
    service = target.removeprefix("lgnet-")
    for trigger in spec["triggers"]:
        meta = trigger["metadata"]
        if trigger["type"] != "kafka":
            continue
        if meta.get("consumerGroup") != f"lgnet.{service}":
            errors.append(f"ScaledObject {name}: consumerGroup must be lgnet.{service}")
        topic = meta.get("topic")
        if topic not in PARTITIONS:
            errors.append(f"ScaledObject {name}: topic {topic!r} is not a contract topic")
        elif (
            meta.get("allowIdleConsumers") != "true" and spec.get("maxReplicaCount", 100) > PARTITIONS[topic]
        ):
            errors.append(
                f"ScaledObject {name}: maxReplicaCount exceeds the {PARTITIONS[topic]} partitions of {topic}"
            )


def main(rendered: Path, out_dir: Path) -> int:
    docs = [d for d in yaml.safe_load_all(rendered.read_text()) if d]
    out_dir.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    core: list[dict[str, Any]] = []
    custom: list[dict[str, Any]] = []
    for doc in docs:
        (custom if (doc.get("apiVersion"), doc.get("kind")) in CUSTOM_KINDS else core).append(doc)
    (out_dir / "core.yaml").write_text(yaml.safe_dump_all(core, sort_keys=False))
    for doc in custom:
        (out_dir / f"{doc['kind'].lower()}-{doc['metadata']['name']}.json").write_text(json.dumps(doc))

    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    if "Secret" in by_kind:
        errors.append(f"Secrets must not be committed: {sorted(by_kind['Secret'])}")
    deployments = by_kind.get("Deployment", {})
    for doc in deployments.values():
        check_deployment(doc, errors)
    for doc in by_kind.get("ScaledObject", {}).values():
        check_scaled_object(doc, set(deployments), errors)
    for name in deployments:
        for kind in ("Service", "PodDisruptionBudget", "NetworkPolicy", "ScaledObject"):
            if name not in by_kind.get(kind, {}):
                errors.append(f"Deployment {name} has no {kind} of the same name")
    job_args = [
        j["spec"]["template"]["spec"]["containers"][0].get("args", [])
        for j in by_kind.get("Job", {}).values()
    ]
    if not any(args[:2] == ["topics", "ensure"] for args in job_args):
        errors.append("no Job runs `lgnet topics ensure`")

    for error in errors:
        sys.stderr.write(f"{rendered}: {error}\n")
    sys.stdout.write(f"{rendered}: {len(docs)} resources, {len(custom)} custom, {len(errors)} finding(s)\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
