"""The shared precision vocabulary: one ranking, and old messages still load."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas.articles import Entity
from schemas.events import Location
from schemas.precision import PRECISIONS, finer, rank


def test_ranking_runs_from_town_to_unknown() -> None:
    ranks = [rank(p) for p in PRECISIONS]
    assert ranks == sorted(ranks, reverse=True)
    assert finer("admin1", "admin2") and finer("region", "admin1") and finer("country", "region")
    assert not finer("town", "near") and not finer("near", "town")  # "near X" names the town X
    assert rank(None) == rank("unknown")


def test_version_one_word_exact_reads_as_town() -> None:
    entity = Entity.model_validate(
        {"text": "Ava", "label": "GPE", "canonical": "Ava", "start": 0, "end": 3, "precision": "exact"}
    )
    assert entity.precision == "town"
    assert Location(name="Ava", precision="exact").precision == "town"


def test_unknown_word_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Location(name="Ava", precision="street")
