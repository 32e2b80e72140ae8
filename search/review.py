"""The review queue: which records a person should look at, worst first, and who checked them.

A record needs review when a page reads poorly or a Decree 30 field was read with low confidence (or
not at all). Its `review.score` (0 = read badly, 1 = sure) is computed from the index document, at
index time (`pipeline.document`) and again when an editor corrects a field (`search.corrections`), so
the queue is one sorted query. The page part goes through `page_quality`: today it comes from the
words' confidences; a page-level reading-quality score from the OCR (`pages.quality`) takes its place
as soon as the documents carry one, with no other change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from search.errors import es_errors
from search.folding import norm_name
from search.query import SearchFilters

__all__ = [
    "FIELD_CONF_THRESHOLD",
    "KEY_FIELDS",
    "ReviewFilters",
    "page_quality",
    "review_queue",
    "review_state",
]

# The fields an archivist finds a record by: a wrong or missing one hides the record
KEY_FIELDS = ("doc_number", "issue_date", "issuing_body", "doc_type", "subject")
FIELD_CONF_THRESHOLD = 0.7  # below this a field is worth a person's look


def page_quality(page: Mapping[str, Any]) -> float | None:
    """Reading quality of one indexed page, 0..1 (None: not known).

    The OCR's own page score (`quality`) when the page has one; until then the mean word confidence,
    capped by the share of words read with low confidence.
    """
    quality = page.get("quality")
    if isinstance(quality, int | float):
        return max(0.0, min(1.0, float(quality)))
    mean = page.get("mean_conf")
    if not isinstance(mean, int | float):
        return None
    score = mean / 100
    share = page.get("low_conf_share")
    if isinstance(share, int | float):
        score = min(score, 1 - share)
    return max(0.0, min(1.0, score))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def review_state(doc: Mapping[str, Any], checked: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`review` of an index document: score, whether it needs a look and why, who checked it.

    score = mean of (the worst page's quality) and (the mean confidence of the key fields, a missing
    field counting 0): a record whose pages read badly and whose fields are missing comes first.
    """
    reasons: list[str] = []
    ocr = doc.get("ocr") or {}
    if ocr.get("low_conf") or ocr.get("n_low_conf_pages"):
        reasons.append("low_conf_pages")
    qualities = [q for p in doc.get("pages") or [] if (q := page_quality(p)) is not None]
    page_score = min(qualities) if qualities else 0.0
    conf = doc.get("metadata_confidence") or {}
    field_scores = []
    for name in KEY_FIELDS:
        if _empty(doc.get(name)):
            reasons.append(f"missing:{name}")
            field_scores.append(0.0)
            continue
        c = conf.get(name)
        c = float(c) if isinstance(c, int | float) else 0.5  # found, confidence not said
        if c < FIELD_CONF_THRESHOLD:
            reasons.append(f"field:{name}")
        field_scores.append(c)
    score = round((page_score + sum(field_scores) / len(field_scores)) / 2, 4)
    state: dict[str, Any] = {"score": score, "needed": bool(reasons), "reasons": reasons}
    for key in ("checked_by", "checked_at", "checked_etag"):
        if checked and checked.get(key):
            state[key] = checked[key]
    return state


@dataclass(frozen=True)
class ReviewFilters:
    unit: str | None = None  # old or new unit, any of its names, with or without diacritics
    doc_type: str | None = None  # code (QĐ) or name
    include_checked: bool = False

    def clauses(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"term": {"review.needed": True}}]
        if self.unit:
            name = norm_name(self.unit)
            out.append(
                {
                    "bool": {
                        "should": [
                            {"term": {"admin_unit_old.names_norm": name}},
                            {"term": {"admin_unit_new.names_norm": name}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
        out += SearchFilters(doc_type=self.doc_type).clauses()  # the search's own type filter
        return out


_QUEUE_SOURCE = [
    "record_id",
    "doc_number",
    "doc_type",
    "doc_type_code",
    "issue_date",
    "issuing_body",
    "subject",
    "n_pages",
    "key",
    "district",
    "admin_unit_old.label",
    "admin_unit_new.label",
    "ocr.mean_conf",
    "ocr.n_low_conf_pages",
    "ocr.low_conf_pages",
    "review",
    "corrected_fields",
]


@es_errors
def review_queue(
    es: Elasticsearch, *, index: str, filters: ReviewFilters | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """(total, records) needing review, worst first; checked records only when asked."""
    filters = filters or ReviewFilters()
    query: dict[str, Any] = {"bool": {"filter": filters.clauses()}}
    if not filters.include_checked:
        query["bool"]["must_not"] = [{"exists": {"field": "review.checked_at"}}]
    resp = es.search(
        index=index,
        query=query,
        sort=[
            {"review.score": {"order": "asc", "missing": "_last"}},
            {"ocr.mean_conf": {"order": "asc", "missing": "_last"}},
            {"record_id": "asc"},
        ],
        size=limit,
        from_=offset,
        source_includes=_QUEUE_SOURCE,
        track_total_hits=True,
    )
    hits = resp["hits"]
    return hits["total"]["value"], [{**h["_source"], "record_id": h["_id"]} for h in hits["hits"]]
