"""A reproducible corpus of realistic, distinct wire stories for benchmarks and scaling tests.

Stories are assembled from topic templates (conflict, politics, economy, disaster) with
varied people, groups, places and numbers, plus paragraphs of the two seed stories, so
spaCy sees text like real wire copy. No two bodies are equal, and two stories share few
sentences, so dedup (exact or near-duplicate) passes every one of them.

    python -m bench.corpus 5000 out/corpus.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

PEOPLE = [
    "Bashar al-Assad",
    "Rami Abdel Rahman",
    "Vladimir Putin",
    "Recep Tayyip Erdogan",
    "Antonio Guterres",
    "Emmanuel Macron",
    "Olaf Scholz",
    "Haider al-Abadi",
    "Hassan Nasrallah",
    "Sergei Lavrov",
    "Mike Pompeo",
    "Ali Khamenei",
    "Mohammed bin Salman",
    "Abdel Fattah el-Sisi",
    "King Abdullah",
    "Staffan de Mistura",
    "Angela Merkel",
    "Theresa May",
    "Justin Trudeau",
    "Narendra Modi",
    "Cyril Ramaphosa",
    "Jacinda Ardern",
    "Jair Bolsonaro",
    "Xi Jinping",
    "Shinzo Abe",
    "Maria Fernandez",
    "John Okafor",
    "Leila Haddad",
    "Pierre Dubois",
    "Ahmed Karimi",
]
ORGS = [
    "the United Nations",
    "the Syrian Observatory for Human Rights",
    "NATO",
    "the World Bank",
    "the International Monetary Fund",
    "the Red Cross",
    "Amnesty International",
    "Human Rights Watch",
    "the European Union",
    "the African Union",
    "the Arab League",
    "Reuters",
    "Doctors Without Borders",
    "the World Health Organization",
    "the Kurdish-led Syrian Democratic Forces",
    "the central bank",
    "the Ministry of Defence",
    "the electoral commission",
    "OPEC",
    "the Islamic State group",
]
GROUPS = [
    "Syrian",
    "Iraqi",
    "Russian",
    "Turkish",
    "Kurdish",
    "French",
    "Iranian",
    "Egyptian",
    "Afghan",
    "Nigerian",
    "Somali",
    "Yemeni",
    "Libyan",
    "Lebanese",
    "Israeli",
    "Palestinian",
    "Ukrainian",
]
PLACES = [
    ("Deir Ezzor", "Syria"),
    ("Raqqa", "Syria"),
    ("Aleppo", "Syria"),
    ("Idlib", "Syria"),
    ("Homs", "Syria"),
    ("Mosul", "Iraq"),
    ("Baghdad", "Iraq"),
    ("Kirkuk", "Iraq"),
    ("Fallujah", "Iraq"),
    ("Beirut", "Lebanon"),
    ("Tripoli", "Libya"),
    ("Benghazi", "Libya"),
    ("Sanaa", "Yemen"),
    ("Aden", "Yemen"),
    ("Kabul", "Afghanistan"),
    ("Kandahar", "Afghanistan"),
    ("Mogadishu", "Somalia"),
    ("Maiduguri", "Nigeria"),
    ("Cairo", "Egypt"),
    ("Gaza", "Palestine"),
    ("Donetsk", "Ukraine"),
    ("Kharkiv", "Ukraine"),
    ("Paris", "France"),
    ("Berlin", "Germany"),
    ("London", "United Kingdom"),
    ("Ankara", "Turkey"),
    ("Moscow", "Russia"),
    ("Tehran", "Iran"),
    ("Amman", "Jordan"),
    ("Geneva", "Switzerland"),
]
AGENCIES = [
    ("AP", "Gulf News"),
    ("AFP", "Yahoo News (AFP)"),
    ("Reuters", "Reuters"),
    ("AFP", "France 24"),
    ("AP", "The Washington Post"),
    ("Reuters", "The Guardian"),
    ("DPA", "Deutsche Welle"),
    ("Xinhua", "Xinhua"),
    ("ANSA", "ANSA English"),
    ("AP", "ABC News"),
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

HEADLINES = {
    "conflict": [
        "{n} killed as {group} forces clash with militants near {place}",
        "Militants seize villages outside {place}, monitor says",
        "Air strikes on {place} kill {n}, {org} reports",
    ],
    "politics": [
        "{person} meets {person2} in {place} as talks resume",
        "{group} parliament rejects budget after {person} walkout",
        "{person} calls for ceasefire in {country}",
    ],
    "economy": [
        "{country} inflation hits {pct} percent as {org} warns of slowdown",
        "Oil prices climb after {org} output deal",
        "{country} currency falls {pct} percent against the dollar",
    ],
    "disaster": [
        "Floods in {place} leave {n} dead and thousands homeless",
        "Earthquake of magnitude {mag} strikes near {place}",
        "Fire at {place} market kills {n}",
    ],
}
PARAGRAPHS = {
    "conflict": [
        "{group} forces pushed toward {place} on {day}, killing at least {n} fighters, according to {org}.",
        "{person}, who heads {org}, said the attack began before dawn and lasted several hours.",
        "The militants detonated {n2} car bombs outside {place} before withdrawing.",
        "At least {n} civilians, including {n2} children, were killed in air strikes on {place}, {org} said.",
        "A spokesman for {org} said its fighters had recaptured {n2} villages east of {place}.",
        "Residents of {place} described shelling all night; families fled toward {place2}.",
        "{org} has documented more than {big} deaths in {country} since the fighting began.",
        "The offensive on {place} is backed by {group} air power and militias loyal to {person}.",
        "{n} soldiers were wounded when their convoy was ambushed on the road between {place} and {place2}.",
        "The group claimed responsibility for the attack in a statement carried by its propaganda outlet.",
    ],
    "politics": [
        "{person} told reporters in {place} on {day} that a political solution was still possible.",
        "The talks, hosted by {org}, are the first direct contact between the two sides in {n2} months.",
        "{person2} accused the government of {country} of blocking aid convoys to {place}.",
        "Opposition lawmakers said {person} had ignored parliament and would challenge the decree.",
        "Diplomats in {place2} said a draft resolution would be put to a vote before the end of the week.",
        "{org} urged all parties to protect civilians and allow humanitarian access to {place}.",
        "{person} is due to travel to {place2} next month for a summit with {group} leaders.",
        "Protesters gathered outside the ministry in {place} demanding the release of {n} activists.",
        "The foreign ministry in {place2} summoned the {group} ambassador over the remarks.",
        "Analysts said the vote showed deep divisions within the ruling coalition led by {person}.",
    ],
    "economy": [
        "Consumer prices in {country} rose {pct} percent in the year to {month}, official data showed.",
        "{org} cut its growth forecast for {country} to {pct2} percent, citing weak exports.",
        "The central bank in {place} raised its benchmark rate by {bp} basis points on {day}.",
        "Brent crude rose {pct2} percent to {price} dollars a barrel after the announcement.",
        "{person}, the finance minister, said the government would cut spending by {big} million dollars.",
        "Shares of banks in {place} fell sharply as investors worried about bad loans.",
        "Exporters in {country} said the weaker currency had helped orders from {group} buyers.",
        "Unemployment in {country} stood at {pct2} percent, the highest level in {n2} years.",
        "{org} said a loan of {big} million dollars to {country} would be released in stages.",
        "Traders in {place2} said demand for gold had surged as savers sought safety.",
    ],
    "disaster": [
        "Rescue teams in {place} pulled {n2} survivors from the rubble on {day}, {org} said.",
        "The death toll from the floods in {country} rose to {n}, with {big} people displaced.",
        "{person}, the regional governor, declared a state of emergency in {place} and nearby districts.",
        "Heavy rain is forecast to continue over {place2} for at least {n2} more days.",
        "{org} appealed for {big} thousand dollars to provide shelter, water and medicine.",
        "Witnesses said the fire spread quickly through the crowded market in {place} before dawn.",
        "Hospitals in {place} were overwhelmed and appealed for blood donations, {org} said.",
        "The earthquake was felt as far away as {place2}, where buildings swayed for several seconds.",
        "Soldiers were deployed to {place} to help evacuate residents from low-lying neighbourhoods.",
        "{n} people remain missing, according to officials quoted by {org}.",
    ],
}
# Free sentences built from independent parts, so two stories rarely share a 3-word run
# outside the topic templates (dedup compares 3-word shingles).
OPENERS = [
    "Earlier,",
    "Separately,",
    "On {day},",
    "Late on {day},",
    "In a statement,",
    "Meanwhile,",
    "According to officials,",
    "Last week,",
    "By nightfall,",
    "Speaking by phone,",
    "Overnight,",
    "Witnesses said",
    "In {place},",
    "Near {place2},",
    "Sources told {agency} that",
]
SUBJECTS = [
    "{person}",
    "{org}",
    "a {group} official",
    "{group} troops",
    "local residents",
    "the mayor of {place}",
    "aid workers in {place2}",
    "a {group} delegation",
    "police in {place}",
    "the governor of {place2}",
    "rebel commanders",
    "a senior diplomat",
    "{person2}",
    "hospital staff",
    "the interior ministry",
]
VERBS = [
    "warned",
    "confirmed",
    "denied",
    "announced",
    "insisted",
    "reported",
    "estimated",
    "claimed",
    "acknowledged",
    "predicted",
    "revealed",
    "suggested",
    "stressed",
    "complained",
    "promised",
]
OBJECTS = [
    "that {n} people had been detained",
    "new curfews in {place}",
    "fresh talks next {day}",
    "that {n2} convoys were stuck at checkpoints",
    "a {pct} percent rise in prices",
    "that roads to {place2} were closed",
    "{big} dollars in emergency funds",
    "that the bridge at {place} was destroyed",
    "plans to reopen schools in {place2}",
    "that {n} families had returned home",
    "an inquiry into the shooting",
    "sanctions against {n2} companies",
    "a deal with {org}",
    "the arrest of a suspect",
    "that power had been restored in {place}",
]
TAILS = [
    "",
    " after weeks of delays",
    " despite strong objections",
    " without giving details",
    " in a televised address",
    " amid rising tension",
    " for the first time since {month}",
    " as pressure mounted",
    " on social media",
    " in a letter seen by {agency}",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip


def _seed_paragraphs() -> list[str]:
    """Paragraphs of the seed stories (blank-line separated), past their first line."""
    paragraphs: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n")]
        paragraphs.extend(b for b in blocks[1:] if len(b) > 80)
    return paragraphs


def _slots(rng: random.Random) -> dict[str, Any]:
    (place, country), (place2, _) = rng.sample(PLACES, 2)
    person, person2 = rng.sample(PEOPLE, 2)
    return {
        "place": place,
        "place2": place2,
        "country": country,
        "person": person,
        "person2": person2,
        "org": rng.choice(ORGS),
        "group": rng.choice(GROUPS),
        "day": rng.choice(WEEKDAYS),
        "month": rng.choice(MONTHS),
        "n": rng.randint(3, 95),
        "n2": rng.randint(2, 12),
        "big": rng.randint(150, 9000),
        "pct": rng.randint(2, 40),
        "pct2": round(rng.uniform(0.2, 9.5), 1),
        "bp": rng.choice([25, 50, 75, 100, 150]),
        "price": round(rng.uniform(45, 120), 2),
        "mag": round(rng.uniform(4.5, 7.9), 1),
    }


def _free_sentence(rng: random.Random) -> str:
    slots = {**_slots(rng), "agency": rng.choice(AGENCIES)[0]}
    parts = [rng.choice(OPENERS), rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)]
    sentence = " ".join(parts).format(**slots) + rng.choice(TAILS).format(**slots) + "."
    return sentence[0].upper() + sentence[1:]


def article(number: int, rng: random.Random, seed_paragraphs: list[str]) -> dict[str, Any]:
    """One story as a JSON object the feeder reads (`.jsonl` line)."""
    topic = rng.choice(sorted(PARAGRAPHS))
    slots = _slots(rng)
    count = rng.randint(5, 8)
    # Fresh slot values per paragraph, as a story names several places and people.
    templates = rng.sample(PARAGRAPHS[topic], count)
    body = [t.format(**(slots if i == 0 else _slots(rng))) for i, t in enumerate(templates)]
    # Most paragraphs get a free second sentence: real stories are not all template.
    body = [f"{p} {_free_sentence(rng)}" if i and rng.random() < 0.8 else p for i, p in enumerate(body)]
    body = [p[0].upper() + p[1:] for p in body]
    # Now and then a seed paragraph (real wire prose); more would make stories near copies.
    if seed_paragraphs and rng.random() < 0.1:
        body.insert(rng.randint(1, len(body)), rng.choice(seed_paragraphs))
    # The story number makes every body unique even if two draws collide.
    body.append(f"({slots['place'].upper()} desk, story {number}; reporting by {rng.choice(PEOPLE)})")
    agency, outlet = rng.choice(AGENCIES)
    published = date(2017, 1, 1) + timedelta(days=rng.randint(0, 2000))
    return {
        "headline": rng.choice(HEADLINES[topic]).format(**slots),
        "agency": agency,
        "outlet": outlet,
        "published": published.isoformat(),
        "dateline": slots["place"].upper(),
        "paragraphs": body,
    }


def generate(count: int, seed: int = 8) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    seed_paragraphs = _seed_paragraphs()
    return [article(number, rng, seed_paragraphs) for number in range(count)]


def write_jsonl(path: Path, articles: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


if __name__ == "__main__":
    total, out = int(sys.argv[1]), Path(sys.argv[2])
    write_jsonl(out, generate(total))
    print(f"{total} articles -> {out}")
