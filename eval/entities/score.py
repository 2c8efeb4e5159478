"""Score the entities stage on the labelled paragraphs in gold.jsonl.

Each gold line: id, region, text, and entities as [text, type, canonical] for PERSON and ORG,
[text, "PLACE", name, lat, lon(, tolerance_km)] for points, [text, "REGION", name, lat, lon,
tolerance_km] for areas and [text, "COUNTRY", country name]. Every occurrence of a gold text in
the paragraph is a mention (longer gold texts win where they overlap).

Reports precision/recall/F1 by type (exact span and overlapping span), canonical-name accuracy
for people and organisations, and how many gold place mentions resolve to the right place:
points within 25 km, areas within their tolerance, countries to the right country.

    .venv/bin/python -m eval.entities.score [--errors] [--gold eval/entities/heldout.jsonl]

gold.jsonl was used while tuning the resolver; heldout.jsonl was written afterwards and never
tuned on, so its numbers are the honest estimate.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from schemas.articles import Entity
from services.common.geo import haversine_km
from services.common.settings import Settings
from services.entities.ner import entities_of, load_pipeline

GOLD_FILE = Path(__file__).parent / "gold.jsonl"
POINT_KM = 25.0
TYPE_OF_LABEL = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE"}
TYPE_OF_GOLD = {"PERSON": "PERSON", "ORG": "ORG", "PLACE": "PLACE", "REGION": "PLACE", "COUNTRY": "PLACE"}


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    text: str
    kind: str  # PERSON, ORG, PLACE, REGION, COUNTRY
    canonical: str
    lat: float | None = None
    lon: float | None = None
    tolerance_km: float = POINT_KM

    @property
    def type(self) -> str:
        return TYPE_OF_GOLD[self.kind]


def gold_mentions(text: str, entries: list[list[str | float]]) -> list[Gold]:
    mentions: list[Gold] = []
    taken: set[int] = set()
    for entry in sorted(entries, key=lambda e: -len(str(e[0]))):
        surface, kind, canonical = str(entry[0]), str(entry[1]), str(entry[2])
        coords = [float(x) for x in entry[3:]]
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            span = set(range(match.start(), match.end()))
            if span & taken:
                continue
            taken |= span
            mentions.append(
                Gold(
                    match.start(),
                    match.end(),
                    surface,
                    kind,
                    canonical,
                    coords[0] if coords else None,
                    coords[1] if coords else None,
                    coords[2] if len(coords) > 2 else POINT_KM,
                )
            )
    return mentions


def _overlaps(a: Gold, b: Entity) -> bool:
    return a.start < b.end and b.start < a.end


def place_correct(gold: Gold, found: Entity) -> bool:
    if gold.kind == "COUNTRY":
        return found.country == gold.canonical
    if found.lat is None or found.lon is None or gold.lat is None or gold.lon is None:
        return False
    return haversine_km(gold.lat, gold.lon, found.lat, found.lon) <= gold.tolerance_km


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def line(self, name: str) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return f"{name:8} P={p:.3f} R={r:.3f} F1={f:.3f}  (tp={self.tp} fp={self.fp} fn={self.fn})"


def score(gold_file: Path, show_errors: bool) -> dict[str, float]:
    rows = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line]
    nlp = load_pipeline(Settings().spacy_model)
    strict: dict[str, Tally] = {t: Tally() for t in ("PERSON", "ORG", "PLACE", "ALL")}
    loose: dict[str, Tally] = {t: Tally() for t in ("PERSON", "ORG", "PLACE", "ALL")}
    canon = Counter[str]()
    places = Counter[str]()
    for row, doc in zip(rows, nlp.pipe(r["text"] for r in rows), strict=True):
        golds = gold_mentions(row["text"], row["entities"])
        found = [e for e in entities_of(doc) if e.label in TYPE_OF_LABEL]
        exact = {(g.start, g.end, g.type) for g in golds}
        predicted = {(e.start, e.end, TYPE_OF_LABEL[e.label]) for e in found}
        for kind in ("PERSON", "ORG", "PLACE"):
            g = {x for x in exact if x[2] == kind}
            p = {x for x in predicted if x[2] == kind}
            for tally in (strict[kind], strict["ALL"]):
                tally.tp += len(g & p)
                tally.fp += len(p - g)
                tally.fn += len(g - p)
        unmatched = list(found)
        for gold in golds:
            match = next(
                (e for e in unmatched if TYPE_OF_LABEL[e.label] == gold.type and _overlaps(gold, e)), None
            )
            for tally in (loose[gold.type], loose["ALL"]):
                if match is None:
                    tally.fn += 1
                else:
                    tally.tp += 1
            if match is not None:
                unmatched.remove(match)
            if gold.type in ("PERSON", "ORG") and match is not None:
                canon["right" if match.canonical == gold.canonical else "wrong"] += 1
                if show_errors and match.canonical != gold.canonical:
                    print(
                        f"  canonical {row['id']}: {gold.text!r} -> {match.canonical!r},"
                        f" gold {gold.canonical!r}"
                    )
            if gold.type == "PLACE":
                # Resolution is judged on any overlapping output, whatever label it got.
                hit = match or next((e for e in found if _overlaps(gold, e)), None)
                ok = hit is not None and place_correct(gold, hit)
                group = (
                    "point" if gold.kind == "PLACE" and gold.tolerance_km == POINT_KM else gold.kind.lower()
                )
                places[f"{group}_total"] += 1
                places[f"{group}_right"] += ok
                if show_errors and not ok:
                    where = f"{hit.canonical} {hit.country} ({hit.lat}, {hit.lon})" if hit else "not found"
                    print(f"  place {row['id']}: {gold.text!r} -> {where}")
        for extra in unmatched:
            for tally in (loose[TYPE_OF_LABEL[extra.label]], loose["ALL"]):
                tally.fp += 1
            if show_errors:
                print(f"  spurious {row['id']}: {extra.text!r} {extra.label} -> {extra.canonical!r}")

    print(
        f"{len(rows)} paragraphs, {sum(t.tp + t.fn for k, t in strict.items() if k != 'ALL')} gold mentions"
    )
    print("Entities, exact span:")
    for kind, tally in strict.items():
        print("  " + tally.line(kind))
    print("Entities, overlapping span:")
    for kind, tally in loose.items():
        print("  " + tally.line(kind))
    canon_acc = canon["right"] / max(1, canon["right"] + canon["wrong"])
    print(f"Canonical names (people, organisations found): {canon_acc:.3f} of {canon.total()}")
    results = {"canonical_accuracy": canon_acc}
    for group in ("point", "region", "country"):
        total = places[f"{group}_total"]
        share = places[f"{group}_right"] / max(1, total)
        results[f"{group}_resolved"] = share
        label = {"point": f"towns/sites within {POINT_KM:.0f} km", "region": "areas within tolerance"}
        print(f"Places, {label.get(group, 'countries right')}: {share:.3f} of {total}")
    all_places = sum(places[f"{g}_right"] for g in ("point", "region", "country"))
    total_places = sum(places[f"{g}_total"] for g in ("point", "region", "country"))
    print(f"Places, all gold place mentions right: {all_places / max(1, total_places):.3f} of {total_places}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every miss")
    parser.add_argument("--gold", type=Path, default=GOLD_FILE, help="a labelled set (default gold.jsonl)")
    args = parser.parse_args()
    score(args.gold, args.errors)


if __name__ == "__main__":
    main()
