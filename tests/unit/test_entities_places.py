"""Place recognition and resolution on small texts: spellings, context, false positives."""

from __future__ import annotations

import json

import pytest
from spacy.language import Language

from schemas.articles import Entity
from services.common.settings import Settings
from services.entities.gazetteer import PLACES_FILE
from services.entities.geonames.build import admin1_display, admin1_variants
from services.entities.geonames.folding import fold, skeleton
from services.entities.ner import entities_of, load_pipeline


@pytest.fixture(scope="session")
def nlp() -> Language:
    # The GeoNames index is cached per process, so this shares it with the seed fixture.
    return load_pipeline(Settings().spacy_model)


def places(nlp: Language, text: str) -> dict[str, Entity]:
    return {e.text: e for e in entities_of(nlp(text)) if e.precision is not None}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Deir al-Zor", "Deir ez-Zor"),
        ("Deir Ezzor", "Deir ez-Zor"),
        ("Raqqa", "Ar Raqqah"),
        ("Raqqa", "Arraqqah"),
    ],
)
def test_transliterations_fold_together(a: str, b: str) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Mayadeen", "Al Mayadin"), ("Maadan", "Ma'dan"), ("Deir Al Zour", "Dayr az Zawr")]
)
def test_vowel_spellings_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(fold(a)) == skeleton(fold(b))


def test_the_same_name_resolves_by_the_story_country(nlp: Language) -> None:
    syria = places(nlp, "Syrian troops advanced on Maadan, east of Raqqa, the army said.")
    armenia = places(
        nlp, "Residents of Maadan in Armenia's Tavush province said the road to Yerevan was shut."
    )
    assert syria["Maadan"].country == "Syria" and syria["Maadan"].geonames_id == 167538
    assert armenia["Maadan"].country == "Armenia"


def test_places_named_together_lie_together(nlp: Language) -> None:
    # GeoNames also lists Pokrovsk as an old name of Engels on the Volga, a bigger town.
    found = places(nlp, "Russian forces advanced on Pokrovsk, cutting the road to Dnipro, Kyiv said.")
    assert found["Pokrovsk"].country == "Ukraine" and found["Pokrovsk"].lat == pytest.approx(48.28, abs=0.1)


def test_a_dateline_is_a_place_whatever_its_case(nlp: Language) -> None:
    found = places(nlp, "BAMAKO (Reuters) - Gunmen attacked a checkpoint, officials said.")
    assert found["BAMAKO"].canonical == "Bamako" and found["BAMAKO"].country == "Mali"


def test_province_mentions_are_admin1(nlp: Language) -> None:
    found = places(nlp, "Clashes spread to the province of Homs and to Idlib province, the monitor said.")
    assert found["Homs"].precision == "admin1" and found["Homs"].place_type == "admin1"
    assert found["Idlib"].precision == "admin1" and found["Idlib"].country == "Syria"


def test_common_capitalised_words_are_not_places(nlp: Language) -> None:
    text = "Reading the statement aloud, the spokesman said Mobile networks were down. Nice weather helped."
    assert places(nlp, text) == {}


def test_demonyms_are_nationalities_not_places(nlp: Language) -> None:
    found = entities_of(nlp("Ukrainian drones hit a depot, Somali officials said."))
    assert all(e.label == "NORP" for e in found if e.text in ("Ukrainian", "Somali"))
    assert all(e.lat is None for e in found)


def test_curated_supplement_places_have_positions(nlp: Language) -> None:
    # The small model calls both a nationality (NORP).
    found = places(nlp, "A plane crashed at Hmeimim airbase, and fighters fled into the Badiya.")
    assert found["Hmeimim"].label == "FAC" and found["Hmeimim"].admin1 == "Latakia"
    assert found["Badiya"].place_type == "region" and found["Badiya"].country == "Syria"


def test_a_place_called_by_its_own_name_beats_an_old_name_of_a_bigger_one(nlp: Language) -> None:
    # GeoNames lists "Islamabad" among the old names of Chittagong, four times as big.
    found = places(nlp, "ISLAMABAD (Reuters) - Police fired tear gas at marchers, witnesses said.")
    assert found["ISLAMABAD"].country == "Pakistan"


def test_a_province_word_picks_the_province_over_a_namesake_town(nlp: Language) -> None:
    # Guerrero is also a town near Mexico City, the dateline, in Hidalgo state.
    found = places(
        nlp, "MEXICO CITY (AP) - Gunmen killed a mayor in southern Guerrero state, officials said."
    )
    assert found["Guerrero"].place_type == "admin1" and found["Guerrero"].admin1 == "Guerrero"
    assert found["MEXICO CITY"].canonical == "Mexico City"


@pytest.mark.parametrize(
    ("geonames", "wire"),
    [
        ("Northern Darfur", {"North Darfur"}),
        ("Nord Kivu", {"North Kivu"}),
        ("Muhafazat al Hudaydah", {"al Hudaydah"}),
        ("North-West Province", {"North-West"}),
        ("North Province", set()),  # a bare "North" would match any capitalised "North"
        ("Kassala", set()),
    ],
)
def test_admin1_names_get_their_wire_forms(geonames: str, wire: set[str]) -> None:
    rules = json.loads(PLACES_FILE.read_text(encoding="utf-8"))["admin1_variants"]
    assert admin1_variants(geonames, rules) == wire


@pytest.mark.parametrize(
    ("geonames", "shown"),
    [
        ("Salah ad Din Governorate", "Salah ad Din"),
        ("North Province", "North Province"),
        ("Kassala", "Kassala"),
    ],
)
def test_admin1_names_are_published_without_administrative_words(geonames: str, shown: str) -> None:
    rules = json.loads(PLACES_FILE.read_text(encoding="utf-8"))["admin1_variants"]
    assert admin1_display(geonames, rules) == shown


def test_provinces_resolve_by_their_wire_names(nlp: Language) -> None:
    found = places(nlp, "Fighting spread from North Kivu to Ituri province and to North Darfur, the UN said.")
    assert found["North Kivu"].place_type == "admin1" and found["North Kivu"].country_code == "CD"
    assert found["Ituri"].admin1 == "Ituri" and found["Ituri"].lat == pytest.approx(1.6, abs=1.0)
    assert found["North Darfur"].country_code == "SD"


def test_a_district_named_after_its_town_is_that_town(nlp: Language) -> None:
    found = places(nlp, "Militants ambushed an army convoy in the Kathua district of India's Jammu region.")
    assert found["Kathua"].place_type == "city"
    assert (found["Kathua"].lat, found["Kathua"].lon) == pytest.approx((32.37, 75.52), abs=0.1)


def test_a_possessive_is_the_place_itself(nlp: Language) -> None:
    found = places(nlp, "Thirteen peacekeepers were killed near Goma, South Africa's military said.")
    assert found["South Africa's"].country_code == "ZA" and found["South Africa's"].place_type == "country"


def test_a_seat_of_unknown_size_is_a_place_only_in_the_story_country(nlp: Language) -> None:
    # GeoNames gives Mallam Fatori, a local government seat in Borno, no population; the
    # small model calls it an organisation.
    text = "Jihadists from {} attacked a military base in Malam Fatori on Tuesday, sources said."
    found = places(nlp, text.format("Nigeria"))
    assert found["Malam Fatori"].canonical == "Mallam Fatori" and found["Malam Fatori"].admin1 == "Borno"
    assert "Malam Fatori" not in places(nlp, text.format("the Islamic State"))


def test_airport_codes_are_not_place_names(nlp: Language) -> None:
    # GeoNames lists "AUG" and "DAY" among the names of Augusta and Dayton.
    found = places(nlp, "GENEVA, Aug 19 (Reuters) - Aid groups met on World Humanitarian Day, the UN said.")
    assert set(found) == {"GENEVA"} and found["GENEVA"].country_code == "CH"
