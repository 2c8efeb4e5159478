"""Authentication for real: Elasticsearch with x-pack security and Kafka with SASL/SCRAM over TLS.

A stack of the test's own (its own STACK_DIR, data and ports; the artifacts are linked from
the main `.stack/`) started by `deploy/stack.sh` with security on and fresh random secrets.
The CLI and a stage connect with credentials from settings (environment) only: an API key,
a user and password, a SCRAM user. Wrong credentials give one line naming the server, and
no secret appears in any log, output or exception text.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from schemas.events import Event
from services.common.codec import encode
from services.common.kafka import kafka_python_config
from services.common.settings import Settings
from tests.conftest import ROOT
from tests.integration.harness import StageProcess, wait_for
from tests.reliability.private_stack import PrivateStack

STACK = ROOT / "deploy" / "stack.sh"
# Next to the checkout's own stack (several checkouts on one machine each have their ports).
KAFKA_PORT = int(
    os.environ.get("WIRESTREAM_SECURED_KAFKA_PORT", int(os.environ.get("KAFKA_PORT", "9092")) + 20)
)
ES_PORT = int(os.environ.get("WIRESTREAM_SECURED_ES_PORT", int(os.environ.get("ES_PORT", "9200")) + 10))
PREFIX = "secured"
# The stages' and the CLI's user: its own indices, templates and API keys, nothing else.
ROLE_CLUSTER = ["monitor", "manage_index_templates", "manage_own_api_key"]
ROLE_INDICES = [{"names": [f"{PREFIX}*"], "privileges": ["all"]}]


class Secured:
    """The running secured stack and the secrets it was started with."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.elastic_password = secrets.token_urlsafe(18)
        self.user_password = secrets.token_urlsafe(18)
        self.scram_password = secrets.token_urlsafe(18)
        self.api_key = ""  # made once the node is up
        self.es_url = f"http://127.0.0.1:{ES_PORT}"
        self.kafka = f"127.0.0.1:{KAFKA_PORT}"
        # The reliability suite's private pair, with security on and these secrets.
        self.stack = PrivateStack(directory, kafka_port=KAFKA_PORT, es_port=ES_PORT)
        self.stack.env.update(
            {
                "ES_SECURITY": "true",
                "ES_BOOTSTRAP_PASSWORD": self.elastic_password,
                "KAFKA_SCRAM_PASSWORD": self.scram_password,
                "KAFKA_TLS": "true",  # SASL_SSL: keytool's self-signed certificate for 127.0.0.1
            }
        )
        self.kafka_ca = directory / "conf" / "kafka" / "tls" / "ca.pem"

    def secrets(self) -> list[str]:
        _, api_key_secret = base64.b64decode(self.api_key).decode().split(":", 1)
        store_password = (self.kafka_ca.parent / "store-password").read_text().strip()
        return [
            self.elastic_password,
            self.user_password,
            self.scram_password,
            self.api_key,
            api_key_secret,
            store_password,
        ]

    def kafka_overrides(self, password: str | None = None) -> dict[str, Any]:
        return {
            "kafka_bootstrap": self.kafka,
            "kafka_security_protocol": "SASL_SSL",
            "kafka_ca_file": self.kafka_ca,
            "kafka_sasl_mechanism": "SCRAM-SHA-256",
            "kafka_username": "wirestream",
            "kafka_password": password or self.scram_password,
        }

    def env(self, **settings: Any) -> dict[str, str]:
        """A user's shell: WIRESTREAM_* from `settings`, nothing pointing at the main stack."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
        base = {"es_url": self.es_url, "index_prefix": f"{PREFIX}-", "topic_prefix": PREFIX}
        env.update({f"WIRESTREAM_{k.upper()}": str(v) for k, v in {**base, **settings}.items()})
        return env


@pytest.fixture(scope="module")
def secured() -> Iterator[Secured]:
    # Under .stack (not /tmp/pytest-of-root, mode 700): Elasticsearch runs as an unprivileged
    # user when tests run as root. Wiped at the start, so each run has fresh users and secrets
    # and the logs of the last run stay for reading.
    directory = ROOT / ".stack" / "secured"
    subprocess.run(["bash", str(STACK), "down"], env={**os.environ, "STACK_DIR": str(directory)}, check=False)
    shutil.rmtree(directory, ignore_errors=True)
    stack = Secured(directory)
    try:
        stack.stack.up()
        with Elasticsearch(stack.es_url, basic_auth=("elastic", stack.elastic_password)) as admin:
            admin.security.put_role(name="wirestream_writer", cluster=ROLE_CLUSTER, indices=ROLE_INDICES)
            admin.security.put_user(
                username="wirestream", password=stack.user_password, roles=["wirestream_writer"]
            )
        with Elasticsearch(stack.es_url, basic_auth=("wirestream", stack.user_password)) as user:
            stack.api_key = user.security.create_api_key(name="wirestream-test")["encoded"]
        yield stack
    finally:
        stack.stack.down()


def cli(env: dict[str, str], *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


OUTPUTS: list[str] = []  # everything the CLI printed, for the secret grep at the end


def run_ok(env: dict[str, str], *argv: str) -> str:
    done = cli(env, *argv)
    OUTPUTS.extend([done.stdout, done.stderr])
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_unauthenticated_requests_are_refused(secured: Secured) -> None:
    with Elasticsearch(secured.es_url) as anonymous:
        assert anonymous.options(ignore_status=401).cluster.health().meta.status == 401


def test_cli_connects_with_an_api_key_and_with_user_password(secured: Secured) -> None:
    with_key = secured.env(es_api_key=secured.api_key, **secured.kafka_overrides())
    assert "topics ready" in run_ok(with_key, "topics")
    assert "index templates and aliases ready" in run_ok(with_key, "indices")
    assert run_ok(with_key, "search", "--json") == ""  # nothing indexed yet, but allowed
    with_user = secured.env(es_username="wirestream", es_password=secured.user_password)
    assert run_ok(with_user, "search", "--articles", "--json") == ""
    assert "exported 0 events" in cli(with_user, "export", "events", "--format", "jsonl").stderr


@pytest.mark.parametrize("how", ["password", "api key"])
def test_wrong_elasticsearch_credentials_give_one_line_naming_the_server(secured: Secured, how: str) -> None:
    wrong = "not-" + secrets.token_urlsafe(12)
    if how == "password":
        env = secured.env(es_username="wirestream", es_password=wrong)
    else:
        env = secured.env(es_api_key=base64.b64encode(f"someid:{wrong}".encode()).decode())
    done = cli(env, "search", "anything")
    OUTPUTS.extend([done.stdout, done.stderr])
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert f"Elasticsearch at {secured.es_url} refused the credentials" in line
    assert wrong not in done.stderr


def test_wrong_kafka_credentials_give_one_line_naming_the_server(secured: Secured) -> None:
    wrong = "not-" + secrets.token_urlsafe(12)
    done = cli(secured.env(**secured.kafka_overrides(password=wrong)), "topics")
    OUTPUTS.extend([done.stdout, done.stderr])
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert f"Kafka at {secured.kafka}" in line and "SCRAM-SHA-256" in line and "wirestream" in line
    assert wrong not in done.stderr


def test_a_stage_reads_and_writes_with_credentials_from_settings(secured: Secured, tmp_path: Path) -> None:
    overrides = {
        **secured.kafka_overrides(),
        "es_url": secured.es_url,
        "es_api_key": secured.api_key,
        "index_prefix": f"{PREFIX}-",
        "topic_prefix": PREFIX,
        "topic_partitions": 2,
        "state_dir": tmp_path / "state",
        "batch_seconds": 0.2,
    }
    settings = Settings(**overrides)
    indexer = StageProcess("indexer", overrides, secured.directory / "logs")
    try:
        event = Event(
            event_id="secured-event",
            date=date(2024, 5, 1),
            date_precision="day",
            event_type="Battles",
            article_ids=["secured-article"],
        )
        producer = KafkaProducer(**kafka_python_config(settings))
        producer.send(f"{PREFIX}.events", key=event.event_id.encode(), value=encode(event))
        producer.flush()
        producer.close()
        reader = secured.env(es_username="wirestream", es_password=secured.user_password)

        def indexed() -> bool:
            done = cli(reader, "search", "--json")
            OUTPUTS.extend([done.stdout, done.stderr])
            return done.returncode == 0 and '"secured-event"' in done.stdout

        wait_for(indexed, 120, "the event indexed through the secured Kafka and Elasticsearch", [indexer])
    finally:
        indexer.stop()


def test_a_stage_with_a_wrong_kafka_password_stops_with_one_line(secured: Secured, tmp_path: Path) -> None:
    """Kafka refusing the SCRAM login stops the stage with one line naming the settings to
    check, instead of retrying forever as "not reachable yet"; the password never appears."""
    wrong = "not-" + secrets.token_urlsafe(12)
    overrides = {
        **secured.kafka_overrides(password=wrong),
        "topic_prefix": PREFIX,
        "topic_partitions": 2,
        "state_dir": tmp_path / "state",
    }
    stage = StageProcess("dedup", overrides, tmp_path)
    try:
        wait_for(lambda: stage.process.poll() is not None or None, 120, "the stage to stop", [])
    finally:
        stage.stop()
    log = stage.log.read_text(errors="replace")
    assert stage.process.returncode == 2, stage.tail()
    (line,) = [row for row in log.splitlines() if "refused the client" in row]
    assert "WIRESTREAM_KAFKA_PASSWORD" in line and f"Kafka at {secured.kafka}" in line
    assert wrong not in log
    assert "not reachable yet" not in log


def test_no_secret_in_any_log_or_output(secured: Secured) -> None:
    """Runs last in this module: every log the stack and the stage wrote, and every CLI output."""
    texts = {"cli output": "\n".join(OUTPUTS)}
    logs = [p for p in (secured.directory / "logs").rglob("*") if p.is_file()]
    assert any("indexer" in p.name for p in logs) and any("elasticsearch" in str(p) for p in logs)
    texts.update({str(p): p.read_text(errors="replace") for p in logs})
    for secret in secured.secrets():
        leaked = [name for name, text in texts.items() if secret in text]
        assert leaked == [], f"a secret appears in {leaked}"
