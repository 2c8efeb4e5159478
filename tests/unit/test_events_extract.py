"""Extraction rules on hand-built articles: sides, types, tolls, places, dates (no spaCy)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from schemas.articles import Article, EnrichedArticle, Entity
from schemas.events import Event
from services.events.extract import extract_events

PUBLISHED = datetime(2018, 5, 27, 9, 0, tzinfo=UTC)  # a Sunday: "Wednesday" is May 23
# name -> (country, admin1, lat, lon, precision)
PLACES: dict[str, tuple[str, str, float, float, str]] = {
    "Mayadeen": ("Syria", "Deir ez-Zor", 35.02, 40.45, "exact"),
    "Deir ez-Zor": ("Syria", "Deir ez-Zor", 35.33, 40.14, "admin1"),
    "Abu Kamal": ("Syria", "Deir ez-Zor", 34.45, 40.92, "exact"),
    "Beirut": ("Lebanon", "Beirut", 33.89, 35.5, "exact"),
    "Lebanon": ("Lebanon", "", 33.9, 35.9, "country"),
    "Kherson": ("Ukraine", "Kherson", 46.64, 32.61, "exact"),
    "Bilozerka": ("Ukraine", "Kherson", 46.63, 32.38, "exact"),
    "Lagos": ("Nigeria", "Lagos", 6.45, 3.4, "exact"),
    "Borna": ("Germany", "Saxony", 51.12, 12.5, "exact"),
    "Rueso": ("Thailand", "Narathiwat", 6.39, 101.52, "exact"),
    "Narathiwat": ("Thailand", "Narathiwat", 6.22, 101.89, "admin1"),
    "Milwaukee": ("United States", "Wisconsin", 43.04, -87.91, "exact"),
    # a homonym the gazetteer may pick for a Milwaukee neighbourhood of the same name
    "Riverside": ("United States", "California", 33.95, -117.4, "exact"),
}
ORGS = ("Islamic State", "Syrian Observatory for Human Rights")


def enriched(article_id: str, agency: str, *paragraphs: str) -> EnrichedArticle:
    """An article with its place and organisation mentions resolved as the entities stage would."""
    body = "\n\n".join(paragraphs)
    entities = []
    for name in (*PLACES, *ORGS):
        at = body.find(name)
        while at >= 0:
            country, admin1, lat, lon, precision = PLACES.get(name, (None, None, None, None, None))
            entities.append(
                Entity.model_validate(
                    {
                        "text": name,
                        "label": "GPE" if name in PLACES else "ORG",
                        "canonical": name,
                        "start": at,
                        "end": at + len(name),
                        "country": country,
                        "admin1": admin1,
                        "lat": lat,
                        "lon": lon,
                        "precision": precision,
                        "place_type": {"country": "country", "admin1": "admin1"}.get(precision or "", "city")
                        if precision
                        else None,
                    }
                )
            )
            at = body.find(name, at + 1)
    article = Article(
        article_id=article_id,
        source=f"test://{article_id}",
        agency=agency,
        paragraphs=list(paragraphs),
        published=PUBLISHED,
        published_from="metadata",
        ingested=PUBLISHED,
    )
    return EnrichedArticle(article=article, entities=sorted(entities, key=lambda e: e.start), model="test")


def events_of(*paragraphs: str) -> list[Event]:
    return extract_events(enriched("a1", "AFP", *paragraphs))


def test_the_attacker_is_actor1_and_generic_militants_are_the_named_group() -> None:
    (event,) = events_of(
        "On Wednesday, 26 regime forces were killed in a surprise IS attack near Mayadeen, "
        "according to the Syrian Observatory for Human Rights.",
        "It said 12 militants also died.",
    )
    assert (event.actor1, event.actor2) == ("Islamic State", "Military Forces of Syria")
    assert event.fatalities.best == 26 and event.location is not None and event.location.precision == "near"
    assert {(f.value, f.side) for f in event.figures} >= {
        (26, "Military Forces of Syria"),
        (12, "Islamic State"),
    }
    assert event.reported_by == ["Syrian Observatory for Human Rights"]


def test_a_state_weapon_names_the_state_and_civilian_victims_the_other_side() -> None:
    (event,) = events_of(
        "A Russian missile strike killed 17 civilians in Kherson on Wednesday, officials said."
    )
    assert (event.actor1, event.actor2) == ("Military Forces of Russia", "Civilians (Ukraine)")
    assert (event.event_type, event.sub_type) == (
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
    )


def test_separately_starts_another_incident_in_the_same_province() -> None:
    events = events_of(
        "Russian shelling killed three people in the Ukrainian city of Kherson on Tuesday.",
        "Separately, a Russian drone struck a car near Bilozerka, killing two men and a woman.",
    )
    assert sorted((e.location.name if e.location else None, e.fatalities.best, e.date) for e in events) == [
        ("Bilozerka", 3, date(2018, 5, 22)),  # two men and a woman
        ("Kherson", 3, date(2018, 5, 22)),
    ]


def test_protesters_are_actor1_of_their_protest_and_police_intervention_is_the_sub_type() -> None:
    (event,) = events_of(
        "Nigerian police fired tear gas on Tuesday to disperse hundreds of protesters in Lagos."
    )
    assert (event.event_type, event.sub_type) == ("Protests", "Protest with intervention")
    assert (event.actor1, event.actor2) == ("Protesters (Nigeria)", "Police Forces of Nigeria")
    assert event.fatalities.best is None


def test_tolls_from_death_toll_updates_and_not_from_the_injured() -> None:
    (rose,) = events_of("The death toll from Wednesday's drone attack on a depot in Abu Kamal rose to four.")
    assert rose.fatalities.best == 4 and rose.date == date(2018, 5, 23)
    (nobody,) = events_of(
        "No one was killed in the attack on Beirut on Tuesday, though two employees were injured."
    )
    assert nobody.fatalities.best is None and nobody.injuries.best == 2


def test_running_totals_and_the_dateline_are_not_incidents_or_places() -> None:
    assert (
        events_of("The latest attack brings to 76 the number of Syrian troops killed since the escalation.")
        == []
    )
    (event,) = events_of("BEIRUT (AFP) - Gunmen killed five villagers on Wednesday, residents said.")
    assert event.location is None and event.actor1 == "Unidentified Armed Group (Unknown)"


def test_a_place_in_a_country_the_article_never_names_is_ignored() -> None:
    (event,) = events_of("Gunmen killed 12 villagers in Borna on Monday, residents in Nigeria said.")
    assert event.location is None


def test_a_story_that_names_no_country_is_placed_by_its_only_place() -> None:
    """A local paper never writes its own country: its one resolved town is where it happened."""
    (event,) = events_of("A night guard was shot and killed outside a depot in Lagos early on Friday.")
    assert event.location is not None and event.location.name == "Lagos"
    assert event.fatalities.best == 1


def test_two_places_of_one_unnamed_country_vouch_for_each_other() -> None:
    (event,) = events_of("A roadside bomb killed two rangers in Rueso district of Narathiwat on Friday.")
    assert event.location is not None and event.location.name == "Rueso"


def test_a_town_named_after_the_toll_makes_the_place_more_specific() -> None:
    (event,) = events_of(
        "Gunmen killed 12 soldiers in Narathiwat province on Friday, the army said.",
        "A ranger was wounded in the gunfight near Rueso, the army said.",
    )
    assert event.location is not None and event.location.name == "Rueso"
    assert event.location.precision == "near"


def test_a_toll_since_a_weekday_is_this_weeks_incident_and_since_a_year_a_tally() -> None:
    (event,) = events_of("An offensive by IS near Mayadeen has killed at least 80 people since Wednesday.")
    assert event.date == date(2018, 5, 23) and event.fatalities.best == 80
    assert events_of("The war has killed more than 350,000 people since 2011, the Observatory said.") == []
    assert events_of("IS has killed 80 people near Mayadeen, the Observatory said.") == []


def test_a_toll_told_over_two_days_joins_the_incident_of_either_day() -> None:
    (event,) = events_of(
        "IS fighters seized the Syrian town of Mayadeen on Saturday after heavy fighting.",
        "At least 13 soldiers were killed in the fighting on Friday and Saturday, Lebanon's army said.",
    )
    assert event.date == date(2018, 5, 26) and event.fatalities.best == 13
    assert event.location is not None and event.location.name == "Mayadeen"


def test_civilians_are_never_the_attacking_side() -> None:
    (event,) = events_of("A guided bomb killed three civilians in the Ukrainian city of Kherson on Tuesday.")
    assert event.actor1 is None and event.actor2 == "Civilians (Ukraine)"


def test_an_incident_told_without_a_place_happened_where_the_story_stands() -> None:
    (event,) = events_of(
        "Violence has surged in Narathiwat province in Thailand this year, officials said.",
        "Gunmen shot dead 12 people on Friday, a police officer said.",
    )
    assert event.location is not None and event.location.name == "Narathiwat"
    two = events_of(
        "Violence has surged in Narathiwat province in Thailand this year, officials said.",
        "Gunmen shot dead 12 people on Friday, a police officer said.",
        "Separately, a bomb killed two rangers in Rueso on Saturday.",
    )
    # Each incident is where the story stands when it is told: the province named before the
    # first, the town of its own sentence for the second.
    assert sorted(e.location.name if e.location else "" for e in two) == ["Narathiwat", "Rueso"]
    (later,) = events_of(
        "Gunmen shot dead 12 people on Friday, a police officer said.",
        "The killings came days after unrest in Narathiwat province in southern Thailand.",
    )
    assert later.location is not None and later.location.name == "Narathiwat"  # the lede's, none before it


def test_the_datelines_date_is_the_filing_day_not_the_incidents() -> None:
    (event,) = events_of(
        "BEIRUT, May 27 (Reuters) - IS fighters killed 12 soldiers near Mayadeen on Wednesday."
    )
    assert event.date == date(2018, 5, 23)


def test_a_claim_day_is_not_the_incident_day() -> None:
    (event,) = events_of(
        "Jihadists ambushed a convoy near Mayadeen on Friday, killing 40 soldiers.",
        "IS claimed the ambush on Saturday.",
    )
    assert event.date == date(2018, 5, 25)
    assert "Islamic State (claim)" in event.reported_by and event.actor1 == "Islamic State"


def test_police_who_report_or_respond_are_not_a_side_and_a_lone_gunman_is_violence_against_civilians() -> (
    None
):
    (event,) = events_of(
        "A gunman shot and killed two shopkeepers in Lagos on Friday, police said, "
        "and officers are investigating."
    )
    assert (event.event_type, event.sub_type) == ("Violence against civilians", "Attack")
    assert event.actor2 is not None and event.actor2.startswith("Civilians")
    assert "Police" not in f"{event.actor1} {event.actor2} {event.assoc_actors}"
    (fight,) = events_of("Gunmen clashed with police in Lagos on Friday, killing three officers.")
    assert "Police Forces of Nigeria" in (fight.actor1, fight.actor2)


def test_the_dead_are_among_the_shot_and_separate_single_victims_add_up() -> None:
    (event,) = events_of("Seven people were shot in Lagos on Friday, leaving one of them dead.")
    assert (event.fatalities.best, event.injuries.best) == (1, 6)
    (later,) = events_of("Two guards were shot in Lagos on Friday.", "One of them later died in hospital.")
    assert (later.fatalities.best, later.injuries.best) == (1, 1)
    (each,) = events_of("A baker was shot in the arm in Lagos on Friday; another man was shot in the leg.")
    assert each.injuries.best == 2


def test_a_later_claim_about_other_victims_does_not_replace_the_ledes_toll() -> None:
    (event,) = events_of(
        "Air strikes killed 25 civilians in Mayadeen on Wednesday, "
        "the Syrian Observatory for Human Rights said.",
        "State media said the army killed 50 militants in the area.",
    )
    assert event.fatalities.best == 25


def test_two_incidents_of_one_article_on_one_day_in_one_place_keep_their_own_ids() -> None:
    """Sharing an id, the second would read as a replay of the first and vanish in one order
    of arrival but not in another."""
    events = events_of(
        "Gunmen killed three farmers in Lagos on Friday.",
        "Separately, a bomb killed two traders in Lagos on Friday.",
    )
    assert len(events) == 2 and len({e.event_id for e in events}) == 2
    assert [e.event_id for e in events] == [
        e.event_id
        for e in events_of(
            "Gunmen killed three farmers in Lagos on Friday.",
            "Separately, a bomb killed two traders in Lagos on Friday.",
        )
    ]


def test_a_lone_town_far_from_where_the_story_stands_is_a_homonym_not_the_place() -> None:
    (event,) = events_of(
        "Two men were shot in Riverside on Friday night, police in Milwaukee said.",
        "Milwaukee police are looking for the gunman.",
    )
    assert event.location is not None and event.location.name == "Milwaukee"
    # Where the story stands nowhere in particular, its one town stands.
    (alone,) = events_of("Two men were shot in Riverside on Friday night, police said.")
    assert alone.location is not None and alone.location.name == "Riverside"
