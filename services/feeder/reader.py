"""Files and folders to raw articles. Pure apart from reading the files it is given."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError

from schemas.articles import Article, PublishedFrom, RawArticle
from schemas.deadletter import DeadLetter
from services.common.deadletter import dead_letter
from services.common.text import fingerprint
from services.feeder.errors import FeederError
from services.feeder.plaintext import parse_plaintext

METADATA_FILE = "meta.json"  # sidecar: {file name: {agency, outlet, url, headline, published, ...}}
TEXT_SUFFIXES = {".txt"}
JSON_SUFFIXES = {".json", ".jsonl"}
MAX_FILE_BYTES = 20_000_000


@dataclass(frozen=True)
class Rejected:
    """Input that did not become an article: it goes to the dead-letter topic."""

    error: FeederError
    payload: bytes

    def dead_letter(self, max_payload: int) -> DeadLetter:
        return dead_letter("feeder", self.error, self.payload, max_payload=max_payload, key=self.error.source)


def article_id(source_key: str, body_fingerprint: str) -> str:
    """Same story from the same source always gets the same id."""
    return hashlib.sha1(f"{source_key}|{body_fingerprint}".encode()).hexdigest()[:20]


def _published(value: Any, source: str) -> tuple[datetime, PublishedFrom]:
    now = datetime.now(UTC)
    if value in (None, ""):
        return now, "ingested"
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise FeederError(source, f"published {value!r} is not an ISO date") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed, "metadata"


def build_article(source: str, fields: dict[str, Any], paragraphs: list[str]) -> RawArticle:
    """Assemble and validate a raw article from parsed fields (the same for every format)."""
    paragraphs = [p for p in (p.strip() for p in paragraphs) if p]
    if not paragraphs:
        raise FeederError(source, "no body text")
    body_fingerprint = fingerprint(paragraphs)
    url = fields.get("url")
    source_key = (
        fields.get("outlet") or fields.get("agency") or (urlparse(url).netloc if url else Path(source).name)
    )
    published, published_from = _published(fields.get("published"), source)
    try:
        article = Article(
            article_id=article_id(str(source_key), body_fingerprint),
            source=source,
            agency=fields.get("agency"),
            outlet=fields.get("outlet"),
            url=url,
            headline=fields.get("headline"),
            byline=fields.get("byline"),
            dateline=fields.get("dateline"),
            captions=fields.get("captions") or [],
            paragraphs=paragraphs,
            language=fields.get("language") or "en",
            published=published,
            published_from=published_from,
            ingested=datetime.now(UTC),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise FeederError(source, f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    return RawArticle(fingerprint=body_fingerprint, article=article)


def parse_text_file(source: str, raw: bytes, meta: dict[str, Any]) -> RawArticle:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FeederError(source, f"not UTF-8 (byte {exc.start})") from exc
    if "\x00" in text:
        raise FeederError(source, "binary content (NUL bytes)")
    parsed = parse_plaintext(text, known_headline=meta.get("headline"))
    fields = {
        **meta,
        "headline": meta.get("headline") or parsed.headline,
        "agency": meta.get("agency") or parsed.agency,
        "dateline": parsed.dateline,
        "byline": meta.get("byline") or parsed.byline,
        "captions": parsed.captions,
    }
    return build_article(source, fields, parsed.paragraphs)


def parse_json_object(source: str, obj: Any) -> RawArticle:
    """One article object. Field mapping: body|text (string) or paragraphs (list);
    headline|title; agency, outlet, url, published, language, byline, dateline, captions."""
    if not isinstance(obj, dict):
        raise FeederError(source, f"expected a JSON object, got {type(obj).__name__}")
    paragraphs = obj.get("paragraphs")
    if paragraphs is None:
        body = obj.get("body") or obj.get("text")
        if not isinstance(body, str):
            raise FeederError(source, "missing 'body', 'text' or 'paragraphs'")
        paragraphs = body.split("\n")
    if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
        raise FeederError(source, "'paragraphs' must be a list of strings")
    fields = {**obj, "headline": obj.get("headline") or obj.get("title")}
    return build_article(source, fields, paragraphs)


def _read_json_file(source: str, raw: bytes) -> Iterator[RawArticle | Rejected]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield Rejected(FeederError(source, f"not UTF-8 (byte {exc.start})"), raw)
        return
    lines = text.splitlines() if source.endswith(".jsonl") else [text]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}" if source.endswith(".jsonl") else source
        try:
            yield parse_json_object(where, json.loads(line))
        except json.JSONDecodeError as exc:
            yield Rejected(FeederError(where, f"invalid JSON: {exc.msg}"), line.encode())
        except FeederError as exc:
            yield Rejected(exc, line.encode())


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
            raise FeederError(source, f"larger than {MAX_FILE_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        yield Rejected(FeederError(source, f"cannot read: {exc.strerror}"), b"")
        return
    except FeederError as exc:
        yield Rejected(exc, b"")
        return
    if path.suffix in JSON_SUFFIXES:
        yield from _read_json_file(source, raw)
        return
    try:
        yield parse_text_file(source, raw, meta or {})
    except FeederError as exc:
        yield Rejected(exc, raw)


def list_files(paths: Iterable[Path]) -> list[Path]:
    """Every readable article file under the given files and folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix in TEXT_SUFFIXES | JSON_SUFFIXES and p.name != METADATA_FILE
            )
        else:
            found.append(path)
    return found


def read_files(paths: Iterable[Path]) -> Iterator[tuple[Path, list[RawArticle | Rejected]]]:
    """Each file under `paths` with what it yielded; a folder's meta.json applies to it."""
    metadata: dict[Path, dict[str, dict[str, Any]]] = {}
    for path in list_files(paths):
        problems: list[RawArticle | Rejected] = []
        if path.parent not in metadata:
            try:
                metadata[path.parent] = _load_metadata(path.parent)
            except FeederError as exc:
                metadata[path.parent] = {}  # the articles still go in, without metadata
                problems.append(Rejected(exc, b""))
        yield path, [*problems, *read_file(path, metadata[path.parent].get(path.name))]


def read_paths(paths: Iterable[Path]) -> Iterator[RawArticle | Rejected]:
    for _, items in read_files(paths):
        yield from items
