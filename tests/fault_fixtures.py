"""Helpers of the fault tests: a private Elasticsearch + S3 pair that a test may stop and start without
disturbing anyone, a small batch of tiny scans that OCR fast, and the comparison of a disturbed run's final
state (ledger, record documents, derivatives) with an undisturbed one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from samples.render import FONT_DIR

ROOT = Path(__file__).resolve().parents[1]
SERVERS_SH = ROOT / "infra" / "servers.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PrivateServers:
    """Elasticsearch and versitygw started by `infra/servers.sh` under a private run dir and private ports.

    Elasticsearch's data lives in the state folder that `infra/servers.sh` keeps for this run dir outside
    the checkout (see infra/es.sh). Stop and start reuse the same ports and data, as a restarted server
    would.
    """

    run_dir: Path
    es_port: int = field(default_factory=free_port)
    s3_port: int = field(default_factory=free_port)
    events: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, what) of faults

    @property
    def es_url(self) -> str:
        return f"http://127.0.0.1:{self.es_port}"

    @property
    def s3_endpoint(self) -> str:
        return f"127.0.0.1:{self.s3_port}"

    def env(self) -> dict[str, str]:
        """What points the settings (in this process or a child) at these servers and nothing else."""
        return {
            "SOHOA_ES_URL": self.es_url,
            "SOHOA_S3_ENDPOINT": self.s3_endpoint,
            "SOHOA_SERVERS_ENV": str(self.run_dir / "servers.env"),
        }

    def _sh(self, command: str, timeout: float = 180) -> None:
        env = {
            **os.environ,
            "SOHOA_RUN_DIR": str(self.run_dir),
            "SOHOA_ES_PORT": str(self.es_port),
            "SOHOA_S3_PORT": str(self.s3_port),
        }
        out = subprocess.run(
            [str(SERVERS_SH), command], env=env, capture_output=True, text=True, timeout=timeout
        )
        if out.returncode != 0:
            raise RuntimeError(f"infra/servers.sh {command} failed ({out.returncode}): {out.stderr[-2000:]}")
        self.events.append((time.monotonic(), command))

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._sh("start-es")
        self._sh("start-s3")
        # servers.sh replaces a busy port by a free one: make sure we got what we asked for
        written = (self.run_dir / "servers.env").read_text()
        assert f"SOHOA_ES_URL={self.es_url}" in written and f"SOHOA_S3_ENDPOINT={self.s3_endpoint}" in written

    def stop_es(self) -> None:
        self._sh("stop-es")

    def start_es(self) -> None:
        self._sh("start-es")

    def stop_s3(self) -> None:
        self._sh("stop-s3")

    def start_s3(self) -> None:
        self._sh("start-s3")

    def stop(self) -> None:
        for cmd in ("stop-s3", "stop-es"):
            try:
                self._sh(cmd)
            except Exception as exc:  # stop the other one anyway
                print(f"warning: {exc}")

    def remove(self) -> None:
        try:
            self._sh("purge")  # Elasticsearch's state folder, outside the run dir
        except Exception as exc:
            print(f"warning: {exc}")
        shutil.rmtree(self.run_dir, ignore_errors=True)


def private_run_dir(tag: str) -> Path:
    return ROOT / ".cache" / f"fault-{tag}-{uuid.uuid4().hex[:8]}"


class Outage(threading.Thread):
    """In the background: wait until `ready()` (e.g. some records are in the ledger), stop a server, keep it
    down for `down_for` seconds, start it again. `error` holds what went wrong, for the test to raise."""

    def __init__(
        self,
        ready: Callable[[], bool],
        stop: Callable[[], None],
        start: Callable[[], None],
        down_for: float,
        timeout: float = 300,
    ) -> None:
        super().__init__(daemon=True, name="outage")
        self.ready, self.stop_server, self.start_server = ready, stop, start
        self.down_for, self.timeout = down_for, timeout
        self.stopped_at: float | None = None
        self.restarted_at: float | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            deadline = time.monotonic() + self.timeout
            while not self.ready():
                if time.monotonic() > deadline:
                    raise TimeoutError("the batch never reached the point where the fault is injected")
                time.sleep(0.2)
            self.stop_server()
            self.stopped_at = time.monotonic()
            time.sleep(self.down_for)
            self.start_server()
            self.restarted_at = time.monotonic()
        except BaseException as exc:
            self.error = exc


# -- the batch ----------------------------------------------------------------------------------------------

_FONT = FONT_DIR / "LiberationSerif-Regular.ttf"


def tiny_page(lines: list[str], size: tuple[int, int] = (900, 260)) -> Image.Image:
    """A small page (a strip of a scan at 200 dpi) with a line or two of text: fast to OCR."""
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(str(_FONT), 34)
    for i, line in enumerate(lines):
        d.text((40, 50 + i * 60), line, font=f, fill=0)
    return img


N_PNG = 10
GOOD_KEYS = [
    *(f"cau-giay/qd-{i:02d}.png" for i in range(1, N_PNG + 1)),
    "dong-da/cv-2p.pdf",
    "long-bien/bc.tif",
]
BAD_KEYS = {"hoan-kiem/empty.pdf": "empty_file", "hoan-kiem/not-an-image.jpg": "unsupported_type"}


def write_fault_batch(folder: Path) -> dict[str, str]:
    """Twelve good tiny records (ten PNGs, a two-page PDF, a two-page TIFF) and two bad ones.
    Returns key -> expected final state."""
    for key in [*GOOD_KEYS, *BAD_KEYS]:
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
    for i in range(1, N_PNG + 1):
        tiny_page([f"Quyết định số {i}/QĐ-UBND", f"Ủy ban nhân dân phường số {i}"]).save(
            folder / f"cau-giay/qd-{i:02d}.png", dpi=(200, 200)
        )
    pdf_pages = [tiny_page(["Công văn số 45/UBND-VP"]), tiny_page(["Trang hai của công văn"])]
    pdf_pages[0].save(
        folder / "dong-da/cv-2p.pdf", save_all=True, append_images=pdf_pages[1:], resolution=200
    )
    tif_pages = [tiny_page(["Báo cáo số 88/BC-UBND"]), tiny_page(["Phụ lục số liệu"])]
    tif_pages[0].save(
        folder / "long-bien/bc.tif",
        save_all=True,
        append_images=tif_pages[1:],
        compression="tiff_deflate",
        dpi=(200, 200),
    )
    (folder / "hoan-kiem/empty.pdf").write_bytes(b"")
    (folder / "hoan-kiem/not-an-image.jpg").write_text("Đây là văn bản, không phải ảnh.\n")
    return {**dict.fromkeys(GOOD_KEYS, "indexed"), **dict.fromkeys(BAD_KEYS, "quarantined")}


def encrypted_copy(src: Path, dst: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password="mat-khau", owner_password="mat-khau")
    with dst.open("wb") as f:
        writer.write(f)


# -- final state -----------------------------------------------------------------------------------------

# what legitimately differs between two runs of the same input
VOLATILE = {
    "run_id",
    "processed_at",
    "indexed_at",
    "updated_at",
    "first_seen",
    "timings",
    "attempts",
    "seconds",
    "total_seconds",
}


def normalise(value: Any, processed_bucket: str) -> Any:
    if isinstance(value, dict):
        return {k: normalise(v, processed_bucket) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [normalise(v, processed_bucket) for v in value]
    if isinstance(value, str):
        return value.replace(processed_bucket, "<processed>")
    return value


@dataclass
class FinalState:
    ledger: dict[str, dict[str, Any]]  # key -> ledger entry
    docs: dict[str, dict[str, Any]]  # key -> record document (normalised)
    doc_keys: list[str]  # one per document in the index: a key twice is a duplicate
    derivative_ids: set[str]  # record ids that have derivative objects in the processed bucket
    reason_codes: dict[str, str | None] = field(default_factory=dict)

    @property
    def states(self) -> dict[str, str]:
        return {k: e["state"] for k, e in self.ledger.items()}

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in Counter(self.doc_keys).values())


def final_state(es: Any, store: Any, env: dict[str, str]) -> FinalState:
    ledger_index, alias = env["SOHOA_LEDGER_INDEX"], env["SOHOA_INDEX_ALIAS"]
    out = env["SOHOA_PROCESSED_BUCKET"]
    es.indices.refresh(index=f"{ledger_index},{alias}", ignore_unavailable=True)
    ledger = {
        h["_source"]["key"]: h["_source"]
        for h in es.search(index=ledger_index, size=1000, ignore_unavailable=True)["hits"]["hits"]
    }
    hits = es.search(index=alias, size=1000, ignore_unavailable=True)["hits"]["hits"]
    docs = {h["_source"]["key"]: normalise(h["_source"], out) for h in hits}
    derivative_ids = {o.key.split("/")[1] for o in store.list(out, "records/")}
    return FinalState(
        ledger,
        docs,
        [h["_source"]["key"] for h in hits],
        derivative_ids,
        {k: e.get("reason_code") for k, e in ledger.items()},
    )


@dataclass
class Comparison:
    lost: list[str]  # expected to be indexed, but has no document or no `indexed` ledger entry
    duplicates: int
    wrong_state: dict[str, tuple[str | None, str]]  # key -> (got, expected)
    different_docs: list[str]  # documents that differ from the undisturbed run's
    orphans: set[str]  # derivative record ids with no `indexed` ledger entry

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicates or self.wrong_state or self.different_docs or self.orphans)


def compare(got: FinalState, baseline: FinalState, record_id: Callable[[str], str]) -> Comparison:
    expected = baseline.states
    indexed = {k for k, s in expected.items() if s == "indexed"}
    lost = sorted(k for k in indexed if k not in got.docs or got.states.get(k) != "indexed")
    wrong = {k: (got.states.get(k), s) for k, s in expected.items() if got.states.get(k) != s}
    wrong.update({k: (s, "absent") for k, s in got.states.items() if k not in expected})
    different = sorted(k for k in indexed if k in got.docs and got.docs[k] != baseline.docs.get(k))
    indexed_ids = {record_id(k) for k, s in got.states.items() if s == "indexed"}
    return Comparison(lost, got.duplicates, wrong, different, got.derivative_ids - indexed_ids)


def diff_docs(a: dict[str, Any], b: dict[str, Any], path: str = "") -> list[str]:
    """Where two documents differ (for a readable assertion message)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += diff_docs(a.get(k), b.get(k), f"{path}.{k}")
        return out
    return [] if a == b else [f"{path}: {str(a)[:80]!r} != {str(b)[:80]!r}"]
