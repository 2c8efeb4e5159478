"""The feeder's own error type: every parser failure is one of these."""

from __future__ import annotations


class FeederError(ValueError):
    """Input the feeder cannot turn into an article; `source` names the file or URL."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
