"""What dedup remembers about earlier stories, and how it finds the ones a new story may copy.

The durable state is `store`, article id -> `Entry` as JSON: a dict offline, a
changelog-backed Faust table in the stream. The MinHash LSH index and the fingerprint map
are derived from it, so they are rebuilt from the store after a restart or a rebalance.
"""

from __future__ import annotations

import base64
import heapq
import json
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
from datasketch import MinHash, MinHashLSH

from services.common.settings import Settings
from services.dedup.shingles import Shingles, numbers, shingles


@dataclass(frozen=True)
class DedupParams:
    shingle_size: int
    num_perm: int
    candidate_threshold: float
    min_estimate: float
    threshold: float
    update_threshold: float
    window: timedelta
    updates_are_duplicates: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> DedupParams:
        return cls(
            shingle_size=settings.dedup_shingle_size,
            num_perm=settings.dedup_num_perm,
            candidate_threshold=settings.dedup_candidate_threshold,
            min_estimate=settings.dedup_min_estimate,
            threshold=settings.dedup_threshold,
            update_threshold=settings.dedup_update_threshold,
            window=timedelta(hours=settings.dedup_window_hours),
            updates_are_duplicates=settings.dedup_updates_are_duplicates,
        )


@dataclass(frozen=True)
class Entry:
    """A remembered story: enough to verify a candidate without its text."""

    article_id: str
    fingerprint: str
    published: datetime
    ingested: datetime
    shingles: Shingles
    numbers: frozenset[str]

    def dumps(self) -> str:
        return json.dumps(
            {
                "id": self.article_id,
                "fp": self.fingerprint,
                "published": self.published.isoformat(),
                "ingested": self.ingested.isoformat(),
                "shingles": base64.b64encode(self.shingles.astype("<u4").tobytes()).decode(),
                "numbers": sorted(self.numbers),
            }
        )

    @classmethod
    def loads(cls, value: str | bytes) -> Entry:
        data = json.loads(value)
        return cls(
            article_id=data["id"],
            fingerprint=data["fp"],
            published=datetime.fromisoformat(data["published"]),
            ingested=datetime.fromisoformat(data["ingested"]),
            shingles=np.frombuffer(base64.b64decode(data["shingles"]), dtype="<u4").astype(np.uint32),
            numbers=frozenset(data["numbers"]),
        )


@dataclass(frozen=True)
class Features:
    shingles: Shingles
    signature: MinHash


class Memory:
    def __init__(self, store: MutableMapping[str, str], params: DedupParams, *, restore: bool = True) -> None:
        """`restore=False` leaves indexing the store to the caller, through `restore()`."""
        self.store = store
        self.params = params
        # One set of permutations for every signature: building them per story costs more
        # than hashing the story.
        self._template = MinHash(num_perm=params.num_perm, hashfunc=int)
        self._lsh = MinHashLSH(threshold=params.candidate_threshold, num_perm=params.num_perm)
        self._by_fingerprint: dict[str, str] = {}
        self._signatures: dict[str, npt.NDArray[np.uint32]] = {}
        self._expiry: list[tuple[datetime, str, str]] = []  # (ingested, id, fingerprint)
        # The memory's clock is ingestion time, so a backlog of old stories is remembered
        # while it streams through; copies must also be published within the window.
        self._newest: datetime | None = None
        self._last: tuple[str, Features] | None = None  # decided, not yet remembered
        if restore:
            for _ in self.restore():
                pass

    def restore(self, step: int = 500) -> Iterator[int]:
        """Index every stored entry, yielding the count after each `step`: a caller in an
        event loop yields there, so a long rebuild does not starve Kafka heartbeats."""
        for count, value in enumerate(list(self.store.values()), start=1):
            entry = Entry.loads(value)
            self._index(entry, self._signature(entry.shingles))
            if count % step == 0:
                yield count

    def __len__(self) -> int:
        return len(self._by_fingerprint)

    def exact(self, fingerprint: str) -> str | None:
        return self._by_fingerprint.get(fingerprint)

    def features(self, article_id: str, paragraphs: list[str]) -> Features:
        if self._last is not None and self._last[0] == article_id:
            return self._last[1]
        found = shingles(paragraphs, self.params.shingle_size)
        features = Features(found, self._signature(found))
        self._last = (article_id, features)
        return features

    def candidates(self, features: Features, published: datetime) -> list[Entry]:
        """Remembered stories LSH proposes, within the time window of `published`.

        With few rows per band, LSH also proposes stories that share only a stock lead or
        a background paragraph; comparing signatures (microseconds) drops those before the
        exact check (decoding an entry and intersecting its shingles) has to.
        """
        wanted = features.signature.hashvalues
        keys = [
            key
            for key in self._lsh.query(features.signature)
            if np.mean(self._signatures[key] == wanted) >= self.params.min_estimate
        ]
        entries = (Entry.loads(self.store[key]) for key in keys)
        return [e for e in entries if abs(e.published - published) <= self.params.window]

    def add(
        self,
        article_id: str,
        fingerprint: str,
        published: datetime,
        ingested: datetime,
        paragraphs: list[str],
    ) -> None:
        """Remember a unique story, then forget those ingested longer than the window ago."""
        if self._lsh.keys.has_key(article_id):
            return  # remembered already: a replay after a crash between publish and commit
        features = self.features(article_id, paragraphs)
        body_numbers = numbers(" ".join(paragraphs))
        entry = Entry(article_id, fingerprint, published, ingested, features.shingles, body_numbers)
        self.store[article_id] = entry.dumps()
        self._index(entry, features.signature)
        self._expire()

    def _signature(self, found: Shingles) -> MinHash:
        signature = MinHash(
            num_perm=self.params.num_perm,
            hashfunc=int,
            permutations=self._template.permutations,
            scheme=self._template.scheme,
        )
        signature.update_batch(found.tolist())
        return signature

    def _index(self, entry: Entry, signature: MinHash) -> None:
        self._lsh.insert(entry.article_id, signature)
        self._signatures[entry.article_id] = signature.hashvalues
        self._by_fingerprint[entry.fingerprint] = entry.article_id
        heapq.heappush(self._expiry, (entry.ingested, entry.article_id, entry.fingerprint))
        if self._newest is None or entry.ingested > self._newest:
            self._newest = entry.ingested

    def _expire(self) -> None:
        assert self._newest is not None
        cutoff = self._newest - self.params.window
        while self._expiry and self._expiry[0][0] < cutoff:
            _, article_id, fingerprint = heapq.heappop(self._expiry)
            del self.store[article_id]
            self._lsh.remove(article_id)
            del self._signatures[article_id]
            if self._by_fingerprint.get(fingerprint) == article_id:
                del self._by_fingerprint[fingerprint]
