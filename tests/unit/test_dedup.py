from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from eval.dedup.benchmark import Generator, score
from schemas.articles import DuplicateNotice, RawArticle, UniqueArticle
from services.common.settings import Settings
from services.common.text import fingerprint
from services.dedup.index import compact
from services.dedup.logic import StoryTooLong, deduplicate, drop_repeated_sentences, remember
from services.dedup.memory import DedupParams, Entry, Memory
from services.dedup.repeats import RepeatRule, Work
from services.dedup.shingles import numbers, opening, overlap, shingles
from services.feeder.reader import read_paths
from tests.conftest import SEEDS

PARAMS = DedupParams.from_settings(Settings())
LEAD = (
    "Islamic State group militants attacked an army checkpoint near the eastern Syrian town "
    "of Mayadeen on Friday, killing 12 soldiers and wounding 9, a war monitor said."
)
LEAD_TIME = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def WALL_CLOCK_AFTER_EVERY_STORY() -> float:
    return datetime(2100, 1, 1, tzinfo=UTC).timestamp()


def _raws() -> list[RawArticle]:
    return [i for i in read_paths([SEEDS]) if isinstance(i, RawArticle)]


def _copy(raw: RawArticle, article_id: str, paragraphs: list[str], **changes: Any) -> RawArticle:
    article = raw.article.model_copy(update={"article_id": article_id, "paragraphs": paragraphs, **changes})
    return RawArticle(fingerprint=fingerprint(paragraphs), article=article)


def _feed(memory: Memory, *raws: RawArticle) -> list[UniqueArticle | DuplicateNotice]:
    results = []
    for raw in raws:
        result = deduplicate(raw, memory)
        remember(result, memory)
        results.append(result)
    return results


def _memory(**changes: Any) -> Memory:
    return Memory({}, DedupParams(**{**PARAMS.__dict__, **changes}))


def test_distinct_seed_stories_both_survive() -> None:
    memory = _memory()
    assert all(isinstance(r, UniqueArticle) for r in _feed(memory, *_raws()))
    assert len(memory) == 2


def test_the_same_text_again_is_a_duplicate_of_the_first_copy() -> None:
    first = _raws()[0]
    syndicated = _copy(first, "other-outlet-copy", first.article.paragraphs, outlet="Other Outlet")
    _, notice = _feed(_memory(), first, syndicated)
    assert isinstance(notice, DuplicateNotice)
    assert (notice.original_id, notice.article_id, notice.outlet, notice.source) == (
        first.article.article_id,
        "other-outlet-copy",
        "Other Outlet",
        first.article.source,
    )
    assert notice.similarity == 1.0


def test_deciding_does_not_remember() -> None:
    memory = _memory()
    first = _raws()[0]
    assert isinstance(deduplicate(first, memory), UniqueArticle)
    assert isinstance(deduplicate(first, memory), UniqueArticle), "nothing was published yet"
    remember(deduplicate(first, memory), memory)
    copy = _copy(first, "copy", first.article.paragraphs)
    assert isinstance(deduplicate(copy, memory), DuplicateNotice)


@pytest.mark.parametrize("trimmed_first", [False, True])
def test_a_copy_cut_to_its_first_60_percent_is_a_duplicate_either_way(trimmed_first: bool) -> None:
    full = _raws()[0]
    paragraphs = full.article.paragraphs
    trimmed = _copy(full, "trimmed", paragraphs[: round(len(paragraphs) * 0.6)], outlet="Yahoo News")
    first, second = (trimmed, full) if trimmed_first else (full, trimmed)
    unique, notice = _feed(_memory(), first, second)
    assert isinstance(unique, UniqueArticle) and isinstance(notice, DuplicateNotice)
    assert notice.original_id == first.article.article_id
    assert notice.similarity == 1.0, "the shorter text is wholly contained in the longer"


def test_a_copy_with_two_added_paragraphs_and_a_new_intro_is_a_duplicate() -> None:
    full = _raws()[0]
    paragraphs = full.article.paragraphs
    added = [
        "Beirut — Islamic State militants drove back Syrian troops near Raqqa on Friday, a monitor said.",
        *paragraphs[1:3],
        "The Syrian war has killed hundreds of thousands of people since it began in 2011.",
        *paragraphs[3:],
        "Our correspondent in Damascus contributed reporting.",
    ]
    _, notice = _feed(_memory(), full, _copy(full, "added", added))
    assert isinstance(notice, DuplicateNotice)
    assert notice.original_id == full.article.article_id


def test_two_incidents_of_one_family_in_one_wire_style_both_survive() -> None:
    stories = Generator(seed=7)._family_stories(per_family=4)
    same_family = [s for s in stories if s.key.startswith("is-deir-ez-zor/")]
    first, second = same_family[:2]
    base = _raws()[0]
    a = _copy(base, "incident-a", first.paragraphs, published=first.published)
    b = _copy(base, "incident-b", second.paragraphs, published=second.published)
    assert overlap(shingles(first.paragraphs, 3), shingles(second.paragraphs, 3)).containment > 0.1
    assert all(isinstance(r, UniqueArticle) for r in _feed(_memory(), a, b))


@pytest.mark.parametrize("updates_are_duplicates", [False, True])
def test_a_death_toll_update_is_its_own_story_unless_configured(updates_are_duplicates: bool) -> None:
    base = _raws()[0]
    story = [LEAD, *base.article.paragraphs[1:]]
    update = [LEAD.replace("killing 12", "killing 40").replace("wounding 9", "wounding 31"), *story[1:]]
    first, second = _feed(
        _memory(updates_are_duplicates=updates_are_duplicates),
        _copy(base, "first", story),
        _copy(base, "update", update),
    )
    assert isinstance(first, UniqueArticle)
    if updates_are_duplicates:
        assert isinstance(second, DuplicateNotice) and second.original_id == "first"
    else:
        assert isinstance(second, UniqueArticle) and second.update_of == "first"


def test_a_restarted_memory_rebuilds_its_index_from_the_store() -> None:
    store: dict[str, str] = {}
    full = _raws()[0]
    _feed(Memory(store, PARAMS), full)
    trimmed = _copy(full, "trimmed", full.article.paragraphs[:4])
    [notice] = _feed(Memory(store, PARAMS), trimmed)
    assert isinstance(notice, DuplicateNotice) and notice.original_id == full.article.article_id


def test_stories_are_forgotten_after_the_window_and_copies_must_be_published_within_it() -> None:
    store: dict[str, str] = {}
    memory = Memory(store, PARAMS, clock=WALL_CLOCK_AFTER_EVERY_STORY)
    old, other = _raws()
    _feed(memory, old)
    late = PARAMS.window + timedelta(hours=1)
    copy = _copy(old, "much-later", old.article.paragraphs[:4], published=old.article.published + late)
    assert isinstance(deduplicate(copy, memory), UniqueArticle)
    _feed(memory, _copy(other, "next-week", other.article.paragraphs, ingested=other.article.ingested + late))
    assert old.article.article_id not in store
    assert memory.exact(old.fingerprint) is None


def test_entries_survive_the_changelog_as_str_or_bytes() -> None:
    found = shingles([LEAD], 3)
    signature = compact(found.astype(np.uint64))
    start = opening([LEAD], 3, 10, 135)
    entry = Entry("id", "fp", LEAD_TIME, LEAD_TIME, found, start, numbers(LEAD), len(found), signature)
    for value in (entry.dumps(), entry.dumps().encode()):
        back = Entry.loads(value)
        assert (back.article_id, back.published, back.numbers) == ("id", LEAD_TIME, frozenset({"12", "9"}))
        assert (back.shingles == entry.shingles).all() and (back.signature == entry.signature).all()
        assert (back.opening == entry.opening).all() and len(entry.opening) > 20
        assert (back.size, back.bound) == (entry.size, entry.bound)


def test_benchmark_precision_and_recall_reach_the_target() -> None:
    result = score(Generator(seed=11).stream(incidents_per_family=5, copies_per_story=3), PARAMS)
    assert result.true_positives > 90
    assert result.precision >= 0.97 and result.recall >= 0.97, result.misses


def test_repeated_sentence_in_the_first_seed_is_kept_once(gold: dict[str, Any]) -> None:
    repeated = gold["articles"]["000_6dc556faee6a3711.txt"]["repeated_paragraph"]
    unique = deduplicate(_raws()[0], _memory())
    assert isinstance(unique, UniqueArticle)
    assert sum(repeated in p for p in unique.article.paragraphs) == 1
    assert unique.removed_sentences == 1
    # The new sentence before the repeat in the same paragraph is kept.
    assert any(p.startswith("The Daesh attack Friday set") for p in unique.article.paragraphs)


def test_short_sentences_may_recur_and_empty_paragraphs_go() -> None:
    assert drop_repeated_sentences(["He said so.", "He said so."]) == ["He said so.", "He said so."]
    long = "Fighters attacked the northern town of Kafr Nabl early on Monday."
    assert drop_repeated_sentences([long, long.replace("Monday", "Monday,")]) == [long]


def test_a_story_delivered_again_after_it_was_remembered_is_a_notice_naming_itself() -> None:
    memory = _memory()
    first = _raws()[0]
    _feed(memory, first)
    again = deduplicate(first, memory)
    assert isinstance(again, DuplicateNotice)
    assert again.article_id == again.original_id == first.article.article_id
    remember(again, memory)
    assert len(memory) == 1


def _near_repeats(count: int) -> list[str]:
    """`count` sentences that each differ from one base sentence by one word: the input on
    which pairwise comparison is quadratic and every sentence shares keys with all others."""
    base = ["the", "convoy", "crossed", "the", "river", "bridge", "at", "dawn", "under", "heavy", "escort"]
    sentences = []
    for n in range(count):
        words = list(base)
        words[n % len(base)] = f"variant{n}"
        sentences.append(" ".join(words).capitalize() + ".")
    return [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]


def test_repeated_sentence_removal_does_linear_work_on_hostile_input() -> None:
    rule = RepeatRule()
    works = []
    for count in (500, 2000):
        work = Work()
        drop_repeated_sentences(_near_repeats(count), rule, work)
        assert work.sentences == count
        assert work.comparisons <= rule.max_verified * work.sentences
        assert work.keys <= work.words + work.sentences  # one key per word, one per sentence
        works.append(work.comparisons + work.keys)
    assert works[1] <= 4.5 * works[0], works  # four times the input, about four times the work


def test_one_word_edits_of_a_sentence_are_repeats_and_two_word_edits_are_not() -> None:
    first = "Rebel fighters shelled the northern market town of Kessel early on Sunday."
    swapped = first.replace("Sunday", "Saturday")
    dropped = first.replace(" early", "")
    two = first.replace("Rebel", "Army").replace("northern", "southern")
    assert drop_repeated_sentences([first, swapped, dropped]) == [first]
    assert drop_repeated_sentences([first, two]) == [first, two]


def test_a_story_over_the_size_limit_is_refused_before_any_work() -> None:
    memory = _memory(max_story_chars=1000)
    base = _raws()[0]
    long = _copy(base, "long", ["A sentence of filler text for the limit. " * 30])
    with pytest.raises(StoryTooLong, match="over the limit of 1000"):
        deduplicate(long, memory)
    assert memory.exact(long.fingerprint) is None and len(memory) == 0


def test_each_story_verifies_at_most_max_candidates_whatever_memory_holds() -> None:
    memory = _memory(max_candidates=3, window=timedelta(days=3650))
    base = _raws()[0]
    for n in range(12):  # twelve look-alikes: the same story with another last paragraph
        paragraphs = [*base.article.paragraphs, f"Desk note number {n} about this story."]
        memory.add(f"look-alike-{n}", f"fp-{n}", LEAD_TIME, LEAD_TIME, paragraphs)
    features = memory.features("new", base.article.paragraphs)
    assert len(memory.candidates(features, LEAD_TIME)) == 3


def test_a_very_long_story_is_remembered_as_a_bounded_sample_that_still_finds_its_copies() -> None:
    store: dict[str, str] = {}
    memory = Memory(store, replace(PARAMS, max_stored_shingles=200), clock=WALL_CLOCK_AFTER_EVERY_STORY)
    base = _raws()[0]
    long_body = [f"{p} Paragraph {n} of the long file." for n in range(6) for p in base.article.paragraphs]
    _feed(memory, _copy(base, "long", long_body))
    entry = Entry.loads(store["long"])
    assert len(entry.shingles) == 200 and entry.size > 400 and entry.bound < 2**32
    [notice] = _feed(memory, _copy(base, "cut", long_body[: len(long_body) // 2]))
    assert isinstance(notice, DuplicateNotice) and notice.original_id == "long"


def test_forgetting_is_bounded_per_message_and_catches_up() -> None:
    store: dict[str, str] = {}
    memory = Memory(store, replace(PARAMS, expire_step=2), clock=WALL_CLOCK_AFTER_EVERY_STORY)
    base = _raws()[0]
    for n in range(5):
        memory.add(f"old-{n}", f"fp-{n}", LEAD_TIME, LEAD_TIME, [f"Old desk note {n}."])
    late = LEAD_TIME + PARAMS.window + timedelta(hours=1)
    memory.add("late-1", "fp-late-1", late, late, base.article.paragraphs)
    assert len([k for k in store if k.startswith("old-")]) == 3, "two forgotten per message"
    memory.add("late-2", "fp-late-2", late, late, base.article.paragraphs[:3])
    memory.add("late-3", "fp-late-3", late, late, base.article.paragraphs[:2])
    assert not [k for k in store if k.startswith("old-")]
    assert memory.exact("fp-0") is None and memory.exact("fp-late-1") == "late-1"


def test_a_restart_forgets_what_expired_while_it_was_down_in_steps() -> None:
    store: dict[str, str] = {}
    wide = Memory(store, replace(PARAMS, window=timedelta(days=3650)), clock=WALL_CLOCK_AFTER_EVERY_STORY)
    base = _raws()[0]
    for n in range(7):
        wide.add(f"old-{n}", f"fp-{n}", LEAD_TIME, LEAD_TIME, [f"Old desk note {n}."])
    late = LEAD_TIME + PARAMS.window + timedelta(hours=1)
    wide.add("late", "fp-late", late, late, base.article.paragraphs)
    restarted = Memory(store, replace(PARAMS, expire_step=2), clock=WALL_CLOCK_AFTER_EVERY_STORY)
    assert set(store) == {"late"} and len(restarted) == 1
