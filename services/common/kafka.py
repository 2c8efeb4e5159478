"""Kafka client configuration (kafka-python and Faust) and topic creation, from settings."""

from __future__ import annotations

import ssl
from typing import Any

import faust
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.producer.future import FutureRecordMetadata

from schemas.base import WireModel
from schemas.topics import ALL_TOPICS, topic_of
from services.common.codec import encode
from services.common.settings import Settings

MAX_MESSAGE_BYTES = 8 * 1024 * 1024  # a 5 MB story still fits, with room for its entities


def kafka_python_config(settings: Settings) -> dict[str, Any]:
    """Connection options for kafka-python clients (admin, producer, test consumers)."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap.split(","),
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol.startswith("SASL"):
        config["sasl_mechanism"] = settings.kafka_sasl_mechanism
        config["sasl_plain_username"] = settings.kafka_username
        config["sasl_plain_password"] = (
            settings.kafka_password.get_secret_value() if settings.kafka_password else None
        )
    if settings.kafka_ca_file:
        config["ssl_cafile"] = str(settings.kafka_ca_file)
    return config


def faust_credentials(settings: Settings) -> faust.auth.Credentials | None:
    context = (
        ssl.create_default_context(cafile=str(settings.kafka_ca_file))
        if settings.kafka_security_protocol.endswith("SSL")
        else None
    )
    if settings.kafka_security_protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=settings.kafka_username,
            password=settings.kafka_password.get_secret_value() if settings.kafka_password else None,
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=context,
        )
    return faust.SSLCredentials(context) if context else None


def reliable_producer(settings: Settings) -> KafkaProducer:
    """A producer that loses nothing: idempotent, acks from all in-sync replicas."""
    return KafkaProducer(
        **kafka_python_config(settings),
        acks="all",
        enable_idempotence=True,
        compression_type="gzip",
        linger_ms=20,
        retries=2**31 - 1,
        delivery_timeout_ms=120_000,
        max_request_size=MAX_MESSAGE_BYTES,
    )


def create_topics(
    settings: Settings, extra_compacted: tuple[str, ...] = (), extra: tuple[str, ...] = ()
) -> list[str]:
    """Create the contract topics (and `extra_compacted` ones, such as table changelogs, and
    `extra` ones, such as a stage's internal repartition topic)
    with the partitions and retention from settings; returns the names it created.

    Creating them up front, rather than letting clients auto-create them, keeps partition
    counts equal everywhere: a table's changelog must match its source topic.
    """
    wanted = {settings.topic(spec): spec.compacted for spec in ALL_TOPICS}
    wanted.update(dict.fromkeys(extra_compacted, True))
    wanted.update(dict.fromkeys(extra, False))
    admin = KafkaAdminClient(**kafka_python_config(settings), client_id="wirestream-admin")
    created = []
    try:
        existing = set(admin.list_topics())
        for name, compacted in wanted.items():
            if name in existing:
                continue
            config = {
                "max.message.bytes": str(MAX_MESSAGE_BYTES),
                **(
                    {"cleanup.policy": "compact"}
                    if compacted
                    else {"retention.ms": str(settings.topic_retention_ms)}
                ),
            }
            topic = NewTopic(
                name, settings.topic_partitions, settings.topic_replication, topic_configs=config
            )
            try:
                admin.create_topics([topic])
                created.append(name)
            except TopicAlreadyExistsError:
                pass  # another process won the race; same settings
    finally:
        admin.close()
    return created


def send(producer: KafkaProducer, settings: Settings, message: WireModel) -> FutureRecordMetadata:
    """Send on the message's topic, keyed as the topic contract says (kafka-python side)."""
    spec = topic_of(message)
    return producer.send(settings.topic(spec), key=spec.key_of(message).encode(), value=encode(message))
