"""`wirestream search`: flags to an Elasticsearch query over events or articles (pure).

Every flag is parsed by a function that raises `argparse.ArgumentTypeError` naming the
value it refused, so argparse prints `argument --near: ...` and exits with status 2.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.cli.errors import UsageError
from services.entities.gazetteer import alias_index

Query = dict[str, Any]
RELATIVE = re.compile(r"^(\d+)([hdwmy])$")
RELATIVE_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
DAYS_PER = {"m": 30, "y": 365}  # "3m", "1y": calendar-free approximations, said in --help


@dataclass(frozen=True)
class Target:
    """Where each filter looks in one index."""

    alias: str
    text_fields: tuple[str, ...]
    date_field: str
    country_fields: tuple[str, ...]
    place_fields: tuple[str, ...]
    point_field: str
    actor_fields: tuple[str, ...]
    source_fields: tuple[str, ...]
    type_fields: tuple[str, ...] = ()
    fatalities_field: str | None = None
    sorts: dict[str, str] = field(default_factory=dict)


EVENTS = Target(
    alias="events",
    # Keyword fields match a whole value ("Islamic State"), the evidence sentences any word.
    text_fields=("evidence.sentence", "actors^2", "location.name^2", "event_type", "sub_type", "reported_by"),
    date_field="date",
    country_fields=("location.country",),
    place_fields=("location.name", "location.admin1", "location.admin2"),
    point_field="location.coordinates",
    actor_fields=("actors",),
    source_fields=("sources", "reported_by"),
    type_fields=("event_type", "sub_type"),
    fatalities_field="fatalities.best",
    sorts={
        "date": "date",
        "fatalities": "fatalities.best",
        "injuries": "injuries.best",
        "updated": "updated",
        "version": "version",
    },
)
ARTICLES = Target(
    alias="articles",
    text_fields=("headline^2", "body", "people", "organizations", "groups", "places"),
    date_field="published",
    country_fields=("countries",),
    place_fields=("places",),
    point_field="place_points",
    actor_fields=("people", "organizations", "groups"),
    source_fields=("outlet", "agency", "syndication.outlets"),
    sorts={"date": "published", "published": "published", "syndication": "syndication.count"},
)
TARGETS = {"events": EVENTS, "articles": ARTICLES}


# ---------------------------------------------------------------- flag parsers


def when(value: str) -> str:
    """A date, a date-time, or an age such as 7d / 12h / 2w / 3m / 1y, as an ES date string."""
    match = RELATIVE.match(value.strip())
    if match:
        amount, unit = int(match[1]), match[2]
        delta = (
            timedelta(days=amount * DAYS_PER[unit])
            if unit in DAYS_PER
            else timedelta(**{RELATIVE_UNITS[unit]: amount})
        )
        return (datetime.now(UTC) - delta).isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date (2024-05-31), a date-time (2024-05-31T12:00:00Z) or an age (7d, 12h)"
        ) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    km: float


def near(value: str) -> Near:
    parts = value.split(",")
    try:
        lat, lon, km = (float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not LAT,LON,KM (e.g. 35.0,40.4,50)") from None
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise argparse.ArgumentTypeError(
            f"{value!r}: latitude must be in [-90, 90], longitude in [-180, 180]"
        )
    if km <= 0:
        raise argparse.ArgumentTypeError(f"{value!r}: the radius in km must be positive")
    return Near(lat, lon, km)


def count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is negative")
    return number


def size(value: str) -> int:
    number = count(value)
    if not 1 <= number <= 10_000:
        raise argparse.ArgumentTypeError(f"{value!r} is outside 1..10000 (use `wirestream export` for more)")
    return number


def actor_names(value: str) -> list[str]:
    """The canonical name of an alias ('Daesh' -> 'Islamic State'), case-insensitively, plus the
    value itself, so an actor without a curated entry is still found by its own name."""
    lowered = value.strip().lower()
    names = {entry.canonical for alias, entry in alias_index().items() if alias.lower() == lowered}
    return sorted(names | {value.strip()})


# ---------------------------------------------------------------- query


def _any_term(fields: tuple[str, ...], values: list[str]) -> Query:
    """Exact value in any of `fields`, ignoring case (keyword fields)."""
    should = [{"term": {f: {"value": v, "case_insensitive": True}}} for f in fields for v in values]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def build_query(target: Target, args: argparse.Namespace) -> Query:
    """The bool query for the parsed flags; a flag the target cannot filter on is an error."""
    must: list[Query] = []
    filters: list[Query] = []
    if args.query:
        must.append(
            {"multi_match": {"query": args.query, "fields": list(target.text_fields), "lenient": True}}
        )
    if args.country:
        filters.append(_any_term(target.country_fields, [args.country]))
    if args.place:
        filters.append(_any_term(target.place_fields, [args.place]))
    if args.near:
        filters.append(
            {
                "geo_distance": {
                    "distance": f"{args.near.km}km",
                    target.point_field: {"lat": args.near.lat, "lon": args.near.lon},
                }
            }
        )
    if args.actor:
        filters.append(_any_term(target.actor_fields, actor_names(args.actor)))
    if args.type:
        if not target.type_fields:
            raise UsageError("--type", args.type, f"filters events only, not {target.alias}")
        filters.append(_any_term(target.type_fields, [args.type]))
    if args.since or args.until:
        bounds = {k: v for k, v in (("gte", args.since), ("lte", args.until)) if v}
        if len(bounds.get("lte", "")) == len("2024-05-31"):
            bounds["lte"] += "||/d"  # a day given as --until counts whole
        filters.append({"range": {target.date_field: bounds}})
    if args.min_fatalities is not None:
        if target.fatalities_field is None:
            raise UsageError(
                "--min-fatalities", str(args.min_fatalities), f"filters events only, not {target.alias}"
            )
        filters.append({"range": {target.fatalities_field: {"gte": args.min_fatalities}}})
    if args.source:
        filters.append(_any_term(target.source_fields, [args.source]))
    return {"bool": {"must": must or [{"match_all": {}}], "filter": filters}}


def build_sort(target: Target, spec: str | None, has_text: bool) -> list[Any]:
    """`--sort date` (newest first), `date:asc`, `relevance`; default: relevance when there is
    free text, else newest first. Ties break on the document id, so pages are stable."""
    name, _, order = (spec or ("relevance" if has_text else "date")).partition(":")
    order = order or "desc"
    if order not in ("asc", "desc"):
        raise UsageError("--sort", spec or "", "order must be asc or desc")
    if name == "relevance":
        return ["_score", {target.date_field: "desc"}]
    if name not in target.sorts:
        choices = ", ".join(["relevance", *target.sorts])
        raise UsageError("--sort", spec or "", f"sorts {target.alias} by one of {choices}")
    return [{target.sorts[name]: {"order": order, "missing": "_last"}}]


# ---------------------------------------------------------------- running and printing


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _place(doc: dict[str, Any]) -> str:
    where = doc.get("location") or {}
    parts = [where.get("name"), where.get("admin1"), where.get("country")]
    return ", ".join(dict.fromkeys(p for p in parts if p)) or "-"


def _toll(doc: dict[str, Any], key: str) -> str:
    toll = doc.get(key) or {}
    low, best, high = toll.get("low"), toll.get("best"), toll.get("high")
    if best is None:
        return "-"
    return str(best) if low in (None, best) and high in (None, best) else f"{best} ({low}-{high})"


def event_line(doc: dict[str, Any]) -> str:
    kind = "/".join(p for p in (doc.get("event_type"), doc.get("sub_type")) if p)
    sides = " vs ".join(a for a in (doc.get("actor1"), doc.get("actor2")) if a) or "-"
    return (
        f"{doc.get('date', ''):<10}  {_cut(_place(doc), 32):<32}  {_cut(kind, 32):<32}  "
        f"{_cut(sides, 48):<48}  {_toll(doc, 'fatalities'):>9}  {_toll(doc, 'injuries'):>9}  "
        f"{len(doc.get('sources') or []):>7}"
    )


EVENT_HEADER = (
    f"{'DATE':<10}  {'PLACE':<32}  {'TYPE':<32}  {'ACTORS':<48}  "
    f"{'KILLED':>9}  {'INJURED':>9}  {'SOURCES':>7}"
)


def article_line(doc: dict[str, Any]) -> str:
    places = ", ".join((doc.get("places") or [])[:3]) or "-"
    outlet = doc.get("outlet") or doc.get("agency") or "-"
    return (
        f"{(doc.get('published') or '')[:10]:<10}  {_cut(outlet, 24):<24}  "
        f"{_cut(doc.get('headline') or '(no headline)', 70):<70}  {_cut(places, 40)}"
    )


ARTICLE_HEADER = f"{'PUBLISHED':<10}  {'OUTLET':<24}  {'HEADLINE':<70}  PLACES"
ARTICLE_BRIEF = ["article_id", "headline", "outlet", "agency", "published", "url", "places"]
