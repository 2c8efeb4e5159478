"""Copies and quotes: the classes dedup must tell apart, on texts written for these tests.

A story is a copy when most of both texts' own prose is shared, or when the shorter is a
cut of the longer that kept its lead. A statement or press release that a longer story
quotes or reprints, and two stories quoting one statement at length, are not copies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.articles import Article, DuplicateNotice, RawArticle, UniqueArticle
from services.common.settings import Settings
from services.common.text import fingerprint
from services.dedup.logic import deduplicate, remember
from services.dedup.memory import DedupParams, Memory
from services.dedup.shingles import numbers, substance

PARAMS = DedupParams.from_settings(Settings())
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

# A wire story about an invented flood, paragraph by paragraph.
STORY = [
    "Floodwater from the swollen Tessel river swept through the lower town of Marrowford on "
    "Tuesday night, forcing about 400 residents from their homes and cutting the only road "
    "bridge to the northern villages, county officials said on Wednesday.",
    "Rescue crews in inflatable boats worked through the night to reach families stranded on "
    "upper floors along the riverside streets, where the water stood at chest height by dawn.",
    "No deaths were reported, but two volunteers were treated in hospital for hypothermia after "
    "their boat overturned near the old grain mill, a spokeswoman for the county said.",
    "The river rose more than three metres in under six hours after a week of heavy rain in the "
    "hills above the valley, according to readings from the gauge at the railway viaduct.",
    "Shopkeepers on the market square piled sandbags against their doors on Tuesday afternoon, "
    "but many said the water came in through drains and cellars long before it reached the street.",
    "The county opened two emergency shelters, one in the secondary school gymnasium and one in a "
    "church hall on the hill road, and asked people with spare rooms to register with the council.",
    "Engineers will inspect the damaged bridge once the water drops, and a temporary ferry service "
    "for the northern villages is expected to start by the weekend, the roads department said.",
    "Farmers downstream said they had moved cattle and machinery to higher ground, though several "
    "hundred hectares of winter wheat were already under water on Wednesday morning.",
    "Residents have complained for years that the flood wall along the lower town was never "
    "finished after funding for its second phase was withdrawn in a round of county budget cuts.",
    "Forecasters expect the rain to ease on Thursday, but warned that the river would stay high "
    "for several days as water drains from the saturated hills upstream.",
]

# A utility's statement, as it issued it.
RELEASE = [
    "The Northvale Water Authority today confirmed that its treatment works at Kellby Cross "
    "remains fully operational and that drinking water across the district is safe to use.",
    "Crews have been deployed to monitor pumping stations along the valley floor, and a reserve "
    "supply has been prepared for any neighbourhood where pressure falls during the clean-up.",
    "Customers who notice discoloured water are asked to run a cold tap for a few minutes and to "
    "report any lasting problem through the authority's customer line, which is staffed day and night.",
    "The authority thanks residents for their patience and will publish further updates on its "
    "website as the situation develops over the coming days.",
]


def _raw(article_id: str, paragraphs: list[str], minutes: int = 0, **changes: Any) -> RawArticle:
    article = Article(
        article_id=article_id,
        source=f"test/{article_id}",
        paragraphs=paragraphs,
        published=T0 + timedelta(minutes=minutes),
        published_from="metadata",
        ingested=T0 + timedelta(minutes=minutes),
        **changes,
    )
    return RawArticle(fingerprint=fingerprint(paragraphs), article=article)


def _decide(*raws: RawArticle) -> list[UniqueArticle | DuplicateNotice]:
    memory = Memory({}, PARAMS)
    results = []
    for raw in raws:
        result = deduplicate(raw, memory)
        remember(result, memory)
        results.append(result)
    return results


def _both_orders(a: RawArticle, b: RawArticle) -> list[list[UniqueArticle | DuplicateNotice]]:
    return [_decide(a, b), _decide(b, a)]


def test_a_press_release_reprinted_at_the_end_of_a_longer_story_is_not_a_copy() -> None:
    release = _raw("release", RELEASE)
    story = _raw("story", [*STORY, "In a statement issued on Wednesday, the water authority said:", *RELEASE])
    for first, second in _both_orders(release, story):
        assert isinstance(first, UniqueArticle) and isinstance(second, UniqueArticle), second


def test_a_statement_quoted_inside_a_longer_story_is_not_a_copy() -> None:
    statement = _raw("statement", RELEASE)
    quoted = [f'"{p}"' for p in RELEASE]
    story = _raw("story", [*STORY[:4], *quoted[:2], *STORY[4:8], *quoted[2:]])
    for _, second in _both_orders(statement, story):
        assert isinstance(second, UniqueArticle), second


def test_two_stories_quoting_one_statement_at_length_are_not_copies() -> None:
    quoted = [f'"{p}"' for p in RELEASE]
    blog = [
        "Readers in the valley have been asking all week whether the tap water is safe after the "
        "flood, and the utility has finally answered in a long note to customers.",
        *quoted,
        "We will keep an eye on the pumping stations ourselves and report back if anything changes.",
    ]
    report = [STORY[0], STORY[1], "The water authority moved to reassure customers.", *quoted, *STORY[6:]]
    for _, second in _both_orders(_raw("blog", blog), _raw("report", report)):
        assert isinstance(second, UniqueArticle), second


@pytest.mark.parametrize("trimmed_first", [False, True])
def test_a_trimmed_syndicated_copy_that_kept_its_lead_is_a_copy(trimmed_first: bool) -> None:
    full = _raw("full", STORY)
    trimmed = _raw("trimmed", [*STORY[:4], "Reporting by our valley correspondent."], outlet="Valley Post")
    first, second = (trimmed, full) if trimmed_first else (full, trimmed)
    unique, notice = _decide(first, second)
    assert isinstance(unique, UniqueArticle) and isinstance(notice, DuplicateNotice)
    assert notice.original_id == first.article.article_id


def test_a_trim_of_the_story_with_a_rewritten_intro_elsewhere_is_still_a_copy() -> None:
    rewritten = [
        "About 400 people fled their homes in Marrowford overnight as the Tessel burst its banks "
        "and swamped the lower town, taking out the bridge to the villages further north.",
        *STORY[1:],
    ]
    results = _decide(_raw("rewritten", rewritten), _raw("trimmed", STORY[:5]))
    assert isinstance(results[1], DuplicateNotice) and results[1].original_id == "rewritten"


def test_an_edited_copy_sharing_most_of_both_texts_is_a_copy_even_with_a_new_lead() -> None:
    edited = [
        "About 400 people were evacuated from Marrowford's lower town after the Tessel river "
        "flooded late on Tuesday, and the road bridge to the northern villages was cut, the county said.",
        *STORY[1:5],
        "Local radio reported long queues at the shelters late into the night.",
        *STORY[5:9],
    ]
    _, notice = _decide(_raw("wire", STORY), _raw("edited", edited))
    assert isinstance(notice, DuplicateNotice) and notice.original_id == "wire"


def test_two_different_stories_sharing_one_background_paragraph_are_not_copies() -> None:
    other = [
        "A second storm front is expected to reach the Tessel valley on Friday, bringing up to "
        "40 millimetres of rain to hills that are already saturated, the national weather office said.",
        "The office issued an amber warning for the whole county and advised drivers to avoid the "
        "valley road, which remained closed at two points on Thursday because of landslips.",
        STORY[8],
        "Schools in the upper valley will stay closed until Monday, the education department said.",
    ]
    results = _decide(_raw("flood", STORY), _raw("forecast", other))
    assert all(isinstance(r, UniqueArticle) for r in results)


def test_a_timestamp_in_the_lead_does_not_make_a_copy_an_update() -> None:
    stamped = [
        f"Updated 5/5/2026 6:04 PM - Wednesday, May 5, 2026 at 18:04 - {STORY[0]}",
        *STORY[1:],
    ]
    _, second = _decide(_raw("wire", STORY), _raw("stamped", stamped, minutes=30))
    assert isinstance(second, DuplicateNotice) and second.original_id == "wire"


def test_a_new_figure_in_the_lead_is_still_an_update() -> None:
    update = [STORY[0].replace("about 400", "more than 1,200"), *STORY[1:]]
    _, second = _decide(_raw("wire", STORY), _raw("update", update, minutes=30))
    assert isinstance(second, UniqueArticle) and second.update_of == "wire"


def test_dates_and_clock_times_are_not_figures() -> None:
    text = "Updated 4/9/2026 6:04 PM. On July 8, 2026 at 5: 59 pm, 12 people were hurt and 3 died."
    assert numbers(text) == frozenset({"12", "3"})
    assert numbers("Posted 2nd August 2026 at 11am: nine killed") == frozenset({"nine"})


def test_substance_leaves_out_quotes_unless_a_story_is_mostly_quotes() -> None:
    prose = substance(['The mayor said: "We will rebuild the bridge." Crews began work on Friday.'])
    assert "rebuild" not in " ".join(prose) and "Crews began work" in " ".join(prose)
    # An opening mark that is never closed quotes the rest of its paragraph only.
    assert (
        substance(['He said: "It was dark', "Then the lights came back."])[1] == "Then the lights came back."
    )
    interview = ['"We saw the water rise in minutes," she said.', '"Then we ran to the hill."']
    assert substance(interview) == interview


def _at(raw: RawArticle, article_id: str, ingested: datetime) -> RawArticle:
    """A message as it may arrive straight on dedup's topic: no validation of its times."""
    paragraphs = [f"{article_id} desk note.", *raw.article.paragraphs[1:]]
    article = raw.article.model_copy(update={"article_id": article_id, "ingested": ingested})
    article = article.model_copy(update={"paragraphs": paragraphs})
    return RawArticle(fingerprint=fingerprint(paragraphs), article=article)


@pytest.mark.parametrize("year", [9999, 1])
def test_one_message_from_a_far_year_cannot_empty_the_memory_or_raise(year: int) -> None:
    wall = (T0 + timedelta(hours=1)).timestamp()
    store: dict[str, str] = {}
    memory = Memory(store, PARAMS, clock=lambda: wall)
    story = _raw("wire", STORY)
    remember(deduplicate(story, memory), memory)
    odd = _at(_raw("other", RELEASE), "odd", datetime(year, 6, 1, tzinfo=UTC))
    remember(deduplicate(odd, memory), memory)
    assert "wire" in store, "the story was forgotten because of one message's time"
    copy = _raw("copy", STORY[:5], minutes=10)
    assert isinstance(deduplicate(copy, memory), DuplicateNotice)
    # After a restart, the same: the bound is applied when the store is re-indexed too.
    restarted = Memory(store, PARAMS, clock=lambda: wall)
    assert isinstance(deduplicate(copy, restarted), DuplicateNotice)


def test_the_clock_still_moves_with_real_time() -> None:
    """Within the wall clock's bound, the newest ingestion time drives forgetting."""
    late = T0 + PARAMS.window + timedelta(hours=2)
    store: dict[str, str] = {}
    memory = Memory(store, PARAMS, clock=lambda: late.timestamp())
    remember(deduplicate(_raw("wire", STORY), memory), memory)
    remember(deduplicate(_at(_raw("other", RELEASE), "later", late), memory), memory)
    assert "wire" not in store and memory.exact(fingerprint(STORY)) is None
