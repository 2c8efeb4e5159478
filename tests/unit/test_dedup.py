from __future__ import annotations

from typing import Any

from schemas.articles import DuplicateNotice, RawArticle, UniqueArticle
from services.dedup.logic import deduplicate, drop_repeated_sentences, remember
from services.feeder.reader import read_paths
from tests.conftest import SEEDS


def _raws() -> list[RawArticle]:
    return [i for i in read_paths([SEEDS]) if isinstance(i, RawArticle)]


def test_distinct_seed_stories_both_survive() -> None:
    seen: dict[str, str] = {}
    for raw in _raws():
        result = deduplicate(raw, seen)
        assert isinstance(result, UniqueArticle)
        remember(result, seen)
    assert len(seen) == 2


def test_the_same_text_again_is_a_duplicate_of_the_first_copy() -> None:
    seen: dict[str, str] = {}
    first = _raws()[0]
    remember(deduplicate(first, seen), seen)
    syndicated = first.model_copy(
        update={
            "article": first.article.model_copy(
                update={"article_id": "other-outlet-copy", "outlet": "Other Outlet"}
            )
        }
    )
    notice = deduplicate(syndicated, seen)
    assert isinstance(notice, DuplicateNotice)
    assert (notice.original_id, notice.article_id, notice.outlet) == (
        first.article.article_id,
        "other-outlet-copy",
        "Other Outlet",
    )
    assert notice.similarity == 1.0


def test_deciding_does_not_remember() -> None:
    seen: dict[str, str] = {}
    first = _raws()[0]
    assert isinstance(deduplicate(first, seen), UniqueArticle)
    assert isinstance(deduplicate(first, seen), UniqueArticle), "nothing was published yet"
    remember(deduplicate(first, seen), seen)
    assert isinstance(deduplicate(first, seen), DuplicateNotice)


def test_repeated_sentence_in_the_first_seed_is_kept_once(gold: dict[str, Any]) -> None:
    repeated = gold["articles"]["000_6dc556faee6a3711.txt"]["repeated_paragraph"]
    seen: dict[str, str] = {}
    unique = deduplicate(_raws()[0], seen)
    assert isinstance(unique, UniqueArticle)
    assert sum(repeated in p for p in unique.article.paragraphs) == 1
    assert unique.removed_sentences == 1
    # The new sentence before the repeat in the same paragraph is kept.
    assert any(p.startswith("The Daesh attack Friday set") for p in unique.article.paragraphs)


def test_short_sentences_may_recur_and_empty_paragraphs_go() -> None:
    assert drop_repeated_sentences(["He said so.", "He said so."]) == ["He said so.", "He said so."]
    long = "Fighters attacked the northern town of Kafr Nabl early on Monday."
    assert drop_repeated_sentences([long, long.replace("Monday", "Monday,")]) == [long]
