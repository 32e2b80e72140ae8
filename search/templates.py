"""Index templates, versioned indices behind aliases, and migrations by copying behind the alias.

Layout (names configurable, defaults from settings):

    template  sohoa-records  (index_patterns: sohoa-records-v*)
    index     sohoa-records-v1   ◀── alias sohoa-records (is_write_index)
    template  sohoa-ledger   (index_patterns: sohoa-ledger-v*)
    index     sohoa-ledger-v1    ◀── alias sohoa-ledger

Readers and writers only ever use the alias. A mapping change that Elasticsearch cannot apply in place
is a new version: `migrate` creates `<alias>-v<n+1>` from the updated template, copies the documents
(scan + streaming bulk, what `elasticsearch.helpers.reindex` does: the `_reindex` API is a module
the minimal distribution lacks, and `helpers.reindex` itself calls the data-stream API, also absent
there), and swaps the alias atomically. Only core mapping features are used (text with
the standard analyzer, keyword, date, nested, flattened, object), so the same code runs on the minimal
integ-test distribution and on any full Elasticsearch 9 cluster.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import ApiError, AuthorizationException, Elasticsearch, helpers

from search.errors import es_errors

__all__ = [
    "AUDIT_MAPPING",
    "LEDGER_MAPPING",
    "MAPPING_VERSION",
    "RECORDS_MAPPING",
    "USERS_MAPPING",
    "MappingConflictError",
    "MigrationReport",
    "audit_template",
    "current_index",
    "ensure_index",
    "ensure_indices",
    "ensure_web_indices",
    "index_settings",
    "ledger_template",
    "migrate",
    "records_template",
    "users_template",
]

log = logging.getLogger(__name__)

MAPPING_VERSION = 1  # bump with every change of RECORDS_MAPPING that needs a migration


class MappingConflictError(RuntimeError):
    """The live index cannot take the new mapping in place: run `migrate` (a new index version)."""


# --- mapping building blocks -------------------------------------------------------------------------
def _kw(ignore_above: int | None = None) -> dict[str, Any]:
    return {"type": "keyword", **({"ignore_above": ignore_above} if ignore_above else {})}


def _text(keyword: bool = True, offsets: bool = False, ignore_above: int = 512) -> dict[str, Any]:
    """Text with the standard analyzer; `.keyword` for exact filters, sorting and aggregations.
    `offsets` stores offsets in the postings so the unified highlighter needs no re-analysis."""
    out: dict[str, Any] = {"type": "text"}
    if offsets:
        out["index_options"] = "offsets"
    if keyword:
        out["fields"] = {"keyword": _kw(ignore_above)}
    return out


_FLOAT = {"type": "float"}
_INT = {"type": "integer"}
_DATE = {"type": "date"}
_BOOL = {"type": "boolean"}
_UNINDEXED = {"type": "object", "enabled": False}  # kept in _source for people, never indexed

_UNIT = {
    "properties": {
        "province": _kw(256),
        "district_type": _kw(64),
        "district": _kw(256),
        "commune_type": _kw(64),
        "commune": _kw(256),
        "code": _kw(64),
        "level": _kw(64),  # central: a body of the central state
        "label": _text(),  # text for free search, .keyword for the charts
        "names_norm": _kw(256),  # every normalised name, for --unit-old/--unit-new filters
        "candidates": _kw(512),  # labels of the possible units when it cannot be settled
        "ambiguous": _BOOL,
        "outside_hanoi": _BOOL,  # issued by a body outside Hanoi: no Hanoi unit is guessed
        "source": _kw(),  # old: text | upload_prefix | issuing body; new: the mapping's data
        "reason": _kw(),  # split | district_only | name_in_several_districts | outside_hanoi
    }
}

RECORDS_MAPPING: dict[str, Any] = {
    # strict: a field nobody declared is a bug in pipeline.document, and fails that one record loudly
    "dynamic": "strict",
    "_meta": {"owner": "sohoa.search", "mapping_version": MAPPING_VERSION},
    "dynamic_templates": [
        {"confidences": {"path_match": "metadata_confidence.*", "mapping": _FLOAT}},
        {"timings": {"path_match": "ocr.timings.*", "mapping": _FLOAT}},
    ],
    "properties": {
        # the object
        "record_id": _kw(),
        "bucket": _kw(),
        "key": _kw(1024),
        "etag": _kw(),
        "size": {"type": "long"},
        "mime": _kw(),
        "district": _kw(),  # uploading office (first segment of the key)
        "n_pages": _INT,
        "n_pages_failed": _INT,
        "status": _kw(),  # ok | partial | low_confidence | no_text
        # the text: whole record and one nested document per page (to say which page matched)
        "text": _text(keyword=False, offsets=True),
        "text_folded": _text(keyword=False, offsets=True),
        "pages": {
            "type": "nested",
            "properties": {
                "page_no": _INT,
                "text": _text(keyword=False, offsets=True),
                "text_folded": _text(keyword=False, offsets=True),
                "mean_conf": _FLOAT,
                "low_conf_share": _FLOAT,
                "quality": _FLOAT,  # reading quality without ground truth, 0-1 (ocr/quality.py)
                "coverage": _FLOAT,  # share of the page's text-like areas the reading read (ocr/coverage.py)
                "reading": _kw(),  # the reading kept: main | turned | conservative | bare
                "error": _kw(1024),
                "text_source": _kw(),  # text_layer (the PDF's own text) | ocr
                "layer_rejected": _kw(),  # why the page's text layer was not used
            },
        },
        # digital signatures of a PDF: integrity is checked, trust never (national CA, offline)
        "signatures": {
            "properties": {
                "field": _kw(),
                "signer": _text(),
                "organisation": _text(),
                "issuer": _kw(512),
                "serial": _kw(),
                "signed_at": _DATE,
                "integrity": _kw(),  # intact | broken | unreadable
                "covers_whole_file": _BOOL,
                "coverage": _kw(),
                "trust": _kw(),  # not_checked
                "kind": _kw(),
                "subfilter": _kw(),
                "reason": _kw(1024),
                "location": _kw(512),
                "error": _kw(1024),
            }
        },
        # Decree 30 metadata
        "issuing_body": _text(),
        "issuing_body_folded": _text(keyword=False),
        "parent_body": _text(),
        "parent_body_folded": _text(keyword=False),
        "doc_number": _text(),  # as printed: 123/QĐ-UBND
        "doc_number_norm": _kw(),  # folded, upper case, no spaces: 123/QD-UBND
        "doc_number_seq": _kw(),
        "doc_symbol": _text(),
        "doc_type": _text(),
        "doc_type_folded": _text(keyword=False),
        "doc_type_code": _kw(),  # QĐ, CV, TTr...
        "doc_type_code_norm": _kw(),  # folded lower case: qd, cv, ttr
        "issue_place": _text(),
        "issue_date": _DATE,
        "subject": _text(ignore_above=1024),
        "subject_folded": _text(keyword=False),
        "signer_name": _text(),
        "signer_name_folded": _text(keyword=False),
        "signer_title": _kw(),
        "signer_authority": _kw(),
        "recipients": _text(),
        "addressees": _text(),
        "admin_unit_old": _UNIT,
        "admin_unit_new": _UNIT,
        # the incoming-document stamp (`ĐẾN Số: … Ngày: …`): Decree 30's received number and date
        "received_number": _kw(),
        "received_date": _DATE,
        # an e-signature box printed on the page (signing agency, signer, e-mail, time)
        "signature_box": {
            "properties": {"organization": _text(), "signer": _text(), "email": _kw(), "time": _DATE}
        },
        "language": _kw(),
        "language_detail": _UNINDEXED,
        "duplicate_key": _kw(),
        "metadata_confidence": {"type": "object", "dynamic": True},
        "extra": {"type": "flattened"},  # metadata fields this mapping does not know yet
        "sidecar": {"type": "flattened"},  # fields from the uploading office
        # OCR quality and processing facts
        "ocr": {
            "properties": {
                "mean_conf": _FLOAT,
                "low_conf_pages": _INT,
                "n_low_conf_pages": _INT,
                "low_conf": _BOOL,
                "steps": _kw(),
                "steps_detail": _UNINDEXED,
                "timings": {"type": "object", "dynamic": True},
                "total_seconds": _FLOAT,
            }
        },
        "pipeline_version": _kw(),
        "processed_at": _DATE,
        "indexed_at": _DATE,
        "run_id": _kw(),
        # where the files are: object paths (bucket/key), never presigned URLs
        "derivatives": {
            "properties": {
                "processed_bucket": _kw(),
                "pdf_key": _kw(1024),
                "text_key": _kw(1024),
                "json_key": _kw(1024),
            }
        },
        "links": {"properties": {"original": _kw(2048), "pdf": _kw(2048)}},
        # editors' corrections (search.corrections): the fields above hold the effective values; this
        # holds, per corrected field, the value, the previous one, the machine's reading, who and when
        "corrections": _UNINDEXED,
        "corrected_fields": _kw(),
        # the review queue (search.review): how urgently a person should look, and who checked it
        "review": {
            "properties": {
                "score": _FLOAT,  # 0 (read badly) .. 1 (sure): the queue shows the lowest first
                "needed": _BOOL,
                "reasons": _kw(),  # low_conf_pages | field:<name> | missing:<name>
                "checked_by": _kw(),
                "checked_at": _DATE,
                "checked_etag": _kw(),  # the version of the scan that was checked
            }
        },
    },
}

LEDGER_MAPPING: dict[str, Any] = {
    # not strict: the ledger must accept a flow's extra facts rather than lose a state
    "dynamic": False,
    "_meta": {"owner": "sohoa.search", "mapping_version": 1},
    "properties": {
        "bucket": _kw(),
        "key": _kw(1024),
        "etag": _kw(),
        "state": _kw(),  # indexed | failed | quarantined | processing
        "reason": _text(ignore_above=1024),
        "reason_code": _kw(),
        "attempts": _INT,
        "run_id": _kw(),
        "first_seen": _DATE,
        "updated_at": _DATE,
        "record_id": _kw(),
        "district": _kw(),
        "n_pages": _INT,
        "doc_type_code": _kw(),
        "pdfa": _kw(),  # the PDF/A derivative's verdict: compliant | not_compliant | not_validated | not_made
        # the claim (search.claims): who processes the object, until when, how often a worker died on it
        "worker": _kw(),
        "host": _kw(),
        "lease_until": _DATE,
        "died": _INT,
    },
}


# The append-only audit of the web application: every correction and every "checked" mark, never
# updated or deleted (the web identity may only create documents here, search.security). Reprocessing
# reads the latest correction of each field from it (search.corrections).
AUDIT_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"owner": "sohoa.search", "mapping_version": 1},
    "properties": {
        "kind": _kw(),  # correction | checked
        "record_id": _kw(),
        "records_index": _kw(),  # the alias the record lives behind
        "field": _kw(),
        "value": _text(ignore_above=2048),  # as shown to people
        "previous": _text(ignore_above=2048),
        "machine_value": _text(ignore_above=2048),
        "patch": _UNINDEXED,  # the index fields the value sets (pipeline.document.corrected_fields)
        "reason": _text(ignore_above=1024),
        "by": _kw(),
        "at": _DATE,
        "etag": _kw(),  # the version of the scan the person saw
    },
}

# The people who may log in to `sohoa serve` (`sohoa users`); district upload identities never are.
USERS_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"owner": "sohoa.search", "mapping_version": 1},
    "properties": {
        "name": _kw(),
        "role": _kw(),  # viewer | editor
        "password_hash": {"type": "keyword", "index": False, "doc_values": False},
        "created_at": _DATE,
        "updated_at": _DATE,
    },
}


def index_settings(shards: int = 1) -> dict[str, Any]:
    # 0-1 replicas: green on a single dev node, one replica as soon as a second node joins
    return {"number_of_shards": shards, "auto_expand_replicas": "0-1"}


def _template(alias: str, mapping: dict[str, Any], shards: int) -> dict[str, Any]:
    # No alias in the template: every version would join it and writes through the alias would fail.
    return {
        "index_patterns": [f"{alias}-v*"],
        "priority": 200,
        # a deep copy: callers may edit their template without touching the module's mapping
        "template": {"settings": index_settings(shards), "mappings": copy.deepcopy(mapping)},
        "_meta": {"owner": "sohoa.search", "alias": alias},
    }


def records_template(alias: str, shards: int = 1) -> dict[str, Any]:
    return _template(alias, RECORDS_MAPPING, shards)


def ledger_template(ledger: str) -> dict[str, Any]:
    return _template(ledger, LEDGER_MAPPING, 1)


def audit_template(audit: str) -> dict[str, Any]:
    return _template(audit, AUDIT_MAPPING, 1)


def users_template(users: str) -> dict[str, Any]:
    return _template(users, USERS_MAPPING, 1)


# --- ensure ------------------------------------------------------------------------------------------
_VERSION_RE = re.compile(r"-v(\d+)$")


@es_errors
def current_index(es: Elasticsearch, alias: str) -> str | None:
    """The concrete index behind `alias` (the write index if several), or None."""
    try:
        resp = es.indices.get_alias(name=alias)
    except ApiError as exc:
        if exc.status_code == 404:
            return None
        raise
    indices = dict(resp.body)
    if not indices:
        return None
    if len(indices) == 1:
        return next(iter(indices))
    writers = [i for i, v in indices.items() if v["aliases"][alias].get("is_write_index")]
    return writers[0] if writers else sorted(indices, key=_version_of)[-1]


def _version_of(index: str) -> int:
    m = _VERSION_RE.search(index)
    return int(m.group(1)) if m else 0


@es_errors
def ensure_index(
    es: Elasticsearch,
    alias: str,
    template: dict[str, Any],
    *,
    version: int = 1,
    template_name: str | None = None,
) -> str:
    """Make sure the template, a versioned index and the alias exist; return the concrete index.

    Idempotent and safe to call from several workers at once. On an existing index, additive mapping
    changes (new fields) are applied in place; a conflicting change raises MappingConflictError.
    """
    try:
        es.indices.put_index_template(name=template_name or alias, body=template)
    except AuthorizationException:
        # the least-privilege writer (search.security) may not manage templates: fine if an admin
        # has set everything up already
        existing = current_index(es, alias)
        if existing:
            log.info("no privilege to manage templates; using %s as it is", existing)
            return existing
        raise PermissionError(
            f"alias {alias!r} does not exist and this identity may not create it: run the setup "
            "(ensure_indices) once with the sohoa_admin role, see docs/search.md"
        ) from None
    existing = current_index(es, alias)
    if existing:
        _apply_mapping(es, existing, template["template"]["mappings"])
        return existing
    if es.indices.exists(index=alias):
        raise RuntimeError(
            f"{alias!r} is a concrete index, not an alias: something wrote to it before the template "
            f"existed. Move its documents with `migrate` after renaming, or delete it if it is disposable."
        )
    index = f"{alias}-v{version}"
    try:
        es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
    except ApiError as exc:
        if exc.error != "resource_already_exists_exception":
            raise
        es.indices.put_alias(index=index, name=alias, is_write_index=True)  # another worker raced us
    return index


def _apply_mapping(es: Elasticsearch, index: str, mapping: dict[str, Any]) -> None:
    body = {k: v for k, v in mapping.items() if k in ("properties", "dynamic", "dynamic_templates", "_meta")}
    try:
        es.indices.put_mapping(index=index, body=body)
    except ApiError as exc:
        if exc.status_code == 400:
            raise MappingConflictError(
                f"the mapping of {index} cannot change in place ({exc.message}): "
                "run search.templates.migrate to copy it into a new index version behind the alias"
            ) from exc
        raise


@es_errors
def ensure_indices(es: Elasticsearch, alias: str, ledger_index: str) -> tuple[str, str]:
    """Records index and ledger index, both behind their aliases. Returns the concrete names."""
    return (
        ensure_index(es, alias, records_template(alias), version=MAPPING_VERSION),
        ensure_index(es, ledger_index, ledger_template(ledger_index)),
    )


@es_errors
def ensure_web_indices(es: Elasticsearch, audit_index: str, users_index: str) -> tuple[str, str]:
    """The audit and users indices of the web application, behind their aliases."""
    return (
        ensure_index(es, audit_index, audit_template(audit_index)),
        ensure_index(es, users_index, users_template(users_index)),
    )


# --- migrate -----------------------------------------------------------------------------------------
@dataclass
class MigrationReport:
    alias: str
    source: str
    target: str
    copied: int = 0
    caught_up: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    deleted_source: bool = False


@es_errors
def migrate(
    es: Elasticsearch,
    alias: str,
    template: dict[str, Any] | None = None,
    *,
    since_field: str = "indexed_at",
    delete_source: bool = False,
    template_name: str | None = None,
) -> MigrationReport:
    """Copy the index behind `alias` into the next version and swap the alias, without downtime.

    Readers keep using the old index until the atomic alias swap. Writers keep writing to the old
    index during the copy; documents written since the copy began (by `since_field`) are copied
    again before the swap, and once more after it for the few milliseconds in between (only where the
    new index does not hold a newer copy). `template` defaults to the records template.
    """
    source = current_index(es, alias)
    if source is None:
        raise RuntimeError(f"no index behind alias {alias!r}: nothing to migrate (run ensure_index)")
    template = template or records_template(alias)
    es.indices.put_index_template(name=template_name or alias, body=template)
    target = f"{alias}-v{_version_of(source) + 1}"
    es.indices.create(index=target)  # settings and mapping come from the template
    report = MigrationReport(alias, source, target)
    started = datetime.now(UTC) - timedelta(seconds=60)  # margin for clock skew between writers

    es.indices.refresh(index=source)
    report.copied = _copy(es, source, target, None, report.errors)
    es.indices.refresh(index=source)
    since = {"query": {"range": {since_field: {"gte": started.isoformat()}}}}
    report.caught_up += _copy(es, source, target, since, report.errors)

    es.indices.update_aliases(
        actions=[
            {"remove": {"index": source, "alias": alias}},
            {"add": {"index": target, "alias": alias, "is_write_index": True}},
        ]
    )
    report.caught_up += _catch_up_after_swap(es, source, target, since_field, started, report.errors)
    es.indices.refresh(index=target)
    if delete_source and not report.errors:
        es.indices.delete(index=source)
        report.deleted_source = True
    return report


def _copy(
    es: Elasticsearch, source: str, target: str, query: dict[str, Any] | None, errors: list[dict[str, Any]]
) -> int:
    """Scan `source` and bulk into `target` (same ids); failures are collected, not raised."""
    hits = helpers.scan(es, query=query, index=source, size=500, scroll="5m")
    actions = ({"_index": target, "_id": h["_id"], "_source": h["_source"]} for h in hits)
    copied = 0
    for ok, item in helpers.streaming_bulk(
        es,
        actions,
        chunk_size=500,
        max_chunk_bytes=10 * 1024 * 1024,
        raise_on_error=False,
        max_retries=5,
        retry_on_status=(429, 502, 503, 504),
    ):
        if ok:
            copied += 1
        else:
            errors.append(item)
    return copied


def _catch_up_after_swap(
    es: Elasticsearch, source: str, target: str, field: str, started: datetime, errors: list[dict[str, Any]]
) -> int:
    """Copy what landed in `source` between the last copy and the swap, unless `target` is newer."""
    es.indices.refresh(index=source)
    query = {"query": {"range": {field: {"gte": started.isoformat()}}}}
    late = {h["_id"]: h["_source"] for h in helpers.scan(es, query=query, index=source)}
    if not late:
        return 0
    found = es.mget(index=target, ids=list(late), source_includes=[field])["docs"]
    newer = {
        d["_id"]
        for d in found
        if d.get("found") and str(d["_source"].get(field, "")) >= str(late[d["_id"]].get(field, ""))
    }
    actions = [{"_index": target, "_id": i, "_source": s} for i, s in late.items() if i not in newer]
    ok, errs = helpers.bulk(es, actions, raise_on_error=False)
    errors.extend(errs if isinstance(errs, list) else [])
    return ok


@es_errors
def refresh(es: Elasticsearch, index: str) -> None:
    """Make what was just written searchable (tests, the demo, a summary right after a run)."""
    es.indices.refresh(index=index)
