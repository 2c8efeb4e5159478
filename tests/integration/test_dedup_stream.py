"""Dedup on the real Kafka: near copies on different partitions, two replicas, a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schemas.articles import DuplicateNotice, RawArticle, UniqueArticle
from schemas.deadletter import DeadLetter
from schemas.topics import DEADLETTER, DUPLICATES, RAW, UNIQUE
from services.common.codec import decode, encode
from services.common.kafka import reliable_producer
from services.common.settings import Settings
from services.common.text import fingerprint
from services.feeder.reader import read_paths
from tests.conftest import SEEDS
from tests.integration.harness import read_topic, running, wait_for

REPLICAS = ["dedup", "dedup"]


def _copy(raw: RawArticle, outlet: str, paragraphs: list[str]) -> RawArticle:
    article = raw.article.model_copy(
        update={"article_id": f"copy-{outlet}", "outlet": outlet, "paragraphs": paragraphs}
    )
    return RawArticle(fingerprint=fingerprint(paragraphs), article=article)


def _send(settings: Settings, partition: int, raw: RawArticle | bytes) -> None:
    producer = reliable_producer(settings)
    key, value = (b"poison", raw) if isinstance(raw, bytes) else (raw.fingerprint.encode(), encode(raw))
    try:
        producer.send(settings.topic(RAW), key=key, value=value, partition=partition).get(timeout=30)
    finally:
        producer.close()


def test_copies_on_other_partitions_after_a_restart_are_notices_of_the_first(
    live_settings: Settings, overrides: dict[str, Any], tmp_path: Path
) -> None:
    settings = live_settings
    first = next(i for i in read_paths([SEEDS]) if isinstance(i, RawArticle))
    body = first.article.paragraphs
    copies = [
        _copy(first, "exact", body),
        _copy(first, "trimmed", body[: round(len(body) * 0.6)]),
        _copy(first, "added", [*body[:3], "The monitor's figures could not be verified.", *body[3:]]),
    ]

    def uniques() -> list[UniqueArticle]:
        return [decode(r.value, UniqueArticle) for r in read_topic(settings, settings.topic(UNIQUE))]

    def notices() -> list[DuplicateNotice]:
        records = read_topic(settings, settings.topic(DUPLICATES))
        return [decode(r.value, DuplicateNotice) for r in records]

    # Faust names a table's changelog <app id>-<table>-changelog; the app id is the group.
    changelog = f"{settings.topic_prefix}-dedup-remembered-changelog"

    with running(REPLICAS, overrides, tmp_path) as stages:
        _send(settings, 0, first)
        wait_for(lambda: len(uniques()) == 1, 90, "the first copy on wire.unique", stages)
        # The story is remembered only after its unique copy is acknowledged: stopping the
        # replicas before its changelog record is written would test nothing about restarts.
        wait_for(
            lambda: read_topic(settings, changelog, 30), 90, "the remembered story's changelog record", stages
        )

    def letters() -> list[DeadLetter]:
        return [decode(r.value, DeadLetter) for r in read_topic(settings, settings.topic(DEADLETTER))]

    # Both replicas stopped: the memory must come back from the changelog. A record Faust
    # drops mid-rebalance is read again once the worker counts as stalled (the default
    # minute is shortened here so the re-read fits the wait).
    with running(REPLICAS, {**overrides, "stall_seconds": 15.0}, tmp_path) as stages:
        _send(settings, 0, b"{not json")
        for partition, copy in enumerate(copies, start=1):
            _send(settings, partition, copy)
        wanted = {c.article.article_id for c in copies}
        wait_for(
            lambda: wanted <= {n.article_id for n in notices()} and letters(),
            90,
            "a notice per copy and the bad message's dead letter",
            stages,
        )

    # At least once: a redelivered first copy may come back only as a notice naming itself.
    assert {u.article.article_id for u in uniques()} == {first.article.article_id}
    by_copy = {n.article_id: n for n in notices() if n.article_id != n.original_id}
    assert set(by_copy) == wanted
    assert {n.original_id for n in by_copy.values()} == {first.article.article_id}
    assert by_copy["copy-exact"].similarity == 1.0
    assert all(n.outlet == n.article_id.removeprefix("copy-") for n in by_copy.values())
    # The bad message is a dead letter that names the topic it arrived on; the copies after it passed.
    # At least once here too: a replica stopped before committing re-reads the bad message,
    # and the repeat carries the same topic, partition and offset, so it indexes to one _id.
    assert {(x.stage, x.topic, x.partition, x.payload) for x in letters()} == {
        ("dedup", settings.topic(RAW), 0, "{not json")
    }
    assert len({x.offset for x in letters()}) == 1, "one bad message, however often it was read"


def test_a_far_future_clock_and_an_oversized_story_sent_straight_to_dedup(
    live_settings: Settings, overrides: dict[str, Any], tmp_path: Path
) -> None:
    """Messages that skipped the feeder's checks: one stamped in year 9999 cannot empty the
    memory (the copy after it is still a notice; the schema may also refuse it now, which
    is as good), and a story over `story_max_chars` is one dead letter with that reason while
    the stories around it are decided."""
    limit = 20_000
    settings = live_settings
    first = next(i for i in read_paths([SEEDS]) if isinstance(i, RawArticle))
    future = first.article.model_copy(
        update={"article_id": "far-future", "paragraphs": ["A desk note from a broken clock."] * 3}
    )
    # model_copy does not validate, as a producer that skips the schema would not.
    future = future.model_copy(update={"ingested": first.article.ingested.replace(year=9999)})
    oversized = _copy(first, "oversized", ["Filler sentence number one of a very long file. " * 50] * 10)
    copy = _copy(first, "trimmed", first.article.paragraphs[:4])

    with running(["dedup"], {**overrides, "story_max_chars": limit}, tmp_path) as stages:
        _send(settings, 0, first)
        wait_for(
            lambda: any(
                decode(r.value, UniqueArticle).article.article_id == first.article.article_id
                for r in read_topic(settings, settings.topic(UNIQUE), 30)
            ),
            90,
            "the first story on wire.unique",
            stages,
        )
        # One partition keeps their order: the far-future message is decided (or refused by
        # the schema's time check, now that it has one) before the copy arrives.
        _send(settings, 1, RawArticle(fingerprint=fingerprint(future.paragraphs), article=future))
        _send(settings, 1, oversized)
        _send(settings, 1, copy)

        def notices() -> list[DuplicateNotice]:
            records = read_topic(settings, settings.topic(DUPLICATES), 1)
            return [decode(r.value, DuplicateNotice) for r in records]

        found = wait_for(
            lambda: [n for n in notices() if n.article_id == "copy-trimmed"], 90, "the copy's notice", stages
        )
        letters = wait_for(
            lambda: [
                letter
                for r in read_topic(settings, settings.topic(DEADLETTER), 1)
                if "copy-oversized" in (letter := decode(r.value, DeadLetter)).payload
            ],
            90,
            "the oversized story's dead letter",
            stages,
        )
    assert found[0].original_id == first.article.article_id, "the year-9999 message emptied the memory"
    assert "story_max_chars" in letters[0].error
    unique_ids = {
        decode(r.value, UniqueArticle).article.article_id
        for r in read_topic(settings, settings.topic(UNIQUE), 1)
    }
    assert "copy-oversized" not in unique_ids and first.article.article_id in unique_ids
