"""deploy/kibana/wirestream.ndjson: parses, references resolve, every field used is mapped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from services.indexer.mappings import INDICES
from tests.conftest import ROOT

NDJSON = ROOT / "deploy" / "kibana" / "wirestream.ndjson"
RECORDS = "___records___"  # Lens's pseudo-field for "count of documents"


def load() -> list[dict[str, Any]]:
    return [json.loads(line) for line in NDJSON.read_text().splitlines() if line.strip()]


OBJECTS = load()
BY_KEY = {(o["type"], o["id"]): o for o in OBJECTS}


def field_types(mapping: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Dotted field path -> type, as Kibana lists them (multi-fields included)."""
    fields: dict[str, str] = {}
    for name, spec in mapping.get("properties", {}).items():
        path = f"{prefix}{name}"
        if "properties" in spec:
            fields.update(field_types(spec, f"{path}."))
        elif spec.get("enabled", True):
            fields[path] = spec["type"]
            for sub, sub_spec in spec.get("fields", {}).items():
                fields[f"{path}.{sub}"] = sub_spec["type"]
    return fields


def data_view_fields(data_view_id: str) -> dict[str, str]:
    alias = BY_KEY[("index-pattern", data_view_id)]["attributes"]["title"]
    return field_types(INDICES[alias]("standard"))


def reference(obj: dict[str, Any], name: str) -> str:
    (ref,) = [r["id"] for r in obj["references"] if r["name"] == name]
    return str(ref)


def used_fields(obj: dict[str, Any]) -> Iterator[tuple[str, str, str | None]]:
    """(data view id, field, required type) for every field the object reads."""
    attributes = obj["attributes"]
    if obj["type"] == "index-pattern":
        yield obj["id"], attributes["timeFieldName"], "date"
    elif obj["type"] == "search":
        source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
        view = reference(obj, source["indexRefName"])
        yield from ((view, column, None) for column in attributes["columns"])
        yield from ((view, field, None) for field, _ in attributes["sort"])
    elif obj["type"] == "lens":
        for layer_id, layer in attributes["state"]["datasourceStates"]["formBased"]["layers"].items():
            view = reference(obj, f"indexpattern-datasource-layer-{layer_id}")
            for column in layer["columns"].values():
                if column["sourceField"] != RECORDS:
                    yield view, column["sourceField"], None
    elif obj["type"] == "map":
        for layer in json.loads(attributes["layerListJSON"]):
            source = layer["sourceDescriptor"]
            if "indexPatternRefName" not in source:
                continue  # base map
            view = reference(obj, source["indexPatternRefName"])
            yield view, source["geoField"], "geo_point"
            yield view, source["sortField"], None
            yield from ((view, field, None) for field in source["tooltipProperties"])
            for style in layer["style"]["properties"].values():
                if style.get("type") == "DYNAMIC":
                    yield view, style["options"]["field"]["name"], None


def test_every_object_has_a_unique_id_and_the_import_format() -> None:
    assert len(BY_KEY) == len(OBJECTS)
    for obj in OBJECTS:
        assert {"id", "type", "attributes", "references", "typeMigrationVersion"} <= set(obj)
        assert obj["attributes"].get("title")


def test_every_reference_resolves_to_an_object_in_the_file() -> None:
    for obj in OBJECTS:
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in BY_KEY, f"{obj['id']} references missing {ref}"


def test_the_dashboard_holds_every_visualisation_and_the_saved_search() -> None:
    (dashboard,) = [o for o in OBJECTS if o["type"] == "dashboard"]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    held = {
        (panel["type"], reference(dashboard, f"{panel['panelIndex']}:{panel['panelRefName']}"))
        for panel in panels
    }
    shown = {(o["type"], o["id"]) for o in OBJECTS if o["type"] in ("map", "lens", "search")}
    assert held == shown
    assert {"map", "lens", "search"} <= {kind for kind, _ in held}


def test_data_views_cover_articles_and_events() -> None:
    titles = {o["attributes"]["title"] for o in OBJECTS if o["type"] == "index-pattern"}
    assert titles == {"articles", "events"}


def test_the_map_sizes_events_by_fatalities() -> None:
    (events_map,) = [o for o in OBJECTS if o["type"] == "map"]
    (layer,) = [
        layer
        for layer in json.loads(events_map["attributes"]["layerListJSON"])
        if "indexPatternRefName" in layer["sourceDescriptor"]
    ]
    size = layer["style"]["properties"]["iconSize"]
    assert size["type"] == "DYNAMIC" and size["options"]["field"]["name"] == "fatalities.best"


def test_fatalities_over_time_are_split_by_actor() -> None:
    lens = BY_KEY[("lens", "wirestream-fatalities-by-actor")]["attributes"]["state"]
    (layer,) = lens["datasourceStates"]["formBased"]["layers"].values()
    operations = {(c["operationType"], c["sourceField"]) for c in layer["columns"].values()}
    assert operations == {("date_histogram", "date"), ("terms", "actors"), ("sum", "fatalities.best")}


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: str(o["id"]))
def test_every_field_an_object_uses_is_in_the_index_templates(obj: dict[str, Any]) -> None:
    for view, field, required in used_fields(obj):
        fields = data_view_fields(view)
        assert field in fields, f"{obj['id']} uses {field}, not mapped in {view}"
        if required:
            assert fields[field] == required, f"{obj['id']}: {field} is {fields[field]}, not {required}"


def test_the_field_check_notices_an_unmapped_field() -> None:
    assert "fatalities.best" in data_view_fields("wirestream-events")
    assert "fatalities.worst" not in data_view_fields("wirestream-events")
    assert "entities" not in data_view_fields("wirestream-articles")  # stored, not searchable
