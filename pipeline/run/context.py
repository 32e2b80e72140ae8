"""What a run's record jobs share: the clients, the run id, and the settings they need (no secrets)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from elasticsearch import Elasticsearch

from core.retry import RetryBudget, with_retries
from core.worker import WorkerId, this_worker
from ocr.engine import OcrOptions
from search.ledger import LedgerEntry, get_states
from storage.objects import ObjectStore


@dataclass(frozen=True)
class RunConfig:
    processed_bucket: str = "sohoa-processed"
    index_alias: str = "sohoa-records"
    ledger_index: str = "sohoa-ledger"
    audit_index: str = "sohoa-audit"  # editors' corrections, applied to every reprocessed record
    ocr: OcrOptions = field(default_factory=lambda: OcrOptions(pdf=True))
    server_wait: float = 60.0  # seconds a record waits in total for a server (core.retry)
    min_free_tmp_mb: int = 256  # a record starts only with this much free temp space (plus 2x its size)
    flush_every: int = 20  # records per bulk index request and ledger write
    max_attempts: int = 5  # a record failing (or killing its worker) this often at one version is left failed
    claim_lease: float = 300.0  # seconds a record's claim holds unless renewed (renewed every third of it)
    host: str | None = None  # this machine's name in claims and reports (default: the hostname)
    validate_pdfa: bool = False  # veraPDF judges each PDF/A derivative; the verdict goes into the record


@dataclass
class RunContext:
    config: RunConfig
    store: ObjectStore
    es: Elasticsearch
    run_id: str
    tmp_dir: Path | None = None

    @property
    def worker(self) -> WorkerId:
        """This process, as its claims and ledger entries name it."""
        return this_worker(self.config.host)

    def ledger_states(self, ids: list[str]) -> dict[str, LedgerEntry]:
        """The ledger entries of these record ids (batched), waiting for Elasticsearch within a budget."""
        states, _ = with_retries(
            lambda: get_states(self.es, ids, index=self.config.ledger_index),
            budget=self.budget(),
            what="ledger",
        )
        return states

    def budget(self) -> RetryBudget:
        """A fresh wait budget: one per record, one per step of the run."""
        return RetryBudget(self.config.server_wait)

    def ocr_options(self, workdir: Path) -> OcrOptions:
        return replace(self.config.ocr, workdir=workdir)
