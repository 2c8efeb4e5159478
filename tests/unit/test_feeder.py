from __future__ import annotations

import json
from pathlib import Path

from schemas.articles import RawArticle
from services.feeder.checkpoint import Checkpoint
from services.feeder.plaintext import parse_plaintext
from services.feeder.reader import Rejected, article_id, read_files, read_paths
from tests.conftest import SEEDS


def _seeds() -> dict[str, RawArticle]:
    items = [i for i in read_paths([SEEDS]) if isinstance(i, RawArticle)]
    return {Path(i.article.source).name: i for i in items}


def test_ap_seed_parts() -> None:
    article = _seeds()["000_6dc556faee6a3711.txt"].article
    assert article.headline is None
    assert article.dateline == "Beirut"
    assert article.agency == "AP"
    assert article.outlet == "Gulf News"
    assert article.paragraphs[0].startswith("BEIRUT — Daesh militants")
    assert all(p != "—AP" for p in article.paragraphs), "sign-off is not body"
    assert (article.published.isoformat(), article.published_from) == (
        "2017-08-25T00:00:00+00:00",
        "metadata",
    )


def test_afp_seed_headline_caption_and_crossheads() -> None:
    article = _seeds()["001_a09dbfd06fd3978c.txt"].article
    assert article.headline == "Russia forces among dozens dead in IS east Syria attacks"
    assert len(article.captions) == 1 and article.captions[0].endswith("(AFP Photo/STRINGER)")
    assert article.dateline == "Beirut" and article.agency == "AFP"
    assert "- IS claims attack -" not in article.paragraphs
    assert not any(p.startswith("- 'Hinder'") for p in article.paragraphs)
    assert article.paragraphs[0].startswith("Beirut (AFP) - Russian fighters")


def test_ids_are_stable_and_depend_on_source_and_content() -> None:
    first, second = _seeds(), _seeds()
    assert {k: v.article.article_id for k, v in first.items()} == {
        k: v.article.article_id for k, v in second.items()
    }
    assert article_id("AP", "abc") != article_id("Reuters", "abc")
    assert article_id("AP", "abc") != article_id("AP", "abd")


def test_plaintext_without_metadata_finds_headline_and_byline() -> None:
    parsed = parse_plaintext(
        "Floods hit the north\n\nBy Jane Doe\n\nLAGOS — Rain fell for days.\n\n—Reuters\n"
    )
    assert parsed.headline == "Floods hit the north"
    assert parsed.byline == "Jane Doe"
    assert parsed.dateline == "Lagos"
    assert parsed.agency == "REUTERS"
    assert parsed.paragraphs == ["LAGOS — Rain fell for days."]


def test_bad_files_are_rejected_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "lines.jsonl").write_text(
        json.dumps({"body": "A fine story.", "outlet": "X"})
        + "\n{broken\n"
        + json.dumps({"headline": "no body"})
        + "\n"
    )
    items = list(read_paths([tmp_path]))
    reasons = sorted(i.error.reason for i in items if isinstance(i, Rejected))
    published = [i for i in items if isinstance(i, RawArticle)]
    assert [p.article.paragraphs for p in published] == [["A fine story."]]
    assert reasons == sorted(
        [
            "empty file",
            "binary content (NUL bytes)",
            "invalid JSON: Expecting property name enclosed in double quotes",
            "missing 'body', 'text', 'paragraphs' or 'html'",
        ]
    )
    assert all(i.dead_letter(1024).stage == "feeder" for i in items if isinstance(i, Rejected))


def test_published_without_metadata_is_flagged_as_ingestion_time(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("KABUL — Something happened today.\n")
    (item,) = read_paths([tmp_path])
    assert isinstance(item, RawArticle)
    assert item.article.published_from == "ingested"


def test_broken_sidecar_is_reported_apart_and_files_still_go_in(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text("{not json")
    (tmp_path / "a.txt").write_text("LAGOS — A story.\n")
    (meta, problems), (story, items) = read_files([tmp_path])
    assert meta == tmp_path / "meta.json" and story == tmp_path / "a.txt"
    assert [type(i).__name__ for i in problems] == ["Rejected"]
    assert [type(i).__name__ for i in items] == ["RawArticle"]


def test_checkpoint_resumes_inside_a_file_of_the_same_version(tmp_path: Path) -> None:
    story = tmp_path / "backlog.jsonl"
    story.write_text('{"body": "x"}\n')
    version = Checkpoint.version(story)
    path = tmp_path / "checkpoint.json"
    Checkpoint(path).progress(story, version, 500)
    restarted = Checkpoint(path)
    assert restarted.is_new(story) and restarted.published(story, version) == 500
    assert restarted.published(story, "another:version") == 0  # rewritten file: from the start
    restarted.mark(story, version)
    assert not Checkpoint(path).is_new(story) and Checkpoint(path).published(story, version) == 0
