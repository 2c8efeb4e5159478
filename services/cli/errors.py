"""Failures the user can act on, said in one line that names the server and never a secret."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from services.common.settings import Settings


class UsageError(Exception):
    """A flag and value that cannot be used here; printed as one line naming both."""

    def __init__(self, flag: str, value: str, reason: str) -> None:
        super().__init__(f"{flag} {value!r}: {reason}")


def without_credentials(url: str) -> str:
    """`https://user:secret@host:9200` -> `https://host:9200`."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def es_servers(settings: Settings) -> str:
    return ", ".join(without_credentials(u) for u in settings.es_url.split(","))


def explain(error: Exception, settings: Settings) -> str | None:
    """The one line for a failure we recognise (None: not ours to explain)."""
    # Imported here: every command (`wirestream health` too) imports this module, few fail.
    from elasticsearch import ApiError, AuthenticationException, AuthorizationException, NotFoundError
    from elasticsearch import ConnectionError as EsConnectionError
    from kafka.errors import KafkaError

    where = f"Elasticsearch at {es_servers(settings)}"
    if isinstance(error, AuthenticationException):
        how = (
            "API key"
            if settings.es_api_key
            else "user/password"
            if settings.es_username
            else "no credentials"
        )
        return (
            f"{where} refused the credentials ({how}, HTTP 401): check WIRESTREAM_ES_API_KEY or "
            "WIRESTREAM_ES_USERNAME/WIRESTREAM_ES_PASSWORD"
        )
    if isinstance(error, AuthorizationException):
        return f"{where}: the user or API key lacks a privilege this command needs (HTTP 403)"
    if isinstance(error, NotFoundError):
        return f"{where} has no such index yet: run `wirestream indices` (or `make run`) first"
    if isinstance(error, EsConnectionError):
        return f"cannot reach {where}: {type(error.errors[0]).__name__ if error.errors else 'no answer'}"
    if isinstance(error, ApiError):
        return f"{where} answered HTTP {error.status_code}: {error.error}"
    if isinstance(error, KafkaError):
        protocol = settings.kafka_security_protocol
        how = (
            f"{protocol}, {settings.kafka_sasl_mechanism} as user {settings.kafka_username!r}"
            if protocol.startswith("SASL")
            else protocol
        )
        return (
            f"Kafka at {settings.kafka_bootstrap} did not accept the connection ({how}): "
            f"{type(error).__name__}; check that it is up and, with SASL, "
            "WIRESTREAM_KAFKA_USERNAME/WIRESTREAM_KAFKA_PASSWORD"
        )
    return None


def explained(run: Callable[[argparse.Namespace], int], args: argparse.Namespace, settings: Settings) -> int:
    """Run a command; a usage mistake exits 2 and a server failure 1, each with one line."""
    try:
        return int(run(args))
    except UsageError as error:
        print(f"wirestream {args.command}: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        line = explain(error, settings)
        if line is None:
            raise
        print(f"wirestream {args.command}: {line}", file=sys.stderr)
        return 1
