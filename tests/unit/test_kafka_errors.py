"""A Kafka failure at start-up: wait for a broker that is down, stop at once on settings
that retrying cannot fix, each said in one line naming the setting to check."""

from __future__ import annotations

import logging
import socket

from kafka.errors import (
    KafkaConfigurationError,
    KafkaTimeoutError,
    SaslAuthenticationFailedError,
    TopicAuthorizationFailedError,
    UnsupportedSaslMechanismError,
)

from services.common.kafka_errors import accepts_connections, diagnose, refusals
from services.common.settings import Settings

SASL = Settings(
    kafka_bootstrap="broker:9093",
    kafka_security_protocol="SASL_SSL",
    kafka_sasl_mechanism="SCRAM-SHA-512",
    kafka_username="desk",
    kafka_password="never-printed",
)


def test_refused_credentials_stop_the_stage_with_the_settings_to_check() -> None:
    for error in (SaslAuthenticationFailedError(), UnsupportedSaslMechanismError()):
        found = diagnose(SASL, error, reachable=True)
        assert found.fatal and "WIRESTREAM_KAFKA_PASSWORD" in found.line
        assert "never-printed" not in found.line and "\n" not in found.line
    assert diagnose(SASL, TopicAuthorizationFailedError(), reachable=True).fatal
    assert "WIRESTREAM_KAFKA_*" in diagnose(SASL, KafkaConfigurationError("bad option"), reachable=True).line


def test_a_broker_that_is_down_is_waited_for_and_a_handshake_failure_is_named() -> None:
    down = diagnose(SASL, KafkaTimeoutError(), reachable=False)
    assert not down.fatal and "not reachable yet" in down.line
    mismatch = diagnose(SASL, KafkaTimeoutError(), reachable=True)
    assert not mismatch.fatal and "WIRESTREAM_KAFKA_SECURITY_PROTOCOL" in mismatch.line


def test_accepts_connections_tells_a_listening_port_from_a_closed_one() -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert accepts_connections(f"127.0.0.1:1,127.0.0.1:{port}")
    assert not accepts_connections(f"127.0.0.1:{port}", timeout=0.5)


def test_a_refused_login_behind_a_bootstrap_timeout_is_found() -> None:
    """kafka-python logs the refused SCRAM login and raises only "Unable to bootstrap"."""
    logger = logging.getLogger("kafka.net.manager")
    with refusals() as refused:
        logger.warning(
            "Bootstrap connection to %s failed: %s", "bootstrap-0", SaslAuthenticationFailedError()
        )
        logger.warning("Bootstrap connection to %s failed: %s", "bootstrap-0", KafkaTimeoutError())
    assert [type(e) for e in refused] == [SaslAuthenticationFailedError]
    assert diagnose(SASL, refused[-1], reachable=True).fatal
