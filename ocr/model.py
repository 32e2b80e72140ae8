"""What OCR produces: plain dataclasses, serialisable to JSON, shared by the pipeline and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# where a page's text came from (`PageResult.text_source`)
TEXT_LAYER = "text_layer"  # the PDF page's own text (ocr.textlayer)
OCR = "ocr"  # recognised from the page image


@dataclass
class Word:
    text: str
    conf: float  # Tesseract confidence, 0-100
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in the page's (preprocessed) pixel coordinates
    line: tuple[int, int, int] = (0, 0, 0)  # Tesseract block, paragraph, line numbers


def mean_confidence(pages: Iterable[PageResult]) -> float | None:
    """The one mean confidence of a document: the mean of its pages' mean word confidences."""
    confs = [p.mean_conf for p in pages if p.mean_conf is not None]
    return round(sum(confs) / len(confs), 2) if confs else None


@dataclass
class PageResult:
    page_no: int  # 1-based
    text: str = ""
    words: list[Word] = field(default_factory=list)
    width: int = 0
    height: int = 0
    dpi: float | None = None  # resolution the page was recognised at (estimated, not the file header)
    mean_conf: float | None = None
    low_conf_share: float | None = None  # share of words below the low-confidence threshold
    # Reading quality without ground truth (ocr.quality): share of the text in valid Vietnamese
    # syllables, numbers, abbreviations or known words, weighed by confidence, 0-1; None: no text.
    quality: float | None = None
    # Share of the page's text-like components that the kept reading covered (ocr.coverage): the
    # quality above is already scaled by it; None when the page holds too little text to tell.
    coverage: float | None = None
    reading: str | None = None  # which candidate reading was kept: main, conservative, turned, bare
    # preprocessing steps and measurements: {"step": name, "applied": bool, ...measures}
    steps: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step
    error: str | None = None  # reason this page failed; the other pages still come out
    error_reason: str | None = None  # short code of the error (see ocr.errors)
    pdf_path: Path | None = None  # one-page searchable PDF, when asked for
    # 3x3 matrix (row-major) from the word boxes' coordinates to the loaded page's pixels (`source_size`,
    # width x height): undoes crop, turns, deskew and rescale, so the words fit the scan as uploaded
    to_source: list[float] | None = None
    source_size: tuple[int, int] | None = None
    text_source: str = OCR  # or TEXT_LAYER
    layer_rejected: str | None = None  # why the page's text layer was not used, when it had to be judged

    @property
    def ok(self) -> bool:
        return self.error is None

    def applied_steps(self) -> list[str]:
        """Names of the steps that changed the page, in order (a step without `applied` only measured)."""
        names = [s["step"] for s in self.steps if s.get("applied") is True and s.get("step")]
        return list(dict.fromkeys(names))

    def to_dict(self, include_words: bool = True) -> dict[str, Any]:
        data = asdict(self)
        data["pdf_path"] = str(self.pdf_path) if self.pdf_path else None
        if not include_words:
            data.pop("words")
        return data


@dataclass
class DocumentResult:
    source: str
    mime: str
    pages: list[PageResult] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\f".join(p.text for p in self.pages)

    @property
    def failed_pages(self) -> list[PageResult]:
        return [p for p in self.pages if not p.ok]

    @property
    def mean_conf(self) -> float | None:
        return mean_confidence(self.pages)

    def to_dict(self, include_words: bool = True) -> dict[str, Any]:
        return {
            "source": self.source,
            "mime": self.mime,
            "n_pages": len(self.pages),
            "mean_conf": self.mean_conf,
            "pages": [p.to_dict(include_words) for p in self.pages],
        }
