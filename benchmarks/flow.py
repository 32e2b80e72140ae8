"""End-to-end throughput: the whole flow against bare `tesseract -l vie`, same pages, same processes.

    python benchmarks/flow.py [--corpus ../shared/corpus] [--workers 2] [--limit N] [--repeat N]

Uploads the corpus (single pages as they are, multi-page samples as their PDF) to a fresh bucket of the
local S3 server, runs `digitize_batch` into fresh indices, and in the same run OCRs the same pages with
bare Tesseract (`-l vie`, one process per worker, multi-page samples from their TIFF). Prints pages/min
of both and the ratio. With `--repeat N` the three pipelines run N times in turn (the flow with `force`
after the first round) and the table shows the median round; the machine's speed drifts between runs.
Needs the local servers (`make servers`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def corpus_files(corpus: Path, limit: int | None) -> list[tuple[str, Path, Path, int]]:
    """(key, file for the flow, file for bare tesseract, pages) per sample."""
    manifest = json.loads((corpus / "manifest.json").read_text())
    rows = []
    for s in manifest["samples"][:limit]:
        files = s["files"]
        if "image" in files:
            rows.append(
                (
                    f"bench/{Path(files['image']).name}",
                    corpus / files["image"],
                    corpus / files["image"],
                    s["n_pages"],
                )
            )
        else:
            rows.append((f"bench/{s['id']}.pdf", corpus / files["pdf"], corpus / files["tiff"], s["n_pages"]))
    return rows


def bare_tesseract(paths: list[Path], workers: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(
            ["tesseract", str(path), "stdout", "-l", "vie"], env=env, check=True, capture_output=True
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - start


def sohoa_engine(paths: list[Path], workers: int) -> float:
    """The OCR engine alone, as the flow calls it (searchable PDF on), one process per worker."""
    from ocr.batch import ocr_files
    from ocr.engine import OcrOptions

    start = time.perf_counter()
    for outcome in ocr_files(paths, OcrOptions(pdf=True), jobs=workers):
        if outcome.error:
            print(f"engine failed on {outcome.path}: {outcome.error}", file=sys.stderr)
        for page in outcome.result.pages if outcome.result else []:
            if page.pdf_path:  # each one-page PDF sits in its own temp folder, ours to remove
                shutil.rmtree(page.pdf_path.parent, ignore_errors=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--limit", type=int, default=None, help="only the first N samples")
    ap.add_argument(
        "--repeat", type=int, default=1, help="rounds of the three pipelines; the median is shown"
    )
    args = ap.parse_args()

    suffix = uuid.uuid4().hex[:8]
    os.environ.update(
        {
            "SOHOA_INTAKE_BUCKET": f"bench-in-{suffix}",
            "SOHOA_PROCESSED_BUCKET": f"bench-out-{suffix}",
            "SOHOA_INDEX_ALIAS": f"bench-{suffix}-records",
            "SOHOA_LEDGER_INDEX": f"bench-{suffix}-ledger",
            "OMP_THREAD_LIMIT": "1",
        }
    )
    from config.clients import es_client, object_store
    from config.settings import load_settings
    from flows.batch import digitize

    settings = load_settings()
    store, es = object_store(settings), es_client(settings)
    rows = corpus_files(args.corpus, args.limit)
    pages = sum(r[3] for r in rows)
    store.ensure_bucket(settings.intake_bucket)
    for key, path, _, _ in rows:
        store.put_file(settings.intake_bucket, key, path)

    rounds: list[tuple[float, float, float]] = []
    try:
        digitize(settings.intake_bucket, "no-such-prefix/", workers=args.workers)  # Prefect's start-up
        for r in range(args.repeat):
            bare = bare_tesseract([row[2] for row in rows], args.workers)
            engine = sohoa_engine([row[1] for row in rows], args.workers)
            start = time.perf_counter()
            report = digitize(settings.intake_bucket, "bench/", workers=args.workers, force=r > 0)
            rounds.append((bare, engine, time.perf_counter() - start))
            print(
                f"round {r + 1}: bare {bare:.1f} s, engine {engine:.1f} s, flow {rounds[-1][2]:.1f} s",
                flush=True,
            )
    finally:
        for bucket in (settings.intake_bucket, settings.processed_bucket):
            for obj in store.list(bucket):
                store.delete(bucket, obj.key)
            store.client.remove_bucket(bucket)
        es.indices.delete(index=f"bench-{suffix}-*", allow_no_indices=True, ignore_unavailable=True)

    by_flow_ratio = sorted(rounds, key=lambda t: t[2] / t[0])
    bare_s, engine_s, flow_s = by_flow_ratio[len(rounds) // 2]  # the round of the median flow ratio
    bare_ppm, engine_ppm, flow_ppm = pages / bare_s * 60, pages / engine_s * 60, pages / flow_s * 60
    print(f"\n{len(rows)} samples, {pages} pages, {args.workers} workers")
    print("| pipeline | seconds | pages/min | ratio |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| bare tesseract -l vie | {bare_s:.1f} | {bare_ppm:.1f} | 1.00 |")
    print(
        f"| sohoa OCR engine alone (preprocessing, OCR, PDF) | {engine_s:.1f} | {engine_ppm:.1f} "
        f"| {engine_ppm / bare_ppm:.2f} |"
    )
    print(
        f"| sohoa flow (S3, OCR, metadata, index, derivatives) | {flow_s:.1f} | {flow_ppm:.1f} "
        f"| {flow_ppm / bare_ppm:.2f} |"
    )
    if len(rounds) > 1:
        per = ", ".join(f"{b / e:.2f}/{b / f:.2f}" for b, e, f in rounds)
        print(f"\nper round, engine/flow against bare tesseract: {per}")
    print(f"\nflow states: {report['states']}; mean OCR confidence {report['mean_conf']}")


if __name__ == "__main__":
    main()
