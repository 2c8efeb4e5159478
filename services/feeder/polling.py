"""Fetching a feed URL with conditional requests; failures become FeederErrors naming the URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from services.feeder.checkpoint import FeedState
from services.feeder.errors import FeederError
from services.feeder.reader import MAX_FILE_BYTES


@dataclass(frozen=True)
class Fetched:
    body: bytes
    etag: str | None
    modified: str | None


def conditional_headers(state: FeedState) -> dict[str, str]:
    headers = {"If-None-Match": state.etag} if state.etag else {}
    if state.modified:
        headers["If-Modified-Since"] = state.modified
    return headers


@contextmanager
def _errors(url: str) -> Iterator[None]:
    try:
        yield
    except httpx.TimeoutException as exc:
        raise FeederError(url, f"timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FeederError(url, f"request failed: {type(exc).__name__}: {exc}") from exc


def _result(url: str, response: httpx.Response) -> Fetched | None:
    """None when the feed has not changed since the validators we sent."""
    if response.status_code == 304:
        return None
    if response.status_code != 200:
        raise FeederError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
    if len(response.content) > MAX_FILE_BYTES:
        raise FeederError(url, f"larger than {MAX_FILE_BYTES} bytes")
    return Fetched(response.content, response.headers.get("etag"), response.headers.get("last-modified"))


async def fetch_feed(client: httpx.AsyncClient, url: str, state: FeedState) -> Fetched | None:
    with _errors(url):
        response = await client.get(url, headers=conditional_headers(state))
    return _result(url, response)


def fetch_feed_once(url: str, timeout: float) -> bytes:
    """One unconditional fetch (backlog mode)."""
    with _errors(url), httpx.Client(timeout=timeout, follow_redirects=True) as client:
        response = client.get(url)
    fetched = _result(url, response)
    if fetched is None:
        raise FeederError(url, "HTTP 304 to an unconditional request")
    return fetched.body
