"""The whole product against the real servers and real Tesseract: upload a mixed batch, run the flow,
find the records, run again, change one object, kill a run and restart it."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from flows.batch import digitize
from pipeline.record import record_id
from storage.objects import ObjectStore
from storage.upload import upload_dir
from tests.flow_fixtures import BAD, GOOD, remove_run_data, replace_tb, write_batch

pytestmark = [pytest.mark.servers, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]


def names(suffix: str) -> dict[str, str]:
    return {
        "SOHOA_INTAKE_BUCKET": f"e2e-in-{suffix}",
        "SOHOA_PROCESSED_BUCKET": f"e2e-out-{suffix}",
        "SOHOA_INDEX_ALIAS": f"e2e-{suffix}-records",
        "SOHOA_LEDGER_INDEX": f"e2e-{suffix}-ledger",
    }


@pytest.fixture(scope="module")
def batch(
    tmp_path_factory: pytest.TempPathFactory, store: ObjectStore, es, prefect_harness
) -> Iterator[dict]:
    env = names(uuid.uuid4().hex[:8])
    mp = pytest.MonkeyPatch()
    for k, v in env.items():
        mp.setenv(k, v)
    folder = write_batch(tmp_path_factory.mktemp("batch"))
    upload_dir(store, folder, env["SOHOA_INTAKE_BUCKET"], "")
    yield {"env": env, "folder": folder}
    mp.undo()
    remove_run_data(store, es, env, (env["SOHOA_INTAKE_BUCKET"], env["SOHOA_PROCESSED_BUCKET"]))


@pytest.fixture(scope="module")
def first_run(batch: dict) -> dict:
    """The first run over the batch, whose results the tests below read whichever of them runs first."""
    return digitize(batch["env"]["SOHOA_INTAKE_BUCKET"], "", workers=2)


def ledger(es, env: dict[str, str]) -> dict[str, dict]:
    es.indices.refresh(index=env["SOHOA_LEDGER_INDEX"])
    hits = es.search(index=env["SOHOA_LEDGER_INDEX"], size=100)["hits"]["hits"]
    return {h["_source"]["key"]: h["_source"] for h in hits}


def records(es, env: dict[str, str]) -> dict[str, dict]:
    es.indices.refresh(index=env["SOHOA_INDEX_ALIAS"])
    hits = es.search(index=env["SOHOA_INDEX_ALIAS"], size=100)["hits"]["hits"]
    return {h["_source"]["key"]: h["_source"] for h in hits}


def test_first_run_indexes_good_records_and_quarantines_bad_ones(
    batch: dict, first_run: dict, es, store: ObjectStore
) -> None:
    env, report = batch["env"], first_run
    assert report["states"] == {"indexed": len(GOOD), "quarantined": len(BAD)}, report["problems"]
    assert report["pages"] == 5

    entries = ledger(es, env)
    assert {k: e["state"] for k, e in entries.items()} == {
        **dict.fromkeys(GOOD, "indexed"),
        **dict.fromkeys(BAD, "quarantined"),
    }
    for key, code in BAD.items():
        assert entries[key]["reason_code"] == code, entries[key]
        assert key in entries[key]["reason"]  # the reason names the file
    problems = {p["key"]: p["reason_code"] for p in report["problems"]}
    assert problems == BAD

    docs = records(es, env)
    assert set(docs) == set(GOOD)
    for key, number in GOOD.items():
        assert docs[key]["doc_number"] == number, key
    assert docs["cau-giay/qd-123.png"]["doc_type_code"] == "QĐ"
    assert docs["dong-da/cv-45.pdf"]["n_pages"] == 2
    # the steps that changed each page, as the engine recorded them (Kibana filters on these)
    assert "deskew" in docs["cau-giay/qd-123.png"]["ocr"]["steps"]  # scanned 2 degrees askew
    for key, doc in docs.items():
        recorded = {s["step"] for p in doc["ocr"]["steps_detail"] for s in p["steps"] if s.get("applied")}
        assert set(doc["ocr"]["steps"]) == recorded, key

    # derivatives: a searchable PDF with one page per scanned page, the text, the metadata JSON
    out = env["SOHOA_PROCESSED_BUCKET"]
    base = f"records/{record_id(env['SOHOA_INTAKE_BUCKET'], 'long-bien/bc-88.tif')}"
    pdf = PdfReader(io.BytesIO(store.get_bytes(out, f"{base}/document.pdf")))
    assert len(pdf.pages) == 2
    assert "BÁO CÁO" in pdf.pages[0].extract_text()
    assert "BÁO CÁO" in store.get_bytes(out, f"{base}/text.txt").decode()
    assert b'"doc_number": "88/BC-UBND"' in store.get_bytes(out, f"{base}/metadata.json")
    assert any(o.key == f"reports/{report['run_id']}.json" for o in store.list(out, "reports/"))


def test_search_finds_the_record_with_and_without_diacritics(batch: dict, first_run: dict, es) -> None:
    from search.query import search_records

    alias = batch["env"]["SOHOA_INDEX_ALIAS"]
    for query in ("thu hồi đất", "thu hoi dat", "123/QĐ-UBND", "123/qd-ubnd"):
        hits = search_records(es, query, limit=3, index=alias)
        assert hits and hits[0].key == "cau-giay/qd-123.png", query


def test_status_and_failures_commands_show_the_ledger(batch: dict, first_run: dict) -> None:
    from typer.testing import CliRunner

    from cli.app import app

    runner = CliRunner()
    status = runner.invoke(app, ["status"], env={"COLUMNS": "200"})
    assert status.exit_code == 0, status.output
    assert "hoan-kiem" in status.output and "cau-giay" in status.output
    failures = runner.invoke(app, ["failures", "--json"])
    assert failures.exit_code == 0, failures.output
    rows = [json.loads(line) for line in failures.output.splitlines() if line.strip()]
    assert {r["key"]: r["reason_code"] for r in rows} == BAD


def test_second_run_does_nothing(batch: dict, first_run: dict) -> None:
    env = batch["env"]
    report = digitize(env["SOHOA_INTAKE_BUCKET"], "", workers=2)
    assert report["processed"] == 0
    assert report["skipped"] == {"indexed": len(GOOD), "quarantined": len(BAD)}


@pytest.fixture
def changed_object(batch: dict, first_run: dict, store: ObjectStore) -> Iterator[str]:
    """A new version of one object after the first run. Afterwards the old one is put back and read
    again, so that the tests of the first run's records pass in any order."""
    env, folder, key = batch["env"], batch["folder"], "cau-giay/qd-123.png"
    original = (folder / key).read_bytes()
    replace_tb(folder, key)
    store.put_file(env["SOHOA_INTAKE_BUCKET"], key, folder / key)
    yield key
    (folder / key).write_bytes(original)
    store.put_file(env["SOHOA_INTAKE_BUCKET"], key, folder / key)
    restored = digitize(env["SOHOA_INTAKE_BUCKET"], "", workers=2)  # nothing to do if the test stopped early
    assert not restored["problems"], restored["problems"]


def test_a_changed_object_is_the_only_one_reprocessed(batch: dict, changed_object: str, es) -> None:
    env = batch["env"]
    # each record a Prefect task run (SOHOA_RECORD_TASKS), the other way records run
    report = digitize(env["SOHOA_INTAKE_BUCKET"], "", workers=2, record_tasks=True)
    assert report["processed"] == 1 and report["states"] == {"indexed": 1}
    docs = records(es, env)
    assert len(docs) == len(GOOD)  # replaced, not added
    assert docs[changed_object]["doc_number"] == "07/TB-UBND"


def finished(es, env: dict[str, str]) -> dict[str, dict]:
    """Ledger entries in a final state (not the `processing` claims of records under way)."""
    return {k: e for k, e in ledger(es, env).items() if e["state"] != "processing"}


def wait_for_ledger(es, env: dict[str, str], proc: subprocess.Popen, at_least: int) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if es.indices.exists(index=env["SOHOA_LEDGER_INDEX"]) and len(finished(es, env)) >= at_least:
            return
        time.sleep(0.5)
    raise AssertionError("the run finished (or stalled) before it could be interrupted")


@pytest.fixture
def background_run(batch: dict, es, store: ObjectStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Start `sohoa run` as its own process on the batch, into fresh indices; yields (env, process)."""
    env = {**names(uuid.uuid4().hex[:8]), "SOHOA_INTAKE_BUCKET": batch["env"]["SOHOA_INTAKE_BUCKET"]}
    started: list[subprocess.Popen] = []
    tmp = str(tmp_path_factory.mktemp("run-tmp"))  # what a killed run leaves stays out of /tmp

    def start(**extra: str) -> tuple[dict[str, str], subprocess.Popen]:
        # The run gets Ctrl-C as a command typed at a terminal does, whoever started the tests: a shell
        # without job control starts a background job (`.ci/run &`) with SIGINT ignored, every process
        # under it inherits that, and the interrupt would never reach the run. A handler set here is
        # reset to the default in the child; an ignored signal would stay ignored.
        run_env = {**os.environ, **env, "SOHOA_FLUSH_EVERY": "1", "SOHOA_WORKERS": "1", "TMPDIR": tmp}
        run_env.update(extra)
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "cli", "run"],
                cwd=ROOT,
                env=run_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,  # its own group: a kill reaches its Tesseract children too
            )
        finally:
            signal.signal(signal.SIGINT, previous)
        started.append(proc)
        return env, proc

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    remove_run_data(store, es, env, (env["SOHOA_PROCESSED_BUCKET"],))


GATED_TESSERACT = """#!{python}
# The first record's Tesseract calls run; every later record's wait until the test creates {go}, so the
# run is still busy when the test interrupts it, however fast the machine reads.
import os, sys, time
from pathlib import Path

tmp = Path(os.environ["TMPDIR"]).resolve()
job = next((p for a in sys.argv[1:] for p in Path(a).resolve().parents if p.parent == tmp), None)
if job is not None:
    first = Path({first!r})
    try:
        fd = os.open(first, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.write(fd, job.name.encode())
        os.close(fd)
    except FileExistsError:
        pass
    deadline = time.monotonic() + 120  # never for ever: a run that ignores the interrupt still ends
    while first.read_text() != job.name and not Path({go!r}).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
os.execv({real!r}, [{real!r}, *sys.argv[1:]])
"""


def gated_tesseract(folder: Path) -> tuple[str, Path]:
    """A PATH whose `tesseract` holds every record but the first until the returned file exists."""
    real = shutil.which("tesseract") or "/usr/bin/tesseract"
    folder.mkdir(parents=True, exist_ok=True)
    go = folder / "go"
    script = folder / "tesseract"
    script.write_text(
        GATED_TESSERACT.format(python=sys.executable, first=str(folder / "first"), go=str(go), real=real)
    )
    script.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}", go


def test_ctrl_c_stops_cleanly_and_keeps_what_is_done(background_run, es, tmp_path: Path) -> None:
    path, go = gated_tesseract(tmp_path / "bin")
    env, proc = background_run(PATH=path)
    wait_for_ledger(es, env, proc, at_least=1)
    assert proc.poll() is None  # the second record is held: the interrupt lands in the middle of the run
    proc.send_signal(signal.SIGINT)
    go.touch()  # the held record goes on; the interrupted run must not start another
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert "run the same command to resume" in err
    entries = ledger(es, env)
    done = finished(es, env)
    assert done and all(e["state"] in ("indexed", "quarantined") for e in done.values())
    assert len(done) < len(GOOD) + len(BAD)  # stopped, not finished
    # the records under way were given back: the next run takes them without counting an attempt
    for key, e in entries.items():
        if key not in done:
            assert e["reason_code"] == "released" and e["attempts"] == 0, e


def test_a_killed_run_restarted_ends_like_an_undisturbed_one(background_run, es, store: ObjectStore) -> None:
    """SIGKILL the CLI once the ledger holds some records, run again: same final state, no duplicates."""
    env, proc = background_run()
    wait_for_ledger(es, env, proc, at_least=2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 2 <= len(finished(es, env)) < len(GOOD) + len(BAD)

    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        digitize(env["SOHOA_INTAKE_BUCKET"], "", workers=2)
    final = ledger(es, env)
    assert {k: e["state"] for k, e in final.items()} == {
        **dict.fromkeys(GOOD, "indexed"),
        **dict.fromkeys(BAD, "quarantined"),
    }
    es.indices.refresh(index=env["SOHOA_INDEX_ALIAS"])
    docs = es.search(index=env["SOHOA_INDEX_ALIAS"], size=100)["hits"]["hits"]
    assert sorted(d["_source"]["key"] for d in docs) == sorted(GOOD)  # once each
    stored = {o.key.split("/")[1] for o in store.list(env["SOHOA_PROCESSED_BUCKET"], "records/")}
    assert stored == {record_id(env["SOHOA_INTAKE_BUCKET"], k) for k in GOOD}  # no orphans
