"""Text-layer path against OCR, and signatures, on born-digital PDFs: prints tables.

Two sets of PDFs, both made here (the real born-digital PDFs are not in the corpus: real-docs holds
only their 200-dpi renders and their exact text):
- `generated`: Word-like Decree 30 letters (samples/born_digital.py), plus the broken layers;
- `real-text`: one PDF page per real-docs ground-truth page, the real text (from `pdftotext -layout`
  of the real file) set again at its columns in Liberation Serif: real wording, lines, tables
  flattened as they were; not the real fonts, seals or images.

Per page: seconds (wall) and CPU seconds (this process and its children: poppler, Tesseract) of the
text-layer path and of OCR; whether the page text has exactly the layer's words (`pdftotext -layout`
of the same page, and for real-text the real file's ground truth). Signatures: each PDF is signed
(PAdES and CMS alternately); signer and time read, integrity; processing leaves every original as
it was (sha256).

    python benchmarks/textlayer.py [--ocr-pages 4] [--corpus ../shared/corpus/real-docs]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script, benchmarks/ocr.py would shadow the ocr package

from ocr import poppler  # noqa: E402
from ocr.engine import OcrOptions, iter_ocr_pages  # noqa: E402
from ocr.model import TEXT_LAYER  # noqa: E402
from ocr.textlayer import iter_pages  # noqa: E402
from pipeline.process import process_file  # noqa: E402
from pipeline.record import SourceObject  # noqa: E402
from pipeline.signatures import read_signatures  # noqa: E402
from samples import born_digital as bd  # noqa: E402


def cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    t, c = time.perf_counter(), cpu()
    out = fn()
    return out, time.perf_counter() - t, cpu() - c


def bag(text: str) -> list[str]:
    return sorted(unicodedata.normalize("NFC", text).split())


def letters(n: int) -> list[bd.Letter]:
    """n different letters (numbers, dates and a body line vary)."""
    out = []
    for i in range(n):
        base = bd.Letter()
        out.append(
            bd.Letter(
                body_left=("ỦY BAN NHÂN DÂN", "QUẬN CẦU GIẤY", "", f"Số: {100 + i}/QĐ-UBND"),
                body_right=(*base.body_right[:3], f"Cầu Giấy, ngày {1 + i % 28} tháng {1 + i % 12} năm 2024"),
                body=(*base.body, f"Điều {4 + i}. Giao phòng Quản lý đô thị thực hiện hồ sơ số {2000 + i}."),
                seal=i % 2 == 1,  # every other one with a red seal and a black signature image
            )
        )
    return out


def real_text_pdf(gt: Path, out: Path) -> Path:
    """The real page text at its `-layout` columns, one segment per run of text between wide gaps."""
    import re

    from reportlab.pdfgen import canvas

    bd._fonts()
    lines = gt.read_text(encoding="utf-8").rstrip("\f\n").split("\n")
    width = max((len(line) for line in lines), default=80)
    char_w = (bd.A4[0] - 60) / max(width, 60)
    size = min(12.0, char_w / 0.47)
    step = min(14.0, (bd.A4[1] - 60) / max(len(lines), 1))
    c = canvas.Canvas(str(out), pagesize=bd.A4)
    for row, line in enumerate(lines):
        y = bd.A4[1] - 30 - (row + 1) * step
        for m in re.finditer(r"\S+(?: \S+)*", line):
            c.setFont("Serif", size)
            c.drawString(30 + m.start() * char_w, y, m.group(0))
    c.showPage()
    c.save()
    return out


def layer_rows(pdfs: list[Path], gts: dict[Path, Path], ocr_pages: int, label: str) -> list[dict[str, Any]]:
    rows = []
    ocr_budget = ocr_pages
    for pdf in pdfs:
        pages, wall, spent = timed(lambda pdf=pdf: list(iter_pages(pdf, OcrOptions())))
        for page in pages:
            layer = bag(poppler.page_layout_text(pdf, page.page_no))
            row = {
                "set": label,
                "file": pdf.name,
                "page": page.page_no,
                "source": page.text_source,
                "reason": page.layer_rejected or "",
                "layer_s": wall / len(pages),
                "layer_cpu": spent / len(pages),
                "same_as_layer": bag(page.text) == layer,
                "same_as_gt": bag(page.text) == bag(gts[pdf].read_text(encoding="utf-8"))
                if pdf in gts
                else None,
                "ocr_s": None,
                "ocr_cpu": None,
            }
            if ocr_budget > 0 and page.text_source == TEXT_LAYER:
                ocr_budget -= 1
                opts = OcrOptions(text_layer=False)
                _, row["ocr_s"], row["ocr_cpu"] = timed(
                    lambda pdf=pdf, n=page.page_no, opts=opts: list(iter_ocr_pages(pdf, opts, pages=[n]))
                )
            rows.append(row)
    return rows


def sig_rows(pdfs: list[Path], folder: Path) -> list[dict[str, Any]]:
    person = bd.make_identity()
    rows = []
    for i, pdf in enumerate(pdfs):
        signed = bd.sign_pdf(pdf, folder / f"signed-{pdf.name}", person, pades=i % 2 == 0)
        before = hashlib.sha256(signed.read_bytes()).hexdigest()
        sigs, wall, spent = timed(lambda signed=signed: read_signatures(signed))
        with tempfile.TemporaryDirectory() as work:
            opts = OcrOptions(pdf=True, workdir=Path(work))
            result = process_file(signed, SourceObject("intake", signed.name, "e"), opts)
            labelled = result.pdf_path is not None and result.pdf_path != signed
        rows.append(
            {
                "file": signed.name,
                "kind": "PAdES" if i % 2 == 0 else "CMS",
                "signer_and_time": bool(sigs and sigs[0].signer and sigs[0].signed_at),
                "integrity": sigs[0].integrity if sigs else "-",
                "read_s": wall,
                "read_cpu": spent,
                "original_unchanged": hashlib.sha256(signed.read_bytes()).hexdigest() == before,
                "copy_separate": labelled,
            }
        )
    return rows


def fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def table(rows: list[dict[str, Any]], cols: list[str]) -> None:
    widths = [max(len(c), *(len(fmt(r[c])) for r in rows)) for c in cols]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for r in rows:
        print("  ".join(fmt(r[c]).ljust(w) for c, w in zip(cols, widths, strict=True)))


def summary(rows: list[dict[str, Any]]) -> None:
    print("\nsummary per set (text-layer pages only; medians)")
    out = []
    for label in sorted({r["set"] for r in rows}):
        layer = [r for r in rows if r["set"] == label and r["source"] == TEXT_LAYER]
        ocred = [r for r in layer if r["ocr_cpu"]]
        med = statistics.median
        out.append(
            {
                "set": label,
                "pages": len([r for r in rows if r["set"] == label]),
                "from_layer": len(layer),
                "layer_s": med([r["layer_s"] for r in layer]) if layer else None,
                "layer_cpu": med([r["layer_cpu"] for r in layer]) if layer else None,
                "max_layer_s": max((r["layer_s"] for r in layer), default=None),
                "ocr_s": med([r["ocr_s"] for r in ocred]) if ocred else None,
                "ocr_cpu": med([r["ocr_cpu"] for r in ocred]) if ocred else None,
                "cpu_ratio": (
                    med([r["ocr_cpu"] for r in ocred]) / med([r["layer_cpu"] for r in ocred])
                    if ocred
                    else None
                ),
                "identical": f"{sum(r['same_as_layer'] for r in layer)}/{len(layer)}",
            }
        )
    cols = ["set", "pages", "from_layer", "layer_s", "layer_cpu", "max_layer_s", "ocr_s", "ocr_cpu"]
    table(out, [*cols, "cpu_ratio", "identical"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=12, help="generated letters (one page each)")
    ap.add_argument("--ocr-pages", type=int, default=3, help="pages per set also OCR-ed, for the ratio")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/real-docs")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sohoa-bench-layer-"))
    generated = [bd.word_pdf(folder / f"letter-{i:02d}.pdf", [p]) for i, p in enumerate(letters(args.pages))]
    multi = bd.word_pdf(folder / "multi-8.pdf", letters(8))
    broken = [
        bd.drop_capitals(generated[0], folder / "caps.pdf"),
        bd.stand_in_letters(generated[0], folder / "stand-in.pdf"),
        bd.without_tounicode(generated[0], folder / "no-unicode.pdf"),
        bd.word_pdf(folder / "mixed.pdf", [letters(1)[0], bd.scan_image(bd.ANNEX_LINES)]),
    ]
    gts = {}
    for gt in sorted((args.corpus / "gt").glob("*.txt")):
        gts[real_text_pdf(gt, folder / f"real-{gt.stem}.pdf")] = gt
    rows = layer_rows([*generated, multi], {}, args.ocr_pages, "generated")
    rows += layer_rows(broken, {}, 0, "broken")
    rows += layer_rows(list(gts), gts, args.ocr_pages, "real-text")
    cols = ["set", "file", "page", "source", "reason", "layer_s", "layer_cpu", "ocr_s", "ocr_cpu"]
    table(rows, [*cols, "same_as_layer", "same_as_gt"])
    summary(rows)
    print("\nsignatures (each PDF signed here, then read and processed)")
    table(
        sig_rows([*generated[:6], multi, broken[3]], folder),
        [
            "file",
            "kind",
            "signer_and_time",
            "integrity",
            "read_s",
            "read_cpu",
            "original_unchanged",
            "copy_separate",
        ],
    )
    print(f"\nPDFs in {folder}")


if __name__ == "__main__":
    main()
