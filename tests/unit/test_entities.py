from __future__ import annotations

from typing import Any

from schemas.articles import EnrichedArticle


def _canonical(enriched: dict[str, EnrichedArticle]) -> set[str]:
    return {e.canonical for article in enriched.values() for e in article.entities}


def test_seed_entities_have_their_canonical_names(
    seed_enriched: dict[str, EnrichedArticle], gold: dict[str, Any]
) -> None:
    expected = set(gold["entities"]["must_find_canonical"])
    missing = expected - _canonical(seed_enriched)
    assert not missing, f"not found: {sorted(missing)}"


def test_aliases_map_to_one_canonical_name(seed_enriched: dict[str, EnrichedArticle]) -> None:
    mentions = {(e.text, e.canonical) for a in seed_enriched.values() for e in a.entities}
    assert ("Daesh", "Islamic State") in mentions
    assert ("Deir Al Zour", "Deir ez-Zor") in mentions and ("Deir Ezzor", "Deir ez-Zor") in mentions
    assert ("Rudskoi", "Sergei Rudskoi") in mentions
    assert ("Abdel Rahman", "Rami Abdel Rahman") in mentions


def test_curated_labels_beat_the_statistical_model(seed_enriched: dict[str, EnrichedArticle]) -> None:
    labels = {e.canonical: e.label for a in seed_enriched.values() for e in a.entities}
    # The small model calls Daesh a place, Mayadeen a date and Chita an organisation.
    assert labels["Islamic State"] == "ORG"
    assert labels["Mayadeen"] == "GPE"
    assert labels["Chita"] == "GPE"


def test_offsets_point_at_the_mention(seed_enriched: dict[str, EnrichedArticle]) -> None:
    for enriched in seed_enriched.values():
        body = enriched.article.body
        for entity in enriched.entities:
            assert body[entity.start : entity.end] == entity.text
