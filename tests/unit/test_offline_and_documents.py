from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

from schemas.articles import EnrichedArticle
from schemas.topics import ALL_TOPICS
from services.common.codec import decode
from services.common.settings import Settings
from services.events.extract import extract_events
from services.indexer.documents import article_action, deadletter_action, event_action
from services.offline import process, write_jsonl
from tests.conftest import SEEDS


def test_offline_mode_writes_every_stage_message_as_its_schema(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\x00\x00")
    out = io.StringIO()
    write_jsonl(process([SEEDS, SEEDS / "000_6dc556faee6a3711.txt", tmp_path], settings), settings, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    by_topic = Counter(r["topic"] for r in records)
    assert by_topic == {
        "wire.raw": 3,
        "wire.unique": 2,
        "wire.duplicates": 1,
        "wire.enriched": 2,
        "wire.events": 4,
        "wire.deadletter": 1,
    }
    models = {settings.topic(spec): spec for spec in ALL_TOPICS}
    for record in records:
        spec = models[record["topic"]]
        message = decode(json.dumps(record["value"]).encode(), spec.model)
        assert record["key"] == spec.key_of(message)


def test_document_ids_are_deterministic(seed_enriched: dict[str, EnrichedArticle]) -> None:
    enriched = next(iter(seed_enriched.values()))
    assert article_action("articles", enriched)["_id"] == enriched.article.article_id
    events = extract_events(enriched)
    assert [event_action("events", e)["_id"] for e in events] == [
        event_action("events", e)["_id"] for e in extract_events(enriched)
    ]
    doc = event_action("events", events[0])["doc"]
    assert set(doc["location"]["coordinates"]) == {"lat", "lon"}
    assert doc["actors"] and doc["actors"][0] == events[0].actor1


def test_article_document_flattens_entities_for_facets(seed_enriched: dict[str, EnrichedArticle]) -> None:
    doc = article_action("articles", seed_enriched["001_a09dbfd06fd3978c.txt"])["doc"]
    assert "Islamic State" in doc["organizations"]
    assert "Rami Abdel Rahman" in doc["people"]
    assert {"Mayadeen", "Deir ez-Zor"} <= set(doc["places"])
    assert "Syria" in doc["countries"]
    assert doc["headline"].startswith("Russia forces")


def test_dead_letter_document_id_is_stable_per_failure() -> None:
    from services.common.deadletter import dead_letter

    record = dead_letter(
        "dedup", ValueError("bad"), b"x", max_payload=1024, topic="wire.raw", partition=1, offset=7
    )
    again = record.model_copy(update={"failed_at": record.failed_at.replace(year=2030)})
    assert deadletter_action("dl", record)["_id"] == deadletter_action("dl", again)["_id"]
