"""Indexer stage: articles, events and dead letters into Elasticsearch."""
