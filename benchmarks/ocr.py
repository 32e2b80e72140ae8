"""OCR quality and speed: bare `tesseract -l vie`, OCRmyPDF and sohoa, same pages, same processes.

    python benchmarks/ocr.py [--corpus ../shared/corpus] [--jobs 2] [--subset N] [--classes a,b]
                             [--set extra|more/dev3|more/dev4] [--real] [--real-docs] [--docs DIR]
                             [--tools tesseract,ocrmypdf,sohoa] [--repeat N] [--out DIR]

Per degradation class and overall: CER and WER in logical reading order, order-free word error
(BoW-WER), best-order CER, pages/min (measured wall clock of the whole tool run). Scores come from
the corpus's own `score.py` (imported, not reimplemented). `--set` picks another ground-truth set
(`extra`, `more/dev3`, `more/dev4`; `--extra` is `--set extra`), `--real` the real PDFs of `corpus/real`
(no ground truth: confidences and the reading-quality score, outputs kept for a person to read),
`--real-docs` the real documents of `corpus/real-docs` (order-free word error against their text
layer, then the real scans without ground truth), `--docs DIR` a folder laid out like it (the phone
photos of `benchmarks/photo_set.py`), each against bare Tesseract by CPU time.
Needs `pip install -e '.[bench]'` for OCRmyPDF (skipped with a note if missing).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.cpu import cpu_seconds  # noqa: E402
from ocr import budget, loader, poppler  # noqa: E402
from ocr.batch import ocr_files  # noqa: E402
from ocr.coverage import coverage_of  # noqa: E402
from ocr.engine import OcrOptions  # noqa: E402
from ocr.model import PageResult, Word  # noqa: E402
from ocr.quality import score_words  # noqa: E402
from ocr.tesseract import parse_tsv  # noqa: E402

BIN = Path(sys.executable).parent  # the venv's scripts (ocrmypdf) even when the venv is not activated
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
TOOLS = ("tesseract", "ocrmypdf", "sohoa")


def load_scorer(corpus: Path) -> Any:
    spec = importlib.util.spec_from_file_location("corpus_score", corpus / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def samples(root: Path, subset: int | None, classes: set[str] | None) -> list[dict[str, Any]]:
    manifest = json.loads((root / "manifest.json").read_text())
    rows = [s for s in manifest["samples"] if not classes or s["degradation_class"] in classes]
    if subset:  # a spread over the classes, not the first N
        by: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for s in rows:
            by[s["degradation_class"]].append(s)
        picked: list[dict[str, Any]] = []
        while len(picked) < subset and any(by.values()):
            for k in sorted(by):
                if by[k] and len(picked) < subset:
                    picked.append(by[k].pop(0))
        rows = picked
    return rows


def image_input(root: Path, s: dict[str, Any]) -> Path:
    """The raster each tool reads: the image, or the multi-page TIFF (tesseract cannot read PDF)."""
    files = s["files"]
    return root / (files.get("image") or files.get("tiff") or files["tif"])


def pdf_or_image(root: Path, s: dict[str, Any]) -> Path:
    files = s["files"]
    return root / (files.get("image") or files["pdf"])


# ------------------------------------------------------------------ tools (one sample per call)


Timed = tuple[float, float]  # wall seconds, CPU seconds (of the pool worker and the tool it ran)


def run_tesseract(src: Path, out_txt: Path) -> Timed:
    t, c = time.perf_counter(), cpu_seconds()
    base = out_txt.with_suffix("")
    subprocess.run(["tesseract", str(src), str(base), "-l", "vie"], env=ENV, capture_output=True, check=False)
    return time.perf_counter() - t, cpu_seconds() - c


def run_ocrmypdf(src: Path, out_txt: Path) -> Timed:
    t, c = time.perf_counter(), cpu_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        args = [
            str(BIN / "ocrmypdf") if (BIN / "ocrmypdf").exists() else "ocrmypdf",
            "--deskew",
            "--clean",
            "--rotate-pages",
            "-l",
            "vie",
            "--jobs",
            "1",
            "--quiet",
        ]
        args += ["--sidecar", str(out_txt), "--output-type", "pdf"]
        if src.suffix.lower() != ".pdf":
            args += ["--image-dpi", "300"]  # used only when the image has no dpi of its own
        args += [str(src), str(Path(tmp) / "out.pdf")]
        proc = subprocess.run(args, env=ENV, capture_output=True, check=False)
        if proc.returncode != 0 and not out_txt.exists():
            out_txt.write_text("")
    return time.perf_counter() - t, cpu_seconds() - c


def _pool_run(fn: Any, jobs_list: list[tuple[str, Path, Path]], jobs: int) -> tuple[dict[str, Timed], float]:
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futs = {sid: pool.submit(fn, src, out) for sid, src, out in jobs_list}
        per = {sid: f.result() for sid, f in futs.items()}
    return per, time.perf_counter() - start


SOHOA_OPTIONS = OcrOptions()  # the defaults; --recognition-dpi changes one for comparisons


def run_sohoa(
    items: list[tuple[str, Path]], pred: Path, jobs: int
) -> tuple[dict[str, Timed], float, dict[str, Any]]:
    start = time.perf_counter()
    per: dict[str, Timed] = {}
    info: dict[str, Any] = {}
    ids = {str(src): sid for sid, src in items}
    for outcome in ocr_files([src for _, src in items], SOHOA_OPTIONS, jobs=jobs):
        sid = ids[str(outcome.path)]
        doc = outcome.result
        (pred / f"{sid}.txt").write_text(doc.text if doc else "", encoding="utf-8")
        per[sid] = outcome.seconds, outcome.cpu_seconds
        if doc:
            info[sid] = doc.to_dict(include_words=False)
    return per, time.perf_counter() - start, info


# ------------------------------------------------------------------ scoring and tables


def score(scorer: Any, gt: dict[str, Any], ids: list[str], pred: Path) -> dict[str, Any]:
    items = []
    for sid in ids:
        d = gt[sid]
        p = pred / f"{sid}.txt"
        hyp = p.read_text(encoding="utf-8", errors="replace") if p.exists() else ""
        m = scorer.measures(d["text"], hyp, scorer.visual_text(d))
        items.append(
            {"id": sid, "m": m, "r": scorer.rates(m), "pages": d["n_pages"], "class": d["degradation_class"]}
        )
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in items:
        by[it["class"]].append(it)
    res = {c: scorer.aggregate(its, {}, 1) for c, its in by.items()}
    res["OVERALL"] = scorer.aggregate(items, {}, 1)
    res["_per_sample"] = {it["id"]: it["r"] for it in items}
    return res


def print_tables(
    scorer: Any,
    results: dict[str, dict[str, Any]],
    speed: dict[str, float],
    title: str,
    cpu: dict[str, float] | None = None,
    n_pages: int = 0,
) -> str:
    tools = list(results)
    classes = [c for c in scorer.CLASS_ORDER if c in results[tools[0]]]
    classes += sorted(set(results[tools[0]]) - set(classes) - {"OVERALL", "_per_sample"})
    classes.append("OVERALL")
    lines = [f"### {title}", ""]
    metrics = [("CER", "CER"), ("WER", "WER"), ("BoW_WER", "BoW"), ("CER_bestorder", "bestCER")]
    head = ["class", "pages"] + [f"{t}:{short}" for t in tools for _, short in metrics]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join("---" for _ in head) + "|")
    for c in classes:
        row = [c, str(results[tools[0]][c]["pages"])]
        row += [f"{results[t][c][k]:.3f}" for t in tools for k, _ in metrics]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    base = speed.get("tesseract")
    cpu = cpu or {}
    for t in tools:
        ratio = f" ({speed[t] / base:.2f}x bare tesseract)" if base and t in speed else ""
        line = f"- {t}: {speed.get(t, float('nan')):.1f} pages/min wall clock{ratio}"
        if t in cpu and n_pages:
            line += f"; {cpu[t] / n_pages:.2f} CPU s/page"
            if "tesseract" in cpu:
                line += f" ({cpu['tesseract'] / cpu[t]:.2f}x bare tesseract's throughput by CPU time)"
        lines.append(line)
    text = "\n".join(lines) + "\n"
    print(text)
    return text


def print_worst(own: dict[str, Any], bare: dict[str, Any], gt: dict[str, Any], n: int = 6) -> None:
    """The samples sohoa reads worst, and every one it reads worse than bare Tesseract by > 0.02."""
    key = "CER_bestorder"
    rows = sorted(own, key=lambda sid: -own[sid][key])
    print("\nworst samples (best-order CER, sohoa / bare tesseract):")
    for sid in rows[:n]:
        cls = gt[sid]["degradation_class"]
        print(f"- {sid} ({cls}): {own[sid][key]:.3f} / {bare[sid][key]:.3f}")
    worse = [sid for sid in rows if own[sid][key] > bare[sid][key] + 0.02]
    listed = ", ".join(f"{sid} {own[sid][key]:.3f}/{bare[sid][key]:.3f}" for sid in worse) or "none"
    print(f"samples worse than bare tesseract by more than 0.02: {len(worse)} ({listed})")


def print_passes(info: dict[str, Any]) -> None:
    """How often the quality score asked for extra readings, which reading was kept, what it cost."""
    pages = [p for doc in info.values() for p in doc["pages"] if not p.get("error")]
    kept: dict[str, int] = defaultdict(int)
    extra_pages = 0
    extra_s = main_s = 0.0
    for p in pages:
        kept[p.get("reading") or "main"] += 1
        passes = p.get("timings", {})
        main_s += passes.get("tesseract", 0.0)
        extra = passes.get("tesseract_extra", 0.0)
        if extra:
            extra_pages += 1
            extra_s += extra
    qs = [p["quality"] for p in pages if p.get("quality") is not None]
    mean_q = sum(qs) / len(qs) if qs else float("nan")
    covs = sorted(
        (p["coverage"], f"{sid} p{p['page_no']}")
        for sid, doc in info.items()
        for p in doc["pages"]
        if p.get("coverage") is not None
    )
    low = ", ".join(f"{name} {c:.3f}" for c, name in covs[:3])
    print(
        f"- readings kept: {dict(sorted(kept.items()))}; extra passes on {extra_pages} of {len(pages)} "
        f"pages, {extra_s:.1f} s of Tesseract against {main_s:.1f} s for the main passes; "
        f"mean quality {mean_q:.3f}; lowest coverage {low or '-'}"
    )


# ------------------------------------------------------------------ real pages (no ground truth)


def _bare_page(image: Path) -> tuple[str, list[Word], Timed]:
    """Bare `tesseract IMAGE - -l vie tsv`: the text (words in Tesseract's order), the words and the
    wall and CPU seconds it took."""
    t, c = time.perf_counter(), cpu_seconds()
    proc = subprocess.run(
        ["tesseract", str(image), "-", "-l", "vie", "tsv"], env=ENV, capture_output=True, check=False
    )
    timed = time.perf_counter() - t, cpu_seconds() - c
    words = parse_tsv(proc.stdout.decode("utf-8", "replace"))
    return " ".join(w.text for w in words), words, timed


def bare_quality(image: Path, words: list[Word]) -> float | None:
    """Bare Tesseract's reading scored like sohoa's: words, and the share of the page's text they
    cover (measured on the image bare Tesseract read; not timed with the tool)."""
    import cv2

    gray = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
    return score_words(words, coverage_of(gray, words) if gray is not None else None).quality


@dataclass
class PageRow:
    name: str
    bare_text: str = ""
    bare_conf: float | None = None
    bare_words: int = 0
    bare_quality: float | None = None
    bare_s: float = 0.0
    bare_cpu: float = 0.0
    page: PageResult | None = None


def compare_pages(
    bare_inputs: list[tuple[str, Path]],
    sohoa_files: list[Path],
    page_name: Any,
    jobs: int,
    repeat: int,
) -> tuple[list[PageRow], dict[str, list[float]]]:
    """Bare tesseract on `bare_inputs` (name, image) and sohoa on `sohoa_files`, alternating for
    `repeat` rounds; `page_name(path, page_no)` names a sohoa page like its bare input. Returns the
    rows of the last round and the CPU seconds of every round per tool."""
    cpus: dict[str, list[float]] = defaultdict(list)
    rows = {name: PageRow(name) for name, _ in bare_inputs}
    for rnd in range(repeat):
        cpu0 = cpu_seconds()
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            bare = list(pool.map(_bare_page, [p for _, p in bare_inputs]))
        cpus["tesseract"].append(cpu_seconds() - cpu0)
        for (name, path), (text, words, (seconds, cpu)) in zip(bare_inputs, bare, strict=True):
            confs = [w.conf for w in words if w.conf >= 0]
            row = rows[name]
            row.bare_text, row.bare_words, row.bare_s, row.bare_cpu = text, len(words), seconds, cpu
            row.bare_conf = sum(confs) / len(confs) if confs else None
            row.bare_quality = bare_quality(path, words)
        cpu0 = cpu_seconds()
        for outcome in ocr_files(sohoa_files, SOHOA_OPTIONS, jobs=jobs):
            for page in outcome.result.pages if outcome.result else []:
                name = page_name(outcome.path, page.page_no)
                if name in rows:
                    rows[name].page = page
        cpus["sohoa"].append(cpu_seconds() - cpu0)
        print(
            f"round {rnd + 1}: CPU s tesseract {cpus['tesseract'][-1]:.1f}, sohoa {cpus['sohoa'][-1]:.1f}",
            file=sys.stderr,
        )
    return [rows[name] for name, _ in bare_inputs], cpus


def print_page_times(own: dict[str, Timed], bare: dict[str, Timed]) -> None:
    """sohoa's cost on each page (or sample) against bare Tesseract's on the same one, both measured
    in the pool workers, which read one page at a time: the check of the time bound per page, which the
    engine keeps by predicting from pixel counts. CPU time (the worker's and the Tesseract processes'
    it waited for) is the measure; wall time, which a loaded machine stretches, is given beside it."""
    for what, k in (("CPU time", 1), ("wall time", 0)):
        ratios = sorted((own[s][k] / bare[s][k], s) for s in own if s in bare and bare[s][k] > 0)
        if not ratios:
            continue
        over = ", ".join(f"{s} {r:.1f}x" for r, s in ratios if r > budget.TIME_FACTOR) or "none"
        median = statistics.median(r for r, _ in ratios)
        print(
            f"- {what} per page against bare tesseract's: median {median:.2f}x, most {ratios[-1][0]:.2f}x "
            f"({ratios[-1][1]}); over {budget.TIME_FACTOR:.0f}x: {over}"
        )


def print_row_times(rows: list[PageRow]) -> None:
    print_page_times(
        {r.name: (r.page.timings.get("total", 0.0), r.page.timings.get("cpu", 0.0)) for r in rows if r.page},
        {r.name: (r.bare_s, r.bare_cpu) for r in rows},
    )


def _f(v: float | None, fmt: str = ".1f") -> str:
    return "-" if v is None else format(v, fmt)


def print_cpu(cpus: dict[str, list[float]], n_pages: int) -> None:
    bare, own = statistics.median(cpus["tesseract"]), statistics.median(cpus["sohoa"])
    rounds = ", ".join(f"{b / o:.2f}x" for b, o in zip(cpus["tesseract"], cpus["sohoa"], strict=True))
    print(
        f"- CPU s/page: tesseract {bare / n_pages:.2f}, sohoa {own / n_pages:.2f}: sohoa's throughput by "
        f"CPU time **{bare / own:.2f}x** bare tesseract's (median of {len(cpus['sohoa'])} rounds; "
        f"per round {rounds})"
    )


def _reading(page: PageResult | None) -> str:
    return (page.reading or "main") if page else "-"


def print_extra_passes(rows: list[PageRow]) -> None:
    pages = [r.page for r in rows if r.page]
    extra = [p for p in pages if p.timings.get("tesseract_extra")]
    cost = sum(p.timings.get("tesseract_extra", 0.0) for p in pages)
    main = sum(p.timings.get("tesseract", 0.0) for p in pages)
    kept = sorted({p.reading or "main" for p in pages})
    counts = {k: sum((p.reading or "main") == k for p in pages) for k in kept}
    print(
        f"\n- extra readings on {len(extra)} of {len(pages)} pages ({cost:.1f} s of Tesseract against "
        f"{main:.1f} s for the main passes); readings kept: {counts}"
    )


def print_confidence_table(rows: list[PageRow], title: str) -> None:
    print(f"### {title}\n")
    print("| page | tesseract conf | words | quality | sohoa conf | words | quality | reading | est. dpi |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        p = r.page
        print(
            f"| {r.name} | {_f(r.bare_conf)} | {r.bare_words} | {_f(r.bare_quality, '.3f')} | "
            f"{_f(p.mean_conf if p else None)} | {len(p.words) if p else 0} | "
            f"{_f(p.quality if p else None, '.3f')} | {_reading(p)} | {_f(p.dpi if p else None, '.0f')} |"
        )
    print_extra_passes(rows)
    bq = [r.bare_quality for r in rows if r.bare_quality is not None]
    sq = [r.page.quality for r in rows if r.page and r.page.quality is not None]
    if bq and sq:
        print(f"\n- mean quality: tesseract {sum(bq) / len(bq):.3f}, sohoa {sum(sq) / len(sq):.3f}")


def _save_texts(rows: list[PageRow], out: Path) -> None:
    for tool in ("tesseract", "sohoa"):
        (out / tool).mkdir(parents=True, exist_ok=True)
    for r in rows:
        (out / "tesseract" / f"{r.name}.txt").write_text(r.bare_text, encoding="utf-8")
        (out / "sohoa" / f"{r.name}.txt").write_text(r.page.text if r.page else "", encoding="utf-8")
        if r.page:
            (out / "sohoa" / f"{r.name}.json").write_text(
                json.dumps(r.page.to_dict(include_words=False), ensure_ascii=False, indent=1)
            )


def run_real(corpus: Path, out: Path, jobs: int, repeat: int) -> None:
    real = sorted((corpus / "real").glob("*.pdf"))
    out.mkdir(parents=True, exist_ok=True)
    # Bare tesseract reads the page as pdftoppm renders it at 300 dpi (what a naive script does);
    # the rendering is done before the clock starts.
    import cv2

    pages: list[tuple[str, Path]] = []
    for pdf in real:
        for page_no in range(1, loader.count_pages(pdf) + 1):
            img = poppler.render_page(pdf, page_no, dpi=300, gray=True)
            pgm = out / f"{pdf.stem}-p{page_no}.pgm"
            cv2.imwrite(str(pgm), img)
            pages.append((f"{pdf.stem}-p{page_no}", pgm))
    rows, cpus = compare_pages(pages, real, lambda path, no: f"{path.stem}-p{no}", jobs, repeat)
    for _, pgm in pages:
        pgm.unlink()
    print_confidence_table(rows, "real scans (corpus/real, no ground truth)")
    print_cpu(cpus, len(rows))
    print_row_times(rows)
    _save_texts(rows, out)
    print(f"- outputs saved under {out} (tesseract/ and sohoa/, one .txt per page) for a person to compare\n")


def run_real_docs(corpus: Path, root: Path, out: Path, jobs: int, repeat: int) -> None:
    """`root`/images: pages of real documents (real-docs: 200-dpi renders of born-digital documents;
    benchmarks/photo_set.py: phone photos of them), scored order-free against the exact text of their
    text layer in `root`/gt; `root`/scans-no-gt, where there is one: real scans, confidences and quality."""
    scorer = load_scorer(corpus)
    images = sorted(p for p in (root / "images").iterdir() if p.suffix in (".png", ".jpg"))
    rows, cpus = compare_pages([(p.stem, p) for p in images], images, lambda path, _: path.stem, jobs, repeat)
    print(f"### {root.name}/images: order-free word error (BoW-WER) against the text layer\n")
    print("| page | ref words | tesseract BoW | sohoa BoW | tesseract quality | sohoa quality | reading |")
    print("|---|---|---|---|---|---|---|")
    tot: dict[str, float] = defaultdict(float)
    worse = []
    for r in rows:
        ref = (root / "gt" / f"{r.name}.txt").read_text(encoding="utf-8")
        mb = scorer.measures(ref, r.bare_text)
        ms = scorer.measures(ref, r.page.text if r.page else "")
        bb, sb = mb["bow_errors"] / mb["ref_words"], ms["bow_errors"] / ms["ref_words"]
        tot["ref"] += mb["ref_words"]
        tot["bare"] += mb["bow_errors"]
        tot["sohoa"] += ms["bow_errors"]
        if sb > bb + 0.02:
            worse.append(f"{r.name} {sb:.3f}/{bb:.3f}")
        print(
            f"| {r.name} | {mb['ref_words']} | {bb:.3f} | {sb:.3f} | {_f(r.bare_quality, '.3f')} | "
            f"{_f(r.page.quality if r.page else None, '.3f')} | {_reading(r.page)} |"
        )
    bare_all, own_all = tot["bare"] / tot["ref"], tot["sohoa"] / tot["ref"]
    print(f"| OVERALL | {tot['ref']:.0f} | {bare_all:.3f} | {own_all:.3f} | | | |\n")
    print(f"- pages worse than bare tesseract by more than 0.02: {len(worse)} ({', '.join(worse) or 'none'})")
    print_extra_passes(rows)
    print_cpu(cpus, len(rows))
    print_row_times(rows)
    _save_texts(rows, out / "images")
    scans = sorted((root / "scans-no-gt").glob("*.png"))
    if not scans:
        return
    rows, cpus = compare_pages([(p.stem, p) for p in scans], scans, lambda path, _: path.stem, jobs, repeat)
    print()
    print_confidence_table(rows, "real-docs/scans-no-gt (real scans, no ground truth)")
    print_cpu(cpus, len(rows))
    print_row_times(rows)
    _save_texts(rows, out / "scans-no-gt")


# ------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--subset", type=int)
    ap.add_argument("--classes", help="comma-separated degradation classes")
    ap.add_argument("--extra", action="store_true", help="the extra/ set (same as --set extra)")
    ap.add_argument(
        "--set",
        dest="gt_set",
        default="",
        help="a ground-truth set under the corpus: '' (main), extra, more/dev3, more/dev4; or the absolute "
        "path of a generated set (benchmarks/verylow_set.py)",
    )
    ap.add_argument("--real", action="store_true", help="the real PDFs (no ground truth)")
    ap.add_argument(
        "--real-docs",
        action="store_true",
        help="real-docs/: 200-dpi renders of real documents (BoW WER against their text) and real scans",
    )
    ap.add_argument(
        "--docs",
        type=Path,
        help="a folder laid out like real-docs/ (images/, gt/), scored like it: benchmarks/photo_set.py",
    )
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--repeat", type=int, default=1, help="rounds of all tools; speed is the median round")
    ap.add_argument(
        "--recognition-dpi",
        type=int,
        help="resolution Tesseract reads sharp high-res pages at (0: their own; default: the engine's)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / ".cache" / "bench" / "ocr")
    a = ap.parse_args()
    if a.recognition_dpi is not None:
        SOHOA_OPTIONS.recognition_dpi = a.recognition_dpi or None
    corpus = a.corpus.resolve()
    if a.real:
        run_real(corpus, a.out / "real", a.jobs, a.repeat)
        return
    if a.real_docs or a.docs:
        root = a.docs.resolve() if a.docs else corpus / "real-docs"
        run_real_docs(corpus, root, a.out / root.name, a.jobs, a.repeat)
        return
    set_name = "extra" if a.extra else a.gt_set
    if Path(set_name).is_absolute():  # a generated set (benchmarks/verylow_set.py), scored the same way
        root, label = Path(set_name), Path(set_name).name
    else:
        set_name = set_name.strip("/")
        root, label = (corpus / set_name if set_name else corpus), set_name or "main"
    scorer = load_scorer(corpus)
    gt = scorer.load_gt(str(root))
    rows = samples(root, a.subset, set(a.classes.split(",")) if a.classes else None)
    ids = [s["id"] for s in rows]
    n_pages = sum(s["n_pages"] for s in rows)
    tools = [t for t in a.tools.split(",") if t]
    if (
        "ocrmypdf" in tools
        and not shutil.which("ocrmypdf")
        and not (Path(sys.executable).parent / "ocrmypdf").exists()
    ):
        print("ocrmypdf not installed (pip install -e '.[bench]'): skipped", file=sys.stderr)
        tools.remove("ocrmypdf")
    results: dict[str, dict[str, Any]] = {}
    speed: dict[str, float] = {}
    cpu: dict[str, float] = {}
    info: dict[str, Any] = {}
    walls: dict[str, list[float]] = defaultdict(list)
    cpus: dict[str, list[float]] = defaultdict(list)
    per_sample: dict[str, dict[str, Timed]] = {}
    for rnd in range(a.repeat):  # tools alternate, so a change of load hits them all alike
        for tool in tools:
            pred = a.out / label / tool
            shutil.rmtree(pred, ignore_errors=True)
            pred.mkdir(parents=True)
            cpu0 = cpu_seconds()
            if tool == "sohoa":
                per, wall, info = run_sohoa([(s["id"], image_input(root, s)) for s in rows], pred, a.jobs)
            else:
                fn, pick = (
                    (run_tesseract, image_input) if tool == "tesseract" else (run_ocrmypdf, pdf_or_image)
                )
                per, wall = _pool_run(
                    fn, [(s["id"], pick(root, s), pred / f"{s['id']}.txt") for s in rows], a.jobs
                )
            walls[tool].append(wall)
            cpus[tool].append(cpu_seconds() - cpu0)
            per_sample[tool] = per
            results[tool] = score(scorer, gt, ids, pred)
            (pred / "_times.json").write_text(
                json.dumps(
                    {
                        "per_sample_s": {k: w for k, (w, _) in per.items()},
                        "per_sample_cpu_s": {k: c for k, (_, c) in per.items()},
                        "wall_s": wall,
                        "workers": a.jobs,
                    }
                )
            )
            print(
                f"{tool} (round {rnd + 1}): {n_pages} pages in {wall:.1f} s wall, {cpus[tool][-1]:.1f} s CPU",
                file=sys.stderr,
            )
    for tool in tools:  # the median round
        speed[tool] = 60.0 * n_pages / statistics.median(walls[tool])
        cpu[tool] = statistics.median(cpus[tool])
    if info:
        (a.out / label / "sohoa_pages.json").write_text(json.dumps(info, ensure_ascii=False, indent=1))
    where = f"{set_name}/" if set_name else "main corpus"
    title = f"{where}: {len(ids)} samples, {n_pages} pages, {a.jobs} processes"
    if a.repeat > 1:
        title += f", speed: median of {a.repeat} alternating rounds"
    print_tables(scorer, results, speed, title, cpu, n_pages)
    if a.repeat > 1 and "tesseract" in cpus:
        for tool in tools:
            if tool != "tesseract":
                rounds = zip(cpus["tesseract"], cpus[tool], strict=True)
                ratios = ", ".join(f"{bare / own:.2f}x" for bare, own in rounds)
                print(f"- {tool}: throughput by CPU time per round, against bare tesseract: {ratios}")
    if "sohoa" in results and "tesseract" in results:
        print_worst(results["sohoa"]["_per_sample"], results["tesseract"]["_per_sample"], gt)
    if info:
        print_passes(info)
    if "sohoa" in per_sample and "tesseract" in per_sample:
        print_page_times(per_sample["sohoa"], per_sample["tesseract"])


if __name__ == "__main__":
    main()
