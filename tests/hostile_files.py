"""The hostile files of issue 17, written fresh by each test that needs them."""

from __future__ import annotations

import json
import os
from pathlib import Path

GOOD = "KANO — Traders reopened the grain market after the floods receded."
NEWSML = (
    '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"><itemMeta/><contentMeta/>'
    "<contentSet><inlineXML>{}</inlineXML></contentSet></newsItem>"
)


def hostile_folder(folder: Path) -> dict[str, str]:
    """Writes the probes of issue 17; returns file name -> expected reason."""
    folder.mkdir()
    (folder / "first.txt").write_text(GOOD + "\n")
    (folder / "number.json").write_text('{"body": "x", "n": ' + "7" * 5000 + "}")
    with open(os.fsencode(folder) + b"/name-\xff.txt", "wb") as handle:
        handle.write(GOOD.replace("grain", "cattle").encode())
    sentence = "The council met again and the meeting ran long into the night. "
    (folder / "long.txt").write_text(sentence * (12_000_000 // len(sentence)))
    (folder / "deep.xml").write_text(NEWSML.format("<div>" * 5000 + "x" + "</div>" * 5000))
    (folder / "future.json").write_text(json.dumps({"body": GOOD, "published": "9999-01-01T00:00:00Z"}))
    (folder / "last.json").write_text(json.dumps({"body": GOOD.replace("grain", "fish")}))
    return {
        "number.json": "JSON integer of 5000 digits",
        "long.txt": "over the limit",
        "deep.xml": "nested deeper than",
        "future.json": "in the future",
    }
