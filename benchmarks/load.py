"""Load: plan a bucket of many small objects against the real ledger, and OCR a long PDF in bounded memory.

    python benchmarks/load.py                  # both parts, 100,000 objects, PDFs of 50 and 500 pages
    python benchmarks/load.py plan --objects 20000 --ledger-share 0.3
    python benchmarks/load.py pdf --pages 50,500

(a) `plan`: puts N small objects (plus one sidecar per 20) into a fresh bucket of the local S3 server
(parallel puts), writes ledger entries for a share of them into a fresh ledger index (indexed, failed,
quarantined, some at an old etag), then, in a fresh process so that its peak RSS is the planning's own,
lists the bucket and runs `pipeline.run.plan.plan` with the real `search.ledger.get_states`, as the flow
does. Prints the planning time, objects/s, the number of ledger lookups and Elasticsearch mget requests
(batched: one per 500 listed objects, never one per object) and the peak RSS. Removes the bucket and the
index afterwards (unless --keep).

(b) `pdf`: builds PDFs of small pages (A6 at 150 dpi, two lines of text each) and runs
`pipeline.process.process_file` on each in a fresh process, printing the peak RSS per page count: with
pages streamed one at a time it does not grow with the page count.

Needs the local servers for (a) (`make servers`); (b) needs Tesseract and poppler only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far: VmHWM, which starts afresh at exec.

    Not getrusage's ru_maxrss: on Linux a child keeps the parent's high-water mark across fork+exec, so a
    sub-process started by a big parent would report the parent's peak (we measured exactly that)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def in_subprocess(*args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run this script's hidden sub-command in a fresh interpreter; its last stdout line is JSON."""
    out = subprocess.run(
        [sys.executable, __file__, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"sub-command {args[0]} failed with exit code {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- (a) planning --------------------------------------------------------------------------------------


def object_keys(n: int) -> list[str]:
    """`dNN/yyyy/NNNNNN.png`, with one sidecar `.json` per 20 scans, spread over 30 districts."""
    keys = []
    for i in range(n):
        stem = f"d{i % 30:02d}/{2020 + i % 6}/{i:07d}"
        keys.append(f"{stem}.json" if i % 20 == 19 else f"{stem}.png")
    return keys


def put_objects(store: Any, bucket: str, keys: list[str], workers: int) -> float:
    body = b"\x89PNG\r\n\x1a\n" + b"x" * 56  # small: this measures planning, not transfer
    start = time.perf_counter()
    done = 0

    def one(key: str) -> None:
        store.put_bytes(bucket, key, body, "image/png")

    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(one, keys, chunksize=64):
            done += 1
            if done % 10_000 == 0:
                print(f"  put {done}/{len(keys)} ({done / (time.perf_counter() - start):.0f}/s)", flush=True)
    return time.perf_counter() - start


def seed_ledger(es: Any, bucket: str, keys: list[str], share: float, index: str) -> dict[str, int]:
    """Ledger entries for every 1/share-th scan: mostly indexed, some failed/quarantined/old etag."""
    from pipeline.record import record_id
    from search.ledger import LedgerEntry, write_entries
    from search.templates import ensure_indices

    ensure_indices(es, alias=f"{index}-records", ledger_index=index)
    etag = _etag_of_body()
    step = max(1, round(1 / share)) if share > 0 else 0
    entries = []
    counts: dict[str, int] = {}
    for i, key in enumerate(keys):
        if not step or i % step or key.endswith(".json"):
            continue
        kind = (i // step) % 10
        state = "failed" if kind == 7 else "quarantined" if kind == 8 else "indexed"
        entry_etag = "0" * 32 if kind == 9 else etag  # an older version of the object: redone
        label = "indexed-old-etag" if kind == 9 else state
        counts[label] = counts.get(label, 0) + 1
        entries.append(
            LedgerEntry(record_id(bucket, key), bucket, key, entry_etag, state, run_id="load-seed")
        )
    it = iter(entries)
    while chunk := list(islice(it, 5000)):
        report = write_entries(es, chunk, index=index)
        if report.failed:
            raise SystemExit(f"could not seed the ledger: {report.failed[0]}")
    es.indices.refresh(index=index)
    return counts


def _etag_of_body() -> str:
    import hashlib

    return hashlib.md5(b"\x89PNG\r\n\x1a\n" + b"x" * 56).hexdigest()


class CountingEs:
    """Delegates to the real client and counts mget requests (what a ledger lookup costs)."""

    def __init__(self, es: Any) -> None:
        self._es = es
        self.mgets = 0
        self.ids = 0

    def mget(self, **kwargs: Any) -> Any:
        self.mgets += 1
        self.ids += len(kwargs.get("ids") or [])
        return self._es.mget(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._es, name)


def plan_once(bucket: str, index: str) -> dict[str, Any]:
    """The measured part, in a fresh process: list + plan with the real ledger lookup, as run_batch does."""
    from config.clients import es_client, object_store
    from config.settings import load_settings
    from pipeline.run.plan import Mode, PlanStats, plan
    from search.ledger import get_states

    settings = load_settings()
    store = object_store(settings)
    es = CountingEs(es_client(settings))
    es.cluster.health()  # connect before measuring
    base_rss = current_rss_mb()
    lookups = 0

    def lookup(ids: list[str]) -> dict:
        nonlocal lookups
        lookups += 1
        return get_states(es, ids, index=index)  # type: ignore[arg-type]

    stats = PlanStats()
    start = time.perf_counter()
    planned = sum(1 for _ in plan(store.list(bucket, ""), lookup, Mode.resume, stats))
    seconds = time.perf_counter() - start
    return {
        "listed": stats.listed,
        "sidecars": stats.sidecars,
        "skipped": stats.skipped,
        "planned": planned,
        "seconds": round(seconds, 2),
        "objects_per_s": round(stats.listed / seconds),
        "ledger_lookups": lookups,
        "mget_requests": es.mgets,
        "ids_looked_up": es.ids,
        "rss_before_mb": round(base_rss, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def bench_plan(n: int, share: float, workers: int, keep: bool) -> dict[str, Any]:
    from config.clients import es_client, object_store
    from config.settings import load_settings

    settings = load_settings()
    store, es = object_store(settings), es_client(settings)
    suffix = uuid.uuid4().hex[:8]
    bucket, index = f"load-{suffix}", f"load-{suffix}-ledger"
    keys = object_keys(n)
    print(f"(a) planning: {n} objects into s3://{bucket} with {workers} parallel puts ...", flush=True)
    store.ensure_bucket(bucket)
    try:
        put_s = put_objects(store, bucket, keys, workers)
        print(f"  put {n} objects in {put_s:.0f} s ({n / put_s:.0f}/s)", flush=True)
        seeded = seed_ledger(es, bucket, keys, share, index)
        print(f"  ledger {index}: {seeded}", flush=True)
        result = in_subprocess("_plan", bucket, index)
        again = in_subprocess("_plan", bucket, index)
        result.update(
            {
                "objects": n,
                "ledger_seeded": seeded,
                "put_seconds": round(put_s, 1),
                "repeat_seconds": again["seconds"],
                "repeat_peak_rss_mb": again["peak_rss_mb"],
            }
        )
    finally:
        if keep:
            print(f"  kept s3://{bucket} and index {index}")
        else:
            _remove_bucket(store, bucket)
            es.indices.delete(index=f"load-{suffix}-*", ignore_unavailable=True, allow_no_indices=True)
    scans = sum(1 for k in keys if not k.endswith(".json"))
    print(
        f"  listed {result['listed']} ({result['sidecars']} sidecars), planned {result['planned']}, "
        f"skipped {result['skipped']}\n"
        f"  planning time {result['seconds']} s = {result['objects_per_s']} objects/s; "
        f"{result['ledger_lookups']} ledger lookups = {result['mget_requests']} mget requests for "
        f"{scans} scans ({result['ids_looked_up']} ids); peak RSS {result['peak_rss_mb']} MB "
        f"(after imports and connect: {result['rss_before_mb']} MB)\n"
        f"  the same planning again: {result['repeat_seconds']} s, "
        f"peak RSS {result['repeat_peak_rss_mb']} MB",
        flush=True,
    )
    return result


def _remove_bucket(store: Any, bucket: str) -> None:
    from minio.deleteobjects import DeleteObject

    names = (DeleteObject(o.key) for o in store.list(bucket))
    for err in store.client.remove_objects(bucket, names):
        print(f"  could not delete {err.name}: {err.message}", file=sys.stderr)
    store.client.remove_bucket(bucket)


# -- (b) long PDF ---------------------------------------------------------------------------------------


def build_pdf(path: Path, n_pages: int) -> None:
    """`n_pages` small pages (A6 at 150 dpi, two lines of text), written page by page."""
    from PIL import Image, ImageDraw, ImageFont

    from samples.render import FONT_DIR

    f = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Regular.ttf"), 28)
    pages = []
    for i in range(1, n_pages + 1):
        img = Image.new("L", (620, 874), 255)
        d = ImageDraw.Draw(img)
        d.text((60, 80), f"Trang {i} của hồ sơ lưu trữ", font=f, fill=0)
        d.text((60, 140), "Ủy ban nhân dân phường", font=f, fill=0)
        pages.append(img.convert("1"))
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=150)


def process_once(path: str) -> dict[str, Any]:
    """The measured part, in a fresh process: process_file on the PDF."""
    from ocr.engine import OcrOptions
    from pipeline.process import process_file
    from pipeline.record import SourceObject

    p = Path(path)
    base_rss = current_rss_mb()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sohoa-load-") as work:
        options = OcrOptions(lang="vie", pdf=True, workdir=Path(work), max_pages=100_000)
        result = process_file(p, SourceObject("load", p.name, "etag", p.stat().st_size), options)
        pdf_mb = result.pdf_path.stat().st_size / 2**20 if result.pdf_path else 0.0
    seconds = time.perf_counter() - start
    return {
        "pages": result.n_pages,
        "failed_pages": sum(1 for pg in result.pages if not pg.ok),
        "seconds": round(seconds, 1),
        "pages_per_min": round(result.n_pages / seconds * 60, 1),
        "text_chars": len(result.text),
        "searchable_pdf_mb": round(pdf_mb, 2),
        "rss_before_mb": round(base_rss, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def bench_pdf(page_counts: list[int]) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="sohoa-load-pdf-") as tmp:
        for n in page_counts:
            path = Path(tmp) / f"long-{n}.pdf"
            build_pdf(path, n)
            print(
                f"(b) process_file on a {n}-page PDF ({path.stat().st_size / 2**20:.1f} MB) ...", flush=True
            )
            row = {"n": n, **in_subprocess("_pdf", str(path))}
            print(
                f"  {row['pages']} pages ({row['failed_pages']} failed) in {row['seconds']} s "
                f"({row['pages_per_min']} pages/min); peak RSS {row['peak_rss_mb']} MB "
                f"(after imports: {row['rss_before_mb']} MB)",
                flush=True,
            )
            rows.append(row)
    if len(rows) > 1:
        lo, hi = rows[0], rows[-1]
        growth = hi["peak_rss_mb"] - lo["peak_rss_mb"]
        per_page = growth / max(1, hi["n"] - lo["n"]) * 1024
        print(
            f"  peak RSS {lo['n']} pages: {lo['peak_rss_mb']} MB, {hi['n']} pages: {hi['peak_rss_mb']} MB "
            f"(+{growth:.1f} MB, {per_page:.1f} KiB per extra page)"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("part", nargs="?", choices=["all", "plan", "pdf", "_plan", "_pdf"], default="all")
    ap.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--objects", type=int, default=100_000, help="objects to put and plan (default 100000)")
    ap.add_argument("--ledger-share", type=float, default=0.2, help="share of scans with a ledger entry")
    ap.add_argument("--put-workers", type=int, default=16, help="parallel puts")
    ap.add_argument("--pages", default="50,500", help="page counts of the PDFs, comma-separated")
    ap.add_argument("--keep", action="store_true", help="keep the bucket and the ledger index")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = ap.parse_args()

    if args.part == "_plan":
        print(json.dumps(plan_once(*args.args)))
        return
    if args.part == "_pdf":
        print(json.dumps(process_once(*args.args)))
        return
    results: dict[str, Any] = {}
    if args.part in ("all", "plan"):
        results["plan"] = bench_plan(args.objects, args.ledger_share, args.put_workers, args.keep)
    if args.part in ("all", "pdf"):
        results["pdf"] = bench_pdf([int(x) for x in args.pages.split(",")])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
