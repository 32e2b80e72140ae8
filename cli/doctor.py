"""`sohoa doctor`: one table that says whether every part works, and how to fix what does not; and the
same probes as the preflight of `sohoa run`, which stops at the first missing part with its fix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import typer
from rich.console import Console
from rich.table import Table

from config.clients import es_client, object_store
from config.settings import Settings, load_settings
from core.errors import ExitCode, SohoaError
from ocr import poppler, tesseract
from search.client import server_info


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def probe_tesseract(settings: Settings) -> str:
    models = tesseract.require_languages(settings.tesseract_lang, settings.tessdata_dir)
    return f"{tesseract.version()}; models: {', '.join(models)}"


def probe_poppler(_: Settings) -> str:
    return poppler.version()


def probe_s3(settings: Settings) -> str:
    return f"{len(object_store(settings).buckets())} bucket(s) visible to {settings.s3_access_key}"


def probe_es(settings: Settings) -> str:
    version, health = server_info(es_client(settings))
    if not version.startswith("9."):
        raise SohoaError(
            f"Elasticsearch {version} at {settings.es_url}", hint="sohoa needs Elasticsearch 9.x"
        )
    return f"version {version}, cluster {health}"


def probe_prefect(_: Settings) -> str:
    import prefect
    from prefect.settings import PREFECT_API_URL

    api = PREFECT_API_URL.value()
    return f"{prefect.__version__}, {f'server {api}' if api else 'local ephemeral (SQLite)'}"


PROBES: list[tuple[Callable[[Settings], str], Callable[[Settings], str]]] = [
    (lambda s: f"tesseract ({s.tesseract_lang})", probe_tesseract),
    (lambda s: "poppler", probe_poppler),
    (lambda s: f"S3 {s.s3_url()}", probe_s3),
    (lambda s: f"Elasticsearch {s.es_url}", probe_es),
    (lambda s: "prefect", probe_prefect),
]


def run_checks(settings: Settings) -> list[Check]:
    results: list[Check] = []
    for name, probe in PROBES:
        try:
            results.append(Check(name(settings), True, probe(settings)))
        except SohoaError as exc:
            results.append(Check(name(settings), False, exc.message, exc.hint))
        except Exception as exc:  # a probe that crashes is an answer too
            results.append(Check(name(settings), False, f"check crashed: {type(exc).__name__}: {exc}"))
    return results


def preflight(settings: Settings, bucket: str) -> None:
    """What a local run needs, checked before it starts: raises the first missing part's error."""
    probe_tesseract(settings)
    probe_es(settings)
    object_store(settings).require_bucket(bucket)


def doctor_command() -> None:
    """Check tesseract and its model, poppler, the S3 server, Elasticsearch and Prefect."""
    results = run_checks(load_settings())
    table = Table(title="sohoa doctor")
    for col in ("part", "status", "detail", "fix"):
        table.add_column(col)
    for r in results:
        table.add_row(r.name, "[green]ok[/]" if r.ok else "[red]FAIL[/]", r.detail, r.fix)
    Console().print(table)
    if not all(r.ok for r in results):
        raise typer.Exit(ExitCode.failures)
