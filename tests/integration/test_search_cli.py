"""`wirestream search` against the real Elasticsearch: every filter, the three formats, articles.

The events and articles below are invented for these tests (no wire copy), written through
the indexer's own document builders so the stored form is the real one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers

from schemas.events import Event, Evidence, Fatalities, Location
from services.cli import main
from services.cli.rows import EVENT_COLUMNS
from services.common.settings import Settings, get_settings
from services.indexer.documents import event_action
from services.indexer.mappings import ensure_indices

RECENT = date.today() - timedelta(days=2)


def event(event_id: str, **fields: Any) -> Event:
    defaults: dict[str, Any] = {
        "event_id": event_id,
        "date": date(2024, 3, 10),
        "date_precision": "day",
        "event_type": "Battles",
        "article_ids": [f"art-{event_id}"],
    }
    return Event(**{**defaults, **fields})


EVENTS = [
    event(
        "clash",
        sub_type="Armed clash",
        actor1="Islamic State",
        actor2="Military Forces of Syria",
        location=Location(
            name="Mayadeen", country="Syria", admin1="Deir ez-Zor", lat=35.02, lon=40.45, precision="town"
        ),
        fatalities=Fatalities(low=10, best=12, high=15),
        injuries=Fatalities(low=3, best=3, high=3),
        sources=["AFP", "Reuters"],
        reported_by=["Syrian Observatory for Human Rights"],
        article_ids=["art-clash", "art-missing"],
        evidence=[
            Evidence(article_id="art-clash", sentence="Gunmen attacked a village by the river at dawn.")
        ],
    ),
    event(
        "strike",
        date=date(2024, 3, 12),
        event_type="Explosions/Remote violence",
        sub_type="Air/drone strike",
        actor1="Military Forces of Russia",
        location=Location(
            name="Idlib", country="Syria", admin1="Idlib", lat=35.93, lon=36.63, precision="town"
        ),
        fatalities=Fatalities(low=4, best=4, high=4),
        sources=["AP"],
        evidence=[Evidence(article_id="art-strike", sentence="Jets struck a market in the afternoon.")],
    ),
    event(
        "protest",
        date=date(2024, 2, 1),
        event_type="Protests",
        sub_type="Peaceful protest",
        location=Location(name="Kyiv", country="Ukraine", admin1="Kyiv City", lat=50.45, lon=30.52),
        sources=["Reuters"],
    ),
    event(
        "recent",
        date=RECENT,
        event_type="Violence against civilians",
        sub_type="Attack",
        location=Location(
            name="Lyon",
            country="France",
            admin1="Auvergne-Rhone-Alpes",
            lat=45.76,
            lon=4.83,
            precision="town",
        ),
        fatalities=Fatalities(low=1, best=1, high=1),
        sources=["Le Monde"],
    ),
]
ARTICLE: dict[str, Any] = {
    "article_id": "art-clash",
    "headline": "Fighting flares on the river road",
    "outlet": "Example Wire",
    "agency": "AFP",
    "published": "2024-03-10T08:00:00+00:00",
    "body": "Gunmen attacked a village by the river at dawn, a monitor said.",
    "places": ["Mayadeen"],
    "countries": ["Syria"],
    "organizations": ["Islamic State"],
    "place_points": ["35.02,40.45"],
}


@pytest.fixture
def indexed(
    live_settings: Settings, es: Elasticsearch, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    ensure_indices(es, live_settings)
    events = live_settings.index("events")
    helpers.bulk(es, [event_action(events, e) for e in EVENTS], refresh="wait_for")
    es.index(
        index=live_settings.index("articles"), id=ARTICLE["article_id"], document=ARTICLE, refresh="wait_for"
    )
    # The CLI reads its settings from the environment, like a user's shell.
    monkeypatch.setenv("WIRESTREAM_INDEX_PREFIX", live_settings.index_prefix)
    get_settings.cache_clear()
    yield live_settings
    get_settings.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["search", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def found(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    """Event ids, in order, of `wirestream search --json ARGV`."""
    code, out, err = run(capsys, "--json", *argv)
    assert code == 0, err
    return [json.loads(line)["event_id"] for line in out.splitlines()]


def test_free_text_matches_the_evidence_sentences(
    indexed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert found(capsys, "attacked") == ["clash"]
    assert found(capsys, "market") == ["strike"]
    assert found(capsys, "Islamic State") == ["clash"]  # a whole actor name


def test_stemming_finds_other_forms_of_the_words(
    indexed: Settings, es: Elasticsearch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The local stack's analyzer is the project's plugin: the text says "attacked a village"."""
    tokens = es.indices.analyze(
        index=indexed.index("events"), field="evidence.sentence", text="Attacks on the army's villages"
    )["tokens"]
    assert [t["token"] for t in tokens] == ["attack", "on", "the", "armi", "villag"]
    assert found(capsys, "attacks on villages") == ["clash"]
    code, out, _ = run(capsys, "--articles", "--json", "attacks on villages")
    assert code == 0 and [json.loads(line)["article_id"] for line in out.splitlines()] == ["art-clash"]


def test_country_ignores_case(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(capsys, "--country", "ukraine") == ["protest"]
    assert set(found(capsys, "--country", "Syria")) == {"clash", "strike"}


def test_place_is_a_town_an_admin1_or_an_admin2(
    indexed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert found(capsys, "--place", "Mayadeen") == ["clash"]
    assert found(capsys, "--place", "deir ez-zor") == ["clash"]
    # admin2 comes from GeoNames at indexing time (French departments are filled in).
    assert found(capsys, "--place", "Departement du Rhone") == ["recent"]
    assert found(capsys, "--place", "Nowhere") == []


def test_near_is_a_radius_in_km(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(capsys, "--near", "35.0,40.4,20") == ["clash"]
    assert set(found(capsys, "--near", "35.5,38.5,250")) == {"clash", "strike"}


def test_actor_by_alias_or_canonical_name(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(capsys, "--actor", "Daesh") == ["clash"]  # an alias of Islamic State
    assert found(capsys, "--actor", "military forces of russia") == ["strike"]


def test_type_is_an_event_type_or_sub_type(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(capsys, "--type", "Air/drone strike") == ["strike"]
    assert found(capsys, "--type", "protests") == ["protest"]


def test_since_and_until_take_dates_and_ages(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(capsys, "--since", "2024-03-11", "--until", "2024-03-12") == ["strike"]
    assert found(capsys, "--until", "2024-03-10", "--since", "2024-03-01") == ["clash"]
    assert found(capsys, "--since", "7d") == ["recent"]


def test_min_fatalities_uses_the_best_estimate(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(capsys, "--min-fatalities", "5") == ["clash"]
    assert set(found(capsys, "--min-fatalities", "1")) == {"clash", "strike", "recent"}


def test_source_is_an_agency_or_outlet(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert set(found(capsys, "--source", "Reuters")) == {"clash", "protest"}
    assert found(capsys, "--source", "le monde") == ["recent"]


def test_sort_and_size(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(capsys, "--sort", "fatalities") == ["clash", "strike", "recent", "protest"]
    assert found(capsys, "--sort", "date:asc") == ["protest", "clash", "strike", "recent"]
    assert found(capsys, "--sort", "date", "--size", "2") == ["recent", "strike"]


def test_filters_combine(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(capsys, "--country", "Syria", "--min-fatalities", "5", "--source", "AP") == []
    assert found(capsys, "--country", "Syria", "--actor", "ISIS", "--source", "AFP") == ["clash"]


def test_table_shows_date_place_type_actors_tolls_and_sources(
    indexed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--place", "Mayadeen")
    assert code == 0
    header, line = out.splitlines()
    assert header.split() == ["DATE", "PLACE", "TYPE", "ACTORS", "KILLED", "INJURED", "SOURCES"]
    assert line.startswith("2024-03-10  Mayadeen, Deir ez-Zor, Syria")
    assert "Battles/Armed clash" in line and "Islamic State vs Military Forces of Syria" in line
    assert line.split()[-3:] == ["(10-15)", "3", "2"] and "12 (10-15)" in line
    assert "1 of 1 events" in err


def test_json_is_one_event_object_a_line(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json", "--sort", "date:asc")
    docs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(docs) == 4
    clash = docs[1]
    assert clash["location"]["coordinates"] == {"lat": 35.02, "lon": 40.45}
    assert clash["fatalities"] == {"low": 10, "best": 12, "high": 15} and clash["version"] == 1


def test_csv_has_the_codebook_columns(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--csv", "--country", "Syria", "--sort", "date:asc")
    reader = csv.DictReader(io.StringIO(out))
    rows = list(reader)
    assert code == 0 and reader.fieldnames == [c.name for c in EVENT_COLUMNS]
    assert [r["event_id"] for r in rows] == ["clash", "strike"]
    clash = rows[0]
    assert clash["sources"] == "AFP; Reuters" and clash["source_count"] == "2"
    assert (clash["fatalities_low"], clash["fatalities_best"], clash["fatalities_high"]) == ("10", "12", "15")
    assert clash["where_prec"] == "1" and clash["date_prec"] == "1" and clash["latitude"] == "35.02"


def test_with_articles_shows_each_events_stories(
    indexed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--place", "Mayadeen", "--with-articles")
    assert code == 0 and "Fighting flares on the river road" in out and "[art-clash]" in out
    code, out, _ = run(capsys, "--place", "Mayadeen", "--with-articles", "--json")
    (doc,) = [json.loads(line) for line in out.splitlines()]
    assert [a.get("headline") for a in doc["articles"]] == ["Fighting flares on the river road", None]
    code, out, _ = run(capsys, "--place", "Mayadeen", "--with-articles", "--csv")
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["article_headlines"] == "Fighting flares on the river road; art-missing"


def test_articles_take_the_same_filters(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--in", "articles", "--json", "river", "--country", "syria", "--actor", "Daesh"
    )
    assert code == 0 and [json.loads(line)["article_id"] for line in out.splitlines()] == ["art-clash"]
    code, out, _ = run(capsys, "--articles", "--csv", "--source", "AFP", "--since", "2024-03-01")
    assert [r["headline"] for r in csv.DictReader(io.StringIO(out))] == ["Fighting flares on the river road"]
    code, out, _ = run(capsys, "--articles", "--near", "35.0,40.4,20")
    assert "Fighting flares on the river road" in out
    code, out, _ = run(capsys, "--articles", "--json", "--until", "2024-03-09")
    assert out == ""


def test_a_filter_the_index_lacks_is_an_error_naming_it(
    indexed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--articles", "--min-fatalities", "3")
    assert code == 2 and "--min-fatalities '3'" in err and "events only" in err


def test_an_unreachable_server_is_one_line_naming_it(
    indexed: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIRESTREAM_ES_URL", "http://user:hunter2@127.0.0.1:9")
    get_settings.cache_clear()
    code, out, err = run(capsys, "anything")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "http://127.0.0.1:9" in err and "hunter2" not in err
