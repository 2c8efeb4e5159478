"""Kafka client configuration (kafka-python and Faust) and topic creation, from settings."""

from __future__ import annotations

import asyncio
import logging
import ssl
import weakref
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import faust
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.transport.drivers.aiokafka import Consumer as FaustConsumer
from faust.transport.drivers.aiokafka import Producer as FaustProducer
from faust.transport.drivers.aiokafka import Transport as FaustTransport
from faust.types import TP, AppT
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.producer.future import FutureRecordMetadata

from schemas.base import WireModel
from schemas.topics import ALL_TOPICS, topic_of
from services.common.backoff import delays
from services.common.codec import encode
from services.common.health import missing_topics
from services.common.settings import Settings

log = logging.getLogger("wirestream")

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


# --- The Faust transport every stage uses: a start-up gate and an idempotent producer ---


@dataclass
class TopicGate:
    """What the start-up gate saw: read by the stage's readiness check."""

    waiting_for: frozenset[str] = frozenset()
    subscribed: bool = False


_GATES: weakref.WeakKeyDictionary[AppT, TopicGate] = weakref.WeakKeyDictionary()
GATE_RETRY_SECONDS = (0.5, 5.0)  # first and longest wait between metadata refreshes


def gate_of(app: AppT) -> TopicGate:
    return _GATES.setdefault(app, TopicGate())


async def seek_to_committed_or_start(
    consumer: AIOKafkaConsumer, keep_position: Container[str] = ()
) -> dict[TopicPartition, int | None]:
    """Seek every assigned partition to its committed offset, and one with nothing
    committed to the start of its log (what `auto_offset_reset=earliest` means).

    aiokafka's own `seek_to_committed` leaves a partition with nothing committed
    wherever its fetch position is. Faust relies on that seek after a rebalance to
    re-read records it fetched but dropped mid-rebalance; on a partition nothing was
    ever committed for, the dropped record was skipped for good, and the worker sat
    behind it, assigned and idle (seen in CI: a copy on a fresh partition never
    decided). Topics in `keep_position` (table changelogs, which Faust reads by its
    own seeks) are left where they are.
    """
    committed: dict[TopicPartition, int | None] = await consumer.seek_to_committed()
    never_committed = [tp for tp, offset in committed.items() if not offset and tp.topic not in keep_position]
    if never_committed:
        await consumer.seek_to_beginning(*never_committed)
    return committed


class GatedConsumerThread(AIOKafkaConsumerThread):
    """Subscribes only once every topic is visible with partitions in this consumer's
    own metadata, the metadata the group leader assigns partitions from.

    Faust subscribes as soon as its agents start. A topic the broker does not show yet
    (just created, not yet propagated; or created by an operator later) was then left
    out of the assignment, and with aiokafka's 5-minute metadata refresh the worker
    consumed nothing from it for minutes while looking healthy.
    """

    async def subscribe(self, topics: Iterable[str]) -> None:
        wanted = set(topics)
        self._ensure_consumer()
        gate = gate_of(self.app)
        pauses = delays(*GATE_RETRY_SECONDS)
        while True:
            missing = missing_topics(wanted, self.partitions_known)
            gate.waiting_for = frozenset(missing)
            if not missing:
                break
            log.warning("topics not in metadata yet, not joining the group: %s", ", ".join(sorted(missing)))
            await self.call_thread(self._refresh_metadata, wanted)
            if missing_topics(wanted, self.partitions_known):
                await asyncio.sleep(next(pauses))
        await super().subscribe(wanted)
        gate.subscribed = True

    async def _refresh_metadata(self, topics: set[str]) -> None:
        client = self._ensure_consumer()._client
        client.set_topics(topics)
        await client.force_metadata_update()

    async def refresh_and_rejoin(self) -> None:
        """Fresh metadata, then a new assignment from it (the grace-period remedy)."""
        await self.call_thread(self._refresh_and_rejoin)

    async def _refresh_and_rejoin(self) -> None:
        consumer = self._ensure_consumer()
        await consumer._client.force_metadata_update()
        consumer._coordinator.request_rejoin()

    async def seek_to_committed(self) -> Mapping[TP, int]:
        # Faust's signature says int; a partition with nothing committed maps to None,
        # which Faust's caller (Consumer.perform_seek) expects and handles.
        committed = await self.call_thread(self._seek_to_committed_or_start)
        return cast(Mapping[TP, int], committed)

    async def _seek_to_committed_or_start(self) -> dict[TopicPartition, int | None]:
        changelogs = self.app.tables.changelog_topics
        return await seek_to_committed_or_start(self._ensure_consumer(), changelogs)

    def partitions_known(self, topic: str) -> int:
        """Partitions of `topic` in this consumer's metadata (0 when unknown)."""
        consumer = self._consumer
        if consumer is None:
            return 0
        return len(consumer._client.cluster.partitions_for_topic(topic) or ())

    def subscription(self) -> set[str]:
        consumer = self._consumer
        return set(consumer.subscription()) if consumer is not None else set()


class GatedConsumer(FaustConsumer):
    _thread: GatedConsumerThread

    def _new_consumer_thread(self) -> GatedConsumerThread:
        return GatedConsumerThread(self, loop=self.loop, beacon=self.beacon)


class IdempotentProducer(FaustProducer):
    """Faust passes aiokafka's `enable_idempotence` only inside transactions (exactly-once
    mode, which still duplicates after a kill -9: faust-streaming #517). Turned on here,
    a send the producer retries after a broker hiccup is written once: the broker drops
    the retry by its producer id and sequence number. Replays after a consumer crash are
    a different matter (at-least-once): every sink is idempotent for those."""

    def _settings_extra(self) -> dict[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class WirestreamTransport(FaustTransport):
    Consumer = GatedConsumer
    Producer = IdempotentProducer


def install_transport(app: faust.App) -> None:
    """The narrowest hook: Faust's own aiokafka transport with our consumer and producer
    classes, set before anything asks the app for its transport."""
    app.transport = WirestreamTransport(app.conf.broker_consumer, app)
