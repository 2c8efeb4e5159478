"""What one input may cost the feeder: sizes, nesting and number lengths, from settings.

A story that breaks a limit is that story's dead letter, with the limit named in the
reason; it never reaches Kafka (whose message limit the story limit stays under), dedup
or spaCy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from schemas.articles import RawArticle
from services.common.codec import encode
from services.common.kafka import MAX_MESSAGE_BYTES
from services.common.settings import Settings, get_settings
from services.feeder.errors import FeederError

# Key, headers and record framing on top of the value; generous, so the broker never refuses.
RECORD_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_story_chars: int
    max_depth: int
    max_int_digits: int
    max_message_bytes: int = MAX_MESSAGE_BYTES - RECORD_OVERHEAD_BYTES

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_file_bytes=settings.feeder_max_file_bytes,
            max_story_chars=settings.story_max_chars,
            max_depth=settings.feeder_max_depth,
            max_int_digits=settings.feeder_max_int_digits,
        )


def current() -> Limits:
    return Limits.from_settings(get_settings())


def check_story(raw: RawArticle, limits: Limits) -> None:
    """Raise when the story is longer than every stage accepts or its message too big for Kafka."""
    article = raw.article
    chars = sum(map(len, article.paragraphs)) + sum(map(len, article.captions))
    if chars > limits.max_story_chars:
        raise FeederError(
            article.source, f"story of {chars} characters is over the limit of {limits.max_story_chars}"
        )
    size = len(encode(raw))
    if size > limits.max_message_bytes:
        raise FeederError(
            article.source, f"message of {size} bytes is over Kafka's limit of {limits.max_message_bytes}"
        )


def bounded_int(limits: Limits, source: str) -> Any:
    """A `parse_int` for `json.loads` that refuses integers longer than the limit."""

    def parse(digits: str) -> int:
        if len(digits.lstrip("-")) > limits.max_int_digits:
            raise FeederError(source, f"JSON integer of {len(digits)} digits (limit {limits.max_int_digits})")
        return int(digits)

    return parse


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, list | Element):
        yield from value


def check_depth(root: Any, limits: Limits, source: str) -> None:
    """Raise when JSON values or XML elements nest deeper than the limit (iteratively: a deep
    tree must not overflow the stack of the check itself)."""
    stack = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limits.max_depth:
            raise FeederError(source, f"nested deeper than {limits.max_depth} levels")
        stack.extend((child, depth + 1) for child in _children(value))
