"""Files and folders to raw articles, by file suffix. Pure apart from reading the files given."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import Any

from schemas.articles import RawArticle
from services.common.codec import encode
from services.feeder.article import Rejected, article_id
from services.feeder.errors import FeederError, as_feeder_error, path_name, printable
from services.feeder.formats.feeds import is_feed, parse_feed
from services.feeder.formats.html import parse_html_page
from services.feeder.formats.jsonl import parse_json
from services.feeder.formats.newsml import is_newsml, parse_newsml
from services.feeder.formats.text import parse_text
from services.feeder.limits import Limits, bounded_int, check_story, current

__all__ = [
    "Limits",
    "Rejected",
    "article_id",
    "list_files",
    "parse_bytes",
    "read_file",
    "read_files",
    "read_listed",
    "read_paths",
]

METADATA_FILE = "meta.json"  # sidecar: {file name: {agency, outlet, url, headline, published, ...}}
# Names a writer uses while a file is incomplete: it renames the file into place when done.
IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload")
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


def _limited(item: RawArticle | Rejected, limits: Limits) -> RawArticle | Rejected:
    if isinstance(item, Rejected):
        return item
    try:
        check_story(item, limits)
    except FeederError as exc:
        return Rejected(exc, encode(item))
    return item


def parse_bytes(
    source: str, raw: bytes, suffix: str, meta: dict[str, Any], limits: Limits | None = None
) -> Iterator[RawArticle | Rejected]:
    """Articles from one file's bytes; whatever fails becomes a rejection, never an exception.

    Anything a parser raises, not only `FeederError` (a recursion or number limit hit in a
    library, a bug), is this file's dead letter: the items before it are kept.
    """
    limits = limits or current()
    parser = PARSERS.get(suffix.lower())
    if parser is None:
        yield Rejected(FeederError(source, f"unknown format {printable(suffix)!r}"), raw)
        return
    try:
        for item in parser(source, raw, meta):
            yield _limited(item, limits)
    except Exception as exc:  # one file's failure must not stop the others
        yield Rejected(as_feeder_error(source, exc), raw)


def _load_metadata(folder: Path, limits: Limits) -> dict[str, dict[str, Any]]:
    meta_file = folder / METADATA_FILE
    if not meta_file.is_file():
        return {}
    try:
        loaded = json.loads(
            _read_regular(meta_file, limits.max_file_bytes).decode("utf-8"),
            parse_int=bounded_int(limits, path_name(meta_file)),
        )
    except FeederError:
        raise
    except (OSError, ValueError, RecursionError) as exc:  # JSON and UTF-8 errors are ValueErrors
        raise FeederError(path_name(meta_file), f"unreadable metadata: {exc}") from exc
    if not isinstance(loaded, dict):
        raise FeederError(path_name(meta_file), "metadata must map file names to objects")
    return loaded


def _read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file, refusing a symlink in the last component (opened with
    O_NOFOLLOW, so a link swapped in after listing is refused too), a FIFO or device (never
    opened; checked again on the open descriptor) and anything over `max_bytes`."""
    mode = path.lstat().st_mode
    if S_ISLNK(mode):
        raise FeederError(path_name(path), "is a symbolic link; only regular files are read")
    if not S_ISREG(mode):
        raise FeederError(path_name(path), "not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FeederError(path_name(path), "is a symbolic link; only regular files are read") from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        stat = os.fstat(handle.fileno())
        if not S_ISREG(stat.st_mode):
            raise FeederError(path_name(path), "not a regular file")
        if stat.st_size > max_bytes:
            raise FeederError(path_name(path), f"larger than {max_bytes} bytes ({stat.st_size})")
        raw = handle.read(max_bytes + 1)  # a file growing meanwhile is still bounded
    if len(raw) > max_bytes:
        raise FeederError(path_name(path), f"larger than {max_bytes} bytes (grew while read)")
    return raw


def read_file(
    path: Path, meta: dict[str, Any] | None = None, limits: Limits | None = None
) -> Iterator[RawArticle | Rejected]:
    limits = limits or current()
    source = path_name(path)
    try:
        raw = _read_regular(path, limits.max_file_bytes)
    except FeederError as exc:
        yield Rejected(exc, b"")
        return
    except OSError as exc:  # gone since it was listed, unreadable, ...
        yield Rejected(FeederError(source, f"cannot read: {exc.strerror or exc}"), b"")
        return
    if meta is not None and not isinstance(meta, dict):
        yield Rejected(
            FeederError(path_name(path.parent / METADATA_FILE), f"entry for {source} is not an object"), raw
        )
        return
    yield from parse_bytes(source, raw, path.suffix, meta or {}, limits)


def _candidate(path: Path) -> bool:
    """A name the feeder reads: a known format, not hidden, not a file still being written."""
    name = path.name
    return (
        path.suffix.lower() in PARSERS
        and name != METADATA_FILE
        and not name.startswith(".")
        and not name.lower().endswith(IN_PROGRESS_SUFFIXES)
    )


def _listed(path: Path) -> bool:
    """Article files, and what only looks like one to be refused with a reason when read:
    a symbolic link (to a file or folder) or a FIFO, device or socket with an article name."""
    if path.name.startswith(".") or path.name.lower().endswith(IN_PROGRESS_SUFFIXES):
        return False
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False  # gone since it was listed
    return S_ISLNK(mode) or (_candidate(path) and not S_ISDIR(mode))


def _inside(folder: Path) -> list[Path]:
    """Files physically inside `folder`: symbolic links (to files or folders) are never
    followed, so nothing outside the folder is ever read through one; they are listed, to
    be refused with a reason (one dead letter each, not a silent skip)."""
    found: list[Path] = []
    # os.walk does not follow links to folders; an error on one folder (removed meanwhile) skips it.
    for root, folders, files in os.walk(folder, followlinks=False):
        links = [d for d in folders if Path(root, d).is_symlink()]
        folders[:] = sorted(d for d in folders if not d.startswith(".") and d not in links)
        found.extend(path for name in [*files, *links] if _listed(path := Path(root, name)))
    return sorted(found)


def list_files(paths: Iterable[Path]) -> list[Path]:
    """Every article file under the given files and folders, in a stable order.

    A file named directly is read even through a symbolic link (the operator chose it);
    inside a folder only regular files physically there are.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(_inside(path))
        else:
            found.append(path.resolve() if path.is_symlink() else path)
    return found


def read_files(
    paths: Iterable[Path], limits: Limits | None = None
) -> Iterator[tuple[Path, list[RawArticle | Rejected]]]:
    """Each file under `paths` with what it yielded; a folder's meta.json applies to it.

    A broken meta.json comes as its own entry, before the first file of its folder (whose
    articles still go in, without metadata).
    """
    return read_listed(list_files(paths), limits)


def read_listed(
    files: Iterable[Path], limits: Limits | None = None
) -> Iterator[tuple[Path, list[RawArticle | Rejected]]]:
    """Like `read_files`, for files already listed: never raises for one file."""
    limits = limits or current()
    metadata: dict[Path, dict[str, dict[str, Any]]] = {}
    for path in files:
        if path.parent not in metadata:
            try:
                metadata[path.parent] = _load_metadata(path.parent, limits)
            except FeederError as exc:
                metadata[path.parent] = {}
                yield path.parent / METADATA_FILE, [Rejected(exc, b"")]
        yield path, list(read_file(path, metadata[path.parent].get(path.name), limits))


def read_paths(paths: Iterable[Path], limits: Limits | None = None) -> Iterator[RawArticle | Rejected]:
    for _, items in read_files(paths, limits):
        yield from items
