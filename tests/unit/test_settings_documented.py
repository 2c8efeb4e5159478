"""Every `WIRESTREAM_*` variable the README or the deploy files name is one the settings
model reads: a documented name the code ignores fails silently at the worst moment (a SASL
password that is never sent)."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from services.common.settings import Settings, get_settings
from tests.conftest import ROOT

DOCUMENTED = [
    ROOT / "README.md",
    ROOT / "docker-compose.yml",
    *sorted((ROOT / "deploy" / "k8s").glob("*.yaml")),
]
# Variables of the scripts and test suites, not of the settings model.
SCRIPT_VARIABLES = {
    "WIRESTREAM_RELIABILITY",
    "WIRESTREAM_RELIABILITY_KAFKA_PORT",
    "WIRESTREAM_RELIABILITY_ES_PORT",
    "WIRESTREAM_TEST_LOAD",  # tests/load.py: the loaded test mode
    "WIRESTREAM_TEST_LOAD_SECONDS",
    "WIRESTREAM_ES_JAVA_HOME",
    "WIRESTREAM_ES_USER",
    "WIRESTREAM_PYTHON",
    "WIRESTREAM_EVAL_DIR",  # eval/dev.py: where the third-party dev split is
    "WIRESTREAM_EVAL_OUT",  # eval/dev.py: where its outputs go
    "WIRESTREAM_RUN_DIR",
    "WIRESTREAM_LOG_DIR",
}
NAME = re.compile(r"WIRESTREAM_[A-Z0-9_]*[A-Z0-9]")
ABBREVIATED = re.compile(r"`_[A-Z][A-Z0-9_]*`")


def _names() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in DOCUMENTED:
        for name in NAME.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(path.name)
    return found


def test_every_documented_variable_is_a_setting() -> None:
    fields = {f"WIRESTREAM_{name.upper()}" for name in Settings.model_fields}
    unknown = {name: where for name, where in _names().items() if name not in fields | SCRIPT_VARIABLES}
    assert unknown == {}, "documented but not read by services/common/settings.py"
    assert len(_names()) > 20, "the scan found the documentation"


def test_the_readme_names_variables_in_full() -> None:
    """`WIRESTREAM_KAFKA_SASL_MECHANISM`, `_PASSWORD` reads as a variable that does not exist."""
    assert ABBREVIATED.findall((ROOT / "README.md").read_text(encoding="utf-8")) == []


def test_an_unknown_variable_value_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIRESTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_PLAIN")
    with pytest.raises(ValidationError, match="kafka_security_protocol"):
        Settings()


def test_a_malformed_es_url_is_refused_without_its_password() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(es_url="http://admin:hunter2-secret@es.internal:92OO")
    message = str(caught.value)
    assert "hunter2-secret" not in message and "http://***@es.internal:92OO" in message
    assert Settings(es_url="http://a:b@es.internal:9200,https://es2.internal:443").es_url


def test_a_refused_environment_ends_the_process_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIRESTREAM_ES_URL", "http://admin:hunter2-secret@es.internal:92OO")
    monkeypatch.setenv("WIRESTREAM_BULK_SIZE", "zero")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as caught:
            get_settings()
    finally:
        get_settings.cache_clear()
    line = str(caught.value.code)
    assert "\n" not in line and "hunter2-secret" not in line
    assert "WIRESTREAM_ES_URL: 'http://***@es.internal:92OO'" in line and "WIRESTREAM_BULK_SIZE" in line
