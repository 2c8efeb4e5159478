"""Each story once: exact fingerprints first, then near copies, and no repeated sentences.

A near copy is a remembered story that its compact signature proposes and that, on the exact word
shingles of both stories' own prose (quotes left out, `shingles.substance`), is either

- **most of both**: each story shares at least `both_threshold` of its shingles with the
  other (an edited syndicated copy: rewritten intro, trims, added lines), or
- **a cut**: the shorter shares at least `threshold` of its shingles with the longer *and*
  kept its lead, i.e. the first words of its lead are in the longer story's opening
  (a copy cut to its first paragraphs, whichever arrives first).

A press release or statement that a longer story quotes, or a passage it reprints further
down, is in neither class: the longer story's substance is mostly its own, and the
shorter one's lead is not the longer one's lead.

Every decision is made against a `Memory`, and a story is remembered only once its
unique copy is published. The work per story is linear in its length (`prepare`: repeated
sentences by hashing, shingles, signature) plus a bounded amount per decision (`decide`:
one signature scan, at most `max_candidates` verified), and a story over
`max_story_chars` is refused before any of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from schemas.articles import Article, DuplicateNotice, RawArticle, UniqueArticle
from services.common.text import split_sentences
from services.dedup.memory import DedupParams, Entry, Features, Memory, lead
from services.dedup.repeats import drop_repeated_sentences
from services.dedup.shingles import Overlap, lead_kept, numbers, overlap

__all__ = [
    "Prepared",
    "StoryTooLong",
    "decide",
    "deduplicate",
    "drop_repeated_sentences",
    "prepare",
    "remember",
]


class StoryTooLong(ValueError):
    """A story over the size every stage agrees on: the feeder refuses it, and dedup refuses
    one sent straight to its topic, so spaCy never meets it."""


@dataclass(frozen=True)
class Prepared:
    """Everything about one story that does not depend on memory: the slow, linear part."""

    raw: RawArticle
    paragraphs: list[str]  # without repeated sentences
    features: Features
    lead_numbers: frozenset[str]


def story_chars(article: Article) -> int:
    """Characters of a story as the size limit counts them: paragraphs and captions."""
    return sum(map(len, article.paragraphs)) + sum(map(len, article.captions))


def prepare(raw: RawArticle, memory: Memory) -> Prepared:
    """Linear in the story's length and touches no shared state but the memory's one-story
    cache, so the stream runs it in a thread while the event loop keeps serving Kafka."""
    article = raw.article
    limit = memory.params.max_story_chars
    if (chars := story_chars(article)) > limit:
        raise StoryTooLong(f"story of {chars} characters is over the limit of {limit} (story_max_chars)")
    paragraphs = drop_repeated_sentences(article.paragraphs)
    features = memory.features(article.article_id, paragraphs)
    lead_numbers = numbers(_lead(paragraphs, memory.params.lead_min_words)) if paragraphs else frozenset()
    return Prepared(raw, paragraphs, features, lead_numbers)


def decide(prepared: Prepared, memory: Memory) -> UniqueArticle | DuplicateNotice:
    """Decide; does not remember. Call `remember` once the result is safely published,
    so a crash in between re-processes the copy instead of losing it."""
    raw, paragraphs = prepared.raw, prepared.paragraphs
    article = raw.article
    original_id = memory.exact(raw.fingerprint)
    if original_id is not None:
        # Includes the same story delivered again (original_id == its own id): it was
        # remembered only after its unique copy was on Kafka, so a notice naming itself
        # loses nothing and spares entities and events a backlog fed twice. The indexer
        # does not count such a notice as syndication.
        return _notice(article, original_id, 1.0)
    matches = _verified_matches(memory, article.article_id, prepared.features, article.published)
    # A match that states the same figures is a copy; one whose figures the lead
    # contradicts is an earlier version of the story (or a look-alike incident).
    # Look-alike incidents share stock paragraphs too, so an update must share more.
    same = [(found, entry) for found, entry in matches if prepared.lead_numbers <= entry.numbers]
    updated = [m for m in matches if m[0].containment >= memory.params.update_threshold]
    chosen = same or (updated if memory.params.updates_are_duplicates else [])
    if chosen:
        found, entry = chosen[0]
        return _notice(article, entry.article_id, round(found.containment, 4))
    update_of = updated[0][1].article_id if updated else None
    return UniqueArticle(
        fingerprint=raw.fingerprint,
        article=article.model_copy(update={"paragraphs": paragraphs}),
        removed_sentences=_sentence_count(article.paragraphs) - _sentence_count(paragraphs),
        update_of=update_of,
    )


def deduplicate(raw: RawArticle, memory: Memory) -> UniqueArticle | DuplicateNotice:
    """`prepare` then `decide`, in one call (offline mode, tests, benchmarks)."""
    return decide(prepare(raw, memory), memory)


def remember(result: UniqueArticle | DuplicateNotice, memory: Memory) -> None:
    if isinstance(result, UniqueArticle):
        article = result.article
        memory.add(
            article.article_id, result.fingerprint, article.published, article.ingested, article.paragraphs
        )


def _verified_matches(
    memory: Memory, article_id: str, features: Features, published: datetime
) -> list[tuple[Overlap, Entry]]:
    """Candidates that are copies (`is_copy`), the most contained first."""
    matches = []
    for entry in memory.candidates(features, published):
        # A story redelivered after a restart is not a copy of itself: it goes out again
        # as the same unique article, which every consumer writes idempotently by id.
        if entry.article_id == article_id:
            continue
        found = overlap(features.shingles, entry.shingles, entry.bound)
        if is_copy(found, _lead_kept(features, entry, memory.params), memory.params):
            matches.append((found, entry))
    return sorted(matches, key=lambda match: -match[0].containment)


def is_copy(found: Overlap, kept: float, params: DedupParams) -> bool:
    """Most of both stories shared, or the shorter a cut of the longer with its lead kept."""
    most_of_both = found.covered >= params.both_threshold
    cut = found.containment >= params.threshold and kept >= params.lead_kept
    return most_of_both or cut


def _lead_kept(features: Features, entry: Entry, params: DedupParams) -> float:
    """How much of the shorter story's lead the longer one opens with."""
    if len(features.shingles) <= entry.size:
        return lead_kept(lead(features.opening, params), entry.opening)
    return lead_kept(lead(entry.opening, params), features.opening)


def _lead(paragraphs: list[str], min_words: int) -> str:
    return next((p for p in paragraphs if len(p.split()) >= min_words), paragraphs[0])


def _notice(article: Article, original_id: str, similarity: float) -> DuplicateNotice:
    return DuplicateNotice(
        article_id=article.article_id,
        original_id=original_id,
        similarity=similarity,
        source=article.source,
        agency=article.agency,
        outlet=article.outlet,
        url=article.url,
        detected_at=datetime.now(UTC),
    )


def _sentence_count(paragraphs: list[str]) -> int:
    return sum(len(split_sentences(p)) for p in paragraphs)
