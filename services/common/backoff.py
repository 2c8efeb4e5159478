"""Waits between retries of something that is down: one home for the doubling rule."""

from __future__ import annotations

from collections.abc import Iterator


def delays(first: float, longest: float) -> Iterator[float]:
    """`first`, then each wait twice the one before, never more than `longest`."""
    delay = first
    while True:
        yield delay
        delay = min(delay * 2, longest)
