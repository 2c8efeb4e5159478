"""docker-compose runs Elasticsearch with security on, every password from the git-ignored .env."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

STAGES = ("feeder", "dedup", "entities", "events", "indexer")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_security_is_on_with_passwords_only_from_the_environment(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["elasticsearch"]["environment"]["xpack.security.enabled"] == "true"
    text = (ROOT / "docker-compose.yml").read_text()
    for name, value in re.findall(r"(\w*PASSWORD\w*): (.+)", text):
        assert value.startswith("${") and ":?" in value, f"{name} must come from .env, not {value!r}"
    used = set(re.findall(r"\$\{(\w+):\?", text))
    example = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line
    )
    assert used == set(example), "every variable docker-compose needs is documented in .env.example"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env must be git-ignored"


def test_a_one_shot_job_sets_kibana_system_and_everything_waits_for_it(compose: dict[str, Any]) -> None:
    services = compose["services"]
    setup = services["setup"]
    assert setup["entrypoint"][-1] == "/setup/setup-security.sh"
    script = ROOT / "deploy" / "compose" / "setup-security.sh"
    assert "/_security/user/kibana_system/_password" in script.read_text()
    subprocess.run(["bash", "-n", str(script)], check=True)
    for dependent in ("kibana", "init"):
        assert services[dependent]["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert services["kibana"]["environment"]["ELASTICSEARCH_USERNAME"] == "kibana_system"


def test_health_checks_stages_and_the_importer_authenticate(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("elasticsearch", "kibana"):
        check = services[name]["healthcheck"]["test"][1]
        assert "--config -" in check and "-u " not in check, name  # password on stdin, not argv
    for stage in (*STAGES, "init"):
        environment = services[stage]["environment"]
        assert environment["WIRESTREAM_ES_USERNAME"] == "wirestream", stage
        assert environment["WIRESTREAM_ES_PASSWORD"].startswith("${STAGES_PASSWORD"), stage
    importer = services["kibana-objects"]["environment"]
    assert importer["KIBANA_USERNAME"] == "elastic" and "KIBANA_PASSWORD" in importer
    assert "--user" not in (ROOT / "deploy" / "kibana" / "import.sh").read_text()
