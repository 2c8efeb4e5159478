from __future__ import annotations

import json

import pytest

from schemas.articles import RawArticle
from schemas.base import WireModel
from schemas.export import render, schema_path, versions
from schemas.topics import ALL_TOPICS, EVENTS, RAW, TopicSpec
from services.common.codec import CodecError, decode, encode
from services.common.deadletter import dead_letter
from services.feeder.reader import read_paths
from tests.conftest import SEEDS


@pytest.mark.parametrize(
    ("spec", "model"),
    [(spec, model) for spec in ALL_TOPICS for model in versions(spec)],
    ids=lambda x: getattr(x, "suffix", getattr(x, "__name__", "")),
)
def test_exported_json_schema_is_up_to_date(spec: TopicSpec, model: type[WireModel]) -> None:
    """Every version a consumer accepts, the current one and older ones read side by side."""
    assert schema_path(spec, model).read_text() == render(spec, model), (
        f"{schema_path(spec, model).name} is stale: run `make schemas`"
    )


def test_every_topic_model_has_a_schema_version() -> None:
    for spec in ALL_TOPICS:
        assert spec.model.model_fields["schema_version"].default >= 1


def _seed_raw() -> RawArticle:
    item = next(iter(read_paths([SEEDS])))
    assert isinstance(item, RawArticle)
    return item


def test_codec_round_trip() -> None:
    raw = _seed_raw()
    assert decode(encode(raw), RawArticle) == raw
    assert RAW.key_of(raw) == raw.fingerprint


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "JSON list"),
        (b'{"schema_version": 99}', "schema_version 99"),
        (b'{"schema_version": 1, "fingerprint": "x"}', "not a valid RawArticle: article"),
        (None, "tombstone"),
    ],
)
def test_codec_rejects_bad_payloads_with_a_reason(payload: bytes | None, reason: str) -> None:
    with pytest.raises(CodecError, match=reason):
        decode(payload, RawArticle)


def test_dead_letter_keeps_binary_payload_as_base64_and_truncates() -> None:
    record = dead_letter("dedup", CodecError("bad"), b"\xff" * 5000, max_payload=1024)
    assert record.payload_encoding == "base64"
    assert record.payload_truncated
    assert len(record.payload) == len("A" * 1368)  # base64 of 1024 bytes
    text = dead_letter("dedup", ValueError("x\ny"), "plain", max_payload=1024)
    assert (text.payload, text.payload_encoding, text.error) == ("plain", "utf-8", "x y")


def test_models_reject_unknown_fields() -> None:
    data = json.loads(encode(_seed_raw()))
    data["surprise"] = 1
    with pytest.raises(CodecError, match="surprise"):
        decode(json.dumps(data).encode(), RawArticle)


def test_only_the_events_topic_takes_tombstones_and_its_schema_says_what_one_means() -> None:
    assert [spec.suffix for spec in ALL_TOPICS if spec.tombstone] == ["events"]
    assert "retired" in json.loads(render(EVENTS))["x-kafka-tombstone"]
    assert "x-kafka-tombstone" not in json.loads(render(RAW))
    with pytest.raises(ValueError, match="only a compacted topic"):
        TopicSpec("x", RawArticle, "id", lambda m: "", tombstone="gone")
