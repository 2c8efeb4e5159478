"""Events stage CPU per article, and what its dependency parser costs next to nlp.pipe alone.

    python -m bench.events OUT.jsonl [--repeat 1]

OUT.jsonl is an offline run's output (`wirestream process ARTICLES --out OUT.jsonl`, e.g. over
the dev split), so the events stage is timed on the enriched messages it really receives,
without the entities stage's cost. Process CPU time (not wall time: the machine is shared):

- `events`: `extract_events` per article, everything included (sentences, parse, tolls, places,
  grouping, sides, building the Event);
- `parser`: the events stage's parser (tok2vec, tagger, parser, lemmatizer) alone over the
  sentences it parses (those that name a casualty), with nlp.pipe;
- `ner pipe`: nlp.pipe over the same articles' bodies with the entities stage's bare model
  (tok2vec + ner), the ceiling the pipeline is measured against elsewhere;
- `assembly`: the offline Assembler over the reports.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import spacy

from schemas.articles import EnrichedArticle
from schemas.events import Event
from services.common.settings import Settings
from services.entities.ner import UNUSED_COMPONENTS
from services.events.assembly import Assembler
from services.events.extract import default_extractor
from services.events.extract.sentences import headline_sentence, sentences_of


def cpu(run: Callable[[], object]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    articles = [
        EnrichedArticle.model_validate(message["value"])
        for line in args.out.read_text(encoding="utf-8").splitlines()
        if (message := json.loads(line))["topic"].endswith("enriched")
    ]
    extractor = default_extractor()
    extractor.events(articles[0])  # warm up: lexicon, parser, lazy imports
    reports: list[Event] = []

    def extract_all() -> None:
        reports.clear()
        for article in articles:
            reports.extend(extractor.events(article))

    events = min(cpu(extract_all) for _ in range(args.repeat))
    sentences = [
        s.text
        for a in articles
        for s in [*sentences_of(a.article.paragraphs), *filter(None, [headline_sentence(a.article.headline)])]
        if extractor.lex.grammar.candidate.search(s.text) or extractor.lex.kill.search(s.text)
    ]
    parse = min(cpu(lambda: list(extractor.nlp.pipe(sentences))) for _ in range(args.repeat))
    ner = spacy.load(Settings().spacy_model, exclude=list(UNUSED_COMPONENTS))
    bodies = [a.article.body for a in articles]
    ner_pipe = min(cpu(lambda: list(ner.pipe(bodies))) for _ in range(args.repeat))

    def assemble_all() -> None:
        assembler = Assembler()
        for report in reports:
            assembler.add(report)

    assembly = min(cpu(assemble_all) for _ in range(args.repeat))
    words = sum(len(b.split()) for b in bodies)
    parsed_words = sum(len(s.split()) for s in sentences)
    n = len(articles)
    print(f"{n} articles, {words} words; {len(sentences)} sentences parsed ({parsed_words} words)")
    print("| step | CPU s | ms per article |")
    print("|---|---:|---:|")
    for name, seconds in (
        ("events (extract_events, all of it)", events),
        ("  of which the parser over candidate sentences", parse),
        ("ner pipe (entities model alone, whole bodies)", ner_pipe),
        ("assembly (offline Assembler)", assembly),
    ):
        print(f"| {name} | {seconds:.2f} | {1000 * seconds / n:.1f} |")
    print(f"parser / ner pipe: {parse / ner_pipe:.2f}")


if __name__ == "__main__":
    main()
