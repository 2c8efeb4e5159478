"""Markup to a parse tree that never raises: the one place the feeder calls BeautifulSoup."""

from __future__ import annotations

import html

from bs4 import BeautifulSoup
from bs4.exceptions import ParserRejectedMarkup


def parse_markup(markup: str) -> BeautifulSoup:
    """Python's `html.parser` takes almost any tag soup, but rejects a few malformed
    declarations (`<![0`); such text is read as plain text so the story is not lost."""
    try:
        return BeautifulSoup(markup, "html.parser")
    except ParserRejectedMarkup:
        return BeautifulSoup(html.escape(markup, quote=False), "html.parser")
