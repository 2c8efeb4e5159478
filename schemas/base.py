"""Base class shared by every topic payload."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """A message body on a Wirestream topic.

    Every topic model declares ``schema_version`` as a ``Literal``: a consumer
    rejects a version it does not know (to the dead-letter topic) instead of
    guessing. Unknown fields are rejected too, so a typo in a producer shows
    up at once rather than as a silently missing value downstream.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # A new schema version is accepted side by side with the ones before it until they
    # drain: version -> the model that reads it; its `upgrade()` gives this model.
    older_versions: ClassVar[dict[int, type[WireModel]]] = {}

    def upgrade(self) -> WireModel:
        """This message as the current version of its topic's model (older versions only)."""
        raise NotImplementedError(f"{type(self).__name__} is a current version")
