"""The Kibana objects against the running Elasticsearch once the seeds are indexed:
every field a map or Lens layer uses has the right type in `_field_caps`, and the map's
`geotile_grid` + `geo_bounds` aggregation on the event location returns data."""

from __future__ import annotations

import copy

from elasticsearch import Elasticsearch, helpers

from schemas.articles import EnrichedArticle
from services.cli.kibana import live_problems, load
from services.common.settings import Settings
from services.events.extract import extract_events
from services.indexer.documents import article_action, event_action
from services.indexer.mappings import ensure_indices


def test_saved_objects_match_the_live_indices_holding_the_seeds(
    live_settings: Settings, es: Elasticsearch, seed_enriched: dict[str, EnrichedArticle]
) -> None:
    ensure_indices(es, live_settings)
    articles, events = live_settings.index("articles"), live_settings.index("events")
    seed_events = [e for enriched in seed_enriched.values() for e in extract_events(enriched)]
    assert any(e.location and e.location.lat is not None for e in seed_events)
    actions = [article_action(articles, a) for a in seed_enriched.values()]
    actions += [event_action(events, e) for e in seed_events]
    helpers.bulk(es, actions, refresh="wait_for")

    objects = load()
    assert live_problems(es, live_settings, objects) == []

    # A copy whose map reads a field the index does not have is caught, and so is an empty map.
    broken = copy.deepcopy(objects)
    for obj in broken:
        if obj["type"] == "map":
            obj["attributes"]["layerListJSON"] = obj["attributes"]["layerListJSON"].replace(
                '"sortField": "fatalities.best"', '"sortField": "location.name"'
            )
    assert any("location.name" in p and "needs number" in p for p in live_problems(es, live_settings, broken))
    for event in seed_events:  # the zip has no _delete_by_query
        es.options(ignore_status=404).delete(index=events, id=event.event_id)
    es.indices.refresh(index=events)
    assert any("found no data" in p for p in live_problems(es, live_settings, objects))
