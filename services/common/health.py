"""What a worker's readiness and health say, as pure functions of what it observed.

The Faust layer (`services.common.stage`, `services.common.kafka`) feeds these with the
consumer's metadata, its assignment, its lag samples and the time it last processed a
message; nothing here talks to Kafka, so every verdict is unit-tested without a server.

A worker is **ready** only when every topic it subscribes to is visible with partitions,
it holds an assignment that covers them, its tables are recovered, and it is not
stalled. **Stalled** means lag on an assigned partition has not fallen for
`stall_seconds` while the worker processed nothing: the state of a worker that looks
alive and does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Partition = tuple[str, int]  # (topic, partition)
Status = Literal["waiting-for-topics", "joining", "recovering", "unassigned", "stalled", "ok"]

# Faust's own coordination topic: one partition, owned by one member of the group.
LEADER_TOPIC_SUFFIX = "__assignor-__leader"


@dataclass(frozen=True)
class Verdict:
    status: Status
    ready: bool
    detail: str = ""


def missing_topics(topics: Iterable[str], partitions_of: Callable[[str], int]) -> set[str]:
    """Subscribed topics the metadata does not show with at least one partition."""
    return {topic for topic in topics if partitions_of(topic) <= 0}


def unassigned_topics(
    subscribed: Iterable[str], assigned: Iterable[Partition], partitions_of: Callable[[str], int]
) -> set[str]:
    """Subscribed topics this member should hold partitions of and holds none of.

    Faust assigns co-partitioned topics (same partition count, same subscribers) together,
    with their tables' changelogs: a member holding partitions of one topic of n
    partitions holds partitions of every subscribed topic of n partitions. A topic that
    the metadata shows with partitions and that is missing from such an assignment was
    unknown to the group leader when it assigned, and nobody consumes it until the group
    rejoins. A topic the member's own metadata does not show at all is missing too (its
    metadata is stale). Otherwise, a member that holds nothing (more replicas than
    partitions) proves nothing.
    """
    held = {topic for topic, _ in assigned}
    counts = {partitions_of(topic) for topic in held}
    return {
        topic
        for topic in subscribed
        if topic not in held
        and not topic.endswith(LEADER_TOPIC_SUFFIX)
        and (partitions_of(topic) <= 0 or partitions_of(topic) in counts)
    }


@dataclass
class StallWatch:
    """Per assigned partition, since when its lag has not fallen; and when anything was
    last processed. `stalled()` names the partitions of a worker that does nothing, and
    `reread_due()` says when to re-read them from their committed offsets."""

    stall_seconds: float
    started: float
    last_processed: float | None = None
    last_reread: float | None = None
    _rising_since: dict[Partition, tuple[int, float]] = field(default_factory=dict)

    def processed(self, now: float) -> None:
        self.last_processed = now

    def sample(self, lags: Mapping[Partition, int], now: float) -> None:
        """One lag sample per assigned partition; partitions no longer assigned are forgotten."""
        rising: dict[Partition, tuple[int, float]] = {}
        for partition, lag in lags.items():
            if lag <= 0:
                continue
            before = self._rising_since.get(partition)
            # Lag that fell means work got done: the clock starts again from here.
            rising[partition] = (lag, before[1]) if before and lag >= before[0] else (lag, now)
        self._rising_since = rising

    def stalled(self, now: float) -> set[Partition]:
        idle_since = self.last_processed if self.last_processed is not None else self.started
        if now - idle_since < self.stall_seconds:
            return set()
        return {p for p, (_, since) in self._rising_since.items() if now - since >= self.stall_seconds}

    def reread_due(self, now: float, in_flight: int) -> bool:
        """Stalled with nothing in flight, and not re-read within the last `stall_seconds`.

        Faust can drop a record it fetched while a rebalance was under way and go on past
        it; nothing reads it again until the next rebalance. Seeking the stalled worker
        back to its committed offsets reads it again. A worker still holding messages
        (`in_flight`, e.g. an indexer waiting for Elasticsearch) is busy, not stalled by a
        lost record: re-reading would only hand it the same messages twice.
        """
        if in_flight or not self.stalled(now):
            return False
        if self.last_reread is not None and now - self.last_reread < self.stall_seconds:
            return False
        self.last_reread = now
        return True


@dataclass
class Persisting:
    """Whether a condition has held for `grace_seconds` without a break."""

    grace_seconds: float
    since: float | None = None

    def update(self, present: bool, now: float) -> bool:
        if not present:
            self.since = None
            return False
        if self.since is None:
            self.since = now
        return now - self.since >= self.grace_seconds


@dataclass(frozen=True)
class WorkerView:
    """What the worker knows at one moment (built by the Faust layer)."""

    waiting_for: frozenset[str]  # subscribed topics not yet visible in the consumer's metadata
    subscribed: bool  # the consumer has subscribed (the start-up gate passed)
    rebalancing: bool
    recovered: bool  # the tables' recovery after the last assignment completed
    assigned: frozenset[Partition]
    unassigned: frozenset[str]  # subscribed topics missing from the assignment past the grace
    stalled: frozenset[Partition]


def verdict(view: WorkerView) -> Verdict:
    """Readiness from the worker's view, the most basic unmet condition first."""
    if view.waiting_for:
        return Verdict("waiting-for-topics", False, "not in metadata: " + ", ".join(sorted(view.waiting_for)))
    if not view.subscribed or view.rebalancing:
        return Verdict("joining", False, "joining the consumer group")
    if not view.recovered:
        return Verdict("recovering", False, "recovering tables from their changelogs")
    if view.unassigned:
        return Verdict("unassigned", False, "no partition assigned of: " + ", ".join(sorted(view.unassigned)))
    if view.stalled:
        named = ", ".join(f"{t}[{p}]" for t, p in sorted(view.stalled))
        return Verdict("stalled", False, f"lag not falling and nothing processed: {named}")
    return Verdict("ok", True, f"{len(view.assigned)} partitions assigned")
