"""The feeder's own error type: every parser failure is one of these."""

from __future__ import annotations

import os
import re

from services.common.text import clip

# C0/C1 controls and lone surrogates: a newline in a file name would forge a log line, a
# surrogate (an undecodable byte of a file name) cannot be serialised to JSON at all.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
MAX_REASON_CHARS = 1000


def printable(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """`text` safe for a log line and a JSON field: escapes controls and undecodable bytes, bounded."""
    escaped = _UNPRINTABLE.sub(
        lambda m: m.group().encode("unicode_escape", "backslashreplace").decode(), text
    )
    return clip(escaped, limit)


def path_name(path: os.PathLike[str] | str) -> str:
    """A file path as text: bytes that are not UTF-8 are shown escaped (`\\udcff`), never lost."""
    return printable(os.fspath(path), limit=4096)


def as_feeder_error(source: str, error: Exception) -> FeederError:
    """Any failure on one input as that input's FeederError (a library's recursion limit, a
    bug): the input is dead-lettered with the exception named, and the feeder goes on."""
    if isinstance(error, FeederError):
        return error
    return FeederError(source, f"{type(error).__name__}: {error}")


class FeederError(ValueError):
    """Input the feeder cannot turn into an article; `source` names the file or URL."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = printable(source, limit=4096)
        self.reason = printable(reason)
        super().__init__(f"{self.source}: {self.reason}")
