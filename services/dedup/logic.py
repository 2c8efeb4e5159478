"""Exact deduplication on body fingerprints, and removal of repeated paragraphs.

`seen` is any mutable mapping from fingerprint to the first article id: a dict in
offline mode, a changelog-backed Faust table in the stream, so state survives restarts.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime

from schemas.articles import DuplicateNotice, RawArticle, UniqueArticle
from services.common.text import jaccard, split_sentences, tokens

REPEAT_THRESHOLD = 0.8  # token Jaccard above which a sentence repeats an earlier one
REPEAT_MIN_WORDS = 6  # shorter sentences ("He said so.") may honestly recur


def drop_repeated_sentences(paragraphs: list[str]) -> list[str]:
    """Keep the first of sentences that say the same thing with small wording changes.

    Wire copy repeats a background sentence inside a later paragraph; dropping whole
    paragraphs would lose the new sentences around it. A paragraph left empty goes.
    """
    kept_paragraphs: list[str] = []
    seen_sentences: list[set[str]] = []
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        kept: list[str] = []
        for sentence in sentences:
            words = tokens(sentence)
            if len(words) >= REPEAT_MIN_WORDS and any(
                jaccard(words, earlier) >= REPEAT_THRESHOLD for earlier in seen_sentences
            ):
                continue
            kept.append(sentence)
            seen_sentences.append(words)
        if len(kept) == len(sentences):
            kept_paragraphs.append(paragraph)
        elif kept:
            kept_paragraphs.append(" ".join(kept))
    return kept_paragraphs


def deduplicate(raw: RawArticle, seen: Mapping[str, str]) -> UniqueArticle | DuplicateNotice:
    """Decide; does not remember. Call `remember` once the result is safely published,
    so a crash in between re-processes the copy instead of losing it."""
    article = raw.article
    original_id = seen.get(raw.fingerprint)
    if original_id is not None:
        return DuplicateNotice(
            article_id=article.article_id,
            original_id=original_id,
            similarity=1.0,
            source=article.source,
            agency=article.agency,
            outlet=article.outlet,
            url=article.url,
            detected_at=datetime.now(UTC),
        )
    paragraphs = drop_repeated_sentences(article.paragraphs)
    return UniqueArticle(
        fingerprint=raw.fingerprint,
        article=article.model_copy(update={"paragraphs": paragraphs}),
        removed_sentences=_sentence_count(article.paragraphs) - _sentence_count(paragraphs),
    )


def remember(result: UniqueArticle | DuplicateNotice, seen: MutableMapping[str, str]) -> None:
    if isinstance(result, UniqueArticle):
        seen[result.fingerprint] = result.article.article_id


def _sentence_count(paragraphs: list[str]) -> int:
    return sum(len(split_sentences(p)) for p in paragraphs)
