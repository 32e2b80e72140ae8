"""One settings object for the whole CLI and the flows.

Sources, strongest first: keyword arguments, environment variables `SOHOA_*`, the TOML file named by
`SOHOA_CONFIG` (default `./sohoa.toml`), the URLs that `infra/servers.sh start` wrote for the local
servers (`.cache/run/servers.env`), then the defaults below. Secrets are `SecretStr`: never printed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from core.cpu import available_cores

if TYPE_CHECKING:
    from pipeline.run.context import RunConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVERS_ENV = REPO_ROOT / ".cache" / "run" / "servers.env"


# What a backlog's parent hands its chunk runs: where results go and how records are judged must be the same
# on every machine. Endpoints, secrets, the machine's name and its parallelism stay each machine's own.
SHARED_WITH_CHUNKS = (
    "processed_bucket",
    "index_alias",
    "ledger_index",
    "audit_index",  # the corrections every reprocessed record keeps
    "validate_pdfa",
    "tesseract_lang",
    "page_timeout",
    "max_pages",
    "max_pixels",
    "min_free_tmp_mb",
    "server_wait",
    "flush_every",
    "max_attempts",
    "claim_lease",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", extra="ignore")

    # S3-compatible object store
    s3_endpoint: str = "127.0.0.1:7070"  # host:port, no scheme
    s3_access_key: str = "sohoa-dev"
    s3_secret_key: SecretStr = SecretStr("sohoa-dev-secret")
    s3_secure: bool = False  # TLS
    s3_ca_file: Path | None = None  # the CA of the server's certificate, if the system does not trust it
    s3_region: str = "us-east-1"
    intake_bucket: str = "sohoa-intake"
    processed_bucket: str = "sohoa-processed"
    presign_expiry_seconds: int = Field(3600, ge=60, le=7 * 24 * 3600)

    # Elasticsearch
    es_url: str = "http://127.0.0.1:9200"
    es_api_key: SecretStr | None = None
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_ca_file: Path | None = None
    es_timeout: float = 30.0  # seconds one request may take
    index_alias: str = "sohoa-records"
    ledger_index: str = "sohoa-ledger"
    audit_index: str = "sohoa-audit"  # corrections and review marks (append-only)
    users_index: str = "sohoa-users"  # who may log in to `sohoa serve`

    # Kibana (only for `sohoa kibana import`)
    kibana_url: str | None = None
    kibana_api_key: SecretStr | None = None

    # The web application (`sohoa serve`)
    web_host: str = "127.0.0.1"  # loopback: put the center's reverse proxy in front (docs/web.md)
    web_port: int = Field(8080, ge=0, le=65535)
    web_public_url: str | None = None  # how archivists reach it (Kibana's links point there)
    # signs the session cookies; several instances behind one proxy need the same key. Unset: a random
    # key per start (everyone logs in again after a restart)
    web_secret_key: SecretStr | None = None
    web_cookie_secure: bool = True  # cookies only over HTTPS (browsers also allow them on localhost)
    web_session_hours: float = Field(8.0, gt=0, le=24 * 7)
    web_login_attempts: int = Field(5, ge=1)  # failed logins per name and address per window
    web_login_window_seconds: int = Field(300, ge=1)
    web_cache_dir: Path | None = None  # rendered page images (default: .cache/web under the checkout)
    web_forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-For is believed

    # OCR
    tesseract_lang: str = "vie"
    tessdata_dir: Path | None = None
    # a PDF page whose own text layer passes the checks (ocr/textlayer.py) is read from it, not OCR-ed
    text_layer: bool = True
    page_timeout: float = Field(300.0, gt=0)  # seconds per page, all its Tesseract calls together
    max_pages: int = Field(2000, ge=1)
    max_pixels: int = Field(200_000_000, ge=1_000_000)  # decompression-bomb guard, per page
    # a record starts only with this much free space in the temp folder (plus twice its size); 0: no check
    min_free_tmp_mb: int = Field(256, ge=0)

    # How long a record (or one step of a run) waits in total for a server that does not answer,
    # across all its retries, before it fails (the record ends `failed`; the next run retries it)
    server_wait: float = Field(60.0, ge=0)

    # Parallelism and batching
    workers: int = Field(default_factory=available_cores, ge=1)
    flush_every: int = Field(20, ge=1, le=1000)  # records per bulk index request and ledger write
    # Each record a Prefect task run (seen one by one in the Prefect UI), or a plain call on a thread (the
    # default): per-record task runs cost the Prefect server ~40 ms of CPU and a few events per record, a
    # load that grows with the backlog, while the ledger and the run report already say what each did.
    record_tasks: bool = False
    # a record failing at the same version this many times is left `failed` by later runs (a page that
    # always times out would otherwise cost every run); `--reprocess-failed` retries it regardless
    max_attempts: int = Field(5, ge=1)
    # A record is claimed in the ledger before its OCR; the claim's lease is renewed while the record runs
    # (every third of it). When a worker dies, its records wait this long before another may take them.
    claim_lease: float = Field(300.0, ge=5)
    host: str | None = None  # this machine's name in claims and reports (default: the hostname)
    validate_pdfa: bool = False  # veraPDF checks each PDF/A derivative; the verdict goes into the record

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("SOHOA_CONFIG", "sohoa.toml"))
        servers_env = Path(os.environ.get("SOHOA_SERVERS_ENV", SERVERS_ENV))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
            DotEnvSettingsSource(settings_cls, env_file=servers_env, env_prefix="SOHOA_"),
        )

    def shared_with_chunks(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in SHARED_WITH_CHUNKS}

    def s3_url(self) -> str:
        return f"{'https' if self.s3_secure else 'http'}://{self.s3_endpoint}"

    def run_config(self) -> RunConfig:
        """What one batch run needs of the settings (no secrets: those went into the clients)."""
        from ocr.engine import OcrOptions  # here: `sohoa --help` need not load OpenCV
        from pipeline.run.context import RunConfig

        return RunConfig(
            processed_bucket=self.processed_bucket,
            index_alias=self.index_alias,
            ledger_index=self.ledger_index,
            audit_index=self.audit_index,
            ocr=OcrOptions(
                lang=self.tesseract_lang,
                pdf=True,
                page_timeout=self.page_timeout,
                max_pages=self.max_pages,
                max_pixels=self.max_pixels,
                tessdata_dir=self.tessdata_dir,
                text_layer=self.text_layer,
            ),
            server_wait=self.server_wait,
            min_free_tmp_mb=self.min_free_tmp_mb,
            flush_every=self.flush_every,
            max_attempts=self.max_attempts,
            claim_lease=self.claim_lease,
            host=self.host,
            validate_pdfa=self.validate_pdfa,
        )


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)
