"""Sentences of an article with their offsets in `Article.body`, so entities can be matched to them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from services.common.text import split_sentences


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in Article.body; the headline, which is not in the body, has start == end == -1
    end: int

    @property
    def in_body(self) -> bool:
        return self.start >= 0


def headline_sentence(headline: str | None) -> Sentence | None:
    """The headline as a sentence of its own: it often carries the toll, but no entity offsets."""
    text = (headline or "").strip()
    return Sentence(text, -1, -1) if text else None


def sentences_of(paragraphs: list[str]) -> Iterator[Sentence]:
    offset = 0
    for paragraph in paragraphs:
        cursor = 0
        for text in split_sentences(paragraph):
            at = paragraph.find(text, cursor)
            cursor = at + len(text)
            yield Sentence(text, offset + at, offset + cursor)
        offset += len(paragraph) + 2  # Article.body joins paragraphs with a blank line


def with_attribution(sentences: list[Sentence], index: int) -> str:
    """A quote's speaker often follows it: '"There were 35 ... killed. ...," said X.'"""
    text = sentences[index].text
    if text.startswith(('"', "“")) and index + 1 < len(sentences):
        return f"{text} {sentences[index + 1].text}"
    return text
