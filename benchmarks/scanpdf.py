"""Scanned PDFs: each page rendered by `pdftoppm` at 300 dpi (before) against read as its stored image
(`ocr.pagescan`), same engine, same pages, alternating per file.

    python benchmarks/scanpdf.py [--corpus ../shared/corpus] [--sets docs,extra,dev3,dev4,real-docs]

- `docs`, `extra`, `dev3`, `dev4`: the multi-page samples of the main DEV set, `extra/`, `more/dev3` and
  `more/dev4` as their PDFs (one scan per page: 300-dpi gray and RGB Flate, 200-dpi CCITT G4 faxes),
  best-order CER against the ground truth with the corpus's `score.py`;
- `real-docs`: the 200-dpi page images of `real-docs` (real documents) wrapped as a scanner does (one
  JPEG per page, quality 85, at 200 dpi), order-free word error (BoW-WER) against each page's exact text;
- `real`: the real scans of `corpus/real/*.pdf` (no ground truth): the reading-quality score per page.

CPU seconds are this process's and its children's (tesseract, pdftoppm), one process, one page at a time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pikepdf  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks.cpu import self_cpu  # noqa: E402
from benchmarks.ocr import load_scorer  # noqa: E402
from ocr import pagescan  # noqa: E402
from ocr.engine import ocr_file  # noqa: E402

SETS = {"docs": ".", "extra": "extra", "dev3": "more/dev3", "dev4": "more/dev4"}


@contextmanager
def rendered() -> Iterator[None]:
    """Every page rendered by pdftoppm, as before `ocr.pagescan`."""
    real = pagescan.read_page_scan
    pagescan.read_page_scan = lambda path, page_no, max_pixels: None  # type: ignore[assignment]
    try:
        yield
    finally:
        pagescan.read_page_scan = real  # type: ignore[assignment]


def wrap_as_scan(png: Path, out: Path) -> Path:
    """A one-page PDF holding the image as a JPEG at its own resolution, as a scanner writes it."""
    with Image.open(png) as im:
        dpi = float(im.info.get("dpi", (200, 200))[0]) or 200.0
        rgb = im.convert("RGB")
    buf = io.BytesIO()
    rgb.save(buf, "JPEG", quality=85)
    pdf = pikepdf.new()
    w, h = rgb.size
    pw, ph = w * 72 / dpi, h * 72 / dpi
    image = pdf.make_stream(
        buf.getvalue(),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=w,
        Height=h,
        BitsPerComponent=8,
        ColorSpace=pikepdf.Name.DeviceRGB,
        Filter=pikepdf.Name.DCTDecode,
    )
    page = pdf.add_blank_page(page_size=(pw, ph))
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.obj.Contents = pdf.make_stream(f"q {pw:.4f} 0 0 {ph:.4f} 0 0 cm /Im0 Do Q".encode())
    path = out / f"{png.stem}.pdf"
    pdf.save(path)
    return path


def run(
    files: list[tuple[str, Path]], score: Callable[[str, list[str]], tuple[float, float]]
) -> dict[str, Any]:
    """Both ways on each file, alternating; per way the summed score and CPU seconds."""
    out: dict[str, Any] = {way: {"scores": {}, "cpu": 0.0, "quality": {}} for way in ("rendered", "stored")}
    for name, path in files:
        for way in ("rendered", "stored"):
            t = self_cpu()
            with rendered() if way == "rendered" else nullcontext():
                doc = ocr_file(path)
            out[way]["cpu"] += self_cpu() - t
            out[way]["scores"][name] = score(name, [p.text for p in doc.pages])
            out[way]["quality"][name] = [p.quality for p in doc.pages]
        print(
            f"  {name}: " + ", ".join(f"{w} {_rate(out[w]['scores'][name]):.4f}" for w in out),
            file=sys.stderr,
        )
    return out


def _rate(pair: tuple[float, float]) -> float:
    return pair[0] / pair[1] if pair[1] else 0.0


def corpus_set(corpus: Path, sub: str, scorer: Any) -> tuple[list[tuple[str, Path]], Callable]:
    root = corpus / sub
    manifest = json.loads((root / "manifest.json").read_text())
    gt = scorer.load_gt(str(root))
    files = [(s["id"], root / s["files"]["pdf"]) for s in manifest["samples"] if "pdf" in s["files"]]

    def score(sid: str, pages: list[str]) -> tuple[float, float]:
        ref = (root / "gt" / f"{sid}.txt").read_text(encoding="utf-8")
        m = scorer.measures(ref, "\n\f\n".join(pages), scorer.visual_text(gt[sid]))
        return m["char_edits_bestorder"], m["ref_chars"]

    return files, score


def real_docs_set(corpus: Path, scorer: Any, tmp: Path) -> tuple[list[tuple[str, Path]], Callable]:
    images = sorted((corpus / "real-docs" / "images").glob("*.png"))
    files = [(png.stem, wrap_as_scan(png, tmp)) for png in images]

    def score(page: str, pages: list[str]) -> tuple[float, float]:
        ref = (corpus / "real-docs" / "gt" / f"{page}.txt").read_text(encoding="utf-8")
        m = scorer.measures(ref, pages[0])
        return m["bow_errors"], m["ref_words"]

    return files, score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--sets", default="docs,extra,dev3,dev4,real-docs,real")
    args = ap.parse_args()
    scorer = load_scorer(args.corpus)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets.split(","):
            print(f"{name}:", file=sys.stderr)
            if name == "real-docs":
                files, score = real_docs_set(args.corpus, scorer, Path(tmp))
                measure = "BoW-WER"
            elif name == "real":
                files = [(p.stem, p) for p in sorted((args.corpus / "real").glob("*.pdf"))]
                score, measure = (lambda _n, _p: (0.0, 0.0)), "quality"
            else:
                files, score = corpus_set(args.corpus, SETS[name], scorer)
                measure = "CER best order"
            t = time.perf_counter()
            res = run(files, score)
            pages = sum(len(q) for q in res["stored"]["quality"].values())
            rows.append((name, len(files), pages, measure, res, time.perf_counter() - t))
    print("\n| set | files | pages | measure | rendered | stored | CPU s/page rendered | stored | ratio |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for name, n, pages, measure, res, _ in rows:
        vals = []
        for way in ("rendered", "stored"):
            if measure == "quality":
                qs = [q for qq in res[way]["quality"].values() for q in qq if q is not None]
                vals.append(sum(qs) / len(qs) if qs else 0.0)
            else:
                errs = sum(e for e, _ in res[way]["scores"].values())
                size = sum(s for _, s in res[way]["scores"].values())
                vals.append(errs / size if size else 0.0)
        c_r, c_s = res["rendered"]["cpu"] / pages, res["stored"]["cpu"] / pages
        print(
            f"| {name} | {n} | {pages} | {measure} | {vals[0]:.4f} | {vals[1]:.4f} "
            f"| {c_r:.2f} | {c_s:.2f} | {c_s / c_r:.2f} |"
        )
    print("\nPer file (rendered -> stored):")
    for name, _, _, measure, res, _ in rows:
        for f in res["stored"]["scores"]:
            if measure == "quality":
                q_r, q_s = res["rendered"]["quality"][f], res["stored"]["quality"][f]
                print(f"- {name}/{f}: quality {q_r} -> {q_s}")
            else:
                before, after = _rate(res["rendered"]["scores"][f]), _rate(res["stored"]["scores"][f])
                print(f"- {name}/{f}: {before:.4f} -> {after:.4f}")


if __name__ == "__main__":
    main()
