"""`wirestream`: set-up, backlog feeding, offline processing and search from one command."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from services.cli.errors import explained
from services.cli.search import count, near, size, when
from services.common.settings import get_settings


def _topics(args: argparse.Namespace) -> int:
    from services.common.kafka import create_topics

    settings = get_settings()
    created = create_topics(settings)
    print(
        f"topics ready ({len(created)} created): prefix {settings.topic_prefix!r}, "
        f"{settings.topic_partitions} partitions"
    )
    return 0


def _indices(args: argparse.Namespace) -> int:
    from services.common.es import es_client
    from services.indexer.mappings import ensure_indices

    with es_client(get_settings()) as client:
        ensure_indices(client, get_settings())
    print("index templates and aliases ready")
    return 0


def _feed(args: argparse.Namespace) -> int:
    from services.feeder.backlog import publish_backlog

    summary = publish_backlog(args.paths, get_settings(), progress=not args.quiet)
    print(summary)
    return 0


def _process(args: argparse.Namespace) -> int:
    from services.offline import process, write_jsonl

    settings = get_settings()
    with open(args.out, "w", encoding="utf-8") as out:
        count = write_jsonl(process(args.paths, settings), settings, out)
    print(f"wrote {count} messages to {args.out}")
    return 0


def _wait(args: argparse.Namespace) -> int:
    """Wait until the articles alias holds at least N documents."""
    from services.common.es import es_client

    settings = get_settings()
    deadline = time.monotonic() + args.timeout
    with es_client(settings) as client:
        while time.monotonic() < deadline:
            alias = settings.index("articles")
            if client.indices.exists_alias(name=alias):
                client.indices.refresh(index=alias)
                count = client.count(index=alias)["count"]
                if count >= args.articles:
                    print(f"{count} articles searchable")
                    return 0
            time.sleep(1)
    print(f"timed out after {args.timeout}s waiting for {args.articles} articles", file=sys.stderr)
    return 1


def _health(args: argparse.Namespace) -> int:
    """Wait until each stage's /health/ answers (with --ready: until /ready/ says ready);
    a stage that never does is named, with what it last said."""
    import urllib.error
    import urllib.request

    from services.common.stage import HEALTH_PATH, READY_PATH, WEB_PORTS

    settings = get_settings()
    path, word = (READY_PATH, "ready") if args.ready else (HEALTH_PATH, "healthy")
    pending = set(args.stages or WEB_PORTS)
    said: dict[str, str] = {}
    deadline = time.monotonic() + args.wait
    while True:
        for stage in sorted(pending):
            port = settings.web_port or WEB_PORTS[stage]
            try:
                with urllib.request.urlopen(f"http://{settings.web_host}:{port}{path}", timeout=2):
                    pending.discard(stage)
                    print(f"{stage}: {word} on port {port}")
            except urllib.error.HTTPError as error:  # 503: answering, not ready; the body says why
                said[stage] = error.read().decode(errors="replace")
            except OSError:
                pass
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(1)
    for stage in sorted(pending):
        print(f"{stage}: not {word} after {args.wait}s {said.get(stage, '')}", file=sys.stderr)
    return 1 if pending else 0


def _search(args: argparse.Namespace) -> int:
    from services.cli.output import print_search  # imports the Elasticsearch client only when needed

    return print_search(args, get_settings())


def _check_kibana(args: argparse.Namespace) -> int:
    from services.cli.kibana import live_problems, load, static_problems
    from services.common.es import es_client

    settings = get_settings()
    objects = load(args.ndjson)
    problems = static_problems(objects)
    if args.live:
        with es_client(settings) as client:
            problems += live_problems(client, settings, objects)
    for problem in problems:
        print(problem)
    checked = "file, index templates and the live indices" if args.live else "file and index templates"
    print(f"{len(objects)} saved objects, {len(problems)} problems ({checked})", file=sys.stderr)
    return 1 if problems else 0


def _export(args: argparse.Namespace) -> int:
    from services.cli.export import run_export

    return run_export(args, get_settings())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wirestream", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("topics", help="create the topics from settings").set_defaults(run=_topics)
    commands.add_parser("indices", help="create index templates and aliases").set_defaults(run=_indices)
    feed = commands.add_parser("feed", help="publish files or folders once (backlog mode)")
    feed.add_argument("paths", nargs="+", help="files, folders or RSS/Atom feed URLs")
    feed.add_argument("--quiet", action="store_true", help="no progress bar")
    feed.set_defaults(run=_feed)

    offline = commands.add_parser("process", help="run all stages offline, write JSON lines")
    offline.add_argument("paths", nargs="+", type=Path)
    offline.add_argument("--out", type=Path, required=True)
    offline.set_defaults(run=_process)

    wait = commands.add_parser("wait", help="wait until N articles are searchable")
    wait.add_argument("--articles", type=int, required=True)
    wait.add_argument("--timeout", type=float, default=300)
    wait.set_defaults(run=_wait)

    health = commands.add_parser("health", help="wait until stages answer on /health/")
    health.add_argument("stages", nargs="*", help="default: all five")
    health.add_argument("--wait", type=float, default=0, help="seconds to keep trying")
    health.add_argument("--ready", action="store_true", help="wait for /ready/: assigned, recovered")
    health.set_defaults(run=_health)

    search = commands.add_parser(
        "search",
        help="search events (default) or articles with filters",
        description="Full text plus filters; every filter narrows the result. Dates: 2024-05-31, "
        "2024-05-31T12:00:00Z or an age (12h, 7d, 2w, 3m = 90 days, 1y = 365 days).",
    )
    search.add_argument("query", nargs="?", default="", help="free text (optional)")
    search.add_argument("--in", dest="index", choices=["events", "articles"], default="events")
    search.add_argument(
        "--articles", dest="index", action="store_const", const="articles", help="same as --in articles"
    )
    search.add_argument("--country", help="country name, e.g. Syria")
    search.add_argument("--place", help="town, admin1 or admin2 name (events), place name (articles)")
    search.add_argument("--near", type=near, metavar="LAT,LON,KM", help="within KM of a point")
    search.add_argument("--actor", help="canonical name or alias (Daesh finds Islamic State)")
    search.add_argument("--type", help="ACLED event type or sub-type (events only)")
    search.add_argument("--since", type=when, help="on or after (date, date-time or age)")
    search.add_argument("--until", type=when, help="on or before (date, date-time or age)")
    search.add_argument("--min-fatalities", type=count, metavar="N", help="best estimate at least N")
    search.add_argument("--source", help="agency or outlet (events: also who the toll is attributed to)")
    search.add_argument(
        "--sort",
        help="relevance, date, fatalities, injuries, updated, version "
        "(events) or date, syndication (articles); add :asc or :desc",
    )
    search.add_argument("--size", type=size, default=20, help="rows (1-10000; default 20)")
    search.add_argument("--with-articles", action="store_true", help="each event's articles too")
    fmt = search.add_mutually_exclusive_group()
    fmt.add_argument(
        "--json", dest="format", action="store_const", const="json", help="one JSON object a line"
    )
    fmt.add_argument("--csv", dest="format", action="store_const", const="csv", help="CSV with a header")
    search.set_defaults(run=_search, format="table")

    export = commands.add_parser(
        "export",
        help="stream every event (or those changed since T) as CSV, JSON lines or Parquet",
    )
    export.add_argument("what", choices=["events"], help="what to export")
    export.add_argument(
        "--changed-since",
        type=when,
        metavar="T",
        help="only events whose `updated` is at or after T (date, date-time or age)",
    )
    export.add_argument("--format", choices=["csv", "jsonl", "parquet"], default="csv")
    export.add_argument(
        "--out", type=Path, help="file to write (default: standard output; required for parquet)"
    )
    export.add_argument("--quiet", action="store_true", help="no progress bar")
    export.set_defaults(run=_export)

    from services.cli.kibana import NDJSON

    kibana = commands.add_parser(
        "check-kibana", help="check the Kibana saved objects against Kibana 9.2 and the indices"
    )
    kibana.add_argument("ndjson", nargs="?", type=Path, default=NDJSON, help=f"default: {NDJSON.name}")
    kibana.add_argument("--live", action="store_true", help="also _field_caps and the map's aggregation")
    kibana.set_defaults(run=_check_kibana)

    args = parser.parse_args(argv)
    return explained(args.run, args, get_settings())


if __name__ == "__main__":
    sys.exit(main())
