"""deploy/k8s cannot be applied here (no cluster), so check what can be checked by parsing."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from schemas.topics import ALL_TOPICS
from services.common.settings import Settings
from services.common.stage import HEALTH_PATH, READY_PATH, WEB_PORTS
from tests.conftest import ROOT

K8S = ROOT / "deploy" / "k8s"
CONSUMING = ("dedup", "entities", "events", "indexer")  # the feeder reads a folder, not Kafka


@pytest.fixture(scope="module")
def manifests() -> dict[tuple[str, str], dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    docs = [
        doc
        for name in kustomization["resources"]
        for doc in yaml.safe_load_all((K8S / name).read_text())
        if doc
    ]
    assert {path.name for path in K8S.glob("*.yaml")} == {*kustomization["resources"], "kustomization.yaml"}
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs}


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert isinstance(container, dict)
    return container


def test_every_stage_has_a_deployment_with_probes_on_its_web_port(manifests: dict[Any, Any]) -> None:
    for stage, port in WEB_PORTS.items():
        deployment = manifests["Deployment", stage]
        container = _container(deployment)
        assert container["command"][:3] == ["python", "-m", f"services.{stage}"]
        assert {"name": "WIRESTREAM_WEB_PORT", "value": str(port)} in container["env"]
        # Ready only when assigned, recovered and not stalled; alive while it answers.
        assert container["readinessProbe"]["httpGet"] == {"path": READY_PATH, "port": port}, stage
        assert container["livenessProbe"]["httpGet"] == {"path": HEALTH_PATH, "port": port}, stage
        assert container["resources"]["requests"].keys() >= {"cpu", "memory"}
        assert "memory" in container["resources"]["limits"]
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(port)
        assert annotations["prometheus.io/path"] == "/metrics"
        assert deployment["spec"]["selector"]["matchLabels"].items() <= (
            deployment["spec"]["template"]["metadata"]["labels"].items()
        )


def test_settings_come_from_the_config_map_and_credentials_from_the_secret(
    manifests: dict[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = {f"WIRESTREAM_{name.upper()}" for name in Settings.model_fields}
    config = manifests["ConfigMap", "wirestream-settings"]["data"]
    secret = manifests["Secret", "wirestream-credentials"]["stringData"]
    assert set(config) <= fields and set(secret) <= fields
    assert all("PASSWORD" not in key and "API_KEY" not in key for key in config)
    # The config map must load as Settings the way a pod reads it: from the environment.
    for key, value in config.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.web_host == "0.0.0.0"
    for stage in WEB_PORTS:
        sources = _container(manifests["Deployment", stage])["envFrom"]
        assert {"configMapRef": {"name": "wirestream-settings"}} in sources
        assert {"secretRef": {"name": "wirestream-credentials"}} in sources


def test_each_consuming_stage_scales_on_the_lag_of_its_own_input(manifests: dict[Any, Any]) -> None:
    config = manifests["ConfigMap", "wirestream-settings"]["data"]
    prefix, partitions = config["WIRESTREAM_TOPIC_PREFIX"], int(config["WIRESTREAM_TOPIC_PARTITIONS"])
    topics = {spec.name(prefix) for spec in ALL_TOPICS} | {f"{prefix}.dedup-ordered"}
    for stage in CONSUMING:
        scaled = manifests["ScaledObject", stage]["spec"]
        assert scaled["scaleTargetRef"]["name"] == stage
        assert 1 <= scaled["minReplicaCount"] <= scaled["maxReplicaCount"] <= partitions
        for trigger in scaled["triggers"]:
            assert trigger["type"] == "kafka"
            assert trigger["metadata"]["consumerGroup"] == f"{prefix}-{stage}"  # Faust's app id
            assert trigger["metadata"]["topic"] in topics
            assert ("TriggerAuthentication", trigger["authenticationRef"]["name"]) in manifests
    assert ("ScaledObject", "feeder") not in manifests
    assert manifests["Deployment", "feeder"]["spec"]["replicas"] == 1


def test_dedup_scales_on_where_decisions_wait_and_says_one_replica_decides(
    manifests: dict[Any, Any],
) -> None:
    from services.dedup.app import ordered_topic

    prefix = manifests["ConfigMap", "wirestream-settings"]["data"]["WIRESTREAM_TOPIC_PREFIX"]
    ordered = ordered_topic.get_topic_name().replace(Settings().topic_prefix, prefix, 1)
    (trigger,) = manifests["ScaledObject", "dedup"]["spec"]["triggers"]
    assert trigger["metadata"]["topic"] == ordered
    annotations = manifests["Deployment", "dedup"]["metadata"]["annotations"]
    assert annotations["wirestream.io/deciding-replicas"] == "1"
    assert annotations["wirestream.io/decisions-wait-on"] == ordered
    assert manifests["ScaledObject", "dedup"]["spec"]["maxReplicaCount"] == 2
