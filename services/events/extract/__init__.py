"""Incidents from one enriched article, in steps that each have a module:

- `sentences`: the body's sentences with their offsets, and the headline;
- `tolls`: casualty counts from the dependency parse, with typed numbers (`services.events.numbers`);
- `places`: where a sentence's incident happened;
- `grouping`: the state machine that turns sentences into incidents (dates from `services.events.dates`);
- `sides`: actors and sources;
- `build`: the Event, with its type (`services.events.classify`), tolls and evidence;
- `extractor`: one `Extractor` (lexicon + parser) that runs them.
"""

from services.events.extract.build import BACKGROUND_DAYS, event_id
from services.events.extract.extractor import Extractor, default_extractor, extract_events, find_incidents
from services.events.extract.grouping import Incident

__all__ = [
    "BACKGROUND_DAYS",
    "Extractor",
    "Incident",
    "default_extractor",
    "event_id",
    "extract_events",
    "find_incidents",
]
