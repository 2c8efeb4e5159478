"""Stage metrics and log context, without servers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from schemas.articles import Article, UniqueArticle
from services.common.metrics import (
    LOG_FORMAT,
    ContextFilter,
    StageMetrics,
    article_id_of,
    current_article,
    current_partition,
    partition_lag,
)


def _samples(metrics: StageMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for s in family.samples
        if s.name.startswith("wirestream_")
    }


def test_exposition_counts_by_stage_and_topic() -> None:
    metrics = StageMetrics("dedup")
    metrics.consumed("wire.raw", 3)
    metrics.published("wire.unique")
    metrics.failed(ValueError("bad"), dead_lettered=True)
    metrics.failed(KeyError("loop"), dead_lettered=False)
    metrics.batch(5)
    metrics.took("batch", 0.3)
    samples = _samples(metrics)
    assert samples["wirestream_messages_in_total", (("stage", "dedup"), ("topic", "wire.raw"))] == 3
    assert samples["wirestream_messages_out_total", (("stage", "dedup"), ("topic", "wire.unique"))] == 1
    assert samples["wirestream_errors_total", (("error_type", "ValueError"), ("stage", "dedup"))] == 1
    assert samples["wirestream_errors_total", (("error_type", "KeyError"), ("stage", "dedup"))] == 1
    assert samples["wirestream_dead_letters_total", (("stage", "dedup"),)] == 1
    assert samples["wirestream_batch_size_sum", (("stage", "dedup"),)] == 5
    assert (
        samples[
            "wirestream_processing_seconds_bucket", (("kind", "batch"), ("le", "0.25"), ("stage", "dedup"))
        ]
        == 0
    )
    assert (
        samples[
            "wirestream_processing_seconds_bucket", (("kind", "batch"), ("le", "0.5"), ("stage", "dedup"))
        ]
        == 1
    )


def test_two_stages_in_one_process_keep_separate_registries() -> None:
    first, second = StageMetrics("entities"), StageMetrics("entities")
    first.published("wire.enriched")
    assert ("wirestream_messages_out_total", (("stage", "entities"), ("topic", "wire.enriched"))) in _samples(
        first
    )
    assert not any(name == "wirestream_messages_out_total" for name, _ in _samples(second))


def test_lag_sample_replaces_the_previous_one() -> None:
    metrics = StageMetrics("events")
    metrics.set_lag({("wire.enriched", 0): 7, ("wire.enriched", 1): 0})
    metrics.set_lag({("wire.enriched", 1): 2})  # partition 0 was revoked
    samples = _samples(metrics)
    lags = {labels: v for (name, labels), v in samples.items() if name == "wirestream_consumer_lag"}
    assert lags == {(("partition", "1"), ("stage", "events"), ("topic", "wire.enriched")): 2}
    assert samples["wirestream_assigned_partitions", (("stage", "events"),)] == 1


def test_partition_lag() -> None:
    assert partition_lag(10, 4) == 6
    assert partition_lag(10, None) == 10  # nothing committed yet: everything is lag
    assert partition_lag(None, 4) == 0  # highwater unknown until the first fetch
    assert partition_lag(3, 5) == 0


def _article() -> Article:
    now = datetime.now(UTC)
    return Article(
        article_id="abc123",
        source="s",
        paragraphs=["p"],
        published=now,
        published_from="ingested",
        ingested=now,
    )


def test_article_id_of_messages_with_or_without_an_article() -> None:
    assert article_id_of(UniqueArticle(fingerprint="f", article=_article())) == "abc123"
    assert article_id_of(_article()) == "abc123"
    assert article_id_of(object()) is None


def test_log_lines_carry_stage_partition_and_article() -> None:
    formatter = logging.Formatter(LOG_FORMAT)
    record = logging.LogRecord("wirestream", logging.WARNING, __file__, 1, "dead letter", None, None)
    partition, article = current_partition.set(3), current_article.set("abc123")
    try:
        assert ContextFilter("entities").filter(record)
        assert "stage=entities partition=3 article_id=abc123 dead letter" in formatter.format(record)
    finally:
        current_partition.reset(partition)
        current_article.reset(article)
    record = logging.LogRecord("wirestream", logging.INFO, __file__, 1, "started", None, None)
    ContextFilter("feeder").filter(record)
    assert "stage=feeder partition=- article_id=- started" in formatter.format(record)
