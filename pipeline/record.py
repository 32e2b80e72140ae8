"""The record model: one uploaded object, and what processing made of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ocr.model import PageResult
from pipeline.signatures import Signature

PIPELINE_VERSION = "0.1.0"

State = Literal["indexed", "failed", "quarantined"]


@dataclass(frozen=True)
class SourceObject:
    bucket: str
    key: str
    etag: str
    size: int = 0

    @property
    def district(self) -> str:
        """The uploading office: the first segment of the key (each office uploads under its own prefix)."""
        head, sep, _ = self.key.partition("/")
        return head if sep else ""

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


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
    signatures: list[Signature] = field(default_factory=list)  # the PDF's digital signatures

    @property
    def text(self) -> str:
        return "\f".join(p.text for p in self.pages)

    @property
    def n_pages(self) -> int:
        return len(self.pages)

    @property
    def mean_conf(self) -> float | None:
        confs = [p.mean_conf for p in self.pages if p.mean_conf is not None]
        return round(sum(confs) / len(confs), 2) if confs else None
