"""The loaded test mode's busy loops stop when told, and by themselves when their time is up."""

from __future__ import annotations

import time

from tests.load import BusyLoops, load_factor, scaled


def test_busy_loops_end_by_themselves_and_when_stopped() -> None:
    bounded = BusyLoops(1, seconds=0.5)
    stopped = BusyLoops(1, seconds=600)
    try:
        assert stopped.running() == 1
        deadline = time.monotonic() + 30
        while bounded.running() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert bounded.running() == 0, "a loop outlived its bound"
        stopped.stop()
        assert stopped.running() == 0
    finally:
        bounded.stop()
        stopped.stop()


def test_timeouts_scale_with_the_measured_load() -> None:
    assert 1.0 <= load_factor() <= 8.0
    assert scaled(10) == 10 * load_factor()
