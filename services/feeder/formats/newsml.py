"""IPTC NewsML-G2 (XML): a newsMessage of newsItems, or a single newsItem.

defusedxml refuses DTDs, entity expansion and external references, so a hostile file
cannot blow up memory or read local files. Mapping per text newsItem: contentMeta/headline
-> headline; by | creator/name -> byline; located/name (else the dateline line's place) ->
dateline; dateline text -> date when no other; provider @literal | qcode, else
rightsInfo/copyrightHolder/name -> agency; infoSource/name -> outlet; firstCreated |
contentCreated | versionCreated -> published; language @tag | xml:lang -> language; link
@href (http) | guid (http) -> url; description with a caption role and XHTML figcaptions ->
captions; contentSet inlineXML (XHTML, cleaned) | inlineData (text) -> paragraphs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from schemas.articles import RawArticle
from services.feeder.article import Rejected, build_article
from services.feeder.errors import FeederError, as_feeder_error
from services.feeder.formats.html import html_to_text
from services.feeder.limits import check_depth, current
from services.feeder.plaintext import find_dateline

NAR = "{http://iptc.org/std/nar/2006-10-01/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def is_newsml(raw: bytes) -> bool:
    return b"iptc.org/std/nar/2006-10-01" in raw[:4096]


def _text(element: Element | None) -> str | None:
    if element is None:
        return None
    return " ".join("".join(element.itertext()).split()) or None


def _http(value: str | None) -> str | None:
    return value if value and value.startswith(("http://", "https://")) else None


def _agency(item: Element) -> str | None:
    provider = item.find(f"{NAR}itemMeta/{NAR}provider")
    if provider is not None:
        qcode = (provider.get("qcode") or "").partition(":")[2]
        if literal := provider.get("literal") or qcode or _text(provider.find(f"{NAR}name")):
            return literal
    return _text(item.find(f"{NAR}rightsInfo/{NAR}copyrightHolder/{NAR}name"))


def _body(source: str, item: Element) -> tuple[list[str], list[str]]:
    inline_xml = item.find(f"{NAR}contentSet/{NAR}inlineXML")
    if inline_xml is not None:
        for element in inline_xml.iter():
            # Serialised with namespace prefixes ("html:p"), HTML parsers would not know the tags.
            element.tag = str(element.tag).rpartition("}")[2]
        xhtml = "".join(tostring(child, encoding="unicode") for child in inline_xml)
        converted = html_to_text(xhtml or inline_xml.text or "")
        return converted.paragraphs, converted.captions
    inline_data = item.find(f"{NAR}contentSet/{NAR}inlineData")
    if inline_data is not None and inline_data.text:
        return inline_data.text.split("\n"), []
    raise FeederError(source, "newsItem has no inlineXML or inlineData content")


def parse_item(source: str, item: Element) -> RawArticle:
    item_class = item.find(f"{NAR}itemMeta/{NAR}itemClass")
    qcode = item_class.get("qcode", "") if item_class is not None else "ninat:text"
    if not qcode.endswith(":text"):
        raise FeederError(source, f"newsItem of class {qcode!r} is not a text story")
    meta = item.find(f"{NAR}itemMeta")
    content = item.find(f"{NAR}contentMeta")
    if meta is None or content is None:
        raise FeederError(source, "newsItem without itemMeta or contentMeta")
    paragraphs, inline_captions = _body(source, item)
    dateline_text = _text(content.find(f"{NAR}dateline"))
    found = find_dateline(f"{dateline_text} - ") if dateline_text else None
    link = meta.find(f"{NAR}link")
    language = content.find(f"{NAR}language")
    captions = [
        text
        for d in content.findall(f"{NAR}description")
        if "caption" in (d.get("role") or "") and (text := _text(d))
    ]
    fields: dict[str, Any] = {
        "headline": _text(content.find(f"{NAR}headline")),
        "byline": _text(content.find(f"{NAR}by")) or _text(content.find(f"{NAR}creator/{NAR}name")),
        "dateline": _text(content.find(f"{NAR}located/{NAR}name")) or (found.place if found else None),
        "dateline_text": f"{dateline_text} - " if dateline_text else None,
        "agency": _agency(item),
        "outlet": _text(content.find(f"{NAR}infoSource/{NAR}name")),
        "published": _text(meta.find(f"{NAR}firstCreated"))
        or _text(content.find(f"{NAR}contentCreated"))
        or _text(meta.find(f"{NAR}versionCreated")),
        "language": (language.get("tag") if language is not None else None) or item.get(XML_LANG),
        "url": _http(link.get("href") if link is not None else None) or _http(item.get("guid")),
        "captions": captions + inline_captions,
    }
    return build_article(source, fields, paragraphs)


def parse_newsml(source: str, raw: bytes) -> Iterator[RawArticle | Rejected]:
    try:
        root = fromstring(raw)
    except (ParseError, DefusedXmlException) as exc:
        raise FeederError(source, f"invalid XML: {exc}") from exc
    check_depth(root, current(), source)  # serialising and reading text recurse per level
    if root.tag == f"{NAR}newsItem":
        items = [root]
    elif root.tag == f"{NAR}newsMessage":
        items = root.findall(f"{NAR}itemSet/{NAR}newsItem")
    else:
        raise FeederError(source, f"not NewsML-G2: root element {root.tag!r}")
    if not items:
        raise FeederError(source, "NewsML-G2 message without newsItems")
    for index, item in enumerate(items):
        where = f"{source}#{item.get('guid') or index}"
        try:
            yield parse_item(where, item)
        except Exception as exc:  # this item's dead letter; the message's other items go on
            yield Rejected(as_feeder_error(where, exc), tostring(item))
