"""A PDF page's own text when it can be trusted, OCR for every other page.

Word-made PDFs (most documents issued since the e-office systems) carry their exact text: reading it
costs milliseconds where OCR costs seconds and misreads words. A page's layer is used when

- its fonts map their glyphs to Unicode (`uni yes` in `pdffonts`' words; standard fonts that are not
  embedded and symbol fonts excepted) and none is a legacy Vietnamese font (.VnTime, VNI-Times);
- its text has no unmapped glyphs (`(cid:N)`, U+FFFD, private-use or control characters), no stand-in
  letters (Ƣ for Ư, Ð for Đ) and no words in a legacy encoding (TCVN3/VNI text read as Latin-1);
- it is not a scan: images cover less than half of the page (a layer over a scan is someone's OCR);
- its text covers what is printed. The page rendered at 72 dpi must have no dark glyph-sized blot
  outside the layer's word boxes and no word box without ink. Blots in doubt are read by Tesseract
  (that region only, at 200 dpi) and the layer is refused when Tesseract reads words the layer lacks
  (one real file draws `H` but its text says `iệp hội`).

The checks that need no OCR cost a few milliseconds; Tesseract runs only on the pages they doubt.
What they cost per file is programs started: the page count, sizes and fonts are read in-process
(`pdfdoc`), and a file takes one `pdfimages -list`, one `pdftotext -bbox-layout` per CHUNK pages and
one 72-dpi `pdftoppm` per run of consecutive pages that reach the ink check (three runs for a
one-page letter). A refused page is OCR-ed and keeps the reason (`PageResult.layer_rejected`).
"""

from __future__ import annotations

import math
import re
import tempfile
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from core.text import fold
from ocr import layout, loader, pdf, pdfdoc, poppler, tesseract
from ocr.engine import OcrOptions, iter_ocr_pages, ocr_page_of_file
from ocr.errors import InputError, PageError, SohoaError
from ocr.model import TEXT_LAYER, PageResult, Word

WORD_DPI = 300  # layer word boxes are given in pixels at this resolution, like the OCR path's
INK_DPI = 72  # the coverage check's rendering: enough to see every glyph of 8 pt text
VERIFY_DPI = 200  # Tesseract reads the doubtful regions at this resolution
SCANNED = 0.5  # a page at least this much covered by images is a scan
CHUNK = 16  # pages per `pdftotext -bbox-layout` call

_STANDARD_ENCODINGS = {"WinAnsi", "MacRoman", "Standard", "PDFDoc", "MacExpert"}
_SYMBOL_FONT = re.compile(r"symbol|wingding|webding|dingbat|marlett", re.I)
_LEGACY_FONT = re.compile(r"^(?:[A-Z]{6}\+)?(?:\.vn|vni[-_ ]|vn[A-Z])", re.I)  # .VnTime, VNI-Times, VnTimes
_CID = re.compile(r"\(cid:\d+\)")
_STAND_INS = set("\u01a2\u01a3\u00d0\u00f0\u0189")  # Ƣƣ (for Ưư), Ðð and Ɖ (for Đđ)


def _vietnamese_letters() -> frozenset[str]:
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    letters = set("abcdefghijklmnopqrstuvwxyzđ")
    letters |= {unicodedata.normalize("NFC", v + t) for v in vowels for t in tones}
    return frozenset(letters | {c.upper() for c in letters})


_VIETNAMESE = _vietnamese_letters()


@dataclass
class Coverage:
    """What the 72-dpi rendering shows against the layer's word boxes."""

    glyphs: int = 0  # glyph-sized blots inside word boxes
    uncovered: int = 0  # glyph-sized dark blots outside every word box
    inkless_words: int = 0  # word boxes with no ink at all (invisible or white text)
    doubtful: list[tuple[float, float, float, float]] = field(default_factory=list)  # regions, in points

    def as_dict(self) -> dict[str, Any]:
        return {"glyphs": self.glyphs, "uncovered": self.uncovered, "inkless_words": self.inkless_words}


@dataclass
class Verdict:
    page_no: int
    reason: str | None  # why the layer is refused; None: the layer is used
    checks: dict[str, Any]
    page: PageResult | None = None  # the page read from its layer


def font_problem(fonts: list[poppler.PdfFont]) -> str | None:
    for font in fonts:
        if _LEGACY_FONT.search(font.name):
            return "legacy_font"
    for font in fonts:
        if font.unicode or _SYMBOL_FONT.search(font.name):
            continue
        if font.embedded or font.encoding not in _STANDARD_ENCODINGS:
            return "font_without_unicode"
    return None


# unmapped glyphs: U+FFFD and the categories Co (private use), Cc (controls) and Cs (surrogates)
_JUNK = re.compile(
    "[\ufffd\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd\x00-\x1f\x7f-\x9f\ud800-\udfff]"
)


def text_problem(text: str) -> str | None:
    """Unmapped glyphs, stand-in letters or a legacy encoding in the layer's text."""
    chars = "".join(text.split())  # every character but white space
    if not chars:
        return "no_text_layer"
    if _CID.search(text):
        return "unmapped_glyphs"
    if len(_JUNK.findall(chars)) > 0.01 * len(chars):
        return "unmapped_glyphs"
    counts = Counter(chars)  # each distinct character once: a page has thousands, of a hundred kinds
    if not _STAND_INS.isdisjoint(counts):
        return "stand_in_letters"
    letters = sum(n for c, n in counts.items() if c.isalpha())
    # TCVN3/VNI words read as Latin-1: letters Vietnamese does not have, signs in the middle of words
    odd = sum(n for c, n in counts.items() if c.isalpha() and c not in _VIETNAMESE)
    odd += len(re.findall(r"(?<=\w)[\u00a1-\u00bf](?=\w)", text))
    if letters and odd > 0.02 * letters:
        return "legacy_encoding"
    return None


def ink_coverage(rgb: np.ndarray, layer: poppler.LayerPage) -> Coverage:
    """Dark, colourless glyph-sized blots outside the word boxes (a glyph the layer does not hold) and
    word boxes without ink (text that is not visible). Colour is left out: red seals, blue signatures."""
    h_px, w_px = rgb.shape[:2]
    sx, sy = w_px / layer.width_pt, h_px / layer.height_pt
    r, g, b = cv2.split(rgb)  # channel by channel: numpy's reductions over a last axis of 3 are slow
    hi, lo = cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b)
    dark = ((hi < 170) & (cv2.subtract(hi, lo) < 60)).astype(np.uint8)
    any_ink = lo < 200
    boxes = np.zeros((h_px, w_px), dtype=bool)
    cov = Coverage()
    heights = []
    ink_sum = cv2.integral(any_ink.astype(np.uint8))  # ink in a box in four lookups, not a slice per word
    for word in layer.words:
        x0, y0, x1, y1 = word.bbox
        h = max(y1 - y0, 1.0)
        heights.append(h * sy)
        # stacked tone marks of capitals (Ấ, Ễ) rise above the font's ascent
        a, b = int((x0 - 0.1 * h) * sx), int((y0 - 0.35 * h) * sy)
        c, d = math.ceil((x1 + 0.1 * h) * sx), math.ceil((y1 + 0.15 * h) * sy)
        boxes[max(b, 0) : d, max(a, 0) : c] = True
        top, left = min(max(int(y0 * sy), 0), h_px), min(max(int(x0 * sx), 0), w_px)
        bottom, right = min(max(math.ceil(y1 * sy), top), h_px), min(max(math.ceil(x1 * sx), left), w_px)
        if ink_sum[bottom, right] - ink_sum[top, right] - ink_sum[bottom, left] + ink_sum[top, left] == 0:
            cov.inkless_words += 1
    line_h = float(np.median(heights)) if heights else 10.0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    if n <= 1:
        return cov
    inside = np.bincount(labels[boxes & dark.astype(bool)], minlength=n)[1:]
    x, y, w, h, area = (stats[1:, k].astype(np.float64) for k in range(5))
    # rules, frames, logos and specks are not glyphs
    glyph = (h >= 0.25 * line_h) & (h <= 2.0 * line_h) & (w <= 3.0 * line_h) & (area >= 2)
    covered = inside >= 0.5 * area
    cov.glyphs = int((glyph & covered).sum())
    pad = 0.5 * line_h
    for i in np.flatnonzero(glyph & ~covered):
        cov.uncovered += 1
        box = ((x[i] - pad) / sx, (y[i] - pad) / sy, (x[i] + w[i] + pad) / sx, (y[i] + h[i] + pad) / sy)
        cov.doubtful.append(tuple(float(v) for v in box))  # type: ignore[arg-type]
    cov.doubtful = _merge_boxes(cov.doubtful)
    return cov


def _merge_boxes(boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Overlapping boxes into one: the blots of one line or one stamp become one region to read."""
    merged: list[list[float]] = []
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        for m in merged:
            if box[0] <= m[2] and box[2] >= m[0] and box[1] <= m[3] and box[3] >= m[1]:
                m[:] = [min(m[0], box[0]), min(m[1], box[1]), max(m[2], box[2]), max(m[3], box[3])]
                break
        else:
            merged.append(list(box))
    if len(merged) < len(boxes):  # a merge can make boxes overlap that did not before
        return _merge_boxes([tuple(m) for m in merged])  # type: ignore[misc]
    return [tuple(m) for m in merged]  # type: ignore[misc]


def _in_doubt(coverage: Coverage) -> bool:
    """Blots worth reading with Tesseract: spread over several places (glyphs missing along the lines),
    or many in one place (a line or a stamp of text). A few blots in one or two places are a signature
    or a bullet: not worth a Tesseract run."""
    if coverage.uncovered < 3:
        return False
    return len(coverage.doubtful) >= 3 or coverage.uncovered >= max(8, 0.02 * coverage.glyphs)


def _loose(word: str) -> str:
    """Lower case, no tone marks, letters and digits only: low-resolution OCR misreads marks."""
    return "".join(c for c in fold(word, lower=True) if c.isalnum())


Box = tuple[float, float, float, float]


def missing_words(
    path: Path, page_no: int, layer: poppler.LayerPage, regions: list[Box], options: OcrOptions, workdir: Path
) -> list[str]:
    """Words Tesseract reads with confidence in the doubtful regions that the layer does not have."""
    page = poppler.render_small(path, page_no, VERIFY_DPI)
    h_px, w_px = page.shape[:2]
    sx, sy = w_px / layer.width_pt, h_px / layer.height_pt
    crops = []
    for x0, y0, x1, y1 in regions:
        a, b = max(int(x0 * sx), 0), max(int(y0 * sy), 0)
        crops.append(page[b : int(np.ceil(y1 * sy)), a : int(np.ceil(x1 * sx))])
    gap = 30
    width = max(c.shape[1] for c in crops) + 2 * gap
    sheet = np.full((sum(c.shape[0] + gap for c in crops) + gap, width), 255, dtype=np.uint8)
    y = gap
    for crop in crops:  # one Tesseract run for all regions: its start-up costs more than a region
        sheet[y : y + crop.shape[0], gap : gap + crop.shape[1]] = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
        y += crop.shape[0] + gap
    image = tesseract.write_input(workdir / f"verify-p{page_no:04d}", sheet)
    try:
        out = tesseract.recognize(
            image,
            workdir / f"verify-p{page_no:04d}",
            lang=options.lang,
            dpi=VERIFY_DPI,
            psm=6,
            timeout=options.page_timeout,
            tessdata_dir=options.tessdata_dir,
        )
    finally:
        image.unlink(missing_ok=True)
    out.tsv_path.unlink(missing_ok=True)
    have = {_loose(w.text) for w in layer.words}
    read = [_loose(w.text) for w in out.words if w.conf >= 60]
    return [w for w in read if len(w) >= 2 and not w.isdigit() and w not in have]


@dataclass
class _Judging:
    """A page whose cheap checks passed, waiting for its 72-dpi rendering."""

    layer: poppler.LayerPage
    checks: dict[str, Any]
    seconds: float  # spent on it so far


def _cheap_checks(
    layer: poppler.LayerPage, cover: float, fonts: list[poppler.PdfFont], options: OcrOptions
) -> Verdict | _Judging:
    """The checks that need no rendering: a refusal, or the page to render."""
    start = time.perf_counter()
    checks: dict[str, Any] = {"step": "text_layer", "words": len(layer.words), "image_cover": cover}

    def refuse(reason: str) -> Verdict:
        checks.update(applied=False, reason=reason, seconds=round(time.perf_counter() - start, 4))
        return Verdict(layer.page_no, reason, checks)

    if not layer.words:
        return refuse("no_text_layer")
    if cover >= SCANNED:
        return refuse("scanned_page")
    if layer.width_pt * layer.height_pt * (INK_DPI / 72) ** 2 > options.max_pixels:
        return refuse("page_too_large")  # not rendered here; the OCR path says what is wrong with it
    problem = text_problem(" ".join(w.text for w in layer.words)) or font_problem(fonts)
    if problem:
        return refuse(problem)
    return _Judging(layer, checks, time.perf_counter() - start)


def _ink_checks(path: Path, page: _Judging, rgb: np.ndarray, options: OcrOptions) -> Verdict:
    """The page's 72-dpi rendering against its layer's words, Tesseract on the blots in doubt."""
    start = time.perf_counter()
    layer, checks = page.layer, page.checks

    def done(reason: str | None) -> Verdict:
        seconds = round(page.seconds + time.perf_counter() - start, 4)
        checks.update(applied=reason is None, seconds=seconds)
        if reason:
            checks["reason"] = reason
            return Verdict(layer.page_no, reason, checks)
        return Verdict(layer.page_no, None, checks, layer_page(layer, checks))

    coverage = ink_coverage(rgb, layer)
    checks.update(coverage.as_dict())
    if coverage.inkless_words > max(2, 0.1 * len(layer.words)):
        return done("invisible_text")
    if _in_doubt(coverage):
        with tempfile.TemporaryDirectory(prefix="sohoa-layer-", dir=options.workdir) as tmp:
            missing = missing_words(path, layer.page_no, layer, coverage.doubtful, options, Path(tmp))
        checks["regions_read"] = len(coverage.doubtful)
        checks["missing_words"] = missing[:20]
        if len(missing) >= max(3, 0.05 * len(layer.words)):
            return done("text_missing_from_layer")
    return done(None)


def _unreadable(page_no: int, exc: SohoaError) -> Verdict:
    """A page the checks cannot read is OCR-ed, which reports what is wrong with it."""
    return Verdict(page_no, "layer_unreadable", {"step": "text_layer", "error": str(exc), "seconds": 0.0})


RENDER_PIXELS = 40_000_000  # pages rendered by one pdftoppm run, at most this many pixels in all


def _runs(pages: list[_Judging]) -> list[list[_Judging]]:
    """Consecutive pages in groups for one rendering each (pages in between are not rendered)."""
    runs: list[list[_Judging]] = []
    pixels = 0.0
    for page in pages:
        size = page.layer.width_pt * page.layer.height_pt * (INK_DPI / 72) ** 2
        last = runs[-1][-1].layer.page_no if runs else None
        if last is None or page.layer.page_no != last + 1 or pixels + size > RENDER_PIXELS:
            runs.append([])
            pixels = 0.0
        runs[-1].append(page)
        pixels += size
    return runs


def judge_layers(
    path: Path,
    layers: list[poppler.LayerPage],
    doc: pdfdoc.PdfDoc,
    cover: dict[int, float],
    options: OcrOptions,
) -> list[Verdict]:
    """A verdict per page of `layers` (consecutive pages of `path`). The pages that pass the cheap
    checks are rendered at 72 dpi together, one `pdftoppm` run per group of consecutive pages."""
    verdicts: dict[int, Verdict] = {}
    waiting: list[_Judging] = []
    for layer in layers:
        page = doc.page(layer.page_no)
        layer.width_pt, layer.height_pt = page.width_pt, page.height_pt  # turned (pdftotext's are not)
        first_look = _cheap_checks(layer, cover.get(layer.page_no, 0.0), page.fonts, options)
        if isinstance(first_look, Verdict):
            verdicts[layer.page_no] = first_look
        else:
            waiting.append(first_look)
    for run in _runs(waiting):
        t = time.perf_counter()
        try:
            images = poppler.render_pages(path, run[0].layer.page_no, run[-1].layer.page_no, INK_DPI)
        except SohoaError:  # one page that does not render must not cost the others their layer
            images = []
        share = (time.perf_counter() - t) / len(run)
        for i, page in enumerate(run):
            page.seconds += share
            try:
                rgb = images[i] if images else poppler.render_small(path, page.layer.page_no, INK_DPI)
                verdicts[page.layer.page_no] = _ink_checks(path, page, rgb, options)
            except SohoaError as exc:
                verdicts[page.layer.page_no] = _unreadable(page.layer.page_no, exc)
    return [verdicts[layer.page_no] for layer in layers]


def _page_layers(path: Path, first: int, last: int) -> list[poppler.LayerPage]:
    layers = poppler.text_layer(path, first, last)
    if [layer.page_no for layer in layers] != list(range(first, last + 1)):  # poppler and pikepdf disagree
        raise PageError(f"pdftotext gave {len(layers)} pages for pages {first}-{last}", path=str(path))
    return layers


def _image_cover(path: Path, doc: pdfdoc.PdfDoc, last: int) -> dict[int, float]:
    """Share of each page's visible area under images (none, without running `pdfimages`, when no page
    can draw one)."""
    if not any(p.may_have_images for p in doc.pages[:last]):
        return {}
    areas = [p.crop_area_pt2 for p in doc.pages[:last]]
    return poppler.page_images(path, last).cover(areas)


def layer_page(layer: poppler.LayerPage, checks: dict[str, Any]) -> PageResult:
    """The page as read from its layer: words in pixels at WORD_DPI, lines in the OCR path's order."""
    f = WORD_DPI / 72
    words = [
        Word(
            text=unicodedata.normalize("NFC", w.text),
            conf=100.0,
            bbox=(round(w.bbox[0] * f), round(w.bbox[1] * f), round(w.bbox[2] * f), round(w.bbox[3] * f)),
            line=(w.line[0], 0, w.line[1]),
        )
        for w in layer.words
    ]
    return PageResult(
        page_no=layer.page_no,
        text=layout.page_text(words),
        words=words,
        width=round(layer.width_pt * f),
        height=round(layer.height_pt * f),
        dpi=float(WORD_DPI),
        steps=[checks],
        timings={"text_layer": checks["seconds"], "total": checks["seconds"]},
        text_source=TEXT_LAYER,
    )


def judge_pages(path: Path, options: OcrOptions) -> Iterator[Verdict]:
    """A verdict per page of a PDF, in order: the pages, their sizes and fonts read in-process
    (`pdfdoc`), `pdfimages -list` once, the layer CHUNK pages per `pdftotext` run."""
    doc = pdfdoc.read(path)
    last = min(doc.count, options.max_pages)
    cover = _image_cover(path, doc, last)
    for first in range(1, last + 1, CHUNK):
        t = time.perf_counter()
        end = min(first + CHUNK - 1, last)
        layers = _page_layers(path, first, end)
        share = (time.perf_counter() - t) / max(len(layers), 1)
        for verdict in judge_layers(path, layers, doc, cover, options):
            seconds = verdict.checks["seconds"] = round(verdict.checks["seconds"] + share, 4)
            if verdict.page:
                verdict.page.timings = {"text_layer": seconds, "total": seconds}
            yield verdict


def _page_pdf(path: Path, page: PageResult, options: OcrOptions) -> None:
    """The searchable PDF of a page read from its layer is the page itself (it has its text)."""
    if not options.page_pdfs:
        return
    folder = options.workdir or Path(tempfile.mkdtemp(prefix="sohoa-ocr-"))  # the caller merges, removes
    name = f"layer-{uuid.uuid4().hex[:12]}-p{page.page_no:04d}.pdf"
    page.pdf_path = pdf.extract_page(path, page.page_no, folder / name)


def iter_pages(path: Path | str, options: OcrOptions) -> Iterator[PageResult]:
    """Every page of a scan or PDF, in order: from its text layer when trusted, else OCR-ed.
    Whole-file problems raise like `iter_ocr_pages`; each page says where its text came from."""
    path = Path(path)
    if not options.text_layer or loader.sniff_type(path) != loader.PDF:
        yield from iter_ocr_pages(path, options)
        return
    try:
        verdicts = list(judge_pages(path, options))
    except InputError:
        raise  # encrypted, corrupt, too many pages: the same error OCR would give
    except SohoaError:  # pdftotext failed on the file: OCR reads it all
        yield from iter_ocr_pages(path, options)
        return
    refused = {v.page_no: v for v in verdicts if v.page is None}
    ocr_pages = iter_ocr_pages(path, options, pages=sorted(refused)) if refused else iter([])
    for verdict in verdicts:
        if verdict.page is not None:
            _page_pdf(path, verdict.page, options)
            yield verdict.page
            continue
        page = next(ocr_pages)
        page.layer_rejected = verdict.reason
        page.steps.insert(0, verdict.checks)
        yield page


def read_page_of_file(path: Path | str, page_no: int, options: OcrOptions) -> PageResult:
    """One page, from its text layer when trusted (for the batch's pool workers). Never raises."""
    path = Path(path)
    verdict = None
    try:
        if options.text_layer and loader.sniff_type(path) == loader.PDF:
            doc = pdfdoc.read(path)
            cover = _image_cover(path, doc, min(doc.count, options.max_pages))
            [verdict] = judge_layers(path, _page_layers(path, page_no, page_no), doc, cover, options)
            if verdict.page is not None:
                _page_pdf(path, verdict.page, options)
                return verdict.page
    except SohoaError:
        verdict = None  # the layer could not be judged: OCR decides, and reports any error of the file
    page = ocr_page_of_file(path, page_no, options)
    if verdict is not None:
        page.layer_rejected = verdict.reason
        page.steps.insert(0, verdict.checks)
    return page
