"""The Faust layer every stage shares: app factory, byte topics, dead letters, batches."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar, cast

import faust
from faust.transport.consumer import Consumer
from faust.types import EventT, RecordMetadata, StreamT
from kafka.errors import KafkaError

from schemas.base import WireModel
from schemas.topics import ALL_TOPICS, DEADLETTER, TopicSpec, topic_of
from services.common.backoff import delays
from services.common.codec import CodecError, decode, encode
from services.common.deadletter import dead_letter
from services.common.health import Persisting, StallWatch, Verdict, WorkerView, unassigned_topics, verdict
from services.common.kafka import (
    MAX_MESSAGE_BYTES,
    GatedConsumer,
    create_topics,
    faust_credentials,
    gate_of,
    install_transport,
)
from services.common.kafka_errors import accepts_connections, diagnose, refusals
from services.common.metrics import (
    CONTENT_TYPE,
    StageMetrics,
    article_id_of,
    batch_articles,
    current_article,
    current_partition,
    logging_config,
    partition_lag,
)
from services.common.settings import Settings

M = TypeVar("M", bound=WireModel)
ByteEvent = EventT[bytes]
ByteStream = StreamT[bytes]
log = logging.getLogger("wirestream")

# Each stage's web server (health, metrics) has its own default port so all five fit
# on one machine; a second replica of a stage sets WIRESTREAM_WEB_PORT.
WEB_PORTS = {"feeder": 6066, "dedup": 6067, "entities": 6068, "events": 6069, "indexer": 6070}
LAG_SAMPLE_SECONDS = 5.0
HEALTH_PATH = "/health/"  # liveness: the worker answers; its body says how it is doing
READY_PATH = "/ready/"  # readiness: 200 only when assigned, recovered and not stalled


class Stage:
    """One stage's Faust app, its topics, and its dead-letter sink."""

    def __init__(self, name: str, settings: Settings) -> None:
        self.name = name
        self.settings = settings
        datadir = settings.state_dir / name
        datadir.parent.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
        self.app = faust.App(
            f"{settings.topic_prefix}-{name}",
            broker=[f"kafka://{host}" for host in settings.kafka_bootstrap.split(",")],
            broker_credentials=faust_credentials(settings),
            topic_partitions=settings.topic_partitions,
            topic_replication_factor=settings.topic_replication,
            value_serializer="raw",
            key_serializer="raw",
            store="memory://",  # tables rebuild from their changelog topics on start
            table_cleanup_interval=60.0,
            producer_acks=-1,
            # Faust's 60 s default left a restarted replica waiting a minute for the
            # partitions its crashed predecessor still held.
            broker_session_timeout=settings.kafka_session_timeout_seconds,
            broker_heartbeat_interval=min(3.0, settings.kafka_session_timeout_seconds / 5),
            producer_max_request_size=MAX_MESSAGE_BYTES,
            # aiokafka refreshes metadata every 5 minutes by default: a topic created after
            # the first fetch stayed unconsumed that long. A short refresh sees it in seconds
            # (and aiokafka rejoins the group when a subscribed topic's partitions change).
            consumer_metadata_max_age_ms=int(settings.kafka_metadata_max_age_seconds * 1000),
            producer_metadata_max_age_ms=int(settings.kafka_metadata_max_age_seconds * 1000),
            topic_allow_declare=settings.kafka_create_topics,
            consumer_auto_offset_reset="earliest",
            web_host=settings.web_host,
            web_bind=settings.web_host,
            web_port=settings.web_port or WEB_PORTS[name],
            datadir=str(datadir),
            logging_config=logging_config(name),
        )
        install_transport(self.app)
        self.metrics = StageMetrics(name)
        self.stall = StallWatch(settings.stall_seconds, started=time.monotonic())
        self._missing_assignment = Persisting(settings.startup_grace_seconds)
        self._unassigned: frozenset[str] = frozenset()
        self.topics = {spec: self._declare(spec) for spec in ALL_TOPICS}
        self._internal_topics: list[str] = []
        self._contract_topics = {settings.topic(spec) for spec in ALL_TOPICS}
        self.app.page(HEALTH_PATH)(self._health_view(readiness=False))
        self.app.page(READY_PATH)(self._health_view(readiness=True))
        self.app.page("/metrics")(self._metrics_view())
        self.app.timer(LAG_SAMPLE_SECONDS)(self._sample_lag)
        self.app.on_worker_init.connect(self._create_topics)

    def _create_topics(self, app: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        """Before the worker starts: contract topics, this stage's internal topics and its
        table changelogs.

        Without this, Faust creates a changelog on first start while the consumer still
        sees it with 0 partitions, and the first table write fails.
        """
        if not self.settings.kafka_create_topics:
            return  # an operator creates them; the consumer's start-up gate waits until they exist
        changelogs = tuple(t.changelog_topic.get_topic_name() for t in app.tables.values())
        for pause in delays(1.0, 30.0):  # a stage started before its broker waits for it instead of exiting
            try:
                with refusals() as refused:
                    create_topics(
                        self.settings, extra_compacted=changelogs, extra=tuple(self._internal_topics)
                    )
                return
            except KafkaError as exc:
                cause = refused[-1] if refused else exc  # a refused login hides behind a timeout
                found = diagnose(self.settings, cause, accepts_connections(self.settings.kafka_bootstrap))
                if found.fatal:  # a wrong password or option: retrying forever would hide it
                    log.error("stage=%s %s", self.name, found.line)
                    raise SystemExit(2) from None
                log.warning("stage=%s %s", self.name, found.line)
                time.sleep(pause)

    def _health_view(self, readiness: bool) -> Callable[[Any, Any], Awaitable[Any]]:
        # Faust stores the handler as a View's `get`, so it must be a plain function
        # taking (view, request), not a bound method.
        async def health(view: Any, request: Any) -> Any:
            state = self.verdict()
            body = {"stage": self.name, "status": state.status, "ready": state.ready, "detail": state.detail}
            # Liveness answers 200 while the worker answers at all: a worker waiting for
            # Kafka or Elasticsearch is not helped by a restart. Readiness tells the truth.
            return view.json(body, status=200 if state.ready or not readiness else 503)

        return health

    def verdict(self) -> Verdict:
        """Readiness now, from the consumer's gate, assignment, recovery and lag samples."""
        app = self.app
        gate = gate_of(app)
        recovery = cast(Any, app.tables).recovery  # on Faust's TableManager, not its protocol
        return verdict(
            WorkerView(
                waiting_for=gate.waiting_for,
                subscribed=gate.subscribed,
                rebalancing=bool(app.rebalancing),
                recovered=recovery.completed.is_set() and not app.in_recovery,
                assigned=frozenset((tp.topic, tp.partition) for tp in self._assignment()),
                unassigned=self._unassigned,
                stalled=frozenset(self.stall.stalled(time.monotonic())),
            )
        )

    def _assignment(self) -> set[Any]:
        return set(cast(Consumer, self.app.consumer).assignment()) if gate_of(self.app).subscribed else set()

    async def _check_assignment(self) -> None:
        """A subscribed topic the group left out (its leader assigned from stale metadata)
        is put right after a grace period: fresh metadata, and a rejoin."""
        app = self.app
        if not gate_of(app).subscribed or app.rebalancing:
            self._missing_assignment.update(False, time.monotonic())
            self._unassigned = frozenset()
            return
        thread = cast(GatedConsumer, app.consumer)._thread
        missing = unassigned_topics(
            thread.subscription(),
            {(tp.topic, tp.partition) for tp in self._assignment()},
            thread.partitions_known,
        )
        self._unassigned = frozenset(missing)  # not ready from the first sample on
        if self._missing_assignment.update(bool(missing), time.monotonic()):
            log.warning(
                "stage=%s subscribed but assigned no partition of %s: refreshing metadata and rejoining",
                self.name,
                ", ".join(sorted(missing)),
            )
            self._missing_assignment.update(False, time.monotonic())  # a fresh grace for the rejoin
            await thread.refresh_and_rejoin()

    def _metrics_view(self) -> Callable[[Any, Any], Awaitable[Any]]:
        async def metrics(view: Any, request: Any) -> Any:
            # aiohttp refuses a charset in content_type; Prometheus wants it, so as a header.
            return view.bytes(self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

        return metrics

    async def _sample_lag(self) -> None:
        """Consumer lag per assigned partition (log end minus this group's committed offset),
        on the contract and internal topics (not Faust's leader or changelog topics); the
        stall watch and the assignment check run on the same beat."""
        consumer = cast(Consumer, self.app.consumer)
        # Faust keeps the offsets it committed; there is no public accessor for them.
        committed = consumer._committed_offset
        consumed = self._contract_topics | set(self._internal_topics)
        lags = {
            (tp.topic, tp.partition): partition_lag(consumer.highwater(tp), committed.get(tp))
            for tp in self._assignment()
            if tp.topic in consumed
        }
        self.metrics.set_lag(lags)
        now = time.monotonic()
        self.stall.sample(lags, now)
        if self.stall.reread_due(now, in_flight=len(consumer._unacked_messages)):
            log.warning(
                "stage=%s lag on %s and nothing processed for %ss: re-reading from the committed offsets",
                self.name,
                ", ".join(f"{topic}[{partition}]" for topic, partition in sorted(self.stall.stalled(now))),
                self.settings.stall_seconds,
            )
            await consumer.commit()  # what was processed is not handed over again
            await consumer.perform_seek()
        await self._check_assignment()
        state = self.verdict()
        self.metrics.set_ready(state.ready, state.status)

    def _declare(self, spec: TopicSpec) -> faust.TopicT:
        return self.app.topic(
            self.settings.topic(spec),
            key_type=bytes,
            value_type=bytes,
            partitions=self.settings.topic_partitions,
            compacting=spec.compacted or None,
            retention=None if spec.compacted else self.settings.topic_retention_ms / 1000,
        )

    def topic(self, spec: TopicSpec) -> faust.TopicT:
        return self.topics[spec]

    def internal_topic(self, suffix: str) -> faust.TopicT:
        """A topic only this stage uses (a repartition step), created with the contract
        topics' partitions and retention before the worker starts."""
        name = f"{self.settings.topic_prefix}.{suffix}"
        self._internal_topics.append(name)
        return self.app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            partitions=self.settings.topic_partitions,
            retention=self.settings.topic_retention_ms / 1000,
        )

    async def publish(self, message: WireModel) -> Awaitable[RecordMetadata]:
        """Send on the message's topic, keyed as the topic contract says.

        Returns the delivery future; await it to wait for the broker's acknowledgement.
        """
        spec = topic_of(message)
        topic = self.topics[spec]
        delivery = await topic.send(key=spec.key_of(message).encode(), value=encode(message))
        self.metrics.published(topic.get_topic_name())
        return delivery

    async def retire(self, spec: TopicSpec, key: str) -> Awaitable[RecordMetadata]:
        """Send a tombstone (`key`, null value) on a compacted topic: the key's message is gone
        once the log is compacted, and consumers reading the topic delete what they built from it."""
        if spec.tombstone is None:
            raise ValueError(f"{spec.suffix} does not take tombstones")
        topic = self.topics[spec]
        delivery = await topic.send(key=key.encode(), value=None)
        self.metrics.published(topic.get_topic_name())
        return delivery

    async def send_dead_letter(
        self, error: BaseException, event: ByteEvent | None, payload: bytes | None = None
    ) -> None:
        message = event.message if event is not None else None
        record = dead_letter(
            self.name,
            error,
            payload if payload is not None else (message.value if message else None),
            max_payload=self.settings.deadletter_max_payload,
            topic=message.topic if message else None,
            partition=message.partition if message else None,
            offset=message.offset if message else None,
            key=message.key if message else None,
        )
        log.warning(
            "stage=%s topic=%s partition=%s offset=%s key=%s dead letter: %s: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            record.key,
            record.error_type,
            record.error,
        )
        loops = record.topic == self.settings.topic(DEADLETTER)
        self.metrics.failed(error, dead_lettered=not loops)
        if loops:
            # A broken dead letter sent back to its own topic would loop forever: the
            # warning above is its record.
            return
        await self.publish(record)

    def guard(self, event: ByteEvent | None) -> _Guard:
        """`async with stage.guard(event):` turns any failure into a dead letter."""
        return _Guard(self, event)

    async def messages(self, stream: ByteStream, model: type[M]) -> AsyncIterator[tuple[ByteEvent, M]]:
        """Decoded messages; undecodable ones go to the dead-letter topic."""
        async for event in stream.events():
            self.metrics.consumed(event.message.topic)
            self.stall.processed(time.monotonic())
            current_partition.set(event.message.partition)
            current_article.set(None)
            try:
                message = decode(event.value, model)
            except CodecError as exc:
                await self.send_dead_letter(exc, event)
                continue
            current_article.set(article_id_of(message))
            started = time.perf_counter()
            yield event, message
            self.metrics.took("message", time.perf_counter() - started)

    async def batches(
        self, stream: ByteStream, model: type[M], size: int
    ) -> AsyncIterator[list[tuple[ByteEvent, M]]]:
        """Decoded messages in batches of up to `size`, waiting at most `batch_seconds`.

        Offsets are acknowledged only after the caller has finished with the batch.
        """
        async for batch in self._batches(stream, model, size, tombstones=False):
            yield cast(list[tuple[ByteEvent, M]], batch)

    async def batches_with_tombstones(
        self, stream: ByteStream, model: type[M], size: int
    ) -> AsyncIterator[list[tuple[ByteEvent, M | None]]]:
        """`batches` of a compacted topic whose contract allows tombstones: a null value comes
        through as None (its key, `event.message.key`, says what was retired) instead of a
        dead letter."""
        async for batch in self._batches(stream, model, size, tombstones=True):
            yield batch

    async def _batches(
        self, stream: ByteStream, model: type[M], size: int, tombstones: bool
    ) -> AsyncIterator[list[tuple[ByteEvent, M | None]]]:
        # take_events is on faust.Stream, not on the StreamT protocol.
        take_events = cast(faust.Stream[bytes], stream).take_events
        async for events in take_events(size, within=self.settings.batch_seconds):
            self.metrics.batch(len(events))
            self.stall.processed(time.monotonic())
            articles: dict[int, str | None] = {}
            batch_articles.set(articles)
            batch: list[tuple[ByteEvent, M | None]] = []
            for event in events:
                self.metrics.consumed(event.message.topic)
                if tombstones and event.value is None:
                    batch.append((event, None))
                    articles[id(event)] = None
                    continue
                try:
                    message = decode(event.value, model)
                except CodecError as exc:
                    current_partition.set(event.message.partition)
                    current_article.set(None)  # undecodable: no article to name
                    await self.send_dead_letter(exc, event)
                    continue
                batch.append((event, message))
                articles[id(event)] = article_id_of(message)
            if batch:
                started = time.perf_counter()
                yield batch
                self.metrics.took("batch", time.perf_counter() - started)


class _Guard:
    def __init__(self, stage: Stage, event: ByteEvent | None) -> None:
        self.stage, self.event = stage, event

    async def __aenter__(self) -> None:
        # Log lines inside the guard name the message's partition and article.
        if self.event is not None:
            current_partition.set(self.event.message.partition)
            articles = batch_articles.get()
            if articles is not None and id(self.event) in articles:
                current_article.set(articles[id(self.event)])
        return None

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if error is None or not isinstance(error, Exception):
            return False
        log.exception("stage=%s failed on a message", self.stage.name, exc_info=error)
        await self.stage.send_dead_letter(error, self.event)
        return True  # one bad message never stops the stage
