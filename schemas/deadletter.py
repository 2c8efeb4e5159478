"""Dead-letter payload: anything a stage could not handle, with the original bytes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from schemas.base import WireModel


class DeadLetter(WireModel):
    """`wire.deadletter`, keyed by the stage name."""

    schema_version: Literal[1] = 1
    stage: str
    error_type: str = Field(description="Exception class, e.g. CodecError.")
    error: str = Field(description="One-line reason.")
    topic: str | None = Field(default=None, description="Topic the input came from, if any.")
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    payload: str = Field(description="Original payload: text, or base64 when not valid UTF-8.")
    payload_encoding: Literal["utf-8", "base64"]
    payload_truncated: bool = Field(
        default=False, description="True when the payload was cut to the size limit."
    )
    failed_at: datetime
