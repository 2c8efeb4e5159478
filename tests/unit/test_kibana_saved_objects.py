"""deploy/kibana/wirestream.ndjson against Kibana 9.2 without a Kibana (services/cli/kibana.py).

The checks pass on the file as committed, and each fails on a copy broken the way a
hand edit or a newer Kibana's export would break it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from services.cli import main
from services.cli.kibana import load, static_problems, template_fields, used_fields
from services.indexer.mappings import INDICES

OBJECTS = load()
BY_KEY = {(o["type"], o["id"]): o for o in OBJECTS}


def broken(change: Any) -> list[dict[str, Any]]:
    objects = copy.deepcopy(OBJECTS)
    change({(o["type"], o["id"]): o for o in objects})
    return objects


def test_the_committed_file_passes_every_static_check() -> None:
    assert static_problems(OBJECTS) == []


def test_every_object_has_a_unique_id_and_the_import_format() -> None:
    assert len(BY_KEY) == len(OBJECTS)
    for obj in OBJECTS:
        assert {"id", "type", "attributes", "references", "typeMigrationVersion"} <= set(obj)
        assert obj["attributes"].get("title")


def test_a_version_newer_than_kibana_9_2_is_caught() -> None:
    def newer(objects: dict[Any, Any]) -> None:
        objects[("lens", "wirestream-top-actors")]["typeMigrationVersion"] = "10.9.0"

    (problem,) = static_problems(broken(newer))
    assert "lens wirestream-top-actors" in problem and "10.9.0" in problem


def test_a_dangling_reference_is_caught() -> None:
    objects = [o for o in OBJECTS if o["id"] != "wirestream-top-places"]
    problems = static_problems(objects)
    assert any("wirestream-top-places is not in the file" in p for p in problems)


def test_dashboard_attributes_are_checked_against_the_schema() -> None:
    def unknown_attribute(objects: dict[Any, Any]) -> None:
        objects[("dashboard", "wirestream-dashboard")]["attributes"]["panelJSON"] = "[]"

    def bad_grid(objects: dict[Any, Any]) -> None:
        attributes = objects[("dashboard", "wirestream-dashboard")]["attributes"]
        panels = json.loads(attributes["panelsJSON"])
        panels[0]["gridData"]["w"] = 60  # wider than the 48-column grid
        attributes["panelsJSON"] = json.dumps(panels)

    assert any("panelJSON" in p for p in static_problems(broken(unknown_attribute)))
    assert any("gridData" in p and "w" in p for p in static_problems(broken(bad_grid)))


def test_a_field_the_templates_lack_or_type_differently_is_caught() -> None:
    def renamed(objects: dict[Any, Any]) -> None:
        events_map = objects[("map", "wirestream-events-map")]["attributes"]
        events_map["layerListJSON"] = events_map["layerListJSON"].replace(
            '"geoField": "location.coordinates"', '"geoField": "location.point"'
        )

    def not_numeric(objects: dict[Any, Any]) -> None:
        lens = objects[("lens", "wirestream-fatalities-by-actor")]["attributes"]["state"]
        layer = lens["datasourceStates"]["formBased"]["layers"]["fatalities"]
        layer["columns"]["killed"]["sourceField"] = "event_type"

    assert any("location.point is not in the index templates" in p for p in static_problems(broken(renamed)))
    assert any("event_type" in p and "needs number" in p for p in static_problems(broken(not_numeric)))


def test_the_cli_fails_on_a_broken_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-kibana"]) == 0
    copy_path = tmp_path / "broken.ndjson"
    lines = [
        json.loads(line) for line in (Path(__file__).parents[2] / "deploy/kibana/wirestream.ndjson").open()
    ]
    lines[0]["typeMigrationVersion"] = "99.0.0"
    copy_path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    capsys.readouterr()
    assert main(["check-kibana", str(copy_path)]) == 1
    assert "99.0.0" in capsys.readouterr().out


def test_the_dashboard_holds_every_visualisation_and_the_saved_search() -> None:
    (dashboard,) = [o for o in OBJECTS if o["type"] == "dashboard"]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    by_name = {r["name"]: (r["type"], r["id"]) for r in dashboard["references"]}
    held = {by_name[f"{panel['panelIndex']}:{panel['panelRefName']}"] for panel in panels}
    shown = {(o["type"], o["id"]) for o in OBJECTS if o["type"] in ("map", "lens", "search")}
    assert held == shown
    assert {"map", "lens", "search"} <= {kind for kind, _ in held}


def test_data_views_cover_articles_and_events() -> None:
    titles = {o["attributes"]["title"] for o in OBJECTS if o["type"] == "index-pattern"}
    assert titles == {"articles", "events"}


def test_the_map_sizes_events_by_fatalities() -> None:
    (events_map,) = [o for o in OBJECTS if o["type"] == "map"]
    uses = set(used_fields(events_map))
    assert ("wirestream-events", "location.coordinates", "geo_point") in uses
    assert ("wirestream-events", "fatalities.best", "number") in uses


def test_fatalities_over_time_are_split_by_actor() -> None:
    lens = BY_KEY[("lens", "wirestream-fatalities-by-actor")]["attributes"]["state"]
    (layer,) = lens["datasourceStates"]["formBased"]["layers"].values()
    operations = {(c["operationType"], c["sourceField"]) for c in layer["columns"].values()}
    assert operations == {("date_histogram", "date"), ("terms", "actors"), ("sum", "fatalities.best")}


def test_template_fields_list_what_kibana_sees() -> None:
    events = template_fields(INDICES["events"]("standard"))
    assert events["fatalities.best"] == "integer" and events["location.coordinates"] == "geo_point"
    assert "figures" not in events  # stored, not searchable
