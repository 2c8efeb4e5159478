"""Distinct, realistic articles for fault scenarios, built from the seed stories' sentences.

Each article gets a lede naming its own place, day and toll, then sentences drawn from the
seeds: different enough that dedup keeps every one, close enough to wire copy that the
entities and events stages do real work.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from services.common.text import split_sentences
from services.feeder.reader import Rejected, read_paths
from tests.conftest import SEEDS

PLACES = ["Raqqa", "Deir ez-Zor", "Mayadeen", "Homs", "Damascus", "Maadan", "Beirut", "Moscow"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ACTORS = ["Islamic State militants", "Syrian troops", "government forces", "Daesh fighters"]


def seed_sentences() -> list[str]:
    sentences = []
    for item in read_paths([SEEDS]):
        assert not isinstance(item, Rejected)
        for paragraph in item.article.paragraphs:
            sentences += [s for s in split_sentences(paragraph) if len(s.split()) >= 8]
    return sentences


def write_corpus(path: Path, count: int, copies: int, seed: int = 7) -> Path:
    """`count` distinct stories, then `copies` of some of them as other outlets ran them:
    true duplicates, which dedup must report and the index must not show twice."""
    rng = random.Random(seed)
    pool = seed_sentences()
    stories = []
    for number in range(count):
        lede = (
            f"{rng.choice(ACTORS)} attacked positions near {rng.choice(PLACES)} on "
            f"{rng.choice(DAYS)}, killing {rng.randint(2, 60)} people, report {number} said."
        )
        body = [lede, *rng.sample(pool, 6)]
        stories.append(
            {
                "headline": f"Report {number}",
                "paragraphs": body,
                "agency": rng.choice(["AP", "AFP", "Reuters"]),
                "outlet": f"Outlet {number % 7}",
                "published": f"2018-05-{rng.randint(10, 28):02d}",
            }
        )
    stories += [{**story, "outlet": "Syndicating Outlet"} for story in rng.sample(stories, copies)]
    path.write_text("".join(json.dumps(story) + "\n" for story in stories), encoding="utf-8")
    return path
