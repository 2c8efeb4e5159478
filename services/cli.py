"""`wirestream`: set-up, backlog feeding, offline processing and search from one command."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

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
    """Wait until each stage's /health/ answers; a stage that never does is named."""
    import urllib.request

    from services.common.stage import WEB_PORTS

    settings = get_settings()
    pending = set(args.stages or WEB_PORTS)
    deadline = time.monotonic() + args.wait
    while True:
        for stage in sorted(pending):
            port = settings.web_port or WEB_PORTS[stage]
            try:
                with urllib.request.urlopen(f"http://{settings.web_host}:{port}/health/", timeout=2):
                    pending.discard(stage)
                    print(f"{stage}: healthy on port {port}")
            except OSError:
                pass
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(1)
    for stage in sorted(pending):
        print(f"{stage}: not healthy after {args.wait}s", file=sys.stderr)
    return 1 if pending else 0


def _search(args: argparse.Namespace) -> int:
    from services.common.es import es_client

    settings = get_settings()
    with es_client(settings) as client:
        hits = client.search(
            index=settings.index("articles"),
            # Canonical-name fields find "Islamic State" in a story that only says "Daesh".
            query={
                "multi_match": {
                    "query": args.query,
                    "fields": ["headline^2", "body", "people", "organizations", "places"],
                }
            },
            size=args.size,
            source_includes=["headline", "outlet", "published", "places"],
        )["hits"]["hits"]
    for hit in hits:
        doc = hit["_source"]
        print(
            f"{hit['_id']}  {doc.get('published', '')[:10]}  {doc.get('outlet') or '-'}  "
            f"{doc.get('headline') or '(no headline)'}"
        )
    return 0


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
    health.set_defaults(run=_health)

    search = commands.add_parser("search", help="full-text search over articles")
    search.add_argument("query")
    search.add_argument("--size", type=int, default=10)
    search.set_defaults(run=_search)

    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
