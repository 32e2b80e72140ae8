"""The record model: one uploaded object, what processing made of it, and the rules that judge it.

This module is the record contract. Its id, its derivatives' keys, what counts as a poorly read page
and its mean confidence are defined here once; `pipeline.document` turns a `RecordResult` into the
index document, and nothing else builds one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ocr.model import PageResult, mean_confidence
from pipeline.signatures import Signature

PIPELINE_VERSION = "0.2.0"

State = Literal["indexed", "failed", "quarantined"]

# A page reads poorly when its reading-quality score (ocr.quality: valid Vietnamese syllables, numbers,
# codes, known words, weighed by confidence) is below this: pages read well score 0.88-0.96 on the DEV
# sets, and the engine tries other readings below it (ocr.engine.RETRY_QUALITY). The review queue and
# Kibana's "low confidence" filter start from it.
POOR_PAGE_QUALITY = 0.80
# A page without a score (no words were weighed): more than this share of words below OCR's
# low-confidence mark (ocr.engine.LOW_CONF).
POOR_PAGE_LOW_CONF_SHARE = 0.3


def record_id(bucket: str, key: str) -> str:
    """Stable id of an object: the same (bucket, key) always gives the same id, in the index, the
    ledger and the derivatives' keys.

    The etag is deliberately *not* part of it: a new version of an object must replace the old
    document, not sit beside it (the ledger keeps the etag to decide whether an object needs work).
    A hash because S3 keys can be 1024 bytes and Elasticsearch ids at most 512; bucket names cannot
    hold a newline, so the join is unambiguous.
    """
    return hashlib.sha256(f"{bucket}\n{key}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class SourceObject:
    bucket: str
    key: str
    etag: str
    size: int = 0

    @property
    def id(self) -> str:
        return record_id(self.bucket, self.key)

    @property
    def district(self) -> str:
        """The uploading office: the first segment of the key (each office uploads under its own prefix)."""
        head, sep, _ = self.key.partition("/")
        return head if sep else ""

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Derivatives:
    """Where a record's derived files live: under its id, whatever the key holds (`../`, unicode, length)."""

    processed_bucket: str
    text_key: str
    json_key: str
    pdf_key: str | None  # None when no searchable PDF was made

    @classmethod
    def of(cls, source: SourceObject, processed_bucket: str, *, with_pdf: bool) -> Derivatives:
        base = f"records/{source.id}"
        pdf = f"{base}/document.pdf" if with_pdf else None
        return cls(processed_bucket, f"{base}/text.txt", f"{base}/metadata.json", pdf)


def reads_poorly(page: PageResult) -> bool:
    """The one rule for a page read poorly (a page read from a PDF's own text layer never is)."""
    if page.quality is not None:
        return page.quality < POOR_PAGE_QUALITY
    return page.low_conf_share is not None and page.low_conf_share > POOR_PAGE_LOW_CONF_SHARE


@dataclass
class RecordResult:
    """What `process_file` made of one object. `pdf_path` is a temp file the caller uploads and removes."""

    source: SourceObject
    mime: str
    pages: list[PageResult]
    metadata: dict[str, Any]
    sidecar: dict[str, Any] = field(default_factory=dict)
    pdf_path: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    # the PDF/A derivative: made or why not, size, method, veraPDF's verdict (pipeline.archival.derivative)
    pdfa: dict[str, Any] = field(default_factory=dict)
    signatures: list[Signature] = field(default_factory=list)  # the PDF's digital signatures

    @property
    def text(self) -> str:
        return "\f".join(p.text for p in self.pages)

    @property
    def n_pages(self) -> int:
        return len(self.pages)

    @property
    def mean_conf(self) -> float | None:
        return mean_confidence(self.pages)

    @property
    def poor_pages(self) -> list[int]:
        return [p.page_no for p in self.pages if reads_poorly(p)]

    @property
    def applied_steps(self) -> list[str]:
        return list(dict.fromkeys(name for p in self.pages for name in p.applied_steps()))
