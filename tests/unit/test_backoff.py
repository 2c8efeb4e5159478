from __future__ import annotations

from itertools import islice

from services.common.backoff import delays


def test_waits_double_up_to_the_longest_and_stay_there() -> None:
    assert list(islice(delays(0.5, 3.0), 6)) == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_a_first_wait_at_the_longest_never_grows() -> None:
    assert list(islice(delays(5.0, 5.0), 3)) == [5.0, 5.0, 5.0]
