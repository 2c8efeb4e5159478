"""`wirestream search`: run the query, print a table, JSON lines or CSV."""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any

from services.cli.rows import COLUMNS, CsvRows, jsonl, row
from services.cli.search import (
    ARTICLE_BRIEF,
    ARTICLE_HEADER,
    EVENT_HEADER,
    TARGETS,
    article_line,
    build_query,
    build_sort,
    event_line,
)
from services.common.es import es_client
from services.common.settings import Settings


def print_search(args: argparse.Namespace, settings: Settings, out: IO[str] | None = None) -> int:
    out = out or sys.stdout
    target = TARGETS[args.index]
    query = build_query(target, args)
    sort = build_sort(target, args.sort, bool(args.query))
    with es_client(settings) as client:
        response = client.search(
            index=settings.index(target.alias),
            query=query,
            sort=sort,
            size=args.size,
            track_total_hits=True,
        )
        docs: list[dict[str, Any]] = [hit["_source"] for hit in response["hits"]["hits"]]
        articles: dict[str, dict[str, Any]] = {}
        if args.with_articles and target.alias == "events":
            wanted = sorted({a for doc in docs for a in doc.get("article_ids") or []})
            if wanted:
                found = client.mget(
                    index=settings.index("articles"), ids=wanted, source_includes=ARTICLE_BRIEF
                )["docs"]
                articles = {d["_id"]: d["_source"] for d in found if d.get("found")}
    total = response["hits"]["total"]["value"]
    with_articles = args.with_articles and target.alias == "events"

    def linked(doc: dict[str, Any]) -> list[dict[str, Any]]:
        return [articles.get(a, {"article_id": a}) for a in doc.get("article_ids") or []]

    if args.format == "json":
        for doc in docs:
            jsonl(out, {**doc, "articles": linked(doc)} if with_articles else doc)
    elif args.format == "csv":
        columns = COLUMNS[target.alias]
        names = [c.name for c in columns] + (["article_headlines"] if with_articles else [])
        writer = CsvRows(out, names)
        for doc in docs:
            values = row(columns, doc)
            if with_articles:
                values["article_headlines"] = [a.get("headline") or a["article_id"] for a in linked(doc)]
            writer.write(values)
    else:
        out.write((EVENT_HEADER if target.alias == "events" else ARTICLE_HEADER) + "\n")
        for doc in docs:
            out.write((event_line(doc) if target.alias == "events" else article_line(doc)) + "\n")
            for article in linked(doc) if with_articles else []:
                out.write(f"    {article_line(article)}  [{article['article_id']}]\n")
        print(f"{len(docs)} of {total} {target.alias}", file=sys.stderr)
    return 0
