"""What dedup remembers about earlier stories, and how it finds the ones a new story may copy.

The durable state is `store`, article id -> `Entry` as JSON: a dict offline, a
changelog-backed Faust table in the stream. The signature index and the fingerprint map
are derived from it, so they are rebuilt from the store after a restart or a rebalance.

Forgetting runs on a clock that one message cannot move: the newest ingestion time seen,
with any time further ahead than `max_clock_lead` of the wall clock taken as that bound
(a story stamped in year 9999 cannot make every other story look 8,000 years old), and
times kept as POSIX seconds, so year 1 is just a very old story, not an `OverflowError`.
"""

from __future__ import annotations

import base64
import heapq
import json
import time
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash

from services.common.settings import Settings
from services.dedup.index import Signature, SignatureIndex, compact
from services.dedup.shingles import FULL, Opening, Shingles, numbers, opening, sample, shingles

MINHASH_CHUNK = 8192  # shingles hashed per step: bounds the (chunk x num_perm) work array


@dataclass(frozen=True)
class DedupParams:
    shingle_size: int
    num_perm: int
    candidate_threshold: float
    max_candidates: int
    threshold: float
    both_threshold: float
    lead_kept: float
    update_threshold: float
    window: timedelta
    updates_are_duplicates: bool
    lead_min_words: int = 10  # the lead is the first paragraph this long, not a byline or a kicker
    # A cut copy opens the way the longer story does: a share (`lead_kept`) of the windows
    # of its first `lead_words` words (lead and the paragraphs after it, so one rewritten
    # intro does not hide the cut) is found in the longer story's first `opening_words`.
    lead_words: int = 90
    opening_words: int = 135
    # The clock may run this far ahead of the wall clock (feeds in other time zones,
    # skewed hosts), no further.
    max_clock_lead: timedelta = timedelta(hours=24)
    max_story_chars: int = 900_000
    # Shingles kept per remembered story: a sample beyond it (`shingles.sample`), so one
    # long story is a bounded entry (80 kB of hashes) and changelog message.
    max_stored_shingles: int = 20_000
    # Stories forgotten per remembered story at most (one table delete each): after a long
    # gap the backlog of expired stories goes over the next messages, never in one stall.
    expire_step: int = 1000

    @classmethod
    def from_settings(cls, settings: Settings) -> DedupParams:
        return cls(
            shingle_size=settings.dedup_shingle_size,
            num_perm=settings.dedup_num_perm,
            candidate_threshold=settings.dedup_candidate_threshold,
            max_candidates=settings.dedup_max_candidates,
            threshold=settings.dedup_threshold,
            both_threshold=settings.dedup_both_threshold,
            lead_kept=settings.dedup_lead_kept,
            update_threshold=settings.dedup_update_threshold,
            window=timedelta(hours=settings.dedup_window_hours),
            updates_are_duplicates=settings.dedup_updates_are_duplicates,
            max_story_chars=settings.story_max_chars,
        )


def lead(opening: Opening, params: DedupParams) -> Opening:
    """The windows of the first `lead_words` words of an opening."""
    return opening[: max(1, params.lead_words - params.shingle_size + 1)]


@dataclass(frozen=True)
class Entry:
    """A remembered story: enough to verify a candidate without its text."""

    article_id: str
    fingerprint: str
    published: datetime
    ingested: datetime
    shingles: Shingles  # all of them below `bound`
    opening: Opening
    numbers: frozenset[str]
    size: int  # shingles of the whole story
    signature: Signature
    bound: int = FULL

    def dumps(self) -> str:
        return json.dumps(
            {
                "id": self.article_id,
                "fp": self.fingerprint,
                "published": self.published.isoformat(),
                "ingested": self.ingested.isoformat(),
                "shingles": _encode(self.shingles),
                "opening": base64.b64encode(self.opening.astype("<u2").tobytes()).decode(),
                "numbers": sorted(self.numbers),
                "size": self.size,
                "signature": base64.b64encode(self.signature.astype("<u2").tobytes()).decode(),
                "bound": self.bound,
            }
        )

    @classmethod
    def loads(cls, value: str | bytes) -> Entry:
        data = json.loads(value)
        shingles = _decode(data["shingles"])
        return cls(
            article_id=data["id"],
            fingerprint=data["fp"],
            published=datetime.fromisoformat(data["published"]),
            ingested=datetime.fromisoformat(data["ingested"]),
            shingles=shingles,
            opening=np.frombuffer(base64.b64decode(data.get("opening", "")), dtype="<u2").astype(np.uint16),
            numbers=frozenset(data["numbers"]),
            # Entries written before sizes and signatures were stored get them on restore.
            size=data.get("size", len(shingles)),
            signature=np.frombuffer(base64.b64decode(data.get("signature", "")), dtype="<u2").astype(
                np.uint16
            ),
            bound=data.get("bound", FULL),
        )


def _encode(found: Shingles) -> str:
    return base64.b64encode(found.astype("<u4").tobytes()).decode()


def _decode(text: str) -> Shingles:
    return np.frombuffer(base64.b64decode(text), dtype="<u4").astype(np.uint32)


@dataclass(frozen=True)
class Features:
    shingles: Shingles
    opening: Opening
    signature: Signature
    numbers: frozenset[str]  # figures the body states


class Memory:
    def __init__(
        self,
        store: MutableMapping[str, str],
        params: DedupParams,
        *,
        restore: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`restore=False` leaves indexing the store to the caller, through `restore()`.
        `clock` is the wall clock (POSIX seconds) that bounds the memory's own."""
        self.store = store
        self.params = params
        self._wall = clock
        # One set of permutations for every signature: building them per story costs more
        # than hashing the story.
        self._template = MinHash(num_perm=params.num_perm, hashfunc=int)
        self._index = SignatureIndex(params.num_perm)
        self._by_fingerprint: dict[str, str] = {}
        self._expiry: list[tuple[float, str, str]] = []  # (ingested, id, fingerprint)
        # The memory's clock is ingestion time, so a backlog of old stories is remembered
        # while it streams through; copies must also be published within the window.
        self._newest: float | None = None
        self._last: tuple[str, Features] | None = None  # decided, not yet remembered
        if restore:
            for _ in self.restore():
                pass

    def restore(self, step: int = 500) -> Iterator[int]:
        """Index every stored entry, yielding the count after each `step`: a caller in an
        event loop yields there, so a long rebuild does not starve Kafka heartbeats."""
        for count, value in enumerate(list(self.store.values()), start=1):
            entry = Entry.loads(value)
            if len(entry.signature) != self.params.num_perm:  # stored under other settings
                entry = replace(entry, signature=self._signature(entry.shingles))
            self._remember(entry)
            if count % step == 0:
                yield count
        while self._expire():
            yield len(self)

    def __len__(self) -> int:
        return len(self._by_fingerprint)

    def exact(self, fingerprint: str) -> str | None:
        return self._by_fingerprint.get(fingerprint)

    def features(self, article_id: str, paragraphs: list[str]) -> Features:
        if self._last is not None and self._last[0] == article_id:
            return self._last[1]
        p = self.params
        found = shingles(paragraphs, p.shingle_size)
        start = opening(paragraphs, p.shingle_size, p.lead_min_words, p.opening_words)
        features = Features(found, start, self._signature(found), numbers(" ".join(paragraphs)))
        self._last = (article_id, features)
        return features

    def candidates(self, features: Features, published: datetime) -> list[Entry]:
        """Remembered stories published within the window whose signatures suggest they
        share `candidate_threshold` of the shorter story, at most `max_candidates`, best
        first; the caller verifies them on the exact shingles."""
        keys = self._index.query(
            features.signature,
            len(features.shingles),
            published.timestamp(),
            self.params.window.total_seconds(),
            self.params.candidate_threshold,
            self.params.max_candidates,
        )
        return [Entry.loads(self.store[key]) for key in keys]

    def add(
        self,
        article_id: str,
        fingerprint: str,
        published: datetime,
        ingested: datetime,
        paragraphs: list[str],
    ) -> None:
        """Remember a unique story, then forget those ingested longer than the window ago."""
        if article_id in self._index:
            return  # remembered already: a replay after a crash between publish and commit
        features = self.features(article_id, paragraphs)
        kept, bound = sample(features.shingles, self.params.max_stored_shingles)
        entry = Entry(
            article_id,
            fingerprint,
            published,
            ingested,
            kept,
            features.opening,
            features.numbers,
            len(features.shingles),
            features.signature,
            bound,
        )
        self.store[article_id] = entry.dumps()
        self._remember(entry)
        self._expire()

    def _signature(self, found: Shingles) -> Signature:
        signature = MinHash(
            num_perm=self.params.num_perm,
            hashfunc=int,
            permutations=self._template.permutations,
            scheme=self._template.scheme,
        )
        for start in range(0, len(found), MINHASH_CHUNK):
            signature.update_batch(found[start : start + MINHASH_CHUNK].tolist())
        return compact(signature.hashvalues)

    def _bounded(self, moment: datetime) -> float:
        """A message's time as the clock may take it: never past the wall clock's lead."""
        return min(moment.timestamp(), self._wall() + self.params.max_clock_lead.total_seconds())

    def _remember(self, entry: Entry) -> None:
        ingested = self._bounded(entry.ingested)
        self._index.add(entry.article_id, entry.signature, entry.size, entry.published.timestamp())
        self._by_fingerprint[entry.fingerprint] = entry.article_id
        heapq.heappush(self._expiry, (ingested, entry.article_id, entry.fingerprint))
        if self._newest is None or ingested > self._newest:
            self._newest = ingested

    def _expire(self) -> bool:
        """Forget up to `expire_step` stories ingested more than the window before the
        clock; whether more are due."""
        if self._newest is None:
            return False
        cutoff = self._newest - self.params.window.total_seconds()
        for _ in range(self.params.expire_step):
            if not (self._expiry and self._expiry[0][0] < cutoff):
                return False
            _, article_id, fingerprint = heapq.heappop(self._expiry)
            self.store.pop(article_id, None)
            self._index.remove(article_id)
            if self._by_fingerprint.get(fingerprint) == article_id:
                del self._by_fingerprint[fingerprint]
        return bool(self._expiry and self._expiry[0][0] < cutoff)
