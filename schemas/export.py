"""Write each topic's JSON Schema next to the models: `python -m schemas.export`."""

from __future__ import annotations

import json
from pathlib import Path

from schemas.base import WireModel
from schemas.topics import ALL_TOPICS, TopicSpec

JSON_DIR = Path(__file__).parent / "json"


def schema_path(spec: TopicSpec, model: type[WireModel] | None = None) -> Path:
    version = (model or spec.model).model_fields["schema_version"].default
    return JSON_DIR / f"{spec.suffix}.v{version}.schema.json"


def versions(spec: TopicSpec) -> list[type[WireModel]]:
    """The topic's current model and the older versions its consumers still accept."""
    return [spec.model, *spec.model.older_versions.values()]


def render(spec: TopicSpec, model: type[WireModel] | None = None) -> str:
    schema = (model or spec.model).model_json_schema()
    schema["$id"] = f"wirestream/{schema_path(spec, model).name}"
    schema["x-kafka-key"] = spec.key
    if spec.tombstone is not None:
        schema["x-kafka-tombstone"] = spec.tombstone
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> None:
    JSON_DIR.mkdir(exist_ok=True)
    for spec in ALL_TOPICS:
        for model in versions(spec):
            schema_path(spec, model).write_text(render(spec, model), encoding="utf-8")
            print(f"wrote {schema_path(spec, model)}")


if __name__ == "__main__":
    main()
