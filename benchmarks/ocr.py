"""OCR quality and speed: bare `tesseract -l vie`, OCRmyPDF and sohoa, same pages, same processes.

    python benchmarks/ocr.py [--corpus ../shared/corpus] [--jobs 2] [--subset N] [--classes a,b]
                             [--extra] [--real] [--tools tesseract,ocrmypdf,sohoa] [--repeat N]
                             [--out DIR]

Per degradation class and overall: CER and WER in logical reading order, order-free word error
(BoW-WER), best-order CER, pages/min (measured wall clock of the whole tool run). Scores come from
the corpus's own `score.py` (imported, not reimplemented). `--extra` runs the `extra/` set, `--real`
the real PDFs of `corpus/real` (no ground truth: mean confidence and word counts, outputs kept for a
person to read). Needs `pip install -e '.[bench]'` for OCRmyPDF (skipped with a note if missing).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr import loader  # noqa: E402
from ocr.batch import ocr_files  # noqa: E402
from ocr.engine import OcrOptions  # noqa: E402

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


def run_tesseract(src: Path, out_txt: Path) -> float:
    t = time.perf_counter()
    base = out_txt.with_suffix("")
    subprocess.run(["tesseract", str(src), str(base), "-l", "vie"], env=ENV, capture_output=True, check=False)
    return time.perf_counter() - t


def run_ocrmypdf(src: Path, out_txt: Path) -> float:
    t = time.perf_counter()
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
    return time.perf_counter() - t


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for descendants (pool workers and their tesseracts).
    The machine is shared: CPU time gives a steadier speed ratio than wall clock."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _pool_run(fn: Any, jobs_list: list[tuple[str, Path, Path]], jobs: int) -> tuple[dict[str, float], float]:
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futs = {sid: pool.submit(fn, src, out) for sid, src, out in jobs_list}
        per = {sid: f.result() for sid, f in futs.items()}
    return per, time.perf_counter() - start


SOHOA_OPTIONS = OcrOptions()  # the defaults; --recognition-dpi changes one for comparisons


def run_sohoa(
    items: list[tuple[str, Path]], pred: Path, jobs: int
) -> tuple[dict[str, float], float, dict[str, Any]]:
    start = time.perf_counter()
    per: dict[str, float] = {}
    info: dict[str, Any] = {}
    ids = {str(src): sid for sid, src in items}
    for outcome in ocr_files([src for _, src in items], SOHOA_OPTIONS, jobs=jobs):
        sid = ids[str(outcome.path)]
        doc = outcome.result
        (pred / f"{sid}.txt").write_text(doc.text if doc else "", encoding="utf-8")
        per[sid] = outcome.seconds
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


# ------------------------------------------------------------------ real pages (no ground truth)


def _tsv_stats(tsv: str) -> tuple[float | None, int]:
    confs = []
    for row in csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) >= 12 and row[0] == "5" and row[11].strip():
            confs.append(float(row[10]))
    return (sum(confs) / len(confs) if confs else None), len(confs)


def _bare_page(pgm: Path) -> tuple[str, float | None, int, float]:
    t = time.perf_counter()
    proc = subprocess.run(
        ["tesseract", str(pgm), "-", "-l", "vie", "tsv"], env=ENV, capture_output=True, check=False
    )
    tsv = proc.stdout.decode("utf-8", "replace")
    conf, n = _tsv_stats(tsv)
    text = []
    for row in csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) >= 12 and row[0] == "5" and row[11].strip():
            text.append(row[11])
    return " ".join(text), conf, n, time.perf_counter() - t


def run_real(corpus: Path, out: Path, jobs: int) -> None:
    real = sorted((corpus / "real").glob("*.pdf"))
    out.mkdir(parents=True, exist_ok=True)
    bare_dir, sohoa_dir = out / "tesseract", out / "sohoa"
    bare_dir.mkdir(exist_ok=True)
    sohoa_dir.mkdir(exist_ok=True)
    # Bare tesseract reads the page as pdftoppm renders it at 300 dpi (what a naive script does).
    pages: list[tuple[str, int, Path]] = []
    for pdf in real:
        for page in loader.iter_page_images(pdf):
            import cv2

            img = page.image if page.image.ndim == 2 else cv2.cvtColor(page.image, cv2.COLOR_RGB2GRAY)
            pgm = bare_dir / f"{pdf.stem}-p{page.page_no}.pgm"
            cv2.imwrite(str(pgm), img)
            pages.append((pdf.stem, page.page_no, pgm))
    t = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        bare = list(pool.map(_bare_page, [p for _, _, p in pages]))
    bare_wall = time.perf_counter() - t
    for (stem, no, pgm), (text, _, _, _) in zip(pages, bare, strict=True):
        (bare_dir / f"{stem}-p{no}.txt").write_text(text, encoding="utf-8")
        pgm.unlink()
    t = time.perf_counter()
    docs = {o.path.stem: o.result for o in ocr_files(real, SOHOA_OPTIONS, jobs=jobs)}
    sohoa_wall = time.perf_counter() - t
    print("### real scans (no ground truth): mean word confidence and word count per page\n")
    print(
        "| page | tesseract conf | tesseract words | sohoa conf | sohoa words | sohoa est. dpi | sohoa path |"
    )
    print("|---|---|---|---|---|---|---|")
    for (stem, no, _), (_, conf, n, _) in zip(pages, bare, strict=True):
        doc = docs.get(stem)
        p = doc.pages[no - 1] if doc and len(doc.pages) >= no else None
        (sohoa_dir / f"{stem}-p{no}.txt").write_text(p.text if p else "", encoding="utf-8")
        chosen = next((s.get("chosen") for s in (p.steps if p else []) if s.get("step") == "retry"), "main")
        print(
            f"| {stem} p{no} | {conf or 0:.1f} | {n} | {p.mean_conf if p and p.mean_conf else 0:.1f} | "
            f"{len(p.words) if p else 0} | {p.dpi if p else '-'} | {chosen} |"
        )
    n_pages = len(pages)
    bare_ppm, sohoa_ppm = 60 * n_pages / bare_wall, 60 * n_pages / sohoa_wall
    print(f"\n- tesseract: {bare_ppm:.1f} pages/min; sohoa: {sohoa_ppm:.1f} pages/min")
    print(f"- outputs saved under {out} (tesseract/ and sohoa/, one .txt per page) for a person to compare\n")


# ------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--subset", type=int)
    ap.add_argument("--classes", help="comma-separated degradation classes")
    ap.add_argument("--extra", action="store_true", help="the extra/ set (conditions of real office scans)")
    ap.add_argument("--real", action="store_true", help="the real PDFs (no ground truth)")
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
        run_real(corpus, a.out / "real", a.jobs)
        return
    root = corpus / "extra" if a.extra else corpus
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
    for rnd in range(a.repeat):  # tools alternate, so a change of load hits them all alike
        for tool in tools:
            pred = a.out / ("extra" if a.extra else "main") / tool
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
            results[tool] = score(scorer, gt, ids, pred)
            (pred / "_times.json").write_text(
                json.dumps({"per_sample_s": per, "wall_s": wall, "workers": a.jobs})
            )
            print(
                f"{tool} (round {rnd + 1}): {n_pages} pages in {wall:.1f} s wall, {cpus[tool][-1]:.1f} s CPU",
                file=sys.stderr,
            )
    for tool in tools:  # the median round
        speed[tool] = 60.0 * n_pages / statistics.median(walls[tool])
        cpu[tool] = statistics.median(cpus[tool])
    if info:
        (a.out / ("extra" if a.extra else "main") / "sohoa_pages.json").write_text(
            json.dumps(info, ensure_ascii=False, indent=1)
        )
    title = (
        f"{'extra/' if a.extra else 'main corpus'}: {len(ids)} samples, {n_pages} pages, {a.jobs} processes"
    )
    if a.repeat > 1:
        title += f", speed: median of {a.repeat} alternating rounds"
    print_tables(scorer, results, speed, title, cpu, n_pages)
    if a.repeat > 1 and "tesseract" in cpus:
        for tool in tools:
            if tool != "tesseract":
                rounds = zip(cpus["tesseract"], cpus[tool], strict=True)
                ratios = ", ".join(f"{bare / own:.2f}x" for bare, own in rounds)
                print(f"- {tool}: throughput by CPU time per round, against bare tesseract: {ratios}")


if __name__ == "__main__":
    main()
