"""A Kafka + Elasticsearch pair of the suite's own, so faults never touch the shared stack.

It runs `deploy/stack.sh` with its own STACK_DIR and ports; the downloaded artifacts are
linked from the main `.stack/`, so nothing is fetched twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.load import scaled

STACK_SCRIPT = ROOT / "deploy" / "stack.sh"
MAIN_STACK = ROOT / ".stack"
STACK_START_SECONDS = 300


# Several checkouts on one machine each run their own private pair: ports come from the environment.
DEFAULT_KAFKA_PORT = int(os.environ.get("WIRESTREAM_RELIABILITY_KAFKA_PORT", "19092"))
DEFAULT_ES_PORT = int(os.environ.get("WIRESTREAM_RELIABILITY_ES_PORT", "19200"))


class PrivateStack:
    def __init__(
        self, directory: Path, kafka_port: int = DEFAULT_KAFKA_PORT, es_port: int = DEFAULT_ES_PORT
    ) -> None:
        self.directory = directory
        self.kafka_bootstrap = f"127.0.0.1:{kafka_port}"
        self.es_url = f"http://127.0.0.1:{es_port}"
        self.env = {
            **os.environ,
            "STACK_DIR": str(directory),
            "KAFKA_PORT": str(kafka_port),
            "KAFKA_CONTROLLER_PORT": str(kafka_port + 1),
            "ES_PORT": str(es_port),
            "ES_TRANSPORT_PORT": str(es_port + 100),
            # stack.sh returns as soon as a server answers (or dies); this only bounds a hang,
            # stretched on a loaded machine, where two JVMs can take minutes to answer.
            "STACK_TIMEOUT": str(round(scaled(STACK_START_SECONDS))),
        }

    def _stack(self, *args: str) -> None:
        subprocess.run(["bash", str(STACK_SCRIPT), *args], env=self.env, check=True)

    def up(self, service: str = "") -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(["bash", str(STACK_SCRIPT), "fetch"], check=True)  # into the main .stack
        for artifact in ("kafka", "elasticsearch"):
            link = self.directory / artifact
            if not link.exists():
                link.symlink_to(MAIN_STACK / artifact)
        self._stack("up", *([service] if service else []))

    def down(self, service: str = "") -> None:
        self._stack("down", *([service] if service else []))

    def kill_kafka(self) -> None:
        """SIGKILL the broker's whole process group: no clean shutdown, as in a crash."""
        pid = int((self.directory / "run" / "kafka.pid").read_text())
        os.killpg(pid, signal.SIGKILL)
