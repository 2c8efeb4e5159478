"""Compact signatures of remembered stories, searched by one vectorised scan.

Each story is a row of `num_perm` 16-bit values: the low bits of its MinHash signature
(b-bit minwise hashing, Li and König 2010), so 64 permutations take 128 bytes. Two
signatures agree in a position with probability J + (1 - J) / 2^16, where J is the
Jaccard similarity of the shingle sets; with both set sizes that gives an estimate of
how much of the shorter story the longer one contains, which is what a cut copy shares.
An LSH index answers Jaccard queries only and keeps ~37 bucket entries per story; a scan
of a few megabytes per query costs milliseconds at the sizes a desk keeps (see README).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Signature = npt.NDArray[np.uint16]
_CHANCE = 2.0**-16  # two different 16-bit values agree this often by accident


def compact(hashvalues: npt.NDArray[np.uint64]) -> Signature:
    """The low 16 bits of each MinHash value."""
    return (hashvalues & 0xFFFF).astype(np.uint16)


class SignatureIndex:
    """Rows of signatures, set sizes and publication times, with free slots reused."""

    def __init__(self, num_perm: int, capacity: int = 1024) -> None:
        self.num_perm = num_perm
        self._signatures = np.zeros((capacity, num_perm), dtype=np.uint16)
        self._sizes = np.zeros(capacity, dtype=np.float64)
        self._published = np.zeros(capacity, dtype=np.float64)
        self._alive = np.zeros(capacity, dtype=bool)
        self._keys: list[str | None] = [None] * capacity
        self._slots: dict[str, int] = {}
        self._free: list[int] = []
        self._used = 0  # rows ever handed out; the scan stops there

    def __contains__(self, key: str) -> bool:
        return key in self._slots

    def __len__(self) -> int:
        return len(self._slots)

    def nbytes(self) -> int:
        """Bytes held by the arrays (the dict and key strings come on top)."""
        arrays = (self._signatures, self._sizes, self._published, self._alive)
        return sum(a.nbytes for a in arrays)

    def add(self, key: str, signature: Signature, size: int, published: float) -> None:
        if key in self._slots:
            return
        slot = self._free.pop() if self._free else self._next_slot()
        self._signatures[slot] = signature
        self._sizes[slot] = size
        self._published[slot] = published
        self._alive[slot] = True
        self._keys[slot] = key
        self._slots[key] = slot

    def remove(self, key: str) -> None:
        slot = self._slots.pop(key, None)
        if slot is not None:
            self._alive[slot] = False
            self._keys[slot] = None
            self._free.append(slot)

    def query(
        self,
        signature: Signature,
        size: int,
        published: float,
        window_seconds: float,
        min_containment: float,
        limit: int,
    ) -> list[str]:
        """Keys of stories published within the window whose estimated containment (shared
        shingles over the shorter story's) is at least `min_containment`, best first, at
        most `limit` of them: the work per query is one scan, whatever the memory holds."""
        n = self._used
        if not n or not size:
            return []
        agree = np.count_nonzero(self._signatures[:n] == signature, axis=1) / self.num_perm
        jaccard = np.clip((agree - _CHANCE) / (1 - _CHANCE), 0.0, 1.0)
        sizes = self._sizes[:n]
        shared = jaccard * (sizes + size) / (1 + jaccard)
        containment = shared / np.maximum(1.0, np.minimum(sizes, size))
        near = np.abs(self._published[:n] - published) <= window_seconds
        found = np.flatnonzero(self._alive[:n] & near & (containment >= min_containment))
        best = found[np.argsort(-containment[found], kind="stable")][:limit]
        return [key for key in (self._keys[i] for i in best) if key is not None]

    def _next_slot(self) -> int:
        if self._used == len(self._keys):
            grow = len(self._keys)
            self._signatures = np.concatenate([self._signatures, np.zeros_like(self._signatures)])
            self._sizes = np.concatenate([self._sizes, np.zeros(grow)])
            self._published = np.concatenate([self._published, np.zeros(grow)])
            self._alive = np.concatenate([self._alive, np.zeros(grow, dtype=bool)])
            self._keys.extend([None] * grow)
        self._used += 1
        return self._used - 1
