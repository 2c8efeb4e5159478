"""The one place bytes become schema objects and back."""

from __future__ import annotations

import json
from typing import TypeVar, cast

from pydantic import ValidationError

from schemas.base import WireModel

M = TypeVar("M", bound=WireModel)


class CodecError(ValueError):
    """A payload that is not valid JSON, or not the topic's schema and version."""


def encode(message: WireModel) -> bytes:
    return message.model_dump_json().encode("utf-8")


def decode(payload: bytes | None, model: type[M]) -> M:
    if payload is None:
        raise CodecError("empty payload (tombstone) where a message was expected")
    try:
        # Decode explicitly: json.loads(bytes) would guess UTF-16/32 from a BOM.
        data = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CodecError(f"payload is not UTF-8: {exc.reason} at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise CodecError(f"payload is not JSON: {exc.msg} at char {exc.pos}") from exc
    except ValueError as exc:  # an integer over Python's digit limit: not a message of ours
        raise CodecError(f"payload has a number too long to read: {str(exc)[:80]}") from exc
    except RecursionError as exc:
        raise CodecError("payload is nested too deeply to read") from exc
    if not isinstance(data, dict):
        raise CodecError(f"payload is a JSON {type(data).__name__}, expected an object")
    expected = model.model_fields["schema_version"].default
    version = data.get("schema_version")
    reader: type[WireModel] = model
    if version != expected:
        # An older version still accepted side by side is read by its own model, then upgraded.
        older = model.older_versions.get(version) if isinstance(version, int) else None
        if older is None:
            readable = sorted([expected, *model.older_versions])
            raise CodecError(
                f"{model.__name__} schema_version {version!r} is not "
                f"supported (this consumer reads {', '.join(map(str, readable))})"
            )
        reader = older
    try:
        if reader is model:
            return model.model_validate(data)
        return cast(M, reader.model_validate(data).upgrade())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "<root>"
        raise CodecError(
            f"not a valid {model.__name__}: {where}: {first['msg']} ({exc.error_count()} error(s))"
        ) from exc
