"""Each story once: exact fingerprints first, then near copies, and no repeated sentences.

A near copy is a remembered story that MinHash LSH proposes and that, on the exact word
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
unique copy is published.
"""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.articles import Article, DuplicateNotice, RawArticle, UniqueArticle
from services.common.text import jaccard, split_sentences, tokens
from services.dedup.memory import DedupParams, Entry, Features, Memory, lead
from services.dedup.shingles import Overlap, lead_kept, numbers, overlap

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


def deduplicate(raw: RawArticle, memory: Memory) -> UniqueArticle | DuplicateNotice:
    """Decide; does not remember. Call `remember` once the result is safely published,
    so a crash in between re-processes the copy instead of losing it."""
    article = raw.article
    original_id = memory.exact(raw.fingerprint)
    if original_id is not None:
        # Includes the same story delivered again (original_id == its own id): it was
        # remembered only after its unique copy was on Kafka, so a notice naming itself
        # loses nothing and spares entities and events a backlog fed twice. The indexer
        # does not count such a notice as syndication.
        return _notice(article, original_id, 1.0)
    paragraphs = drop_repeated_sentences(article.paragraphs)
    matches = _verified_matches(memory, article.article_id, paragraphs, article.published)
    lead_numbers = numbers(_lead(paragraphs, memory.params.lead_min_words))
    # A match that states the same figures is a copy; one whose figures the lead
    # contradicts is an earlier version of the story (or a look-alike incident).
    # Look-alike incidents share stock paragraphs too, so an update must share more.
    same = [(found, entry) for found, entry in matches if lead_numbers <= entry.numbers]
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


def remember(result: UniqueArticle | DuplicateNotice, memory: Memory) -> None:
    if isinstance(result, UniqueArticle):
        article = result.article
        memory.add(
            article.article_id, result.fingerprint, article.published, article.ingested, article.paragraphs
        )


def _verified_matches(
    memory: Memory, article_id: str, paragraphs: list[str], published: datetime
) -> list[tuple[Overlap, Entry]]:
    """Candidates sharing at least `threshold` of the shorter text, closest first."""
    features = memory.features(article_id, paragraphs)
    matches = []
    for entry in memory.candidates(features, published):
        # A story redelivered after a restart is not a copy of itself: it goes out again
        # as the same unique article, which every consumer writes idempotently by id.
        if entry.article_id == article_id:
            continue
        found = overlap(features.shingles, entry.shingles)
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
    if len(features.shingles) <= len(entry.shingles):
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
