"""Property tests: no input makes any parser raise anything but FeederError (bounded time),
and no folder content or churn makes the continuous scan fail outside one file's dead letter."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.articles import RawArticle
from services.common.codec import encode
from services.feeder.checkpoint import Checkpoint
from services.feeder.errors import FeederError
from services.feeder.formats.html import html_to_text
from services.feeder.formats.jsonl import parse_json_object
from services.feeder.inbox import Inbox, Settler
from services.feeder.limits import Limits
from services.feeder.plaintext import parse_plaintext
from services.feeder.reader import PARSERS, Rejected, parse_bytes

LIMITS = Limits(max_file_bytes=100_000, max_story_chars=10_000, max_depth=50, max_int_digits=20)
BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEWSML = b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/">'

# Values of the shapes found in JSON, so the mappings see wrong types, not only wrong text.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
article_keys = st.sampled_from(
    ["body", "text", "paragraphs", "html", "headline", "title", "agency", "outlet", "url", "published",
     "language", "byline", "dateline", "captions", "uri", "type", "body_text", "body_html", "bodies",
     "headlines", "by", "located", "firstcreated", "versioncreated", "associations", "infosources"]
)  # fmt: skip
article_objects = st.dictionaries(article_keys, json_values, max_size=8)
markup = st.lists(
    st.sampled_from(
        ["<p>", "</p>", "<figure>", "<figcaption>", "<br>", "<h1>", "<script>", "<li>", "&amp;", "x"]
    )
    | st.text(max_size=12),
    max_size=20,
).map("".join)


def _parse_all(suffix: str, raw: bytes) -> list[RawArticle | Rejected]:
    """parse_bytes turns FeederErrors into rejections; anything else propagates and fails."""
    return list(parse_bytes(f"fuzz{suffix}", raw, suffix, {}))


@BOUNDED
@given(suffix=st.sampled_from(sorted(PARSERS)), raw=st.binary(max_size=400))
def test_any_bytes_in_any_format(suffix: str, raw: bytes) -> None:
    _parse_all(suffix, raw)


@BOUNDED
@given(obj=article_objects)
def test_any_json_object_in_generic_and_ninjs_mappings(obj: dict[str, object]) -> None:
    for suffix in (".json", ".jsonl"):
        _parse_all(suffix, json.dumps(obj).encode())
    with contextlib.suppress(FeederError):
        parse_json_object("fuzz.json", obj)


@BOUNDED
@given(body=markup, headline=st.text(max_size=20))
def test_markup_in_feeds_newsml_and_html(body: str, headline: str) -> None:
    html_to_text(body)
    parse_plaintext(body, known_headline=headline)
    escaped = body.replace("&", "&amp;").replace("<", "&lt;")
    item = f"<item><title>{headline}</title><description>{escaped}</description></item>"
    _parse_all(".rss", f"<rss version='2.0'><channel>{item}</channel></rss>".encode())
    newsml = NEWSML + f"<contentSet><inlineXML>{body}</inlineXML></contentSet></newsItem>".encode()
    _parse_all(".xml", newsml)


# The whole continuous-mode path: listing, settling, reading, parsing, limits, checkpoint and
# encoding, with hostile names and bytes, and files changing while the scan runs.
file_names = st.binary(min_size=1, max_size=12).filter(
    lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")
)
suffixes = st.sampled_from([b".txt", b".json", b".jsonl", b".xml", b".rss", b".html", b".tmp", b""])
contents = (
    st.binary(max_size=300)
    | article_objects.map(lambda o: json.dumps(o).encode())
    | st.text(min_size=1, max_size=80).map(lambda t: f"KANO — Market news. {t}".encode())
)
churn = st.lists(st.sampled_from(["delete", "rewrite", "symlink", "folder", "truncate"]), max_size=4)


@BOUNDED
@given(
    files=st.dictionaries(st.tuples(file_names, suffixes).map(b"".join), contents, min_size=1, max_size=6),
    changes=churn,
)
def test_scan_of_any_folder_under_churn(
    files: dict[bytes, bytes], changes: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("inbox")
    folder = os.fsencode(root / "in")
    os.mkdir(folder)
    for name, raw in files.items():
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(raw)
    names = sorted(files)
    sent: list[RawArticle | Rejected] = []

    async def publish(items: Sequence[RawArticle | Rejected]) -> None:
        for item in items:
            encode(item.dead_letter(1_000_000) if isinstance(item, Rejected) else item)  # as the producer
            sent.append(item)
        if changes:  # the folder changes under the scan, between two files
            change, name = changes.pop(0), os.path.join(folder, names[len(sent) % len(names)])
            with contextlib.suppress(OSError):
                if change == "delete":
                    os.unlink(name)
                elif change == "rewrite":
                    with open(name, "wb") as handle:
                        handle.write(b"LAGOS - rewritten")
                elif change == "symlink":
                    os.unlink(name)
                    os.symlink("/etc/hostname", name)
                elif change == "folder":
                    os.mkdir(os.path.join(folder, b"sub"))
                else:
                    os.truncate(name, 0)

    inbox = Inbox([Path(os.fsdecode(folder))], Settler(0), Checkpoint(root / "cp.json"), LIMITS, publish)
    with _failures_logged() as failures:
        asyncio.run(inbox.scan())
        asyncio.run(inbox.scan())  # and again, as after a restart
    assert failures == [], "a per-file failure escaped to the scan"
    assert not any(isinstance(i, RawArticle) and "/etc/hostname" in i.article.source for i in sent)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "scan stopped" in record.getMessage():
            self.lines.append(record.getMessage())


@contextlib.contextmanager
def _failures_logged() -> Iterator[list[str]]:
    handler = _Capture()
    logger = logging.getLogger("wirestream")
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
