"""docker-compose.yml cannot be started here (no Docker engine), so check what can be checked."""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import pytest
import yaml

from services.common.settings import Settings
from services.common.stage import WEB_PORTS
from tests.conftest import ROOT

STAGES = ("feeder", "dedup", "entities", "events", "indexer")
OFFICIAL_IMAGES = ("apache/kafka:", "docker.elastic.co/elasticsearch/", "docker.elastic.co/kibana/")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_one_service_per_stage_with_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for stage in STAGES:
        service = services[stage]
        command = service["command"]
        assert command[:3] == ["python", "-m", f"services.{stage}"], stage
        assert importlib.util.find_spec(f"services.{stage}.__main__"), stage
        assert "healthcheck" in service, stage
        assert service["environment"]["WIRESTREAM_WEB_PORT"] == str(WEB_PORTS[stage])


def test_servers_use_official_images_with_health_checks_and_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("kafka", "elasticsearch", "kibana"):
        assert services[name]["image"].startswith(OFFICIAL_IMAGES), name
        assert "healthcheck" in services[name], name
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    for name in ("kafka", "elasticsearch"):
        for volume in services[name]["volumes"]:
            assert volume.split(":")[0] in compose["volumes"], volume


def test_images_match_the_versions_the_local_stack_pins(compose: dict[str, Any]) -> None:
    pom = (ROOT / "deploy" / "stack" / "pom.xml").read_text()
    for name, prop in (("kafka", "kafka"), ("elasticsearch", "elasticsearch"), ("kibana", "elasticsearch")):
        pinned = re.search(rf"<{prop}.version>([^<]+)<", pom)
        assert pinned, f"deploy/stack/pom.xml pins {prop}"
        assert compose["services"][name]["image"].endswith(":" + pinned.group(1)), name


def test_every_environment_variable_is_a_known_setting(compose: dict[str, Any]) -> None:
    fields = {f"WIRESTREAM_{name.upper()}" for name in Settings.model_fields}
    for name, service in compose["services"].items():
        for variable in service.get("environment", {}):
            if variable.startswith("WIRESTREAM_"):
                assert variable in fields, f"{name}: {variable} is not a setting"
