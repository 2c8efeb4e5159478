"""Hostile and unlucky files, each reproduced with bytes written here: every one ends as one
dead letter with a reason (or is skipped by the inbox's rules), the files around it are
published, and nothing raises out of the feeder's scan.

The scan runs the continuous mode's own code (`Inbox`) with a publish step that encodes
every message as the producer would, so a message Kafka could not take fails the test.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from schemas.articles import RawArticle
from services.common.codec import CodecError, decode, encode
from services.common.deadletter import dead_letter
from services.feeder.checkpoint import Checkpoint
from services.feeder.inbox import Inbox, Settler
from services.feeder.limits import Limits
from services.feeder.reader import Rejected, list_files, read_listed, read_paths

LIMITS = Limits(max_file_bytes=20_000_000, max_story_chars=900_000, max_depth=200, max_int_digits=64)
STORY = "KANO — Traders reopened the grain market on Tuesday after the floods receded."


class Recorder:
    """The publish step: encodes like the producer, keeps what was sent."""

    def __init__(self) -> None:
        self.sent: list[RawArticle | Rejected] = []

    async def __call__(self, items: Sequence[RawArticle | Rejected]) -> None:
        for item in items:
            encode(item.dead_letter(1_000_000) if isinstance(item, Rejected) else item)
            self.sent.append(item)

    def by_name(self) -> dict[str, RawArticle | Rejected]:
        return {
            Path(i.error.source if isinstance(i, Rejected) else i.article.source).name: i for i in self.sent
        }


def _scan(folder: Path, state: Path, recorder: Recorder, limits: Limits = LIMITS) -> None:
    inbox = Inbox([folder], Settler(0), Checkpoint(state / "checkpoint.json"), limits, recorder)
    asyncio.run(inbox.scan())


def _neighbours(folder: Path) -> None:
    (folder / "before.txt").write_text(STORY + "\n")
    (folder / "after.json").write_text(json.dumps({"body": STORY.replace("Tuesday", "Friday")}))


def _reason(item: RawArticle | Rejected) -> str:
    assert isinstance(item, Rejected), item
    return item.error.reason


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _neighbours(inbox)
    return inbox


def _published_neighbours(recorder: Recorder) -> None:
    names = recorder.by_name()
    assert isinstance(names["before.txt"], RawArticle) and isinstance(names["after.json"], RawArticle)


def test_huge_json_integer_is_one_dead_letter(folder: Path, tmp_path: Path) -> None:
    lines = [json.dumps({"body": "First story of the file."}), '{"body": "x", "n": ' + "9" * 5000 + "}"]
    (folder / "numbers.jsonl").write_text("\n".join(lines) + "\n")
    recorder = Recorder()
    _scan(folder, tmp_path, recorder)
    items = [
        i for i in recorder.sent if "numbers.jsonl" in (i.error.source if isinstance(i, Rejected) else "")
    ]
    assert len(items) == 1 and "JSON integer of 5000 digits" in _reason(items[0])
    assert any(isinstance(i, RawArticle) and "First story" in i.article.paragraphs[0] for i in recorder.sent)
    _published_neighbours(recorder)


def test_file_name_that_is_not_utf8_is_published_with_an_escaped_source(folder: Path, tmp_path: Path) -> None:
    name = os.fsencode(folder) + b"/story-\xff\xfe.txt"
    with open(name, "wb") as handle:
        handle.write(STORY.replace("Traders", "Farmers").encode())
    recorder = Recorder()
    _scan(folder, tmp_path, recorder)
    article = next(i for i in recorder.sent if isinstance(i, RawArticle) and "Farmers" in i.article.body)
    assert article.article.source.endswith("story-\\udcff\\udcfe.txt")
    _published_neighbours(recorder)
    again = Recorder()
    _scan(folder, tmp_path, again)  # checkpointed: a restart does not publish it again
    assert again.sent == []


def test_story_over_the_size_limit_is_one_dead_letter_not_a_kafka_error(folder: Path, tmp_path: Path) -> None:
    sentence = "The council met again and the meeting ran long into the night. "
    (folder / "long.txt").write_text(sentence * (12_000_000 // len(sentence)))  # 12 MB, under the file limit
    recorder = Recorder()
    _scan(folder, tmp_path, recorder)
    assert "over the limit of 900000" in _reason(recorder.by_name()["long.txt"])
    _published_neighbours(recorder)


def test_message_over_kafkas_limit_is_one_dead_letter(folder: Path, tmp_path: Path) -> None:
    """Under the character limit but over the message limit (escaped characters grow)."""
    (folder / "wide.txt").write_text("\x1b" * 4000 + " text\n")  # each escape is 6 bytes in JSON
    recorder = Recorder()
    _scan(folder, tmp_path, recorder, Limits(20_000_000, 900_000, 200, 64, max_message_bytes=20_000))
    assert "over Kafka's limit" in _reason(recorder.by_name()["wide.txt"])
    _published_neighbours(recorder)


def test_newsml_nested_5000_deep_is_one_dead_letter(folder: Path, tmp_path: Path) -> None:
    nested = "<div>" * 5000 + "deep" + "</div>" * 5000
    newsml = (
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"><itemMeta/><contentMeta/>'
        f"<contentSet><inlineXML>{nested}</inlineXML></contentSet></newsItem>"
    )
    (folder / "deep.xml").write_text(newsml)
    (folder / "deep.json").write_text("[" * 900 + "]" * 900)
    recorder = Recorder()
    _scan(folder, tmp_path, recorder)
    assert "nested deeper than 200 levels" in _reason(recorder.by_name()["deep.xml"])
    assert "nested deeper than 200 levels" in _reason(recorder.by_name()["deep.json"])
    _published_neighbours(recorder)


def test_file_deleted_between_scan_and_read_is_one_dead_letter(folder: Path, tmp_path: Path) -> None:
    doomed = folder / "doomed.txt"
    doomed.write_text(STORY)
    files = list_files([folder])
    doomed.unlink()
    results = dict(read_listed(files, LIMITS))
    (item,) = results[doomed]
    assert "cannot read" in _reason(item)
    assert isinstance(results[folder / "before.txt"][0], RawArticle)


def test_newline_in_a_file_name_cannot_forge_a_log_line(folder: Path, tmp_path: Path) -> None:
    (folder / "a\nstage=feeder forged.txt").write_text("")
    recorder = Recorder()
    _scan(folder, tmp_path, recorder)
    (rejected,) = [i for i in recorder.sent if isinstance(i, Rejected)]
    assert "\n" not in str(rejected.error) and "a\\nstage=feeder forged.txt" in rejected.error.source


def test_symlinks_and_special_files_never_leave_the_inbox(folder: Path, tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir()
    (private / "secret.txt").write_text("LAGOS — The private memo that must never be indexed.")
    (folder / "link.txt").symlink_to(private / "secret.txt")
    (folder / "linked-folder").symlink_to(private)
    os.mkfifo(folder / "pipe.txt")  # would block a plain open() forever
    (folder / "half.txt.tmp").write_text(STORY.replace("Traders", "Writers"))
    (folder / ".hidden.txt").write_text(STORY.replace("Traders", "Hiders"))
    recorder = Recorder()
    _scan(folder, tmp_path, recorder)
    assert not any(isinstance(i, RawArticle) and "memo" in i.article.body for i in recorder.sent)
    names = recorder.by_name()
    assert sorted(names) == ["after.json", "before.txt", "link.txt", "linked-folder", "pipe.txt"]
    assert "symbolic link" in _reason(names["link.txt"]) and "symbolic link" in _reason(
        names["linked-folder"]
    )
    assert "not a regular file" in _reason(names["pipe.txt"])
    again = Recorder()
    _scan(folder, tmp_path, again)  # one dead letter each, checkpointed: not one per scan
    assert again.sent == []


def test_symlink_swapped_in_after_listing_is_refused(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("LAGOS — Private.")
    swapped = folder / "swapped.txt"
    swapped.write_text(STORY)
    files = list_files([folder])
    swapped.unlink()
    swapped.symlink_to(tmp_path / "secret.txt")
    (item,) = dict(read_listed(files, LIMITS))[swapped]
    assert "symbolic link" in _reason(item)


def test_a_file_is_ready_only_when_its_size_and_mtime_held_for_the_settle_time(tmp_path: Path) -> None:
    now = [1_000_000.0]
    settler = Settler(5.0, clock=lambda: now[0])
    path = tmp_path / "growing.txt"
    path.write_text("first half")
    os.utime(path, (now[0] - 60, now[0] - 60))  # an old mtime alone (a paused writer) is not enough
    assert settler.ready([path]) == []
    now[0] += 3
    assert settler.ready([path]) == []
    with path.open("a") as handle:
        handle.write(" and the rest")  # the writer resumes: the clock starts again
    os.utime(path, (now[0] - 60, now[0] - 60))
    now[0] += 3
    assert settler.ready([path]) == []
    now[0] += 5
    assert settler.ready([path]) == [(path, Checkpoint.version(path))]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_read(tmp_path: Path, codec: str) -> None:
    (tmp_path / "wide.txt").write_text(STORY + " Prices fell by a third.", encoding=codec)
    (item,) = read_paths([tmp_path])
    assert isinstance(item, RawArticle) and item.article.paragraphs[0].endswith("fell by a third.")


def test_script_urls_and_markup_do_not_reach_article_fields(tmp_path: Path) -> None:
    story = {
        "body": STORY,
        "url": "javascript:alert(document.cookie)",
        "headline": "Markets <script>alert(1)</script>reopen <b>after</b> floods",
    }
    (tmp_path / "s.json").write_text(json.dumps(story))
    (item,) = read_paths([tmp_path])
    assert isinstance(item, RawArticle)
    assert item.article.url is None
    assert item.article.headline == "Markets reopen after floods"


@pytest.mark.parametrize(
    ("published", "reason"),
    [("9999-12-31T00:00:00Z", "in the future"), ("0001-01-01T00:00:00+01:00", "before 1900")],
)
def test_published_far_away_is_one_dead_letter(tmp_path: Path, published: str, reason: str) -> None:
    (tmp_path / "s.json").write_text(json.dumps({"body": STORY, "published": published}))
    (item,) = read_paths([tmp_path])
    assert reason in _reason(item)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("ingested", "9999-01-01T00:00:00Z", "in the future"),
        ("ingested", "0001-01-01T00:00:00Z", "before 2000"),
        ("published", "9999-01-01T00:00:00Z", "in the future"),
    ],
)
def test_raw_message_with_a_time_far_away_is_refused_by_the_codec(
    tmp_path: Path, field: str, value: str, reason: str
) -> None:
    (tmp_path / "s.txt").write_text(STORY)
    (item,) = read_paths([tmp_path])
    assert isinstance(item, RawArticle)
    data = json.loads(encode(item))
    data["article"][field] = value
    with pytest.raises(CodecError, match=reason):
        decode(json.dumps(data).encode(), RawArticle)
    data["article"][field] = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    decode(json.dumps(data).encode(), RawArticle)  # a recent time is fine


def test_dead_letter_of_a_huge_key_fits_a_keyword_field() -> None:
    record = dead_letter(
        "indexer", ValueError("x" * 5000), b"p" * 3000, max_payload=1024, key=b"k" * 1_000_000
    )
    assert record.key is not None and len(record.key) <= 512
    assert len(record.error) <= 1000 and record.payload_truncated and len(record.payload) == 1024


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"schema_version": 1, "n": 1' + b"0" * 5000 + b"}", "number too long"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_raw_message_with_a_huge_number_or_deep_nesting_is_a_codec_error(payload: bytes, reason: str) -> None:
    """Sent straight onto a topic: the stage's codec dead-letters it instead of crashing."""
    with pytest.raises(CodecError, match=reason):
        decode(payload, RawArticle)
