"""Write each topic's JSON Schema next to the models: `python -m schemas.export`."""

from __future__ import annotations

import json
from pathlib import Path

from schemas.topics import ALL_TOPICS, TopicSpec

JSON_DIR = Path(__file__).parent / "json"


def schema_path(spec: TopicSpec) -> Path:
    version = spec.model.model_fields["schema_version"].default
    return JSON_DIR / f"{spec.suffix}.v{version}.schema.json"


def render(spec: TopicSpec) -> str:
    schema = spec.model.model_json_schema()
    schema["$id"] = f"wirestream/{schema_path(spec).name}"
    schema["x-kafka-key"] = spec.key
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> None:
    JSON_DIR.mkdir(exist_ok=True)
    for spec in ALL_TOPICS:
        schema_path(spec).write_text(render(spec), encoding="utf-8")
        print(f"wrote {schema_path(spec)}")


if __name__ == "__main__":
    main()
