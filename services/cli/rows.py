"""Stored documents to flat rows: the columns of `search --csv` and of `export` (the codebook).

One home for the column list: README's codebook describes these columns in this order,
and a unit test checks that it names each of them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any, Literal

Kind = Literal["string", "int", "float", "date", "timestamp", "list"]
Row = dict[str, Any]

# UCDP GED's precision codes, so researchers can filter the way they already do.
WHERE_PREC = {"town": 1, "near": 2, "admin2": 3, "admin1": 4, "region": 5, "country": 6}
DATE_PREC = {"day": 1, "week": 3, "month": 4}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    read: Callable[[Mapping[str, Any]], Any]


def _at(*path: str) -> Callable[[Mapping[str, Any]], Any]:
    def read(doc: Mapping[str, Any]) -> Any:
        value: Any = doc
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        return value

    return read


def _list(*path: str) -> Callable[[Mapping[str, Any]], Any]:
    read = _at(*path)
    return lambda doc: list(read(doc) or [])


def _coordinate(axis: str) -> Callable[[Mapping[str, Any]], Any]:
    return _at("location", "coordinates", axis)


EVENT_COLUMNS = (
    Column("event_id", "string", _at("event_id")),
    Column("version", "int", _at("version")),
    Column("first_seen", "timestamp", _at("first_seen")),
    Column("updated", "timestamp", _at("updated")),
    Column("event_date", "date", _at("date")),
    Column("date_precision", "string", _at("date_precision")),
    Column("date_prec", "int", lambda d: DATE_PREC.get(d.get("date_precision") or "")),
    Column("event_type", "string", _at("event_type")),
    Column("sub_event_type", "string", _at("sub_type")),
    Column("actor1", "string", _at("actor1")),
    Column("actor2", "string", _at("actor2")),
    Column("assoc_actors", "list", _list("assoc_actors")),
    Column("country", "string", _at("location", "country")),
    Column("admin1", "string", _at("location", "admin1")),
    Column("admin2", "string", _at("location", "admin2")),
    Column("location", "string", _at("location", "name")),
    Column("latitude", "float", _coordinate("lat")),
    Column("longitude", "float", _coordinate("lon")),
    Column("geo_precision", "string", _at("location", "precision")),
    Column("where_prec", "int", lambda d: WHERE_PREC.get(_at("location", "precision")(d) or "")),
    Column("fatalities_low", "int", _at("fatalities", "low")),
    Column("fatalities_best", "int", _at("fatalities", "best")),
    Column("fatalities_high", "int", _at("fatalities", "high")),
    Column("injuries_low", "int", _at("injuries", "low")),
    Column("injuries_best", "int", _at("injuries", "best")),
    Column("injuries_high", "int", _at("injuries", "high")),
    Column("reported_by", "list", _list("reported_by")),
    Column("sources", "list", _list("sources")),
    Column("source_count", "int", lambda d: len(d.get("sources") or [])),
    Column("article_ids", "list", _list("article_ids")),
    Column("article_count", "int", lambda d: len(d.get("article_ids") or [])),
)

ARTICLE_COLUMNS = (
    Column("article_id", "string", _at("article_id")),
    Column("published", "timestamp", _at("published")),
    Column("agency", "string", _at("agency")),
    Column("outlet", "string", _at("outlet")),
    Column("headline", "string", _at("headline")),
    Column("url", "string", _at("url")),
    Column("countries", "list", _list("countries")),
    Column("places", "list", _list("places")),
    Column("people", "list", _list("people")),
    Column("organizations", "list", _list("organizations")),
    Column("syndication_count", "int", _at("syndication", "count")),
)

COLUMNS = {"events": EVENT_COLUMNS, "articles": ARTICLE_COLUMNS}
LIST_SEPARATOR = "; "


def row(columns: Iterable[Column], doc: Mapping[str, Any]) -> Row:
    return {c.name: c.read(doc) for c in columns}


class CsvRows:
    """CSV with a header; list cells joined by `LIST_SEPARATOR`, missing values empty."""

    def __init__(self, out: IO[str], names: list[str]) -> None:
        self.writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
        self.writer.writeheader()

    def write(self, values: Row) -> None:
        self.writer.writerow(
            {k: LIST_SEPARATOR.join(map(str, v)) if isinstance(v, list) else v for k, v in values.items()}
        )


def jsonl(out: IO[str], values: Mapping[str, Any]) -> None:
    out.write(json.dumps(values, ensure_ascii=False, default=str) + "\n")
