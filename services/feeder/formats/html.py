"""HTML bodies to clean paragraphs and captions (feeds, ninjs `body_html`, NewsML-G2 XHTML).

BeautifulSoup with Python's own `html.parser` (through `parse_markup`): it takes tag soup, needs
no C library, and its tree API keeps block and caption handling short.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bs4 import Tag

from schemas.articles import RawArticle
from services.feeder.article import build_article
from services.feeder.formats.text import decode_text
from services.feeder.markup import parse_markup

# Never body text: code, navigation, embeds and forms that news pages wrap around a story.
_DROPPED = ["script", "style", "noscript", "template", "iframe", "nav", "aside", "form", "header", "footer"]
_BLOCKS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "td"]


@dataclass
class HtmlText:
    paragraphs: list[str]
    captions: list[str] = field(default_factory=list)
    title: str | None = None
    heading: str | None = None  # the first <h1>, taken out of the body
    meta: dict[str, str] = field(default_factory=dict)  # <meta name|property=... content=...>
    language: str | None = None


def _clean(text: str) -> str:
    return " ".join(text.split())


def html_to_text(html: str) -> HtmlText:
    """Paragraphs from block elements, figure captions apart, page title and meta tags."""
    soup = parse_markup(html)
    for tag in soup(_DROPPED):
        tag.decompose()
    captions = [c for c in (_clean(f.get_text()) for f in soup("figcaption")) if c]
    for figure in soup(["figure", "figcaption"]):
        figure.decompose()
    for br in soup("br"):
        br.replace_with("\n")
    title_tag = soup.find("title")
    title = _clean(title_tag.get_text()) if title_tag else None
    meta = {
        str(m.get("property") or m.get("name")).lower(): str(m.get("content"))
        for m in soup("meta")
        if (m.get("property") or m.get("name")) and m.get("content")
    }
    root = soup.find("html")
    language = str(root.get("lang")) if isinstance(root, Tag) and root.get("lang") else None
    if title_tag:
        title_tag.decompose()
    h1 = soup.find("h1")
    heading = _clean(h1.get_text()) if h1 else None
    if h1:
        h1.decompose()
    # Outermost blocks only: a <p> inside a <blockquote> is part of the quote's paragraph.
    blocks = [b for b in soup(_BLOCKS) if b.find_parent(_BLOCKS) is None]
    if blocks:
        paragraphs = [_clean(b.get_text()) for b in blocks]
    else:
        paragraphs = [_clean(line) for line in soup.get_text().split("\n")]
    return HtmlText([p for p in paragraphs if p], captions, title or None, heading or None, meta, language)


def parse_html_page(source: str, raw: bytes) -> RawArticle:
    """A saved article page (`.html`): <h1> or og:title -> headline, article:published_time,
    author, og:site_name -> outlet, og:url or canonical -> url, <html lang> -> language."""
    page = html_to_text(decode_text(source, raw))
    meta = page.meta
    fields = {
        "headline": page.heading or meta.get("og:title") or page.title,
        "published": meta.get("article:published_time") or meta.get("date"),
        "byline": meta.get("author") or meta.get("article:author"),
        "outlet": meta.get("og:site_name"),
        "url": meta.get("og:url"),
        "language": page.language,
        "captions": page.captions,
    }
    return build_article(source, fields, page.paragraphs)
