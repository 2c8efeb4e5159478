"""Which document ids Elasticsearch would refuse (and with them the whole bulk request)."""

from __future__ import annotations

from services.indexer.bulk import id_problem, short


def test_ids_elasticsearch_refuses_are_found_before_the_request() -> None:
    assert id_problem("a1b2") is None
    assert id_problem("é" * 256) is None  # 512 bytes exactly
    assert id_problem("") == "document id is missing or empty"
    assert id_problem(None) == "document id is missing or empty"
    assert id_problem("é" * 257) == "document id of 514 bytes is longer than 512"


def test_log_text_is_one_bounded_line() -> None:
    assert short("a\nb  c") == "a b c"
    assert len(short("x" * 10_000)) == 500
