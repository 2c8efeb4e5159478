"""Plain-text stories (`.txt`) and the decoding every text format shares.

Legacy encodings are decoded, not rejected: newsroom systems on Windows still drop cp1252
and UTF-16 files, and a dead letter would lose a story that is perfectly readable. Order:
UTF-16 (by BOM, or by its pattern of NUL bytes), UTF-8 (strict), then cp1252 (strict: the
Western newsroom default, and guessing on a short text garbles it), then charset-normalizer's
best guess for anything else (e.g. cp1251).
"""

from __future__ import annotations

import codecs
from typing import Any

from charset_normalizer import from_bytes

from schemas.articles import RawArticle
from services.feeder.article import build_article
from services.feeder.errors import FeederError
from services.feeder.plaintext import parse_plaintext

# C0 control bytes other than whitespace: text has almost none, binary data is full of them.
_CONTROL = [bytes([c]) for c in range(32) if chr(c) not in "\t\n\r\f\v\x1b"]


def _utf16(raw: bytes) -> str | None:
    """The codec of UTF-16 text (Windows tools write it, with or without a BOM), else None.

    Without a BOM, Latin-script UTF-16 has a NUL in every other byte and none in the others.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(raw) < 4 or len(raw) % 2:
        return None
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    half = len(raw) // 2
    if odd > half * 0.3 and even == 0:
        return "utf-16-le"
    if even > half * 0.3 and odd == 0:
        return "utf-16-be"
    return None


def decode_text(source: str, raw: bytes) -> str:
    if not raw.strip():
        raise FeederError(source, "empty file")
    if codec := _utf16(raw):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            raise FeederError(source, f"invalid UTF-16 at byte {exc.start}") from exc
        controls = sum(text.count(chr(c)) for c in range(32) if chr(c) not in "\t\n\r\f\v\x1b")
        if "\x00" in text or controls > len(text) // 100 or not text.strip():
            raise FeederError(source, "binary content (NUL bytes)")
        return text
    if b"\x00" in raw:
        raise FeederError(source, "binary content (NUL bytes)")
    if sum(raw.count(c) for c in _CONTROL) > len(raw) // 100:
        raise FeederError(source, "binary content (control bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        if best is None:
            raise FeederError(source, f"not UTF-8 (byte {start}) and no legacy encoding fits") from None
        return str(best)


def parse_text(source: str, raw: bytes, meta: dict[str, Any]) -> RawArticle:
    """`meta` is the folder's sidecar entry for this file (agency, outlet, url, ...)."""
    known = meta.get("headline")
    parsed = parse_plaintext(
        decode_text(source, raw), known_headline=known if isinstance(known, str) else None
    )
    fields = {
        **meta,
        "headline": meta.get("headline") or parsed.headline,
        "agency": meta.get("agency") or parsed.agency,
        "dateline": parsed.dateline,
        "byline": meta.get("byline") or parsed.byline,
        "captions": parsed.captions,
    }
    return build_article(source, fields, parsed.paragraphs)
