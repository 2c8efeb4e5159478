"""Elasticsearch clients from settings (credentials and TLS are configuration only)."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch

from services.common.settings import Settings


def _client_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {"hosts": settings.es_url.split(","), "request_timeout": 30}
    if settings.es_api_key:
        options["api_key"] = settings.es_api_key.get_secret_value()
    elif settings.es_username and settings.es_password:
        options["basic_auth"] = (settings.es_username, settings.es_password.get_secret_value())
    if settings.es_ca_file:
        options["ca_certs"] = str(settings.es_ca_file)
    return options


def es_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(**_client_options(settings))


def async_es_client(settings: Settings) -> AsyncElasticsearch:
    return AsyncElasticsearch(**_client_options(settings))
