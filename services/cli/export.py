"""`wirestream export events`: every event, or those changed since T, as CSV, JSON lines or Parquet.

Pages through a point in time with `search_after` (no from+size, so no 10,000-hit limit
and no row seen twice or missed while the indexer keeps writing), oldest change first.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any

from elasticsearch import Elasticsearch
from tqdm import tqdm

from services.cli.errors import UsageError
from services.cli.rows import EVENT_COLUMNS, Column, CsvRows, Row, jsonl, row
from services.common.es import es_client
from services.common.settings import Settings

PAGE_SIZE = 1000
PIT_KEEP_ALIVE = "2m"  # between two pages, not for the whole export
# A write becomes searchable up to one refresh interval after its `updated` stamp; the
# suggested next cursor starts this much before this export did, so nothing falls between.
CURSOR_OVERLAP = timedelta(seconds=30)


def changed_query(changed_since: str | None) -> dict[str, Any]:
    if changed_since is None:
        return {"match_all": {}}
    return {"range": {"updated": {"gte": changed_since}}}


def pages(client: Elasticsearch, alias: str, query: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Every matching document's source, a page at a time, through one point in time."""
    pit = client.open_point_in_time(index=alias, keep_alive=PIT_KEEP_ALIVE)["id"]
    try:
        after: list[Any] | None = None
        while True:
            response = client.search(
                pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE},
                query=query,
                sort=[{"updated": {"order": "asc", "missing": "_first"}}, {"_shard_doc": "asc"}],
                size=PAGE_SIZE,
                search_after=after,
                track_total_hits=False,
            )
            pit = response.get("pit_id", pit)
            hits = response["hits"]["hits"]
            if not hits:
                return
            yield [hit["_source"] for hit in hits]
            after = hits[-1]["sort"]
    finally:
        client.close_point_in_time(id=pit)


class ParquetRows:
    """Parquet through pyarrow, one row group per page, typed by the codebook."""

    def __init__(self, path: str, columns: tuple[Column, ...]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {
            "string": pa.string(),
            "int": pa.int64(),
            "float": pa.float64(),
            "date": pa.date32(),
            "timestamp": pa.timestamp("us", tz="UTC"),
            "list": pa.list_(pa.string()),
        }
        self.pa = pa
        self.columns = columns
        self.schema = pa.schema([(c.name, types[c.kind]) for c in columns])
        self.writer = pq.ParquetWriter(path, self.schema)

    def _typed(self, values: Row) -> Row:
        typed = dict(values)
        for column in self.columns:
            value = values.get(column.name)
            if value is None:
                continue
            if column.kind == "date":
                typed[column.name] = date.fromisoformat(str(value)[:10])
            elif column.kind == "timestamp":
                typed[column.name] = datetime.fromisoformat(str(value))
        return typed

    def write_page(self, values: list[Row]) -> None:
        table = self.pa.Table.from_pylist([self._typed(v) for v in values], schema=self.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()


def export_events(
    client: Elasticsearch,
    alias: str,
    changed_since: str | None,
    fmt: str,
    out: IO[str] | str,
    progress: bool = True,
) -> int:
    """Write the events changed since `changed_since` (all when None); return how many."""
    query = changed_query(changed_since)
    total = client.count(index=alias, query=query)["count"]
    names = [c.name for c in EVENT_COLUMNS]
    written = 0
    with ExitStack() as stack:
        parquet = csv_rows = None
        if fmt == "parquet":
            assert isinstance(out, str)
            parquet = ParquetRows(out, EVENT_COLUMNS)
            stack.callback(parquet.close)
        elif fmt == "csv":
            assert not isinstance(out, str)
            csv_rows = CsvRows(out, names)
        bar = stack.enter_context(
            tqdm(total=total, unit="events", file=sys.stderr, disable=not progress or None)
        )
        for page in pages(client, alias, query):
            values = [row(EVENT_COLUMNS, doc) for doc in page]
            if parquet is not None:
                parquet.write_page(values)
            else:
                for value in values:
                    if csv_rows is not None:
                        csv_rows.write(value)
                    else:
                        assert not isinstance(out, str)
                        jsonl(out, value)
            written += len(values)
            bar.update(len(values))
    return written


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    if args.format == "parquet" and args.out is None:
        raise UsageError("--format", "parquet", "is binary: give a file with --out")
    started = datetime.now(UTC)
    with es_client(settings) as client, ExitStack() as stack:
        out: IO[str] | str
        if args.format == "parquet":
            out = str(args.out)
        elif args.out is not None:
            out = stack.enter_context(open(args.out, "w", encoding="utf-8", newline=""))
        else:
            out = sys.stdout
        count = export_events(
            client, settings.index("events"), args.changed_since, args.format, out, progress=not args.quiet
        )
    since = f" changed since {args.changed_since}" if args.changed_since else ""
    cursor = (started - CURSOR_OVERLAP).isoformat(timespec="seconds")
    print(f"exported {count} events{since}; next time: --changed-since {cursor}", file=sys.stderr)
    return 0
