"""Files and folders to raw articles, by file suffix. Pure apart from reading the files given."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from schemas.articles import RawArticle
from services.feeder.article import Rejected, article_id
from services.feeder.errors import FeederError
from services.feeder.formats.feeds import is_feed, parse_feed
from services.feeder.formats.html import parse_html_page
from services.feeder.formats.jsonl import parse_json
from services.feeder.formats.newsml import is_newsml, parse_newsml
from services.feeder.formats.text import parse_text

__all__ = ["Rejected", "article_id", "list_files", "parse_bytes", "read_file", "read_files", "read_paths"]

METADATA_FILE = "meta.json"  # sidecar: {file name: {agency, outlet, url, headline, published, ...}}
MAX_FILE_BYTES = 20_000_000
Parser = Callable[[str, bytes, dict[str, Any]], Iterable[RawArticle | Rejected]]


def _xml(source: str, raw: bytes, meta: dict[str, Any]) -> Iterable[RawArticle | Rejected]:
    if is_newsml(raw):
        return parse_newsml(source, raw)
    if is_feed(raw):
        return parse_feed(source, raw)
    raise FeederError(source, "XML that is neither NewsML-G2 nor RSS/Atom")


PARSERS: dict[str, Parser] = {
    ".txt": lambda source, raw, meta: [parse_text(source, raw, meta)],
    ".json": lambda source, raw, meta: parse_json(source, raw),
    ".jsonl": lambda source, raw, meta: parse_json(source, raw),
    ".xml": _xml,
    ".rss": lambda source, raw, meta: parse_feed(source, raw),
    ".atom": lambda source, raw, meta: parse_feed(source, raw),
    ".html": lambda source, raw, meta: [parse_html_page(source, raw)],
    ".htm": lambda source, raw, meta: [parse_html_page(source, raw)],
}


def parse_bytes(
    source: str, raw: bytes, suffix: str, meta: dict[str, Any]
) -> Iterator[RawArticle | Rejected]:
    """Articles from one file's bytes; whatever fails becomes a rejection, never an exception."""
    parser = PARSERS.get(suffix.lower())
    if parser is None:
        yield Rejected(FeederError(source, f"unknown format {suffix!r}"), raw)
        return
    try:
        yield from parser(source, raw, meta)
    except FeederError as exc:
        yield Rejected(exc, raw)


def _load_metadata(folder: Path) -> dict[str, dict[str, Any]]:
    meta_file = folder / METADATA_FILE
    if not meta_file.is_file():
        return {}
    try:
        loaded = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeederError(str(meta_file), f"unreadable metadata: {exc}") from exc
    if not isinstance(loaded, dict):
        raise FeederError(str(meta_file), "metadata must map file names to objects")
    return loaded


def read_file(path: Path, meta: dict[str, Any] | None = None) -> Iterator[RawArticle | Rejected]:
    source = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            yield Rejected(FeederError(source, f"larger than {MAX_FILE_BYTES} bytes"), b"")
            return
        raw = path.read_bytes()
    except OSError as exc:
        yield Rejected(FeederError(source, f"cannot read: {exc.strerror}"), b"")
        return
    if meta is not None and not isinstance(meta, dict):
        yield Rejected(
            FeederError(str(path.parent / METADATA_FILE), f"entry for {path.name} is not an object"), raw
        )
        return
    yield from parse_bytes(source, raw, path.suffix, meta or {})


def list_files(paths: Iterable[Path]) -> list[Path]:
    """Every readable article file under the given files and folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in PARSERS and p.name != METADATA_FILE
            )
        else:
            found.append(path)
    return found


def read_files(paths: Iterable[Path]) -> Iterator[tuple[Path, list[RawArticle | Rejected]]]:
    """Each file under `paths` with what it yielded; a folder's meta.json applies to it.

    A broken meta.json comes as its own entry, before the first file of its folder (whose
    articles still go in, without metadata).
    """
    metadata: dict[Path, dict[str, dict[str, Any]]] = {}
    for path in list_files(paths):
        if path.parent not in metadata:
            try:
                metadata[path.parent] = _load_metadata(path.parent)
            except FeederError as exc:
                metadata[path.parent] = {}
                yield path.parent / METADATA_FILE, [Rejected(exc, b"")]
        yield path, list(read_file(path, metadata[path.parent].get(path.name)))


def read_paths(paths: Iterable[Path]) -> Iterator[RawArticle | Rejected]:
    for _, items in read_files(paths):
        yield from items
