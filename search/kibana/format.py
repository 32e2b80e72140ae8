"""The saved-object envelope Kibana imports: types, migration versions, stable ids."""

from __future__ import annotations

import uuid
from typing import Any

CORE_VERSION = "8.8.0"  # the saved-object format these objects follow; Kibana 9 migrates them on import
TYPE_VERSIONS = {"index-pattern": "8.0.0", "search": "8.0.0", "lens": "8.9.0", "dashboard": "8.9.0"}


def stable_id(*parts: str) -> str:
    """Stable UUID-shaped id for Lens layers and columns: same input, same id, across exports."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "sohoa/" + "/".join(parts)))


def saved_object(
    type_: str, id_: str, attributes: dict[str, Any], references: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "type": type_,
        "id": id_,
        "attributes": attributes,
        "references": references,
        "coreMigrationVersion": CORE_VERSION,
        "typeMigrationVersion": TYPE_VERSIONS[type_],
        "managed": False,
    }
