"""PDF/A-2b derivative: size against the scan and against the old searchable PDF (Tesseract's renderer,
one PDF per page, merged), build cost and veraPDF cost per page, per input kind.

    .venv/bin/python benchmarks/pdfa.py [--per-kind 4]

Inputs from ../shared/corpus: real 1-bit CCITT pages and real colour JPEG pages (extracted from the
`real/` PDFs with pdfimages, their bytes untouched), the `real/` PDFs themselves, DEV gray PNG pages,
DEV pages made 1-bit G4 TIFF, real colour scans (`real-docs/`, PNG). Prints a table per kind.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # before benchmarks/ (which has an ocr.py of its own)

from PIL import Image  # noqa: E402

from ocr.engine import OcrOptions, iter_ocr_pages  # noqa: E402
from ocr.loader import sniff_type  # noqa: E402
from ocr.pdf import merge_pdfs  # noqa: E402
from ocr.tesseract import glyphless_font  # noqa: E402
from pipeline.archival import verapdf  # noqa: E402
from pipeline.archival.pdfa import build_pdfa  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def inputs(work: Path, per_kind: int) -> dict[str, list[Path]]:
    kinds: dict[str, list[Path]] = {}
    real = sorted((CORPUS / "real").glob("*.pdf"))
    extracted = work / "extracted"
    extracted.mkdir()
    for pdf in real:  # the page images as the PDFs hold them: JPEG bytes as .jpg, 1-bit as TIFF
        subprocess.run(["pdfimages", "-j", "-tiff", str(pdf), str(extracted / pdf.stem)], check=True)
    kinds["1-bit TIFF (real, G4)"] = []
    for tif in sorted(extracted.glob("*.tif")):
        with Image.open(tif) as img:
            if img.mode == "1":
                out = tif.with_name(tif.stem + "-g4.tif")
                img.save(out, compression="group4", dpi=(200, 200))
                kinds["1-bit TIFF (real, G4)"].append(out)
    kinds["colour JPEG (real)"] = sorted(extracted.glob("*.jpg"))[:per_kind]
    dev = sorted((CORPUS / "images").glob("*.png"))[:per_kind]
    kinds["gray PNG (DEV)"] = dev
    kinds["1-bit TIFF (DEV, G4)"] = []
    for png in dev:
        out = work / f"{png.stem}-g4.tif"
        Image.open(png).point(lambda v: 255 if v > 150 else 0).convert("1").save(
            out, compression="group4", dpi=(300, 300)
        )
        kinds["1-bit TIFF (DEV, G4)"].append(out)
    kinds["colour PNG (real-docs)"] = sorted((CORPUS / "real-docs" / "images").glob("*.png"))[:per_kind]
    kinds["multi-page PDF (real)"] = real
    return {k: v[:per_kind] for k, v in kinds.items() if v}


def measure(path: Path, work: Path, font: Path) -> dict[str, float]:
    wd = work / f"w-{path.stem}"
    wd.mkdir()
    pages = list(iter_ocr_pages(path, OcrOptions(pdf=True, page_pdfs=True, workdir=wd)))
    today = wd / "today.pdf"
    merge_pdfs([p.pdf_path for p in pages if p.pdf_path], today)
    out = wd / "pdfa.pdf"
    cpu = time.process_time()
    wall = time.perf_counter()
    build = build_pdfa(path, sniff_type(path), pages, {"subject": path.stem}, out, font_file=font, workdir=wd)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    return {
        "pages": len(pages),
        "original": path.stat().st_size,
        "today": today.stat().st_size,
        "pdfa": build.size,
        "build_cpu": cpu,  # our process only (Ghostscript's time is in wall)
        "build_wall": wall,
        "path": str(out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-kind", type=int, default=4)
    args = parser.parse_args()
    font = glyphless_font()
    work = Path(tempfile.mkdtemp(prefix="sohoa-bench-pdfa-"))
    try:
        results: dict[str, list[dict[str, float]]] = {}
        for kind, paths in inputs(work, args.per_kind).items():
            results[kind] = [measure(p, work, font) for p in paths]
        all_pdfs = [Path(r["path"]) for rs in results.values() for r in rs]
        all_pages = sum(r["pages"] for rs in results.values() for r in rs)
        t = time.perf_counter()
        verdicts = verapdf.validate(all_pdfs)
        batch = time.perf_counter() - t
        one = all_pdfs[0]
        t = time.perf_counter()
        verapdf.validate([one])
        single = time.perf_counter() - t
        print("| input | files | pages | PDF/A ÷ scan (median, max) | PDF/A ÷ today's PDF (median) | "
              "build s/page (wall, median) | veraPDF |")  # fmt: skip
        print("| --- | --- | --- | --- | --- | --- | --- |")
        by_path = {v.path: v for v in verdicts}
        for kind, rs in results.items():
            ratio = [r["pdfa"] / r["original"] for r in rs]
            vs_today = [r["pdfa"] / r["today"] for r in rs]
            per_page = [r["build_wall"] / r["pages"] for r in rs]
            ok = sum(by_path[r["path"]].compliant for r in rs)
            print(
                f"| {kind} | {len(rs)} | {sum(r['pages'] for r in rs)} | "
                f"{statistics.median(ratio):.2f}, {max(ratio):.2f} | {statistics.median(vs_today):.2f} | "
                f"{statistics.median(per_page):.3f} | {ok}/{len(rs)} pass |"
            )
        print(
            f"\nveraPDF: {len(all_pdfs)} files, {all_pages} pages in one JVM: {batch:.1f} s "
            f"({batch / all_pages:.2f} s/page); one 1-file call: {single:.1f} s (JVM start-up included)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
