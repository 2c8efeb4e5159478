"""Which document ids Elasticsearch would refuse (and with them the whole bulk request)."""

from __future__ import annotations

import pytest

from services.indexer.bulk import Unavailable, id_problem, rejections, short


def test_ids_elasticsearch_refuses_are_found_before_the_request() -> None:
    assert id_problem("a1b2") is None
    assert id_problem("é" * 256) is None  # 512 bytes exactly
    assert id_problem("") == "document id is missing or empty"
    assert id_problem(None) == "document id is missing or empty"
    assert id_problem("é" * 257) == "document id of 514 bytes is longer than 512"


def test_log_text_is_one_bounded_line() -> None:
    assert short("a\nb  c") == "a b c"
    assert len(short("x" * 10_000)) == 500


def test_deleting_an_absent_document_is_not_a_rejection_but_an_outage_is_retried() -> None:
    delete = {"_op_type": "delete", "_index": "events", "_id": "gone"}
    update = {"_op_type": "update", "_index": "events", "_id": "e1"}
    absent = {"delete": {"_id": "gone", "status": 404, "result": "not_found"}}
    refused = {"update": {"_id": "e1", "status": 400, "error": "mapper_parsing_exception"}}
    assert rejections([delete, update], [absent, refused]) == [(update, refused["update"])]
    # An update that finds nothing (404) is still a rejection: only a delete wants absence.
    missing = {"update": {"_id": "e1", "status": 404}}
    assert rejections([update], [missing]) == [(update, missing["update"])]
    with pytest.raises(Unavailable):
        rejections([delete], [{"delete": {"_id": "gone", "status": 503}}])
