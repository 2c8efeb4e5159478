"""Readiness verdicts, stall detection and the assignment check, without servers."""

from __future__ import annotations

from services.common.health import (
    Persisting,
    StallWatch,
    WorkerView,
    missing_topics,
    unassigned_topics,
    verdict,
)

PARTITIONS = {
    "w.raw": 4,
    "w.dedup-ordered": 4,
    "w-dedup-remembered-changelog": 4,
    "w-dedup-__assignor-__leader": 1,
}


def counts(topic: str) -> int:
    return PARTITIONS.get(topic, 0)


def view(**changes: object) -> WorkerView:
    base: dict[str, object] = {
        "waiting_for": frozenset(),
        "subscribed": True,
        "rebalancing": False,
        "recovered": True,
        "assigned": frozenset({("w.raw", 0)}),
        "unassigned": frozenset(),
        "stalled": frozenset(),
    }
    return WorkerView(**{**base, **changes})  # type: ignore[arg-type]


def test_topics_not_in_metadata_are_missing() -> None:
    assert missing_topics(["w.raw", "w.not-yet"], counts) == {"w.not-yet"}
    assert missing_topics(["w.raw"], counts) == set()


def test_an_assignment_that_leaves_out_a_co_partitioned_topic_is_caught() -> None:
    subscribed = set(PARTITIONS)
    # The leader assigned from metadata that lacked the internal topic and the changelog.
    assert unassigned_topics(subscribed, {("w.raw", 0), ("w.raw", 1)}, counts) == {
        "w.dedup-ordered",
        "w-dedup-remembered-changelog",
    }
    complete = {("w.raw", 0), ("w.dedup-ordered", 0), ("w-dedup-remembered-changelog", 0)}
    assert unassigned_topics(subscribed, complete, counts) == set()  # the leader topic: one member only


def test_a_topic_this_consumer_cannot_see_is_unassigned_even_with_nothing_held() -> None:
    assert unassigned_topics({"w.raw", "w.late"}, set(), counts) == {"w.late"}
    # A spare replica (more replicas than partitions) holding nothing of known topics is fine.
    assert unassigned_topics({"w.raw", "w.dedup-ordered"}, set(), counts) == set()


def test_lag_that_does_not_fall_while_nothing_is_processed_is_a_stall() -> None:
    watch = StallWatch(stall_seconds=10, started=0)
    watch.processed(1)
    watch.sample({("w.raw", 0): 5}, 2)
    watch.sample({("w.raw", 0): 9}, 8)
    assert watch.stalled(11) == set()  # lag rising for 9 s only
    watch.sample({("w.raw", 0): 12}, 12.5)
    assert watch.stalled(12.5) == {("w.raw", 0)}
    watch.processed(13)
    assert watch.stalled(14) == set()  # it moved again


def test_falling_lag_or_no_lag_is_not_a_stall() -> None:
    watch = StallWatch(stall_seconds=10, started=0)
    watch.sample({("w.raw", 0): 50, ("w.raw", 1): 0}, 1)
    watch.sample({("w.raw", 0): 40, ("w.raw", 1): 0}, 12)  # fell: committed offsets moved
    assert watch.stalled(15) == set()
    assert watch.stalled(22) == {("w.raw", 0)}  # 10 s since it last fell, nothing processed
    watch.sample({}, 23)  # partition revoked
    assert watch.stalled(30) == set()


def test_a_stalled_worker_with_nothing_in_flight_rereads_once_per_stall_period() -> None:
    watch = StallWatch(stall_seconds=10, started=0)
    watch.sample({("w.raw", 0): 1}, 1)
    assert not watch.reread_due(5, in_flight=0)  # not stalled yet
    assert not watch.reread_due(12, in_flight=2)  # stalled, but busy with messages it holds
    assert watch.reread_due(12, in_flight=0)
    assert not watch.reread_due(15, in_flight=0)  # gave the re-read a period to work
    assert watch.reread_due(22, in_flight=0)  # still stalled after it: again
    watch.processed(25)
    assert not watch.reread_due(33, in_flight=0)  # it moved again: not stalled for 10 s since


def test_a_condition_persisting_past_the_grace() -> None:
    grace = Persisting(grace_seconds=10)
    assert not grace.update(True, 0)
    assert not grace.update(True, 9)
    assert grace.update(True, 10)
    assert not grace.update(False, 11)
    assert not grace.update(True, 12)  # the clock restarts after a break


def test_verdict_names_the_first_unmet_condition() -> None:
    assert verdict(view()).ready
    assert verdict(view(assigned=frozenset())).ready  # a spare replica is ready, and idle
    waiting = verdict(view(waiting_for=frozenset({"w.dedup-ordered"}), subscribed=False))
    assert (waiting.status, waiting.ready) == ("waiting-for-topics", False)
    assert "w.dedup-ordered" in waiting.detail
    assert verdict(view(subscribed=False)).status == "joining"
    assert verdict(view(rebalancing=True)).status == "joining"
    assert verdict(view(recovered=False)).status == "recovering"
    unassigned = verdict(view(unassigned=frozenset({"w.dedup-ordered"})))
    assert (unassigned.status, unassigned.ready) == ("unassigned", False)
    stalled = verdict(view(stalled=frozenset({("w.raw", 3)})))
    assert (stalled.status, stalled.ready, stalled.detail.endswith("w.raw[3]")) == ("stalled", False, True)
