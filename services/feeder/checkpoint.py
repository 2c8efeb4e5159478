"""What continuous mode has published, kept on disk so a restart neither repeats nor skips."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _load(path: Path) -> dict[str, Any]:
    loaded = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return loaded if isinstance(loaded, dict) else {}


def _key(file: Path) -> str:
    """The checkpoint key of a file: its path, with bytes that are not UTF-8 kept escaped
    (`surrogateescape`), so a file name that is not UTF-8 can still be saved as JSON."""
    return os.fsencode(file).decode("utf-8", "backslashreplace")


def _save(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    os.replace(temporary, path)  # atomic: a crash leaves the old or the new file


class Checkpoint:
    """File path -> the version ("size:mtime_ns") being published and how many of its items
    Kafka has acknowledged, or the version fully published; rewritten atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, Any] = _load(path)

    @staticmethod
    def version(file: Path) -> str:
        """Size and mtime of the file itself (a symbolic link's own, never its target's)."""
        stat = file.lstat()
        return f"{stat.st_size}:{stat.st_mtime_ns}"

    def is_new(self, file: Path) -> bool:
        return self.is_new_version(file, self.version(file))

    def is_new_version(self, file: Path, version: str) -> bool:
        return self.done.get(_key(file)) != version

    def published(self, file: Path, version: str) -> int:
        """Items of this version already acknowledged (a restart resumes after them)."""
        partial = self.done.get(_key(file))
        if isinstance(partial, list) and len(partial) == 2 and partial[0] == version:
            return int(partial[1])
        return 0

    def progress(self, file: Path, version: str, published: int) -> None:
        self.done[_key(file)] = [version, published]
        _save(self.path, self.done)

    def mark(self, file: Path, version: str) -> None:
        self.done[_key(file)] = version
        _save(self.path, self.done)


@dataclass(frozen=True)
class FeedState:
    etag: str | None = None
    modified: str | None = None  # the Last-Modified header, sent back as If-Modified-Since
    seen: frozenset[str] = frozenset()  # keys of the entries already published


class FeedCheckpoint:
    """Feed URL -> validators of the last complete fetch and the entries published from it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.feeds: dict[str, Any] = _load(path)

    def get(self, url: str) -> FeedState:
        entry = self.feeds.get(url) or {}
        return FeedState(entry.get("etag"), entry.get("modified"), frozenset(entry.get("seen", [])))

    def record(self, url: str, etag: str | None, modified: str | None, seen: Iterable[str]) -> None:
        self.feeds[url] = {"etag": etag, "modified": modified, "seen": sorted(seen)}
        _save(self.path, self.feeds)
