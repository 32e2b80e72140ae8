"""Faults against real servers: Elasticsearch or S3 stopped mid-batch, the flow SIGKILLed at random points,
Tesseract hanging or crashing on a page, the temp folder full.

Each guarantee is checked the same way: after the fault and the runs that follow it, the final state (ledger
states, record documents, derivative objects) equals that of an undisturbed run of the same batch; no record
is lost, none duplicated, no derivative object lacks an `indexed` ledger entry.

The servers here are a private Elasticsearch + versitygw pair (own run dir, own ports) started for this
module, so stopping them never disturbs other tests or other people. Pages are tiny so OCR is fast.
The numbers (faults injected, records processed, lost, duplicates) are written to
`.cache/issue6/faults.json` and printed at the end of the module (`pytest -s` shows them).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from config.clients import es_client, object_store
from config.settings import load_settings
from pipeline.record import record_id
from pipeline.run.job import STALE_WORKDIR_SECONDS, sweep_stale_workdirs
from storage.upload import upload_dir
from tests.fault_fixtures import (
    ROOT,
    FinalState,
    Outage,
    PrivateServers,
    compare,
    diff_docs,
    final_state,
    private_run_dir,
    tiny_page,
    write_fault_batch,
)

pytestmark = [pytest.mark.servers, pytest.mark.slow]

RESULTS: list[dict[str, Any]] = []  # one row per fault scenario, for the summary


@dataclass
class Ctx:
    servers: PrivateServers
    es: Any
    store: Any
    intake: str
    expected: dict[str, str]
    folder: Path


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ctx]:
    servers = PrivateServers(private_run_dir("faults"))
    try:
        servers.start()
        settings = load_settings(es_url=servers.es_url, s3_endpoint=servers.s3_endpoint)
        es, store = es_client(settings), object_store(settings)
        folder = tmp_path_factory.mktemp("fault-batch")
        expected = write_fault_batch(folder)
        intake = f"fault-in-{uuid.uuid4().hex[:8]}"
        upload_dir(store, folder, intake, "")
        yield Ctx(servers, es, store, intake, expected, folder)
    finally:
        servers.stop()
        servers.remove()
        _write_summary()


def _write_summary() -> None:
    if not RESULTS:
        return
    out = ROOT / ".cache" / "issue6"
    out.mkdir(parents=True, exist_ok=True)
    totals = {
        "faults_injected": sum(r.get("faults", 0) for r in RESULTS),
        "records_processed": sum(r.get("processed", 0) for r in RESULTS),
        "lost": sum(r.get("lost", 0) for r in RESULTS),
        "duplicates": sum(r.get("duplicates", 0) for r in RESULTS),
    }
    (out / "faults.json").write_text(json.dumps({"totals": totals, "scenarios": RESULTS}, indent=2))
    print("\nfault scenarios:")
    for r in RESULTS:
        print("  " + json.dumps(r, ensure_ascii=False))
    print(f"totals: {totals}")


def scenario_env(c: Ctx, **extra: str) -> dict[str, str]:
    s = uuid.uuid4().hex[:8]
    return {
        **c.servers.env(),
        "SOHOA_INTAKE_BUCKET": c.intake,
        "SOHOA_PROCESSED_BUCKET": f"fault-out-{s}",
        "SOHOA_INDEX_ALIAS": f"fault-{s}-records",
        "SOHOA_LEDGER_INDEX": f"fault-{s}-ledger",
        "SOHOA_FLUSH_EVERY": "1",  # every record is written as soon as it is done: faults land between
        "SOHOA_SERVER_WAIT": "6",  # a record waits 6 s in total for a server: outages below outlast it
        "SOHOA_WORKERS": "2",
        "SOHOA_PAGE_TIMEOUT": "60",
        "OMP_THREAD_LIMIT": "1",
        **extra,
    }


@contextlib.contextmanager
def env_vars(env: dict[str, str]) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        yield


def run_flow(env: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    from flows.batch import digitize

    with env_vars(env):
        return digitize(env["SOHOA_INTAKE_BUCKET"], "", workers=int(env["SOHOA_WORKERS"]), **kwargs)


def ledger_count(c: Ctx, env: dict[str, str]) -> int:
    try:
        es = c.es.options(request_timeout=3, max_retries=0)
        es.indices.refresh(index=env["SOHOA_LEDGER_INDEX"])  # count is not realtime; the flow never refreshes
        # final states only: a `processing` entry is the claim of a record under way
        final = {"bool": {"must_not": {"term": {"state": "processing"}}}}
        return int(es.count(index=env["SOHOA_LEDGER_INDEX"], query=final)["count"])
    except Exception:
        return 0


def rid(c: Ctx) -> Any:
    return lambda key: record_id(c.intake, key)


def check_same_as_baseline(c: Ctx, env: dict[str, str], baseline: FinalState) -> dict[str, Any]:
    got = final_state(c.es, c.store, env)
    cmp = compare(got, baseline, rid(c))
    details = {k: diff_docs(got.docs[k], baseline.docs[k])[:5] for k in cmp.different_docs}
    assert not cmp.wrong_state, f"final ledger states differ from the undisturbed run: {cmp.wrong_state}"
    assert not cmp.lost, f"records lost: {cmp.lost}"
    assert cmp.duplicates == 0, f"duplicated record documents: {got.doc_keys}"
    assert not cmp.different_docs, f"record documents differ from the undisturbed run: {details}"
    assert not cmp.orphans, f"derivative objects without an indexed ledger entry: {cmp.orphans}"
    return {"lost": len(cmp.lost), "duplicates": cmp.duplicates, "orphans": len(cmp.orphans)}


def cleanup(c: Ctx, env: dict[str, str]) -> None:
    with contextlib.suppress(Exception):
        bucket = env["SOHOA_PROCESSED_BUCKET"]
        for o in c.store.list(bucket):
            c.store.delete(bucket, o.key)
        c.store.client.remove_bucket(bucket)
    with contextlib.suppress(Exception):
        c.es.indices.delete(
            index=f"{env['SOHOA_INDEX_ALIAS']}*,{env['SOHOA_LEDGER_INDEX']}*",
            ignore_unavailable=True,
            allow_no_indices=True,
        )


@pytest.fixture(scope="module")
def baseline(ctx: Ctx, prefect_harness: None) -> Iterator[tuple[FinalState, float]]:
    """The undisturbed run every fault scenario must end up equal to; and how long it took."""
    env = scenario_env(ctx)
    start = time.monotonic()
    report = run_flow(env)
    seconds = time.monotonic() - start
    assert report["states"] == {"indexed": 10 + 2, "quarantined": 2}, report["problems"]
    state = final_state(ctx.es, ctx.store, env)
    assert state.states == ctx.expected
    assert state.duplicates == 0 and len(state.docs) == 12
    RESULTS.append(
        {"scenario": "undisturbed", "faults": 0, "processed": report["processed"], "seconds": seconds}
    )
    yield state, seconds
    cleanup(ctx, env)


# -- servers going away ---------------------------------------------------------------------------------


def test_elasticsearch_stopped_mid_batch_then_restarted(ctx: Ctx, baseline: tuple[FinalState, float]) -> None:
    """ES stopped after the first records are in the ledger, started again ~12 s later (its own start-up
    time): records finished meanwhile end `failed` with the reason (indexing or ledger unavailable); the
    next run completes them; the final state equals the undisturbed run's."""
    env = scenario_env(ctx)
    outage = Outage(
        lambda: ledger_count(ctx, env) >= 3,
        ctx.servers.stop_es,
        ctx.servers.start_es,
        down_for=2,
        timeout=180,
    )
    try:
        outage.start()
        first = run_flow(env)
        outage.join(timeout=240)
        assert not outage.is_alive(), "the outage thread did not finish"
        if outage.error:
            raise outage.error
        assert outage.stopped_at and outage.restarted_at
        failed = [p for p in first["problems"] if p["state"] == "failed"]
        # what could not be indexed or recorded is reported, with the reason, never counted as indexed
        assert first["states"].get("indexed", 0) + len(failed) + first["states"].get("quarantined", 0) == len(
            ctx.expected
        )
        assert failed, f"no record failed while Elasticsearch was down: {first['states']}"
        for p in failed:
            assert p["reason_code"] in {"es_unavailable", "ledger_unavailable"}, p
            assert p["reason"], p

        second = run_flow(env)  # resume: what failed, and what never reached the ledger
        assert second["states"].get("failed", 0) == 0, second["problems"]
        result = check_same_as_baseline(ctx, env, baseline[0])
        third = run_flow(env)
        assert third["processed"] == 0, "a third run found work left"
        RESULTS.append(
            {
                "scenario": "elasticsearch stopped mid-batch",
                "faults": 1,
                "down_seconds": round(outage.restarted_at - outage.stopped_at, 1),
                "failed_first_run": len(failed),
                "failed_reasons": sorted({p["reason_code"] for p in failed}),
                "processed": first["processed"] + second["processed"],
                **result,
            }
        )
    finally:
        outage.join(timeout=240)
        cleanup(ctx, env)


def test_s3_stopped_mid_batch_then_restarted(ctx: Ctx, baseline: tuple[FinalState, float]) -> None:
    """S3 stopped after the first records are in the ledger, for longer than a record's wait budget
    (SOHOA_SERVER_WAIT): records that could not be fetched or stored end
    `failed` in the ledger with the reason; `--reprocess-failed` completes them; same final state."""
    env = scenario_env(ctx)
    outage = Outage(
        lambda: ledger_count(ctx, env) >= 3,
        ctx.servers.stop_s3,
        ctx.servers.start_s3,
        down_for=25,
        timeout=180,
    )
    try:
        outage.start()
        first = run_flow(env)
        outage.join(timeout=240)
        assert not outage.is_alive(), "the outage thread did not finish"
        if outage.error:
            raise outage.error
        failed = [p for p in first["problems"] if p["state"] == "failed"]
        assert failed, f"no record failed while S3 was down: {first['states']}"
        ledger = final_state(ctx.es, ctx.store, env).ledger
        for p in failed:
            assert "unreachable" in p["reason"] or "S3" in p["reason"] or "s3://" in p["reason"], p
            assert ledger[p["key"]]["state"] == "failed", ledger[p["key"]]  # recorded: re-runnable
            assert ledger[p["key"]]["reason"], ledger[p["key"]]

        second = run_flow(env, reprocess_failed=True)
        assert second["processed"] == len(failed), second
        assert second["states"].get("failed", 0) == 0, second["problems"]
        result = check_same_as_baseline(ctx, env, baseline[0])
        RESULTS.append(
            {
                "scenario": "s3 stopped mid-batch",
                "faults": 1,
                "down_seconds": round((outage.restarted_at or 0) - (outage.stopped_at or 0), 1),
                "failed_first_run": len(failed),
                "processed": first["processed"] + second["processed"],
                **result,
            }
        )
    finally:
        outage.join(timeout=240)
        cleanup(ctx, env)


# -- SIGKILL ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("repeat", range(3))
def test_sigkill_at_a_random_point_then_restart(
    ctx: Ctx, baseline: tuple[FinalState, float], repeat: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`python -m cli run` killed with SIGKILL once k records are in the ledger plus a random delay
    (seeded: k in 1..9, delay 0-1.5 s, cut short when record k+1 lands so that a fast machine still
    kills mid-batch); a restart finishes the batch like an undisturbed run."""
    rng = random.Random(20260706 + repeat)
    k, delay = rng.randint(1, 9), round(rng.uniform(0, 1.5), 2)
    env = scenario_env(ctx)
    killed_tmp = tmp_path_factory.mktemp("killed-run-tmp")  # its work folders, left by the kill
    proc_env = {**os.environ, **env, "TMPDIR": str(killed_tmp)}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "run", "--workers", "2"],
            cwd=ROOT,
            env=proc_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while proc.poll() is None and ledger_count(ctx, env) < k:
            assert time.monotonic() < deadline, "the run did not reach the kill point in time"
            time.sleep(0.1)
        kill_at = time.monotonic() + delay
        while time.monotonic() < kill_at and ledger_count(ctx, env) <= k:
            time.sleep(0.02)
        assert proc.poll() is None, f"the run finished before the kill point (k={k}, delay={delay})"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        at_kill = final_state(ctx.es, ctx.store, env)
        indexed_ids = {record_id(ctx.intake, key) for key, s in at_kill.states.items() if s == "indexed"}
        orphans_at_kill = len(at_kill.derivative_ids - indexed_ids)
        finals_at_kill = sum(s != "processing" for s in at_kill.states.values())
        assert finals_at_kill < len(ctx.expected)
        left = list(killed_tmp.glob("sohoa-*"))
        day_old = time.time() - STALE_WORKDIR_SECONDS - 60
        for folder in left:
            os.utime(folder, (day_old, day_old))
        assert sweep_stale_workdirs(killed_tmp) == len(left) and not list(killed_tmp.iterdir())

        restart = run_flow(env)
        result = check_same_as_baseline(ctx, env, baseline[0])
        RESULTS.append(
            {
                "scenario": f"SIGKILL #{repeat + 1}",
                "faults": 1,
                "kill_after_ledger_entries": k,
                "extra_delay_s": delay,
                "ledger_entries_at_kill": finals_at_kill,
                "claims_at_kill": len(at_kill.ledger) - finals_at_kill,
                "orphan_derivatives_at_kill": orphans_at_kill,
                "processed": finals_at_kill + restart["processed"],
                **result,
            }
        )
    finally:
        cleanup(ctx, env)


# -- Tesseract hanging or crashing on a page -------------------------------------------------------------

FAKE_TESSERACT = """\
#!{python}
# Stands in for tesseract: runs the real one, except for the main recognition of page {page} of a
# document (the engine names its page images `<id>-p0002-main.bmp`), where it {mode}.
import os, signal, sys, time
args = sys.argv[1:]
if any("-p{page:04d}-main" in a for a in args):
    with open({log!r}, "a") as f:
        f.write(" ".join(args) + "\\n")
    if "{mode}" == "hangs":
        time.sleep(3600)
    os.kill(os.getpid(), signal.SIGSEGV)
os.execv({real!r}, [{real!r}, *args])
"""


def fake_tesseract(folder: Path, mode: str, page: int) -> Path:
    """A `tesseract` on PATH (the wrapper looks it up with shutil.which at each call) that hangs or
    segfaults on the main recognition of page `page`; every other call goes to the real one.
    Returns the folder to put first on PATH; `calls.log` in it lists the calls it sabotaged."""
    real = shutil.which("tesseract") or "/usr/bin/tesseract"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text(
        FAKE_TESSERACT.format(
            python=sys.executable, page=page, mode=mode, log=str(folder / "calls.log"), real=real
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def three_page_tiff(path: Path) -> None:
    pages = [tiny_page([f"Trang {i} của biên bản số {i}/BB"]) for i in (1, 2, 3)]
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_deflate", dpi=(200, 200))


def sleeping_children() -> list[str]:
    """Processes still running the fake tesseract (a hung page whose process was never killed)."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "fake-tesseract" in line and "ps -eo" not in line]


@pytest.mark.parametrize("mode", ["hangs", "crashes"])
def test_tesseract_hanging_or_crashing_on_one_page(
    ctx: Ctx, prefect_harness: None, tmp_path: Path, mode: str
) -> None:
    """One page's Tesseract hangs (per-page timeout SOHOA_PAGE_TIMEOUT=5) or segfaults: that page fails with
    a reason, the record still comes out with its other pages, the next records of the same worker are
    processed, and no Tesseract process is left behind."""
    if not shutil.which("tesseract"):
        pytest.skip("tesseract not installed")
    folder = tmp_path / "in"
    folder.mkdir()
    three_page_tiff(folder / "a-record.tif")
    for i in (1, 2):
        tiny_page([f"Thông báo số {i}/TB-UBND"]).save(folder / f"b-next-{i}.png", dpi=(200, 200))
    intake = f"fault-tess-{uuid.uuid4().hex[:8]}"
    upload_dir(ctx.store, folder, intake, "")
    fake_dir = fake_tesseract(tmp_path / f"fake-tesseract-{mode}", mode, page=2)
    env = {
        **scenario_env(ctx, SOHOA_PAGE_TIMEOUT="5", SOHOA_WORKERS="1"),
        "SOHOA_INTAKE_BUCKET": intake,
        "PATH": f"{fake_dir}{os.pathsep}{os.environ['PATH']}",
    }
    try:
        start = time.monotonic()
        report = run_flow(env)
        seconds = time.monotonic() - start
        calls = (fake_dir / "calls.log").read_text().splitlines() if (fake_dir / "calls.log").exists() else []
        assert calls, "the fake tesseract was never asked for page 2: how does ocr/ find tesseract?"
        assert seconds < 120, f"the run took {seconds:.0f} s: the per-page timeout did not apply"
        st = final_state(ctx.es, ctx.store, env)
        # the worker was not lost: the records after the bad page were processed
        assert st.states.get("b-next-1.png") == "indexed" and st.states.get("b-next-2.png") == "indexed", (
            st.states
        )
        # the record comes out with its two good pages; page 2 alone fails, with the reason of the mode
        state = st.states.get("a-record.tif")
        assert state == "indexed", st.ledger.get("a-record.tif")
        doc = st.docs["a-record.tif"]
        assert doc["status"] == "partial" and doc["n_pages"] == 3 and doc["n_pages_failed"] == 1, doc["pages"]
        assert [p["page_no"] for p in doc["pages"] if p.get("error")] == [2], doc["pages"]
        want = "did not finish" if mode == "hangs" else "tesseract failed"
        assert want in doc["pages"][1]["error"], doc["pages"][1]
        assert all("Trang" in p["text"] for p in doc["pages"] if not p.get("error")), doc["pages"]
        time.sleep(0.5)
        assert not sleeping_children(), f"a Tesseract process was left running: {sleeping_children()}"
        RESULTS.append(
            {
                "scenario": f"tesseract {mode} on one page",
                "faults": 1,
                "processed": report["processed"],
                "record_state": state,
                "seconds": round(seconds, 1),
                "lost": 0,
                "duplicates": st.duplicates,
            }
        )
    finally:
        for line in sleeping_children():
            with contextlib.suppress(Exception):
                os.kill(int(line.split()[0]), signal.SIGKILL)
        cleanup(ctx, env)
        for o in ctx.store.list(intake):
            ctx.store.delete(intake, o.key)
        ctx.store.client.remove_bucket(intake)


def test_record_that_always_fails_is_given_up_after_max_attempts(
    ctx: Ctx, prefect_harness: None, tmp_path: Path
) -> None:
    """A page whose Tesseract crashes every time: the record ends `failed`; later runs retry it until
    SOHOA_MAX_ATTEMPTS attempts, then leave it alone (counted as given up); --reprocess-failed still
    retries it."""
    folder = tmp_path / "in"
    folder.mkdir()
    tiny_page(["Quyết định số 7/QĐ-UBND"]).save(folder / "poison.png", dpi=(200, 200))
    intake = f"fault-poison-{uuid.uuid4().hex[:8]}"
    upload_dir(ctx.store, folder, intake, "")
    fake_dir = fake_tesseract(tmp_path / "fake-tesseract-always", "crashes", page=1)
    env = {
        **scenario_env(ctx, SOHOA_MAX_ATTEMPTS="2", SOHOA_WORKERS="1"),
        "SOHOA_INTAKE_BUCKET": intake,
        "PATH": f"{fake_dir}{os.pathsep}{os.environ['PATH']}",
    }
    try:
        runs = [run_flow(env) for _ in range(3)]
        assert [r["processed"] for r in runs] == [1, 1, 0], [r["skipped"] for r in runs]
        assert runs[2]["skipped"] == {"gave_up": 1}
        entry = final_state(ctx.es, ctx.store, env).ledger["poison.png"]
        assert entry["state"] == "failed" and entry["attempts"] == 2, entry
        assert run_flow(env, reprocess_failed=True)["processed"] == 1
    finally:
        cleanup(ctx, env)
        drop_bucket(ctx, intake)


# -- disk full ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def tiny_tmpfs(size: str) -> Iterator[Path]:
    mnt = ROOT / ".cache" / f"fault-tmpfs-{uuid.uuid4().hex[:8]}"
    mnt.mkdir(parents=True)
    try:
        out = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=1777", "tmpfs", str(mnt)],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({out.stderr.strip()}); the disk-full test needs root")
        try:
            yield mnt
        finally:
            subprocess.run(["umount", "-l", str(mnt)], check=False)
    finally:
        with contextlib.suppress(OSError):
            mnt.rmdir()


def disk_batch(c: Ctx, tmp_path: Path) -> str:
    """A small scan, a 2.2 MB scan (stored uncompressed) and a small PDF holding an A4 page at 300 dpi
    (8.7 MB once rasterised); uploaded to a fresh intake bucket, whose name is returned."""
    from samples.render import render, save_pdf
    from samples.specs import QD_CAU_GIAY

    folder = tmp_path / "in"
    folder.mkdir()
    tiny_page(["Quyết định số 9/QĐ-UBND"]).save(folder / "small.png", dpi=(200, 200))
    save_pdf(render(QD_CAU_GIAY), folder / "big-pages.pdf")
    tiny_page(["Tờ trình số 5/TTr-UBND"], size=(1600, 1400)).save(folder / "big-file.png", compress_level=0)
    assert (folder / "big-file.png").stat().st_size > 2 * 2**20
    intake = f"fault-df-{uuid.uuid4().hex[:8]}"
    upload_dir(c.store, folder, intake, "")
    return intake


def run_with_full_temp(
    c: Ctx, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], list[Path]]:
    """Run the flow with the temp folder on a 2 MB tmpfs; returns the report and what was left in it."""
    with tiny_tmpfs("2m") as mnt:
        monkeypatch.setattr(tempfile, "tempdir", str(mnt))
        monkeypatch.setenv("TMPDIR", str(mnt))
        try:
            report = run_flow(env)
            left = list(mnt.iterdir())
        finally:
            monkeypatch.undo()
    return report, left


def drop_bucket(c: Ctx, bucket: str) -> None:
    with contextlib.suppress(Exception):
        for o in c.store.list(bucket):
            c.store.delete(bucket, o.key)
        c.store.client.remove_bucket(bucket)


def test_temp_folder_nearly_full(
    ctx: Ctx, prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temp folder has 2 MB free, under SOHOA_MIN_FREE_TMP_MB (256 by default): no record starts; each
    ends `failed` (retryable) with a reason that names the folder and the space, nothing is downloaded, no
    ledger entry says indexed; once there is room, a re-run indexes them all."""
    intake = disk_batch(ctx, tmp_path)
    env = {**scenario_env(ctx, SOHOA_WORKERS="1"), "SOHOA_INTAKE_BUCKET": intake}
    keys = ["big-file.png", "big-pages.pdf", "small.png"]
    try:
        first, left = run_with_full_temp(ctx, env, monkeypatch)
        assert not left, f"files written into the full temp folder: {left}"
        st = final_state(ctx.es, ctx.store, env)
        assert st.states == dict.fromkeys(keys, "failed"), st.ledger
        assert not st.docs and not st.derivative_ids
        for key in keys:
            assert st.reason_codes[key] == "tmp_space"
            assert "temp folder" in st.ledger[key]["reason"] and "MB free" in st.ledger[key]["reason"]

        second = run_flow(env)  # room again: the failed ones are redone
        st = final_state(ctx.es, ctx.store, env)
        assert st.states == dict.fromkeys(keys, "indexed"), second["problems"]
        RESULTS.append(
            {
                "scenario": "temp folder nearly full (2 MB tmpfs)",
                "faults": 1,
                "processed": first["processed"] + second["processed"],
                "failed_first_run": first["states"].get("failed", 0),
                "reason": st.ledger and first["problems"][0]["reason"][:200],
                "lost": 0,
                "duplicates": st.duplicates,
            }
        )
    finally:
        cleanup(ctx, env)
        drop_bucket(ctx, intake)


@pytest.mark.parametrize(
    ("key", "finding"),
    [
        pytest.param(
            "big-file.png",
            "F2",
            id="download",
        ),
        pytest.param(
            "big-pages.pdf",
            "F3",
            id="page-images",
        ),
    ],
)
def test_disk_fills_up_while_a_record_is_processed(
    ctx: Ctx, prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, finding: str
) -> None:
    """The space check is off (SOHOA_MIN_FREE_TMP_MB=0), as when other processes fill the disk after a
    record started: the record must end `failed` (retryable, not quarantined, not indexed) with a reason
    that says the disk is full, and leave nothing in the temp folder."""
    intake = disk_batch(ctx, tmp_path)
    env = {
        **scenario_env(ctx, SOHOA_WORKERS="1", SOHOA_MIN_FREE_TMP_MB="0"),
        "SOHOA_INTAKE_BUCKET": intake,
    }
    try:
        first, left = run_with_full_temp(ctx, env, monkeypatch)
        st = final_state(ctx.es, ctx.store, env)
        assert st.states.get("small.png") == "indexed", st.ledger
        assert not left, f"half-written files left in the temp folder: {left}"
        assert st.states.get(key) != "indexed" and key not in st.docs
        assert record_id(intake, key) not in st.derivative_ids, f"derivatives of {key} were stored"
        problem = next(p for p in first["problems"] if p["key"] == key)
        RESULTS.append(
            {
                "scenario": f"disk fills while processing ({key}, {finding})",
                "faults": 1,
                "processed": first["processed"],
                "state": problem["state"],
                "reason": problem["reason"][:200],
                "lost": 0,
                "duplicates": st.duplicates,
            }
        )
        assert problem["state"] == "failed", problem
        reason = problem["reason"].lower()
        assert "unreachable" not in reason, reason
        assert "no space left" in reason or "disk" in reason or "temp folder" in reason, reason
    finally:
        cleanup(ctx, env)
        drop_bucket(ctx, intake)
