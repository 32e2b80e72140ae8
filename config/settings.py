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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", extra="ignore")

    # S3-compatible object store
    s3_endpoint: str = "127.0.0.1:7070"  # host:port, no scheme
    s3_access_key: str = "sohoa-dev"
    s3_secret_key: SecretStr = SecretStr("sohoa-dev-secret")
    s3_secure: bool = False  # TLS
    s3_region: str = "us-east-1"
    s3_ca_file: Path | None = None  # CA of the object store's TLS certificate (default: the system's)
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

    # Kibana (only for `sohoa kibana import`)
    kibana_url: str | None = None
    kibana_api_key: SecretStr | None = None

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
    # a record failing at the same version this many times is left `failed` by later runs (a page that
    # always times out would otherwise cost every run); `--reprocess-failed` retries it regardless
    max_attempts: int = Field(5, ge=1)
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
            validate_pdfa=self.validate_pdfa,
        )


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)
