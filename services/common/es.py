"""Elasticsearch clients from settings (credentials and TLS are configuration only)."""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch

from services.common.settings import Settings


class _OneLine(logging.Filter):
    """The client logs each failed attempt with its traceback (58 lines while Elasticsearch
    is down) and every request at INFO; the stages log their own one-line retry, so the
    client says only errors, each in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}: {type(record.exc_info[1]).__name__}"
            record.args = None
        record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("elastic_transport").setLevel(logging.ERROR)
for _name in ("elastic_transport.transport", "elastic_transport.node_pool", "elastic_transport.node"):
    logging.getLogger(_name).addFilter(_OneLine())


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
