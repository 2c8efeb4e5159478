"""Every wire format on realistic samples (tests/data/feeder), one of each with only the
required fields, plus the bad inputs a newsroom actually produces."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.articles import Article, RawArticle
from services.feeder.formats.html import html_to_text
from services.feeder.reader import Rejected, read_file, read_paths

DATA = Path(__file__).resolve().parents[1] / "data" / "feeder"


def _articles(*parts: str) -> dict[str, Article]:
    """Articles read from a sample file or folder, by their source (file, line or entry)."""
    items = list(read_paths([DATA.joinpath(*parts)]))
    return {i.article.source.removeprefix(f"{DATA}/"): i.article for i in items if isinstance(i, RawArticle)}


def _only(*parts: str) -> Article:
    (article,) = _articles(*parts).values()
    return article


def _assert_minimal(article: Article, first_words: str) -> None:
    """Only a body was given: every optional field is empty and the date is flagged."""
    assert article.paragraphs[0].startswith(first_words)
    assert (article.headline, article.agency, article.outlet, article.url, article.byline) == (None,) * 5
    assert article.captions == [] and article.language == "en"
    assert article.published_from == "ingested"


def test_plain_text_reuters_style_with_dated_dateline() -> None:
    article = _only("text", "reuters_style.txt")
    assert article.headline == "Syrian army retakes desert town from Islamic State"
    assert article.byline == "Ellen Francis"
    assert article.captions == [
        "The Syrian army and its allies took control of the town of al-Sukhna on Saturday "
        "(Reuters Photo/Omar Sanadiki)"
    ]
    assert (article.dateline, article.agency) == ("Beirut", "REUTERS")
    assert "- Road to Deir al-Zor -" not in article.paragraphs and len(article.paragraphs) == 3
    # No metadata: the date comes from "Aug 12" in the dateline, in the latest such past year.
    assert article.published_from == "dateline"
    assert (article.published.month, article.published.day) == (8, 12)
    assert article.published <= datetime.now(UTC)


def test_plain_text_in_cp1252_is_decoded_not_rejected() -> None:
    article = _only("text", "legacy_cp1252.txt")
    assert article.paragraphs == ["KABUL — The café owner’s “peace” plan was welcomed by elders on Monday."]
    assert (article.dateline, article.agency) == ("Kabul", "AFP")


def test_plain_text_minimal() -> None:
    article = _only("text", "minimal.txt")
    _assert_minimal(article, "Heavy rain closed schools")
    assert article.dateline is None


def test_json_lines_field_mapping() -> None:
    articles = _articles("json", "stories.jsonl")
    full = articles["json/stories.jsonl:1"]
    assert full.headline == "Floods displace thousands in northern Nigeria"
    assert (full.agency, full.outlet, full.byline) == ("Reuters", "The Guardian Nigeria", "Camillus Eboh")
    assert full.url == "https://guardian.ng/news/floods-displace-thousands"
    assert full.published == datetime(2024, 9, 2, 8, 15, tzinfo=UTC) and full.published_from == "metadata"
    assert len(full.paragraphs) == 2 and full.dateline == "Lagos"
    assert full.captions[0].startswith("Residents wade")
    rfc_dated = articles["json/stories.jsonl:2"]
    assert rfc_dated.headline == "Gunmen kill five in Kaduna village"  # from "title"
    assert rfc_dated.published == datetime(2024, 9, 4, 6, 30, tzinfo=UTC)
    from_html = articles["json/stories.jsonl:3"]
    assert from_html.paragraphs == [
        "ABUJA — The senate approved the budget on Thursday.",
        "It now goes to the president.",
    ]
    assert from_html.captions == ["Senators vote in Abuja"]


def test_json_minimal() -> None:
    _assert_minimal(_only("json", "minimal.json"), "Two people were injured")


def test_ninjs_1_with_html_body_and_picture_association() -> None:
    article = _only("ninjs", "ap_ninjs1.json")
    assert article.headline == "Militants push back Syrian troops near Raqqa"
    assert (article.agency, article.byline, article.dateline) == ("AP", "Sarah El Deeb", "Beirut")
    assert article.url == "https://apnews.com/article/syria-raqqa-islamic-state-4f1e2c"
    assert article.published == datetime(2017, 8, 25, 9, 40, tzinfo=UTC)  # firstcreated
    assert article.paragraphs == [
        "BEIRUT (AP) — Islamic State militants pushed back Syrian troops advancing on a town near "
        "Raqqa, activists said Friday.",
        "The Syrian Observatory said at least 20 soldiers were killed.",
    ]
    assert article.captions == [
        "Syrian troops near Maadan, Syria, Aug. 24, 2017. (AP Photo)",
        "Smoke rises over Raqqa.",
    ]


def test_ninjs_2_shapes() -> None:
    article = _only("ninjs", "ninjs2.json")
    assert article.headline == "Blast hits Kabul ministry"
    assert (article.agency, article.byline, article.language) == ("Pajhwok", "Staff reporter", "en-GB")
    assert article.url is None  # a urn, not a link
    assert article.published.utcoffset() is not None and article.published.hour == 11
    assert article.captions == ["Security forces at the blast site."]
    assert len(article.paragraphs) == 2


def test_ninjs_minimal() -> None:
    _assert_minimal(_only("ninjs", "minimal.json"), "Fire crews contained")


def test_newsml_g2_message_keeps_text_and_rejects_picture_item() -> None:
    items = list(read_file(DATA / "newsml" / "reuters_message.xml"))
    (article,) = [i.article for i in items if isinstance(i, RawArticle)]
    (rejected,) = [i for i in items if isinstance(i, Rejected)]
    assert "ninat:picture" in rejected.error.reason and rejected.error.source.endswith("pic_1")
    assert article.headline == "Syrian army retakes desert town from Islamic State"
    assert (article.agency, article.outlet, article.byline) == ("REUTERS", "Reuters", "Ellen Francis")
    assert article.dateline == "Beirut" and article.language == "en"
    assert article.published == datetime(2017, 8, 12, 9, 58, tzinfo=UTC)  # firstCreated
    assert article.url and article.url.endswith("idUSKBN1AS06K")
    assert article.captions == ["Syrian army soldiers on the outskirts of al-Sukhna."]
    assert article.paragraphs == [
        "BEIRUT, Aug 12 (Reuters) - The Syrian army and its allies took full control of the town of "
        "al-Sukhna, state media said on Saturday.",
        "The town lies on the road to Deir al-Zor.",
    ]


def test_newsml_g2_minimal_item() -> None:
    article = _only("newsml", "minimal_item.xml")
    _assert_minimal(article, "Police closed the main bridge")
    assert len(article.paragraphs) == 2


def test_rss_with_content_encoded_media_and_html_cleaned() -> None:
    articles = _articles("feeds", "outlet_rss.xml")
    first, second = articles.values()
    assert first.headline == "Daesh militants push back Syrian troops near Raqqa"
    assert (first.outlet, first.byline, first.language) == (
        "Gulf News - Middle East",
        "Sarah El Deeb",
        "en-gb",
    )
    assert first.url == "https://gulfnews.com/world/mena/daesh-militants-push-back-syrian-troops-1.2079991"
    assert first.published == datetime(2017, 8, 25, 10, 30, tzinfo=UTC)
    assert first.dateline == "Beirut"
    assert first.paragraphs[-1] == "The Observatory said at least 20 soldiers were killed."
    assert not any("<" in p for p in first.paragraphs)
    assert first.captions == ["Smoke over Raqqa"]
    assert second.paragraphs == ["KUWAIT CITY — A court jailed 12 members of a cell on Friday."]
    assert second.dateline == "Kuwait City"


def test_atom_in_french() -> None:
    article = _only("feeds", "agency.atom")
    assert (article.language, article.agency, article.dateline) == ("fr", "AFP", "Beyrouth")
    assert article.published == datetime(2018, 5, 27, 10, 15, tzinfo=UTC)  # published, not updated
    assert article.url == "https://www.afp.com/fr/syrie-1" and len(article.paragraphs) == 2


def test_rss_minimal() -> None:
    article = _only("feeds", "minimal_rss.xml")
    assert article.paragraphs == ["Officials reopened the border crossing on Sunday after a week of closure."]
    assert (article.headline, article.url, article.byline) == (None, None, None)
    assert article.published_from == "ingested"


def test_html_page_drops_navigation_scripts_and_asides() -> None:
    article = _only("html", "article_page.html")
    assert article.headline == "Blast hits Kabul ministry"
    assert (article.outlet, article.byline) == ("Example Times", "Jane Roe")
    assert article.url == "https://example-times.com/world/kabul-blast"
    assert article.published == datetime(2024, 9, 5, 7, 30, tzinfo=UTC)
    assert article.captions == ["Security forces at the site of the blast in Kabul."]
    assert article.paragraphs == [
        "KABUL — An explosion hit the entrance of a ministry in Kabul on Thursday, police said.",
        "At least six people were killed and 14 wounded.",
        '"We heard a huge bang," a shopkeeper said.',
    ]


def test_html_minimal() -> None:
    _assert_minimal(_only("html", "minimal.html"), "Residents were evacuated")


def test_same_story_same_source_same_id_in_every_format(tmp_path: Path) -> None:
    body = "KABUL — An explosion hit a ministry on Thursday."
    (tmp_path / "a.json").write_text(f'{{"body": "{body}", "agency": "AFP"}}')
    (tmp_path / "b.txt").write_text(f"{body}\n\n—AFP\n")
    (tmp_path / "c.json").write_text(f'{{"body": "{body}", "agency": "AP"}}')
    ids = [i.article.article_id for i in read_paths([tmp_path]) if isinstance(i, RawArticle)]
    assert ids[0] == ids[1] != ids[2]


def _reasons(tmp_path: Path, name: str, content: bytes) -> list[str]:
    path = tmp_path / name
    path.write_bytes(content)
    items = list(read_file(path))
    assert all(isinstance(i, Rejected) and i.error.source.startswith(str(path)) for i in items)
    return [i.error.reason for i in items if isinstance(i, Rejected)]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.xml", b"", "neither NewsML-G2 nor RSS/Atom"),
        ("garbage.txt", bytes(range(1, 32)) * 20 + b"text", "binary content (control bytes)"),
        ("broken.xml", b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"><itemMeta>', "invalid XML"),
        (
            "bomb.xml",
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/">&lol2;</newsItem>',
            "invalid XML",
        ),
        (
            "xxe.xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/">&e;</newsItem>',
            "invalid XML",
        ),
        ("missing.json", b'{"headline": "No body here", "agency": "AP"}', "missing 'body'"),
        ("typed.json", b'{"body": "Text.", "headline": 42}', "headline: expected a string"),
        ("date.json", b'{"body": "Text.", "published": "yesterday"}', "is not an ISO or RFC 2822 date"),
        ("ninjs.json", b'{"uri": "urn:x", "type": "picture", "headlines": []}', "not a text story"),
        ("broken.rss", b"<rss version='2.0'><channel><<<>>", "invalid feed"),
        ("bodyless.atom", b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x', "no body text"),
        ("unknown.html", b"<html><body><nav>Home</nav></body></html>", "no body text"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    (found,) = _reasons(tmp_path, name, content)
    assert reason in found


def test_oversized_file_is_rejected_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    (item,) = read_file(path)
    assert isinstance(item, Rejected) and "larger than" in item.error.reason and item.payload == b""


def test_one_bad_line_does_not_stop_the_others(tmp_path: Path) -> None:
    lines = [b'{"body": "First story."}', b"\xff\xfe not json", b'{"body": "Third story."}']
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines))
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["RawArticle", "Rejected", "RawArticle"]
    rejected = items[1]
    assert isinstance(rejected, Rejected) and rejected.error.source == f"{path}:2"


def test_markup_the_html_parser_rejects_is_read_as_text() -> None:
    # Python's html.parser rejects a malformed declaration such as "<![" followed by a digit.
    text = html_to_text("<p>Flooding closed the bridge <![7 overnight.</p>")
    assert text.paragraphs and "Flooding closed the bridge" in " ".join(text.paragraphs)
