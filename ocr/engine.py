"""Scan in, `PageResult`s out: loading, preprocessing, one Tesseract pass per page, reading order.

Every decision that could hurt a real scan is made from evidence on the page and checked before it
is kept: the preprocessing steps are gated on measurements, the page outline and the resolution are
checked (`preprocess.check_outline`, `preprocess.estimate_resolution`), and a reading whose quality
(`ocr.quality`) is low gets other candidate readings (turned over, conservative, bare) within the
page's time bound (`ocr.budget`); the best one is kept. Text is read at the resolution it needs:
as it is within a band around 200 dpi, reduced above it (`recognition_scale`), enlarged below it.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ocr import budget, coverage, layout, loader, missed, preprocess, tables, tesseract
from ocr.errors import OcrTimeoutError, PageError, SohoaError
from ocr.model import DocumentResult, PageResult, Word
from ocr.quality import Quality, score_words

LOW_CONF = 60.0  # a word below this confidence counts as low-confidence
# One page per core (the batch's process pool, the flow's worker threads): OpenCV's own threads would
# only compete with the other pages for the same cores, and cost ~15 % more CPU time per page.
cv2.setNumThreads(1)

PSM = 4  # single column of variable-size text: psm 3 drops low-contrast paragraphs as "images"; our layout
# module splits the two-column rows it reads across
BARE_PSM = 3  # bare Tesseract's own page segmentation: the "bare" reading is exactly what it would read
# The cells of ruled tables, one below the other, as one uniform block: the layout analysis of psm 4
# dropped runs of short cells (a row number, a short name, two numbers) as if they were not text.
CELLS_PSM = 6
View = tuple[float, int | None]  # (scale, dpi) a page is read at; dpi None: Tesseract estimates it


@dataclass
class OcrOptions:
    lang: str = "vie"
    preprocess: bool = True
    # Sauvola binarisation where the background stays uneven after even_lighting. Off: on the DEV
    # sets the gate never fires, and forced on every page it raised CER (benchmarks/README.md).
    binarize: bool = False
    # Tesseract reads pages whose text measures above this resolution from a copy reduced to it
    # (None: at the page's own resolution). See `recognition_scale`.
    recognition_dpi: int | None = 200
    pdf: bool = False  # make the PDF/A-2b derivative (pipeline.process): built from the words
    # Also keep Tesseract's own one-page searchable PDFs (a text-layer page: the page itself) for the
    # caller to merge and remove; only benchmarks/pdfa.py compares them with the PDF/A. Off, Tesseract
    # spends no time on them (5-10 % of a page's reading).
    page_pdfs: bool = False
    text_layer: bool = True  # a PDF page whose own text can be trusted is read from it (ocr.textlayer)
    page_timeout: float = 300.0  # seconds per page, all Tesseract passes together
    max_pages: int = loader.DEFAULT_MAX_PAGES
    max_pixels: int = loader.DEFAULT_MAX_PIXELS
    tessdata_dir: Path | str | None = None
    workdir: Path | None = None


@dataclass
class _Reading:
    words: list[Word]
    text: str
    mean_conf: float | None
    low_conf_share: float | None
    quality: Quality
    pdf_path: Path | None
    image: np.ndarray
    label: str
    view: View
    table_cells: int = 0  # cells of ruled tables read one by one (ocr.tables)
    parts_pixels: int = 0  # of the images of table cells and missed lines, read in passes of their own
    missed_lines: int = 0  # lines of text the first pass missed, read in a pass of their own
    missed_skipped: bool = False  # such lines were found, but their pass is over the page's time bound
    # maps the loaded page's pixel coordinates to those of `image` (what the word boxes refer to)
    matrix: np.ndarray = field(default_factory=lambda: np.eye(3))


@contextmanager
def _workdir(options: OcrOptions) -> Iterator[Path]:
    if options.workdir is not None:
        options.workdir.mkdir(parents=True, exist_ok=True)
        yield options.workdir
        return
    if options.page_pdfs:  # the one-page PDFs must outlive this call: the caller merges and removes them
        yield Path(tempfile.mkdtemp(prefix="sohoa-ocr-"))
        return
    tmp = tempfile.mkdtemp(prefix="sohoa-ocr-")
    try:
        yield Path(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _recognise(
    image: np.ndarray,
    options: OcrOptions,
    workdir: Path,
    stem: str,
    label: str,
    pdf: bool,
    drop_marks: bool,
    *,
    view: View,
    timeout: float,
    text: coverage.PageText,
    psm: int = PSM,
    by_cells: bool = False,
    missed_within: float | None = None,
) -> _Reading:
    """One reading of `image` at `view`; `text`: the page's text-like components in the frame of
    `image`, against which the reading's coverage is measured. `by_cells`: its ruled tables are read
    cell by cell (`ocr.tables`), in a second Tesseract pass (and no Tesseract PDF: its image would
    lack the tables). `missed_within`: lines of text no word of the reading lies on are read again in a
    pass of their own (`ocr.missed`) when the reading with that pass is predicted to cost no more than
    this many CPU seconds (the page's time bound, `ocr.budget`); None: no such pass."""
    scale, dpi = view
    out_base = workdir / f"{stem}-{label}"
    if scale < 1.0:
        h, w = image.shape[:2]
        seen = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    else:
        seen = image
    split = tables.split(seen, dpi) if by_cells and dpi else None
    start = time.monotonic()
    read = functools.partial(_tesseract_pass, lang=options.lang, dpi=dpi, tessdata_dir=options.tessdata_dir)
    out = read(split.page if split else seen, out_base, psm=psm, pdf=pdf and split is None, timeout=timeout)

    def read_pieces(pieces: tables.Split, kind: str) -> list[Word]:
        """The words of pieces set in images of their own (a long table's cells stand in several),
        each image in a pass within what is left of `timeout`, moved back to the page."""
        words: list[Word] = []
        for k, sheet in enumerate(pieces.cells):
            left = max(1.0, timeout - (time.monotonic() - start))
            base = out_base.with_name(f"{out_base.name}-{kind}{k}")
            words += pieces.to_page(read(sheet, base, psm=CELLS_PSM, timeout=left).words, k)
        return words

    if split:
        out.words += read_pieces(split, "cells")
    lines, skipped, parts = 0, False, sum(c.size for c in split.cells) if split else 0
    if missed_within is not None and dpi:
        seen_text = text.mapped(np.diag([scale, scale, 1.0])) if scale < 1.0 else text
        merged = missed.merged_lines(out.words)
        found = coverage.read_components(
            seen_text, [w for w in out.words if _kept(w, drop_marks) and w.line not in merged], seen.shape
        )
        boxes = missed.missed_lines(seen_text, found, seen.shape) if found is not None else []
        again = missed.lines_split(seen, boxes, dpi) if boxes else None
        if again:
            cost = budget.reading_cost(seen.size + parts) + sum(
                budget.reading_cost(c.size) for c in again.cells
            )
            skipped = cost > missed_within
        if again and not skipped:
            more = missed.words_of_the_language(read_pieces(again, "missed"))
            out.words = missed.replaced(out.words, merged, more) + more
            lines, parts = len(boxes), parts + sum(c.size for c in again.cells)
    if scale < 1.0:  # boxes back in the page's own coordinates, which the layout rules assume
        for word in out.words:
            x0, y0, x1, y1 = (round(v / scale) for v in word.bbox)
            word.bbox = (x0, y0, x1, y1)
    words = [w for w in out.words if _kept(w, drop_marks)]
    confs = [w.conf for w in words if w.conf >= 0]
    mean = sum(confs) / len(confs) if confs else None
    low = sum(c < LOW_CONF for c in confs) / len(confs) if confs else None
    return _Reading(
        words,
        layout.page_text(words),
        mean,
        low,
        score_words(words, coverage.covered_share(text, words, image.shape)),
        out.pdf_path,
        image,
        label,
        view,
        len(split.placements) if split else 0,
        parts,
        lines,
        skipped,
    )


def _kept(word: Word, drop_marks: bool) -> bool:
    """A word the reading keeps: not a seal's or signature's noise, a rule, a stray mark, or
    (`drop_marks`) a doubtful short mark."""
    return not (
        layout.is_noise(word)
        or layout.is_rule(word)
        or layout.is_stray(word)
        or (drop_marks and layout.is_mark(word))
    )


def _tesseract_pass(
    image: np.ndarray, out_base: Path, *, pdf: bool = False, **kw: Any
) -> tesseract.TesseractOutput:
    """Tesseract over one image, its input and TSV removed once read."""
    img_path = tesseract.write_input(out_base, image)
    try:
        out = tesseract.recognize(img_path, out_base, pdf=pdf, **kw)
    finally:
        img_path.unlink(missing_ok=True)
    out.tsv_path.unlink(missing_ok=True)
    return out


def _left(deadline: float) -> float:
    """Seconds left of the page's time budget; none left is a timeout of the page."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise OcrTimeoutError("the page's OCR time budget (SOHOA_PAGE_TIMEOUT) is spent")
    return left


def _timed(timings: dict[str, float], name: str, fn: Any, *args: Any, **kw: Any) -> Any:
    t = time.perf_counter()
    try:
        return fn(*args, **kw)
    finally:
        timings[name] = round(timings.get(name, 0.0) + time.perf_counter() - t, 4)


def preprocess_page(
    image: np.ndarray,
    options: OcrOptions,
    workdir: Path,
    stem: str,
    deadline: float,
    dpi_hint: float | None = None,
) -> tuple[np.ndarray, list[dict[str, Any]], dict[str, float], float | None, np.ndarray]:
    """Run the gated steps; returns the image, the steps with measurements, timings, the est. dpi and
    the 3x3 matrix from the coordinates of `image` to those of the returned image."""
    steps: list[dict[str, Any]] = []
    timings: dict[str, float] = {}
    forward = np.eye(3)

    def keep(m: dict[str, Any]) -> None:
        nonlocal forward
        moved = m.pop(preprocess.MATRIX, None)
        if moved is not None:
            forward = moved @ forward
        steps.append(m)

    gray, m = _timed(timings, "gray", preprocess.to_gray, image)
    keep(m)
    gray, m = _timed(timings, "smooth_bitonal", preprocess.smooth_bitonal, gray)
    keep(m)
    gray, m = _timed(timings, "crop_page", preprocess.crop_to_page, gray, image if image.ndim == 3 else None)
    keep(m)
    gray, m = _timed(timings, "whiten_edges", preprocess.whiten_dark_edges, gray)
    keep(m)
    gray, m = _timed(timings, "orientation", _orient, gray)
    keep(m)
    gray, m = _timed(timings, "deskew", preprocess.deskew, gray)
    keep(m)
    res = _timed(timings, "resolution", preprocess.estimate_resolution, gray, dpi_hint)
    res["step"] = "resolution"
    keep(res)
    source_dpi = res.get("est_dpi")  # of the scan itself: gates the steps that hurt low-res text
    gray, m = _timed(
        timings,
        "rescale",
        preprocess.rescale_low_resolution,
        gray,
        source_dpi,
        confirmed=bool(res.get("confirmed")) or res.get("dpi_header") is not None,
        max_factor=budget.max_upscale(image.shape[0] * image.shape[1]),
    )
    keep(m)
    enlarged = bool(m.get("applied"))
    est_dpi = round(source_dpi * m["factor"]) if source_dpi and enlarged else source_dpi
    gray, m = _timed(timings, "even_lighting", preprocess.even_lighting, gray)
    keep(m)
    gray, m = _timed(timings, "stretch_contrast", preprocess.stretch_contrast, gray)
    keep(m)
    gray, m = _timed(timings, "lighten_midtones", preprocess.lighten_midtones, gray, enlarged=enlarged)
    keep(m)
    gray, m = _timed(timings, "denoise", preprocess.denoise, gray, est_dpi=source_dpi)
    keep(m)
    gray, m = _timed(timings, "remove_specks", preprocess.remove_specks, gray, est_dpi=source_dpi)
    keep(m)
    gray, m = _timed(timings, "sharpen", preprocess.sharpen_soft_edges, gray, est_dpi=est_dpi)
    keep(m)
    if options.binarize:  # off by default; skipped on low-res (so never on a rescaled page) anyway
        gray, m = _timed(
            timings, "binarize", preprocess.binarize, gray, est_dpi=source_dpi, char_h=res.get("char_h")
        )
        keep(m)
    return gray, steps, timings, est_dpi, forward


def _orient(gray: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Turn a page whose text lines run vertically by 90 degrees clockwise, so its lines are level.
    Which of the two ways is right is left to the reading: a page read upside down scores a very
    low quality, and `_more_readings` then reads it turned over (cheaper than Tesseract's OSD, which
    costs more CPU than reading the page, and checked by the reading itself)."""
    sideways, m = preprocess.is_sideways(gray)
    m["applied"] = False
    if not sideways:
        return gray, m
    m.update(applied=True, rotated_cw=90)
    m[preprocess.MATRIX] = preprocess.rotate90_matrix(gray.shape, 90)
    return preprocess.rotate90s(gray, 90), m


# Pages these steps changed are read at their full resolution: text upscaled from a low-res scan
# reads better from the smoother, larger glyphs (verylow_jpeg 0.037 against 0.10 at 240 dpi), and the
# thin strokes of faded ink lose their tone marks when reduced (faded 0.003 against 0.010 at 200 dpi).
FULL_RESOLUTION_STEPS = frozenset({"rescale", "stretch_contrast"})
# Blurred text (edge sharpness below this; crisp print ~1) is read at full resolution: reduced, its
# strokes run together (blur 0.006 -> 0.009, above bare Tesseract's 0.008).
BLURRED = 0.5
# Reduce only where it pays: a page within 25 % of the target gains little time for a resampling
# (a bitonal fax at 237 dpi lost a word when reduced to 200). The same band decides upscaling.
REDUCE_ABOVE = preprocess.RESAMPLE_BAND
FULL_VIEW = (1.0, 300)  # (scale, dpi): the page as preprocessed, read as 300 dpi


def recognition_scale(
    est_dpi: float | None, target_dpi: int | None, *, full_resolution: bool = False
) -> View:
    """(scale, dpi) at which Tesseract reads the page. Its line recogniser sees each text line at a
    fixed height of a few dozen pixels, so pixels beyond ~200 dpi of 12-14 pt text only cost time in
    thresholding and layout analysis (a quarter of Tesseract's time on a 300-dpi page). Reduced to
    200 dpi, the DEV pages read with a lower CER and the real scans with the same confidence
    (benchmarks/README.md)."""
    if not target_dpi or not est_dpi or full_resolution or est_dpi <= REDUCE_ABOVE * target_dpi:
        return own_view(est_dpi)
    return target_dpi / est_dpi, target_dpi


def own_view(est_dpi: float | None) -> View:
    """The page as it is, read at its measured resolution (300 when nothing was measured)."""
    return (1.0, round(est_dpi)) if est_dpi else FULL_VIEW


def _choose_view(
    gray: np.ndarray,
    steps: list[dict[str, Any]],
    timings: dict[str, float],
    est_dpi: float | None,
    options: OcrOptions,
) -> View:
    """The (scale, dpi) Tesseract reads the preprocessed page at; a reduction is recorded as a step."""
    full = any(s.get("step") in FULL_RESOLUTION_STEPS and s.get("applied") for s in steps)
    view = recognition_scale(est_dpi, options.recognition_dpi, full_resolution=full)
    if view[0] >= 1.0:
        return view
    measured = [s["sharpness"] for s in steps if s.get("step") == "sharpen"]  # before sharpening
    sharpness = measured[0] if measured else _timed(timings, "sharpness", preprocess.edge_sharpness, gray)
    m: dict[str, Any] = {
        "step": "recognition_scale",
        "applied": True,
        "scale": round(view[0], 3),
        "dpi": view[1],
    }
    if sharpness is not None:
        m["sharpness"] = round(sharpness, 3)
        if sharpness < BLURRED:
            view = own_view(est_dpi)
            m.update(applied=False, scale=1.0, dpi=view[1])
    steps.append(m)
    return view


def bare_gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def ocr_image(
    image: np.ndarray,
    options: OcrOptions | None = None,
    page_no: int = 1,
    *,
    workdir: Path | None = None,
    stem: str | None = None,
    dpi_hint: float | None = None,
) -> PageResult:
    """Recognise one page image (H x W gray or H x W x 3 RGB, uint8). `dpi_hint`: the resolution the
    file claims (image header, or the PDF's rendering), checked against the text before it is used."""
    options = options or OcrOptions()
    stem = stem or f"{uuid.uuid4().hex[:12]}-p{page_no:04d}"
    if workdir is None:
        with _workdir(options) as wd:
            return ocr_image(image, options, page_no, workdir=wd, stem=stem, dpi_hint=dpi_hint)
    start = time.perf_counter()
    page_budget = budget.PageBudget(image.shape[0] * image.shape[1])
    # One budget for the page: a page that hangs Tesseract costs at most this, retries included.
    deadline = time.monotonic() + options.page_timeout
    timings: dict[str, float] = {}
    steps: list[dict[str, Any]] = []
    est_dpi: float | None = None
    forward = np.eye(3)
    if options.preprocess:
        gray, steps, timings, est_dpi, forward = preprocess_page(
            image, options, workdir, stem, deadline, dpi_hint
        )
    else:
        gray = bare_gray(image)
    # Seal fragments and signature strokes read as 1-2 letter tokens: dropped, except on low-res
    # scans, where short real words (và, có, số) can be that doubtful too.
    source_dpi = next((s.get("est_dpi") for s in steps if s.get("step") == "rescale"), None)
    marks = options.preprocess and (source_dpi is None or source_dpi >= 200)
    view = _choose_view(gray, steps, timings, est_dpi, options)
    text = _timed(timings, "coverage", coverage.page_text, gray)
    reader = _Reader(options, workdir, stem, marks, timings, deadline, text, forward)
    best = reader.read(
        gray,
        "main",
        view,
        forward,
        by_cells=options.preprocess,
        missed_within=page_budget.limit if options.preprocess else None,
    )
    if options.preprocess:
        steps.append({"step": "tables", "applied": best.table_cells > 0, "cells": best.table_cells})
        again: dict[str, Any] = {
            "step": "missed_text",
            "applied": best.missed_lines > 0,
            "lines": best.missed_lines,
        }
        if best.missed_skipped:
            again["skipped"] = "over the page's time bound"
        steps.append(again)
    if options.preprocess and _doubtful(best):
        best = _more_readings(image, best, reader, steps, view, page_budget, dpi_hint)
    timings["total"] = round(time.perf_counter() - start, 4)
    h, w = best.image.shape[:2]
    return PageResult(
        page_no=page_no,
        text=best.text,
        words=best.words,
        width=w,
        height=h,
        dpi=(best.view[1] or _source_dpi(steps) or FULL_VIEW[1]) / best.view[0],
        mean_conf=round(best.mean_conf, 2) if best.mean_conf is not None else None,
        low_conf_share=round(best.low_conf_share, 4) if best.low_conf_share is not None else None,
        quality=best.quality.quality,
        coverage=best.quality.coverage,
        reading=best.label,
        steps=steps,
        timings=timings,
        pdf_path=best.pdf_path,
        to_source=[float(v) for v in np.linalg.inv(best.matrix).ravel()],
        source_size=(image.shape[1], image.shape[0]),
    )


# A reading whose quality (ocr.quality) is below this gets extra readings: the real documents and the
# DEV pages read well score 0.88-0.96; a page read wrong (sideways, cut, garbled) far lower.
RETRY_QUALITY = 0.80


# A reading this poor may be of a page upside down (or turned the wrong way from sideways): a page read
# upside down scores ~0.1, a page merely hard to read far more.
UPSIDE_DOWN_QUALITY = 0.5


def _doubtful(reading: _Reading) -> bool:
    return reading.quality.quality is None or reading.quality.quality < RETRY_QUALITY


class _Reader:
    """Recognition passes of one page, sharing its options, work folder, time budget and the page's
    text-like components (`text`, in the frame of the main reading, which `forward` maps the loaded
    page to): every reading's coverage is measured against the same text."""

    def __init__(
        self,
        options: OcrOptions,
        workdir: Path,
        stem: str,
        marks: bool,
        timings: dict[str, float],
        deadline: float,
        text: coverage.PageText,
        forward: np.ndarray,
    ) -> None:
        self.options, self.workdir, self.stem, self.marks = options, workdir, stem, marks
        self.timings, self.deadline = timings, deadline
        self.text, self.to_main = text, forward

    def read(
        self,
        image: np.ndarray,
        label: str,
        view: View,
        matrix: np.ndarray,
        psm: int = PSM,
        *,
        by_cells: bool = False,
        missed_within: float | None = None,
    ) -> _Reading:
        """Read `image`, whose frame `matrix` maps the loaded page to."""
        name = "tesseract" if label == "main" else "tesseract_extra"
        text = self.text.mapped(matrix @ np.linalg.inv(self.to_main))
        reading: _Reading = _timed(
            self.timings,
            name,
            _recognise,
            image,
            self.options,
            self.workdir,
            self.stem,
            label,
            self.options.page_pdfs,
            self.marks,
            view=view,
            timeout=_left(self.deadline),
            text=text,
            psm=psm,
            by_cells=by_cells,
            missed_within=missed_within,
        )
        reading.matrix = matrix
        return reading


def conservative_page(image: np.ndarray, steps: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """The page with only the safest steps: plain gray, the orientation the full path chose, deskew,
    even light. No crop, no resampling, no noise or contrast changes. Returns it and the matrix from
    the loaded page's coordinates to its own."""
    gray = bare_gray(image)
    matrix = np.eye(3)
    turned = next((s.get("rotated_cw") for s in steps if s.get("step") == "sideways_check"), None)
    if turned:
        matrix = preprocess.rotate90_matrix(gray.shape, turned) @ matrix
        gray = preprocess.rotate90s(gray, turned)
    gray, m = preprocess.deskew(gray)
    if preprocess.MATRIX in m:
        matrix = m[preprocess.MATRIX] @ matrix
    gray, _ = preprocess.even_lighting(gray)
    return gray, matrix


# Steps after which the conservative reading differs from the main one (worth a pass of its own).
_BEYOND_CONSERVATIVE = frozenset(
    {
        "remove_colour_ink",
        "smooth_bitonal",
        "crop_page",
        "whiten_edges",
        "rescale",
        "stretch_contrast",
        "lighten_midtones",
        "denoise",
        "remove_specks",
        "binarize",
        "recognition_scale",
    }
)


def _more_readings(
    image: np.ndarray,
    first: _Reading,
    reader: _Reader,
    steps: list[dict[str, Any]],
    view: View,
    page_budget: budget.PageBudget,
    dpi_hint: float | None,
) -> _Reading:
    """A doubtful reading: try the page turned over (when its quality says it may be upside down), a
    conservative preparation of it, and, when still doubtful, the page as bare Tesseract reads the file
    (its own segmentation, and its own resolution estimate where the file states none: the safety net
    is bare Tesseract itself); keep the reading of the best quality. The passes share the page's time
    budget (SOHOA_PAGE_TIMEOUT) and its time bound
    (`budget.PageBudget`, predicted from pixel counts so that a page reads the same on any machine);
    when either runs out the best reading so far stands."""
    candidates = [first]
    record: dict[str, Any] = {"step": "retry", "first_quality": first.quality.quality}
    main_pixels = first.image.shape[0] * first.image.shape[1] * first.view[0] ** 2
    page_budget.allows(main_pixels + first.parts_pixels)  # the main pass, its cells and missed lines too

    def read(img: np.ndarray, label: str, at: View, matrix: np.ndarray, psm: int = PSM) -> None:
        if not page_budget.allows(img.shape[0] * img.shape[1] * at[0] ** 2):
            record.setdefault("skipped", []).append(f"{label}: over the page's time bound")
            return
        # `matrix`: the loaded page's coordinates to those of this reading's boxes
        candidates.append(reader.read(img, label, at, matrix, psm))

    try:
        if (first.quality.quality or 0.0) < UPSIDE_DOWN_QUALITY:
            turn = preprocess.rotate90_matrix(first.image.shape, 180)
            read(preprocess.rotate90s(first.image, 180), "turned", view, turn @ first.matrix)
        if _doubtful(_best(candidates)) and any(
            s.get("step") in _BEYOND_CONSERVATIVE and s.get("applied") for s in steps
        ):
            conservative, matrix = conservative_page(image, steps)
            read(conservative, "conservative", own_view(_source_dpi(steps) or dpi_hint), matrix)
        if _doubtful(_best(candidates)):
            bare_view = (1.0, round(dpi_hint) if dpi_hint else None)  # as bare Tesseract reads the file
            read(bare_gray(image), "bare", bare_view, np.eye(3), BARE_PSM)
    except OcrTimeoutError as exc:
        record["out_of_time"] = str(exc)
    best = _best(candidates)
    for c in candidates:
        if c is not best and c.pdf_path:
            c.pdf_path.unlink(missing_ok=True)
    record.update(
        applied=best is not first,
        chosen=best.label,
        qualities={c.label: c.quality.quality for c in candidates},
        coverages={c.label: c.quality.coverage for c in candidates},
        confs={c.label: c.mean_conf and round(c.mean_conf, 1) for c in candidates},
        predicted_cpu_s=round(page_budget.spent, 2),
        bound_cpu_s=round(page_budget.limit, 2),
    )
    steps.append(record)
    return best


def _best(candidates: list[_Reading]) -> _Reading:
    return max(candidates, key=lambda r: r.quality.key)


def _source_dpi(steps: list[dict[str, Any]]) -> float | None:
    return next((s.get("est_dpi") for s in steps if s.get("step") == "resolution"), None)


def _page_error(page_no: int, exc: SohoaError) -> PageResult:
    return PageResult(page_no=page_no, error=str(exc), error_reason=exc.reason)


def iter_ocr_pages(
    path: Path | str, options: OcrOptions | None = None, *, pages: list[int] | None = None
) -> Iterator[PageResult]:
    """OCR a scan page by page (streaming). Whole-file problems raise; a bad page comes back with `error`."""
    options = options or OcrOptions()
    path = Path(path)
    with _workdir(options) as wd:
        stem_base = f"{uuid.uuid4().hex[:12]}"
        it = loader.iter_page_images(
            path, max_pages=options.max_pages, max_pixels=options.max_pixels, pages=pages
        )
        while True:
            t = time.perf_counter()
            page = next(it, None)
            load_s = round(time.perf_counter() - t, 4)
            if page is None:
                break
            if not page.ok or page.image is None:
                yield PageResult(page_no=page.page_no, error=page.error, error_reason=page.error_reason)
                continue
            try:
                result = ocr_image(
                    page.image,
                    options,
                    page.page_no,
                    workdir=wd,
                    stem=f"{stem_base}-p{page.page_no:04d}",
                    dpi_hint=page.render_dpi or page.dpi_header,
                )
            except PageError as exc:
                result = _page_error(page.page_no, exc)
            result.steps.insert(
                0, {"step": "load", "dpi_header": page.dpi_header, "render_dpi": page.render_dpi}
            )
            result.timings["load"] = load_s
            result.timings["total"] = round(result.timings.get("total", 0.0) + load_s, 4)
            yield result


def ocr_file(path: Path | str, options: OcrOptions | None = None) -> DocumentResult:
    path = Path(path)
    mime = loader.sniff_type(path)
    return DocumentResult(source=str(path), mime=mime, pages=list(iter_ocr_pages(path, options)))


def ocr_page_of_file(path: Path | str, page_no: int, options: OcrOptions) -> PageResult:
    """One page of a file, for process-pool workers. Never raises for page problems."""
    try:
        results = list(iter_ocr_pages(path, options, pages=[page_no]))
    except SohoaError as exc:
        return _page_error(page_no, exc)
    return (
        results[0]
        if results
        else PageResult(page_no=page_no, error="page not found", error_reason="page_failed")
    )
