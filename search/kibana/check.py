"""An offline check of saved objects against the rules Kibana applies on `POST /api/saved_objects/_import`.

No Kibana runs here, so its rules are written down from its source (elastic/kibana, late 2025; see
../shared/research/kibana-import.md in the project's shared notes):

- `collect_saved_objects.ts`: an unknown type is refused (`unsupported_type`); the same `type:id`
  twice rejects the whole file.
- `validate_references.ts`: references of type `index-pattern` and `search` must resolve, in the
  file or in Kibana (`missing_references`). Kibana does not check the others (Lens panels of a
  dashboard): we require them to resolve in the file too, or the panel breaks when it renders.
- `document_migrator`: a `typeMigrationVersion` above the server's latest is refused ("belongs to a
  more recent version of Kibana"); an object without one gets every migration from 7.x.
- dashboard schema v1 (`dashboard_saved_object/schema/v1/v1.ts`, the 8.9.0 schema):
  `unknowns: 'forbid'` at the top and in its nested objects; later model versions extend it.
- saved search: `title` and `kibanaSavedObjectMeta.searchSourceJSON`; model versions from 7 on
  require `tabs` (an object declaring an older version is migrated by Kibana instead).
- Lens: `title`; an object without a version has crashed imports (HTTP 500).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["LATEST_TYPE_VERSIONS", "import_problems"]

# The types Kibana 8.8+/9 imports that these objects may use
SUPPORTED_TYPES = {"index-pattern", "search", "lens", "dashboard", "visualization", "config", "tag"}
# The newest migration version each type knows (model version N is written "10.N.0"); declaring
# more fails the import on a Kibana of that age. Lower is always fine: Kibana migrates upward.
LATEST_TYPE_VERSIONS = {
    "index-pattern": "8.0.0",  # data_views.ts: migrations up to 8.0.0, no model versions
    "search": "10.15.0",  # saved_search schema.ts: model versions up to 15
    "dashboard": "10.4.0",  # dashboard_saved_object.ts: model versions 1-4
    "lens": "8.9.0",  # lens saved_object_migrations.ts: plain migrations end at 8.9.0
}
LATEST_CORE_VERSION = "8.8.0"
CHECKED_REFERENCE_TYPES = {"index-pattern", "search"}  # what validate_references.ts resolves

# The dashboard attributes schema v1 (the 8.9.0 schema; unknowns forbidden at every level):
# name -> type, or a nested schema. "?": optional.
_STR, _BOOL, _NUM = "string", "boolean", "number"
DASHBOARD_SCHEMA: dict[str, Any] = {
    "title": _STR,
    "description?": _STR,
    "kibanaSavedObjectMeta?": {"searchSourceJSON?": _STR},
    "timeRestore?": _BOOL,
    "timeFrom?": _STR,
    "timeTo?": _STR,
    "refreshInterval?": {"pause": _BOOL, "value": _NUM, "display?": _STR, "section?": _NUM},
    "controlGroupInput?": "object",  # its own schema ignores unknowns
    "panelsJSON?": _STR,
    "optionsJSON?": _STR,
    "hits?": _NUM,
    "version?": _NUM,
}
JSON_STRING_ATTRIBUTES = (
    "fieldAttrs",
    "fieldFormatMap",
    "fields",
    "runtimeFieldMap",
    "sourceFilters",
    "typeMeta",
    "panelsJSON",
    "optionsJSON",
)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def _type_ok(value: Any, kind: str) -> bool:
    if kind == _STR:
        return isinstance(value, str)
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _NUM:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, dict)


def _schema_problems(value: Mapping[str, Any], schema: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    known = {k.rstrip("?"): (k.endswith("?"), v) for k, v in schema.items()}
    for name in value:
        if name not in known:
            problems.append(f"{where}: unknown attribute {name!r} (the schema forbids unknown keys)")
    for name, (optional, kind) in known.items():
        if name not in value:
            if not optional:
                problems.append(f"{where}: required attribute {name!r} missing")
            continue
        if isinstance(kind, dict):
            if not isinstance(value[name], dict):
                problems.append(f"{where}.{name}: must be an object")
            else:
                problems += _schema_problems(value[name], kind, f"{where}.{name}")
        elif not _type_ok(value[name], kind):
            problems.append(f"{where}.{name}: must be a {kind}")
    return problems


def _object_problems(o: Mapping[str, Any], present: set[tuple[str, str]]) -> list[str]:
    where = f"{o.get('type')}:{o.get('id')}"
    kind, attrs = o.get("type"), o.get("attributes") or {}
    problems = []
    if kind not in SUPPORTED_TYPES:
        return [f"{where}: unsupported_type"]
    version = o.get("typeMigrationVersion")
    if not version:
        problems.append(f"{where}: no typeMigrationVersion (every migration from 7.x would run on it)")
    elif kind in LATEST_TYPE_VERSIONS and _version(version) > _version(LATEST_TYPE_VERSIONS[kind]):
        problems.append(f"{where}: typeMigrationVersion {version} is newer than Kibana knows")
    core = o.get("coreMigrationVersion")
    if not core or _version(core) > _version(LATEST_CORE_VERSION):
        problems.append(f"{where}: coreMigrationVersion {core!r} (expected at most {LATEST_CORE_VERSION})")
    for ref in o.get("references") or []:
        if (ref["type"], ref["id"]) not in present:
            code = "missing_references" if ref["type"] in CHECKED_REFERENCE_TYPES else "unresolved reference"
            problems.append(f"{where}: {code} {ref['type']}:{ref['id']}")
    for name in JSON_STRING_ATTRIBUTES:
        if name in attrs:
            try:
                json.loads(attrs[name])
            except (TypeError, ValueError):
                problems.append(f"{where}: {name} is not a JSON string")
    if not isinstance(attrs.get("title"), str) or not attrs["title"]:
        problems.append(f"{where}: title missing")
    if kind == "dashboard":
        problems += _schema_problems(attrs, DASHBOARD_SCHEMA, where)
        names = {r["name"] for r in o.get("references") or []}
        for panel in json.loads(attrs.get("panelsJSON") or "[]"):
            if f"{panel.get('panelIndex')}:{panel.get('panelRefName')}" not in names:
                problems.append(f"{where}: panel {panel.get('panelIndex')} has no reference")
    elif kind == "search":
        meta = attrs.get("kibanaSavedObjectMeta") or {}
        if not isinstance(meta.get("searchSourceJSON"), str):
            problems.append(f"{where}: kibanaSavedObjectMeta.searchSourceJSON missing")
        if version and _version(version) >= (10, 7, 0) and not attrs.get("tabs"):
            problems.append(f"{where}: model version {version} requires tabs[]")
    return problems


def import_problems(objects: Iterable[Mapping[str, Any]]) -> list[str]:
    """What Kibana's import would refuse (as far as its rules are known here); empty when none."""
    objects = list(objects)
    keys = [(o.get("type"), o.get("id")) for o in objects]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        return [
            f"{t}:{i}: appears more than once (Kibana rejects the whole file)" for t, i in sorted(duplicates)
        ]
    present = {(str(t), str(i)) for t, i in keys}
    return [p for o in objects for p in _object_problems(o, present)]
