"""Labelled dedup benchmark: syndicated variants of wire stories, and hard negatives.

Every base story comes from a family (stories.json): one place, one set of actors, one
wire style. Bases of the same family are different incidents written alike (same town
names, same background paragraph, same phrasing), the hardest negatives dedup meets.
Each base gets copies the way outlets run them (new headline, intro rewritten, cut to
the first 60%, two paragraphs added, sign-off and byline changed, typography changed),
and sometimes an update with new figures. The stream is shuffled, so a trimmed copy can
arrive before the full story. The two seed stories are bases too.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from schemas.articles import Article, RawArticle, UniqueArticle
from services.common.text import fingerprint
from services.dedup.logic import deduplicate, remember
from services.dedup.memory import DedupParams, Memory
from services.feeder.reader import read_paths

STORIES = Path(__file__).with_name("stories.json")
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
EPOCH = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
UPDATE_TAIL = (
    "The toll rose as rescuers recovered more bodies overnight and several of the wounded "
    "died in hospital, officials said."
)
GENERIC_EXTRAS = (
    "The report could not be independently verified.",
    "This is a developing story and will be updated as more information becomes available.",
)


@dataclass
class Story:
    """A base story: body paragraphs without sign-off, and what a rewrite needs."""

    key: str
    agency: str
    published: datetime
    paragraphs: list[str]
    leads: list[str] = field(default_factory=list)  # the same lead, written other ways
    update: list[str] = field(default_factory=list)  # the lead and tail of an update
    extras: tuple[str, ...] = GENERIC_EXTRAS


@dataclass(frozen=True)
class Labelled:
    raw: RawArticle
    story: str  # copies of one story share it
    kind: str  # "base", "update", or the variant's edits, e.g. "intro+trim"


Edit = Callable[[random.Random, Story, list[str]], list[str]]


def _intro(rng: random.Random, story: Story, body: list[str]) -> list[str]:
    others = [lead for lead in story.leads if lead != body[0]]
    return [rng.choice(others), *body[1:]] if others else body


def _trim(rng: random.Random, story: Story, body: list[str]) -> list[str]:
    return body[: math.ceil(len(body) * 0.6)]


def _added(rng: random.Random, story: Story, body: list[str]) -> list[str]:
    body = list(body)
    for extra in story.extras:
        body.insert(rng.randint(1, len(body)), extra)
    return body


def _typography(rng: random.Random, story: Story, body: list[str]) -> list[str]:
    swaps = {'"': "“", "'": "’", " - ": " — ", "per cent": "percent"}
    out = []
    for paragraph in body:
        for old, new in swaps.items():
            paragraph = paragraph.replace(old, new)
        out.append(paragraph)
    return out


EDITS: dict[str, Edit] = {"intro": _intro, "trim": _trim, "added": _added, "typography": _typography}


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.data: dict[str, Any] = json.loads(STORIES.read_text())
        self.clock = EPOCH

    def stream(self, incidents_per_family: int, copies_per_story: int) -> list[Labelled]:
        items: list[Labelled] = []
        for story in [*self._family_stories(incidents_per_family), *self._seed_stories()]:
            items.append(self._article(story, story.paragraphs, story.key, "base"))
            for _ in range(copies_per_story):
                names = self.rng.sample(sorted(EDITS), self.rng.randint(1, 3))
                body = story.paragraphs
                for name in sorted(names, key=list(EDITS).index):
                    body = EDITS[name](self.rng, story, body)
                items.append(self._article(story, body, story.key, "+".join(sorted(names))))
            if story.update and self.rng.random() < 0.5:
                body = [story.update[0], *story.paragraphs[1:], story.update[1]]
                items.append(self._article(story, body, f"{story.key}/update", "update"))
        self.rng.shuffle(items)
        return items

    def _family_stories(self, per_family: int) -> list[Story]:
        stories = []
        for family in self.data["families"]:
            places = self.rng.sample(family["places"], per_family)
            for number, place in enumerate(places):
                killed, wounded = self.rng.randint(3, 40), self.rng.randint(2, 60)
                slots = {
                    "place": place,
                    "target": self.rng.choice(family["targets"]),
                    "day": self.rng.choice(self.data["days"]),
                    "killed": killed,
                    "wounded": wounded,
                }
                leads = [lead.format(**slots) for lead in family["leads"]]
                self.rng.shuffle(leads)
                details = [d.format(**slots) for d in self.rng.sample(family["details"], 6)]
                body = [
                    leads[0],
                    self._witness(place),
                    *details[:3],
                    family["background"],
                    *details[3:],
                    self._witness(place),
                ]
                more = {**slots, "killed": killed + self.rng.randint(3, 25), "wounded": wounded + 7}
                stories.append(
                    Story(
                        key=f"{family['name']}/{number}",
                        agency=self.rng.choice(sorted(self.data["signoffs"])),
                        # Incidents of a family fall within days of each other: inside the window.
                        published=EPOCH + timedelta(hours=self.rng.randint(0, 96)),
                        paragraphs=body,
                        leads=leads,
                        update=[family["update_lead"].format(**more), UPDATE_TAIL],
                        extras=tuple(family["extras"]),
                    )
                )
        return stories

    def _witness(self, place: str) -> str:
        """A quoted witness: what makes one incident's story its own, as in real copy."""
        w = self.data["witnesses"]
        first, second = self.rng.sample(w["quotes"], 2)
        age = self.rng.randint(19, 71)
        return (
            f'"{first} {second}" {self.rng.choice(w["names"])}, a {age}-year-old '
            f"{self.rng.choice(w['jobs'])} in {place}, {self.rng.choice(w['said'])}."
        )

    def _seed_stories(self) -> list[Story]:
        seeds = [item for item in read_paths([SEEDS]) if isinstance(item, RawArticle)]
        return [
            Story(
                key=f"seed/{n}",
                agency=raw.article.agency or "AP",
                published=EPOCH + timedelta(hours=12 * n),
                paragraphs=raw.article.paragraphs,
            )
            for n, raw in enumerate(seeds)
        ]

    def _article(self, story: Story, body: list[str], label: str, kind: str) -> Labelled:
        """One outlet's copy: its own headline, byline, sign-off and publication minute."""
        agency = story.agency if self.rng.random() < 0.7 else self.rng.choice(sorted(self.data["signoffs"]))
        reporter = self.rng.choice(self.data["reporters"])
        signoff = self.rng.choice(self.data["signoffs"][agency]).format(
            reporter=reporter,
            editor=self.rng.choice(self.data["editors"]),
            year=EPOCH.year,
            initials=reporter.split()[0][:3].lower(),
            initials2=self.rng.choice(["jm", "pdm", "rlp", "ach"]),
        )
        paragraphs = [*body, signoff] if self.rng.random() < 0.8 else list(body)
        outlet = self.rng.choice(self.data["outlets"])
        self.clock += timedelta(seconds=30)
        digest = fingerprint(paragraphs)
        article = Article(
            article_id=hashlib.sha1(f"{outlet}|{digest}|{label}|{kind}".encode()).hexdigest()[:20],
            source=f"benchmark/{label}/{kind}",
            agency=agency,
            outlet=outlet,
            headline=f"{outlet}: {paragraphs[0][:60]}",
            byline=f"By {reporter}",
            paragraphs=paragraphs,
            published=story.published + timedelta(minutes=self.rng.randint(0, 600)),
            published_from="metadata",
            ingested=self.clock,
        )
        return Labelled(RawArticle(fingerprint=digest, article=article), label, kind)


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    misses: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.true_positives / max(1, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float:
        return self.true_positives / max(1, self.true_positives + self.false_negatives)


def score(items: list[Labelled], params: DedupParams) -> Score:
    """Replay the stream through dedup; a copy is a duplicate iff its story came earlier.

    A duplicate decision counts as right only if it names a copy of the same story. With
    `updates_are_duplicates`, an update belongs to the story it updates.
    """
    memory = Memory({}, params)
    story_of: dict[str, str] = {}
    seen_stories: set[str] = set()
    result = Score()
    for item in items:
        story = item.story.removesuffix("/update") if params.updates_are_duplicates else item.story
        story_of[item.raw.article.article_id] = story
        expected = story in seen_stories
        decision = deduplicate(item.raw, memory)
        remember(decision, memory)
        if isinstance(decision, UniqueArticle):
            seen_stories.add(story)
            if expected:
                result.false_negatives += 1
                result.misses[f"missed {item.kind}"] += 1
            else:
                result.true_negatives += 1
        elif expected and story_of.get(decision.original_id) == story:
            result.true_positives += 1
        else:
            result.false_positives += 1
            result.misses[f"wrongly merged {item.kind}"] += 1
    return result
