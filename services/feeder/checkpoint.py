"""Which files the watcher has published, kept on disk so a restart neither repeats nor skips."""

from __future__ import annotations

import json
import os
from pathlib import Path


class Checkpoint:
    """File path -> "size:mtime_ns" of the version last published; rewritten atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    @staticmethod
    def version(file: Path) -> str:
        stat = file.stat()
        return f"{stat.st_size}:{stat.st_mtime_ns}"

    def is_new(self, file: Path) -> bool:
        return self.done.get(str(file)) != self.version(file)

    def mark(self, file: Path, version: str) -> None:
        self.done[str(file)] = version
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.done), encoding="utf-8")
        os.replace(temporary, self.path)  # atomic: a crash leaves the old or the new file
