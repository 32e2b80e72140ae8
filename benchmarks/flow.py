"""End-to-end throughput: the whole flow against bare `tesseract -l vie`, same pages, same processes, and
where the flow's time goes.

    python benchmarks/flow.py [--corpus ../shared/corpus] [--workers 2] [--limit N] [--repeat N]
                              [--variants tasks,threads] [--pool 1x2,2x1] [--chunk 10] [--dispatch N]

Uploads the corpus (single pages as they are, multi-page samples as their PDF) to a fresh bucket of the
local S3 server and starts a private Prefect server (`infra/prefect.sh`, its CPU measured like the other
servers'). Each round times, on the same pages: bare Tesseract (`-l vie`, one process per worker,
multi-page samples from their TIFF); the OCR engine alone as the flow calls it (searchable PDF on); the
whole `digitize_batch` flow in each variant (`tasks`: each record a Prefect task run; `threads`: plain
threads), with `force` after the first. The tables show the round of the median flow ratio, the CPU
seconds of every process on the cores (this process with its children, Elasticsearch, the S3 server,
the Prefect server, workers), and the flow's time per phase (summed over records).

`--pool 1x2,2x1`: also run the corpus as one backlog on a process work pool of this machine: `1x2` is one
worker whose chunk runs use 2 OCR slots, `2x1` two workers with one slot each (chunks of `--chunk`
objects). `--dispatch N`: N chunk runs of one tiny page each on one worker, to show what a chunk's dispatch
costs (queue, start, CPU). Needs the local servers (`make servers`).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import CpuMeter, tree_cpu  # noqa: E402

PREFECT_SH = ROOT / "infra" / "prefect.sh"


def corpus_files(corpus: Path, limit: int | None) -> list[tuple[str, Path, Path, int]]:
    """(key, file for the flow, file for bare tesseract, pages) per sample."""
    manifest = json.loads((corpus / "manifest.json").read_text())
    rows = []
    for s in manifest["samples"][:limit]:
        files = s["files"]
        if "image" in files:
            image = corpus / files["image"]
            rows.append((f"bench/{image.name}", image, image, s["n_pages"]))
        else:
            rows.append((f"bench/{s['id']}.pdf", corpus / files["pdf"], corpus / files["tiff"], s["n_pages"]))
    return rows


def bare_tesseract(paths: list[Path], workers: int) -> None:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(
            ["tesseract", str(path), "stdout", "-l", "vie"], env=env, check=True, capture_output=True
        )

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, paths))


def sohoa_engine(paths: list[Path], workers: int) -> None:
    """The OCR engine alone, as the flow calls it, one process per worker."""
    from ocr.batch import ocr_files
    from ocr.engine import OcrOptions

    for outcome in ocr_files(paths, OcrOptions(pdf=True), jobs=workers):
        if outcome.error:
            print(f"engine failed on {outcome.path}: {outcome.error}", file=sys.stderr)


class PrivatePrefect:
    """A Prefect server of its own (and workers), from infra/prefect.sh under a private run folder."""

    def __init__(self, tag: str) -> None:
        self.run_dir = ROOT / ".cache" / f"bench-prefect-{tag}"
        self.workers: list[str] = []

    def sh(self, *args: str, **env: str) -> None:
        full = {**os.environ, "SOHOA_RUN_DIR": str(self.run_dir), **env}
        subprocess.run([str(PREFECT_SH), *args], env=full, check=True, capture_output=True, timeout=600)

    def start(self) -> str:
        self.sh("start")
        url = (self.run_dir / "prefect" / "prefect.env").read_text().split("=", 1)[1].strip()
        os.environ.update(
            {
                "PREFECT_API_URL": url,
                "PREFECT_HOME": str(self.run_dir / "prefect" / "home"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1",
            }
        )
        return url

    def deploy(self) -> None:
        env = {**os.environ, "SOHOA_HOME": str(ROOT)}
        for cmd in (
            [sys.executable, "-m", "cli", "prefect", "setup", "--zombie-after", "90"],
            [str(Path(sys.executable).parent / "prefect"), "--no-prompt", "deploy", "--all"],
        ):
            subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)

    def start_workers(self, n: int, slots: int) -> dict[str, Path]:
        self.workers = [f"bench-{i}" for i in range(n)]
        for name in self.workers:
            self.sh(
                "worker",
                name,
                "sohoa-process",
                "1",
                SOHOA_WORKERS=str(slots),
                PREFECT_WORKER_QUERY_SECONDS="5",
            )
        time.sleep(5)  # workers register and poll
        return {name: self.run_dir / "prefect" / f"worker-{name}.pid" for name in self.workers}

    def stop_workers(self) -> None:
        # the whole cluster goes down, then the server comes back: simplest way to stop only the workers
        for name in self.workers:
            pidfile = self.run_dir / "prefect" / f"worker-{name}.pid"
            if pidfile.exists():
                self.sh("kill-worker", name)
        self.workers = []

    def stop(self) -> None:
        try:
            self.sh("stop")
        finally:
            shutil.rmtree(self.run_dir, ignore_errors=True)


def timed(meter: CpuMeter, fn: Callable[[], Any]) -> tuple[float, dict[str, float], Any]:
    before = meter.snapshot()
    start = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    return wall, CpuMeter.delta(before, meter.snapshot()), result


def tiny_png(text: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    from samples.render import FONT_DIR

    img = Image.new("L", (900, 160), 255)
    ImageDraw.Draw(img).text(
        (40, 50), text, font=ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Regular.ttf"), 34), fill=0
    )
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(200, 200))
    return buf.getvalue()


def state_times(flow_run_id: str) -> dict[str, float]:
    """Seconds of a chunk run in each step: queued (created -> a worker took it), start (-> the flow's code
    runs: process, imports, pull step), run (-> final state)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        fr = client.read_flow_run(uuid.UUID(flow_run_id))
        states = client.read_flow_run_states(uuid.UUID(flow_run_id))
    at = {s.type.value: s.timestamp for s in states}
    created = fr.created
    pending, running = at.get("PENDING"), at.get("RUNNING")
    end = next((s.timestamp for s in states if s.is_final()), None)
    out = {}
    if created and pending:
        out["queued"] = (pending - created).total_seconds()
    if pending and running:
        out["start"] = (running - pending).total_seconds()
    if running and end:
        out["run"] = (end - running).total_seconds()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--limit", type=int, default=None, help="only the first N samples")
    ap.add_argument("--repeat", type=int, default=1, help="rounds; the median is shown")
    ap.add_argument("--variants", default="tasks,threads", help="flow variants: tasks, threads")
    ap.add_argument(
        "--pool", default="", help="backlog runs on a local work pool, e.g. 1x2,2x1 (workers x slots)"
    )
    ap.add_argument("--chunk", type=int, default=10, help="objects per chunk in --pool runs")
    ap.add_argument("--dispatch", type=int, default=0, help="chunk runs of one tiny page, to time a dispatch")
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
    prefect = PrivatePrefect(suffix)
    prefect.start()
    from config.clients import es_client, object_store
    from config.settings import load_settings
    from flows.backlog import run_backlog
    from flows.batch import digitize
    from pipeline.run.plan import Mode

    settings = load_settings()
    store, es = object_store(settings), es_client(settings)
    rows = corpus_files(args.corpus, args.limit)
    pages = sum(r[3] for r in rows)
    store.ensure_bucket(settings.intake_bucket)
    for key, path, _, _ in rows:
        store.put_file(settings.intake_bucket, key, path)
    servers = {
        "Elasticsearch": ROOT / ".cache" / "run" / "es" / "es.pid",
        "S3 server": ROOT / ".cache" / "run" / "s3" / "versitygw.pid",
        "Prefect server": prefect.run_dir / "prefect" / "server.pid",
    }
    meter = CpuMeter.from_pidfiles(servers)
    variants = [v for v in args.variants.split(",") if v]
    pools = [tuple(int(x) for x in p.split("x")) for p in args.pool.split(",") if p]
    rounds: list[dict[str, Any]] = []
    phases: dict[str, Counter] = {v: Counter() for v in variants}
    dispatch: list[dict[str, float]] = []
    indexed_once = True
    try:
        digitize(settings.intake_bucket, "no-such-prefix/", workers=args.workers)  # Prefect's start-up
        if pools:
            prefect.deploy()
        for r in range(args.repeat):
            row: dict[str, Any] = {}
            row["bare"] = timed(meter, lambda: bare_tesseract([x[2] for x in rows], args.workers))[:2]
            row["engine"] = timed(meter, lambda: sohoa_engine([x[1] for x in rows], args.workers))[:2]
            for i, v in enumerate(variants):
                wall, cpu, report = timed(
                    meter,
                    lambda v=v, i=i, r=r: digitize(
                        settings.intake_bucket,
                        "bench/",
                        workers=args.workers,
                        force=r > 0 or i > 0,
                        record_tasks=v == "tasks",
                    ),
                )
                row[f"flow {v}"] = (wall, cpu)
                phases[v].update(report.get("timings", {}))
                indexed_once &= report["states"].get("indexed", 0) == len(rows)
            for n, slots in pools:
                pids = prefect.start_workers(n, slots)
                pool_meter = CpuMeter(
                    {**meter.pids, **{f"worker {k}": int(p.read_text()) for k, p in pids.items()}}
                )
                wall, cpu, report = timed(
                    pool_meter,
                    lambda: run_backlog(
                        settings.intake_bucket,
                        "bench/",
                        Mode.force,
                        load_settings(),
                        uuid.uuid4().hex,
                        chunk_objects=args.chunk,
                        poll=2.0,
                    ),
                )
                prefect.stop_workers()
                workers_cpu = sum(v for k, v in cpu.items() if k.startswith("worker "))
                cpu = {k: v for k, v in cpu.items() if not k.startswith("worker ")} | {
                    "Prefect workers": workers_cpu
                }
                row[f"pool {n}x{slots}"] = (wall, cpu)
                indexed_once &= report["states"].get("indexed", 0) == len(rows)
            line = ", ".join(f"{k} {w:.1f} s" for k, (w, _) in row.items())
            print(f"round {r + 1}: {line}", flush=True)
            rounds.append(row)
        if args.dispatch:
            pids = prefect.start_workers(1, args.workers)
            for i in range(args.dispatch):
                store.put_bytes(
                    settings.intake_bucket, f"dispatch/p-{i:03d}.png", tiny_png(f"Trang số {i}"), "image/png"
                )
            worker_pid = int(next(iter(pids.values())).read_text())
            before = tree_cpu(worker_pid)
            start = time.perf_counter()
            report = run_backlog(
                settings.intake_bucket,
                "dispatch/p-",
                Mode.resume,
                load_settings(),
                uuid.uuid4().hex,
                chunk_objects=1,
                poll=1.0,
            )
            total = time.perf_counter() - start
            cpu_per_chunk = (tree_cpu(worker_pid) - before) / args.dispatch
            for run in report["runs"]:
                dispatch.append(state_times(run["flow_run_id"]) | {"records": run["seconds"]})
            prefect.stop_workers()
            dispatch.append({"total": total, "cpu": cpu_per_chunk})
    finally:
        for bucket in (settings.intake_bucket, settings.processed_bucket):
            for obj in store.list(bucket):
                store.delete(bucket, obj.key)
            store.client.remove_bucket(bucket)
        es.indices.delete(index=f"bench-{suffix}-*", allow_no_indices=True, ignore_unavailable=True)
        prefect.stop()

    raw = ROOT / ".cache" / f"bench-flow-{suffix}.json"
    raw.write_text(json.dumps({"pages": pages, "rounds": rounds, "phases": phases, "dispatch": dispatch}))
    print(f"raw results: {raw}")
    print_tables(args, rows, pages, rounds, variants, phases, dispatch, indexed_once)


NAMES = {
    "bare": "bare tesseract -l vie",
    "engine": "sohoa OCR engine alone (preprocessing, OCR, PDF)",
    "flow tasks": "sohoa flow, each record a Prefect task",
    "flow threads": "sohoa flow, records on plain threads",
}


def label(key: str) -> str:
    if key in NAMES:
        return NAMES[key]
    return f"backlog on a local work pool, {key.split()[-1]} (workers x OCR slots)"


def print_tables(
    args: argparse.Namespace,
    rows: list,
    pages: int,
    rounds: list[dict[str, Any]],
    variants: list[str],
    phases: dict[str, Counter],
    dispatch: list[dict[str, float]],
    indexed_once: bool,
) -> None:
    """Speed as wall clock and as CPU seconds of every process on the cores: on a machine others share,
    CPU time is the steadier measure (pages/min on a machine of its own follows it)."""

    def cpu_total(cpu: dict[str, float]) -> float:
        return sum(cpu.values())

    first_flow = f"flow {variants[0]}" if variants else "engine"
    by_ratio = sorted(rounds, key=lambda row: cpu_total(row[first_flow][1]) / cpu_total(row["bare"][1]))
    median = by_ratio[len(rounds) // 2]
    bare_wall, bare_cpu = median["bare"][0], cpu_total(median["bare"][1])
    print(
        f"\n{len(rows)} samples, {pages} pages, {args.workers} workers; "
        f"every record indexed once: {indexed_once}"
    )
    servers = sorted({k for _, cpu in median.values() for k in cpu if k != "this process"})
    print(
        "| pipeline | wall s | wall ratio | CPU s, all processes | CPU ratio | this process (+children) | "
        + " | ".join(servers)
        + " |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |" + " ---: |" * len(servers))
    for key, (wall, cpu) in median.items():
        cells = " | ".join(f"{cpu.get(s, 0.0):.1f}" for s in servers)
        total = cpu_total(cpu)
        print(
            f"| {label(key)} | {wall:.1f} | {bare_wall / wall:.2f} | {total:.1f} | {bare_cpu / total:.2f} | "
            f"{cpu.get('this process', 0.0):.1f} | {cells} |"
        )
    if len(rounds) > 1:
        per = "; ".join(
            ", ".join(
                f"{k} {cpu_total(row['bare'][1]) / cpu_total(c):.2f}"
                for k, (_, c) in row.items()
                if k != "bare"
            )
            for row in rounds
        )
        print(f"\nCPU ratio per round, against bare tesseract: {per}")
    for v in variants:
        total = sum(phases[v].values()) or 1.0
        print(
            f"\nflow {v}: where the time goes (seconds summed over records and rounds; "
            "claim and index on the main thread)"
        )
        print("| phase | seconds | share |")
        print("| --- | ---: | ---: |")
        for phase, sec in phases[v].most_common():
            print(f"| {phase} | {sec:.1f} | {sec / total:.1%} |")
    if dispatch:
        summary = dispatch.pop()
        n = len(dispatch)
        print(
            f"\ndispatch: {n} chunk runs of one tiny page, one after the other on one worker "
            f"(--limit 1): {summary['total']:.1f} s in all, {summary['total'] / n:.1f} s per chunk"
        )
        print("| step of a chunk run | median s | max s |")
        print("| --- | ---: | ---: |")
        first = [d["queued"] for d in dispatch[:1] if "queued" in d]
        if first:
            print(f"| first run: created -> taken by the worker (its poll) | {first[0]:.1f} | |")
        steps = {"start": "taken -> running (process, imports, pull step)", "run": "running -> done"}
        for step, text in steps.items():
            vals = [d[step] for d in dispatch if step in d]
            if vals:
                print(f"| {text} | {statistics.median(vals):.1f} | {max(vals):.1f} |")
        vals = [d["records"] for d in dispatch]
        print(f"| of which the records (one tiny page) | {statistics.median(vals):.1f} | {max(vals):.1f} |")
        print(f"| CPU s per chunk run, all included | {summary['cpu']:.1f} | |")


if __name__ == "__main__":
    main()
