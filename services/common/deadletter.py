"""Turning a failure into a dead-letter record (pure; sending is the Faust layer's job)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from schemas.deadletter import DeadLetter
from services.common.text import clip

# A dead letter must always fit its index: the key is a keyword (Elasticsearch refuses a term
# over 32,766 bytes, and with it the record), the error a one-line text.
MAX_KEY_CHARS = 512
MAX_ERROR_CHARS = 1000


def dead_letter(
    stage: str,
    error: BaseException,
    payload: bytes | str | None,
    *,
    max_payload: int,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
    key: bytes | str | None = None,
) -> DeadLetter:
    raw = payload.encode("utf-8") if isinstance(payload, str) else (payload or b"")
    truncated = len(raw) > max_payload
    raw = raw[:max_payload]
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(raw).decode("ascii"), "base64"
    if isinstance(key, bytes):
        key = key.decode("utf-8", errors="replace")
    if key is not None:
        key = clip(key, MAX_KEY_CHARS)  # a keyword field holds at most 32 KB
    return DeadLetter(
        stage=stage,
        error_type=type(error).__name__,
        error=" ".join(str(error).split())[:MAX_ERROR_CHARS] or type(error).__name__,
        topic=topic,
        partition=partition,
        offset=offset,
        key=key,
        payload=text,
        payload_encoding=encoding,
        payload_truncated=truncated,
        failed_at=datetime.now(UTC),
    )
