"""What a run's record jobs share: the clients, the run id, and the settings they need (no secrets)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from elasticsearch import Elasticsearch

from core.retry import RetryBudget
from ocr.engine import OcrOptions
from storage.objects import ObjectStore


@dataclass(frozen=True)
class RunConfig:
    processed_bucket: str = "sohoa-processed"
    index_alias: str = "sohoa-records"
    ledger_index: str = "sohoa-ledger"
    ocr: OcrOptions = field(default_factory=lambda: OcrOptions(pdf=True))
    server_wait: float = 60.0  # seconds a record waits in total for a server (core.retry)
    min_free_tmp_mb: int = 256  # a record starts only with this much free temp space (plus 2x its size)
    flush_every: int = 20  # records per bulk index request and ledger write
    max_attempts: int = 5  # a record failing this often at the same version is left failed
    validate_pdfa: bool = False  # veraPDF judges each PDF/A derivative; the verdict goes into the record


@dataclass
class RunContext:
    config: RunConfig
    store: ObjectStore
    es: Elasticsearch
    run_id: str
    tmp_dir: Path | None = None

    def budget(self) -> RetryBudget:
        """A fresh wait budget: one per record, one per step of the run."""
        return RetryBudget(self.config.server_wait)

    def ocr_options(self, workdir: Path) -> OcrOptions:
        return replace(self.config.ocr, workdir=workdir)
