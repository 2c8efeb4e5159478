"""What a Kafka client failure at start-up means for the operator, in one line.

A broker that is down or still starting is waited for; a refused password, a SASL
mechanism the broker does not offer, a missing ACL or an invalid client option will not
get better by retrying, so a stage says which setting to check and exits. A broker that
accepts TCP connections but never completes the client's handshake usually means the
security protocol does not match its listener: retried, but said so.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kafka.errors import AuthorizationError, KafkaError

from services.common.settings import Settings

CREDENTIALS = "WIRESTREAM_KAFKA_USERNAME / WIRESTREAM_KAFKA_PASSWORD / WIRESTREAM_KAFKA_SASL_MECHANISM"
PROTOCOL = "WIRESTREAM_KAFKA_SECURITY_PROTOCOL"


@dataclass(frozen=True)
class Diagnosis:
    fatal: bool  # retrying cannot help
    line: str


class _Refusals(logging.Handler):
    """Keeps the non-retriable errors kafka-python logs while it retries its bootstrap."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.errors: list[KafkaError] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        self.errors += [a for a in args if isinstance(a, KafkaError) and not a.retriable]


@contextmanager
def refusals() -> Iterator[list[KafkaError]]:
    """The errors behind a bootstrap timeout: kafka-python retries a refused SCRAM login until
    it gives up with `KafkaTimeoutError` ("Unable to bootstrap"), logging the real reason."""
    handler = _Refusals()
    logger = logging.getLogger("kafka.net.manager")
    logger.addHandler(handler)
    try:
        yield handler.errors
    finally:
        logger.removeHandler(handler)


def accepts_connections(bootstrap: str, timeout: float = 2.0) -> bool:
    """True when some bootstrap server accepts a TCP connection."""
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False


def diagnose(settings: Settings, error: KafkaError, reachable: bool) -> Diagnosis:
    where = f"Kafka at {settings.kafka_bootstrap} ({settings.kafka_security_protocol}"
    where += (
        f", {settings.kafka_sasl_mechanism})" if settings.kafka_security_protocol.startswith("SASL") else ")"
    )
    kind = type(error).__name__
    if isinstance(error, AuthorizationError):
        return Diagnosis(True, f"{where} refused an operation ({kind}): grant the user's ACLs")
    if not error.retriable:
        name = kind.lower()
        setting = (
            CREDENTIALS if "sasl" in name or "authentication" in name else "the WIRESTREAM_KAFKA_* settings"
        )
        return Diagnosis(True, f"{where} refused the client ({kind}): check {setting}")
    if reachable:
        return Diagnosis(
            False,
            f"{where} accepts connections but the client cannot complete its handshake ({kind}); "
            f"retrying: if this lasts, check {PROTOCOL} against the broker's listener",
        )
    return Diagnosis(False, f"{where} not reachable yet ({kind}); retrying")
