"""Checks of deploy/kibana/wirestream.ndjson against Kibana 9.2, since no Kibana runs here.

- every object's `typeMigrationVersion` at or below what Kibana 9.2 registers for its type
  (deploy/kibana/kibana-9.2-registered-types.json says where the values come from);
- the dashboard's attributes against Kibana's dashboard attribute schema (unknown or
  mistyped attributes are refused by its import);
- every reference resolves to an object in the file;
- every field a data view, saved search, Lens layer or map layer uses is in the index
  templates, and (live) in the running index with the right type (`_field_caps`);
- (live) the map's aggregation, `geotile_grid` with `geo_bounds` on the event location,
  returns buckets.

`wirestream check-kibana [--live]` prints one problem a line and exits 1 if there is any.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.common.settings import Settings
from services.indexer.mappings import INDICES

KIBANA_DIR = Path(__file__).resolve().parents[2] / "deploy" / "kibana"
NDJSON = KIBANA_DIR / "wirestream.ndjson"
REGISTERED = KIBANA_DIR / "kibana-9.2-registered-types.json"
RECORDS = "___records___"  # Lens's pseudo-field for "count of documents"
NUMERIC = frozenset({"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float"})
MAP_GRID_PRECISION = 4  # the zoom the dashboard's map opens at

SavedObject = dict[str, Any]
Use = tuple[str, str, str | None]  # data view id, field, required type ("number" for any numeric)


def load(path: Path = NDJSON) -> list[SavedObject]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


# ---------------------------------------------------------------- dashboard attribute schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RefreshInterval(_Strict):
    pause: bool
    value: int = Field(ge=0)
    display: str | None = None
    section: int | None = None


class SearchSourceMeta(_Strict):
    searchSourceJSON: str | None = None


class DashboardAttributes(_Strict):
    """Kibana's dashboard saved-object attributes (content-management v2/v3 schema)."""

    title: str
    description: str = ""
    hits: int | None = None
    panelsJSON: str = "[]"
    optionsJSON: str | None = None
    timeRestore: bool | None = None
    timeFrom: str | None = None
    timeTo: str | None = None
    refreshInterval: RefreshInterval | None = None
    controlGroupInput: dict[str, Any] | None = None
    kibanaSavedObjectMeta: SearchSourceMeta
    version: int | None = None
    sections: list[dict[str, Any]] | None = None


class GridData(_Strict):
    x: int = Field(ge=0)
    y: int = Field(ge=0)
    w: int = Field(ge=1, le=48)
    h: int = Field(ge=1)
    i: str
    sectionId: str | None = None


class Panel(_Strict):
    type: str
    panelIndex: str
    gridData: GridData
    panelRefName: str
    embeddableConfig: dict[str, Any]
    version: str | None = None
    title: str | None = None


def dashboard_problems(obj: SavedObject) -> list[str]:
    where = f"dashboard {obj['id']}"
    try:
        attributes = DashboardAttributes.model_validate(obj["attributes"])
        panels = [Panel.model_validate(p) for p in json.loads(attributes.panelsJSON)]
        for text in (attributes.optionsJSON, attributes.kibanaSavedObjectMeta.searchSourceJSON):
            if text is not None:
                json.loads(text)
    except ValidationError as error:
        return [f"{where}: {e['loc']} {e['msg']}" for e in error.errors()]
    except json.JSONDecodeError as error:
        return [f"{where}: a JSON string attribute does not parse: {error}"]
    names = {r["name"] for r in obj["references"]}
    problems = [
        f"{where}: panel {p.panelIndex} has no reference {p.panelIndex}:{p.panelRefName}"
        for p in panels
        if f"{p.panelIndex}:{p.panelRefName}" not in names
    ]
    if attributes.timeRestore and not (attributes.timeFrom and attributes.timeTo):
        problems.append(f"{where}: timeRestore without timeFrom/timeTo")
    return problems


# ---------------------------------------------------------------- static checks


def version_problems(objects: list[SavedObject], registered: dict[str, Any]) -> list[str]:
    problems = []
    core_max = version(registered["core_migration_version_max"])
    for obj in objects:
        known = registered["types"].get(obj["type"])
        label = f"{obj['type']} {obj['id']}"
        if known is None:
            problems.append(f"{label}: type not among the checked Kibana 9.2 types")
            continue
        mine = obj.get("typeMigrationVersion")
        if not mine:
            problems.append(f"{label}: no typeMigrationVersion")
        elif version(mine) > version(known["highest"]):
            problems.append(
                f"{label}: typeMigrationVersion {mine} is newer than Kibana 9.2's {known['highest']}"
            )
        core = obj.get("coreMigrationVersion")
        if core and version(core) > core_max:
            problems.append(f"{label}: coreMigrationVersion {core} is newer than Kibana {core_max}")
    return problems


def reference_problems(objects: list[SavedObject]) -> list[str]:
    present = {(o["type"], o["id"]) for o in objects}
    return [
        f"{o['type']} {o['id']}: reference {r['name']} -> {r['type']} {r['id']} is not in the file"
        for o in objects
        for r in o["references"]
        if (r["type"], r["id"]) not in present
    ]


def _reference(obj: SavedObject, name: str) -> str:
    ids = [r["id"] for r in obj["references"] if r["name"] == name]
    if len(ids) != 1:
        raise LookupError(f"{obj['type']} {obj['id']}: no single reference named {name}")
    return str(ids[0])


LENS_TYPES = {"date_histogram": "date", "sum": "number", "average": "number", "max": "number"}


def used_fields(obj: SavedObject) -> Iterator[Use]:
    """Every field the object reads, with the type it needs where it needs one."""
    attributes = obj["attributes"]
    if obj["type"] == "index-pattern":
        yield obj["id"], attributes["timeFieldName"], "date"
    elif obj["type"] == "search":
        source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
        view = _reference(obj, source["indexRefName"])
        yield from ((view, column, None) for column in attributes["columns"])
        yield from ((view, field, None) for field, _ in attributes["sort"])
    elif obj["type"] == "lens":
        for layer_id, layer in attributes["state"]["datasourceStates"]["formBased"]["layers"].items():
            view = _reference(obj, f"indexpattern-datasource-layer-{layer_id}")
            for column in layer["columns"].values():
                if column["sourceField"] != RECORDS:
                    yield view, column["sourceField"], LENS_TYPES.get(column["operationType"])
    elif obj["type"] == "map":
        for layer in json.loads(attributes["layerListJSON"]):
            source = layer["sourceDescriptor"]
            if "indexPatternRefName" not in source:
                continue  # base map
            view = _reference(obj, source["indexPatternRefName"])
            yield view, source["geoField"], "geo_point"
            yield view, source["sortField"], "number"
            yield from ((view, field, None) for field in source["tooltipProperties"])
            for style in layer["style"]["properties"].values():
                if style.get("type") == "DYNAMIC":
                    yield view, style["options"]["field"]["name"], "number"


def data_view_titles(objects: list[SavedObject]) -> dict[str, str]:
    return {o["id"]: o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}


def template_fields(mapping: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Dotted field path -> type, as Kibana lists them (multi-fields included)."""
    fields: dict[str, str] = {}
    for name, spec in mapping.get("properties", {}).items():
        path = f"{prefix}{name}"
        if "properties" in spec:
            fields.update(template_fields(spec, f"{path}."))
        elif spec.get("enabled", True):
            fields[path] = spec["type"]
            for sub, sub_spec in spec.get("fields", {}).items():
                fields[f"{path}.{sub}"] = sub_spec["type"]
    return fields


def _type_ok(actual: set[str], required: str | None) -> bool:
    if required is None:
        return True
    return bool(actual & NUMERIC) if required == "number" else required in actual


def field_problems(
    objects: list[SavedObject], types_of: dict[str, dict[str, set[str]]], where: str
) -> list[str]:
    """`types_of`: data view title -> field -> the types it has in `where`."""
    titles = data_view_titles(objects)
    problems = []
    for obj in objects:
        try:
            uses = list(used_fields(obj))
        except (LookupError, KeyError, json.JSONDecodeError) as error:
            problems.append(f"{obj['type']} {obj['id']}: cannot read its fields ({error})")
            continue
        for view, field, required in uses:
            title = titles.get(view)
            fields = types_of.get(title or "", {})
            label = f"{obj['type']} {obj['id']}"
            if field not in fields:
                problems.append(f"{label}: field {field} is not in {where} of {title or view}")
            elif not _type_ok(fields[field], required):
                problems.append(
                    f"{label}: field {field} is {sorted(fields[field])} in {where}, needs {required}"
                )
    return problems


def static_problems(objects: list[SavedObject] | None = None) -> list[str]:
    """Everything that can be checked without a server."""
    objects = load() if objects is None else objects
    registered = json.loads(REGISTERED.read_text(encoding="utf-8"))
    problems = version_problems(objects, registered) + reference_problems(objects)
    for obj in objects:
        if obj["type"] == "dashboard":
            problems += dashboard_problems(obj)
    templates = {
        title: {f: {t} for f, t in template_fields(INDICES[title]("standard")).items()}
        for title in data_view_titles(objects).values()
        if title in INDICES
    }
    return problems + field_problems(objects, templates, "the index templates")


# ---------------------------------------------------------------- live checks


def live_problems(
    client: Elasticsearch, settings: Settings, objects: list[SavedObject] | None = None
) -> list[str]:
    """Fields against `_field_caps` of the running indices; the map's aggregation returns data."""
    objects = load() if objects is None else objects
    live: dict[str, dict[str, set[str]]] = {}
    for title in set(data_view_titles(objects).values()):
        caps = client.field_caps(index=settings.index(title), fields="*")["fields"]
        live[title] = {name: set(types) for name, types in caps.items()}
    problems = field_problems(objects, live, "the live mapping")
    for obj in objects:
        if obj["type"] != "map":
            continue
        for view, field, required in used_fields(obj):
            if required != "geo_point":
                continue
            alias = settings.index(data_view_titles(objects)[view])
            response = client.search(
                index=alias,
                size=0,
                aggs={
                    "grid": {
                        "geotile_grid": {"field": field, "precision": MAP_GRID_PRECISION},
                        "aggs": {"bounds": {"geo_bounds": {"field": field}}},
                    }
                },
            )
            buckets = response["aggregations"]["grid"]["buckets"]
            if not buckets or "top_left" not in buckets[0]["bounds"].get("bounds", {}):
                problems.append(
                    f"map {obj['id']}: geotile_grid + geo_bounds on {field} in {alias} found no data"
                )
    return problems
