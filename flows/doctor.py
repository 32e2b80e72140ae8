"""`sohoa doctor`: one table that says whether every part works, and how to fix what does not."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import typer
from rich.console import Console
from rich.table import Table

from flows.settings import Settings, load_settings
from flows.tls import tls_check_text, tls_failure


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _run(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=True)
    return (out.stdout + out.stderr).strip()


def check_tesseract(settings: Settings) -> list[Check]:
    if not shutil.which("tesseract"):
        fix = "make setup (apt-get install tesseract-ocr tesseract-ocr-vie)"
        return [Check("tesseract", False, "not found on PATH", fix)]
    version = _run(["tesseract", "--version"]).splitlines()[0]
    cmd = ["tesseract", "--list-langs"]
    if settings.tessdata_dir:
        cmd += ["--tessdata-dir", str(settings.tessdata_dir)]
    langs = set(_run(cmd).splitlines()[1:])
    wanted = settings.tesseract_lang.split("+")
    missing = [lang for lang in wanted if lang not in langs]
    return [
        Check("tesseract", True, version),
        Check(
            f"tesseract model {settings.tesseract_lang}",
            not missing,
            f"installed: {', '.join(sorted(langs))}",
            f"apt-get install {' '.join('tesseract-ocr-' + m for m in missing)}" if missing else "",
        ),
    ]


def check_poppler(_: Settings) -> list[Check]:
    if not shutil.which("pdftoppm"):
        return [
            Check(
                "poppler (pdftoppm)", False, "not found on PATH", "make setup (apt-get install poppler-utils)"
            )
        ]
    return [Check("poppler (pdftoppm)", True, _run(["pdftoppm", "-v"]).splitlines()[0])]


def check_s3(settings: Settings) -> list[Check]:
    from flows.connect import object_store

    name = f"S3 {settings.s3_url()}"
    try:
        buckets = [b.name for b in object_store(settings).client.list_buckets()]
    except Exception as exc:  # any failure is the answer here
        if tls := tls_failure(exc):
            return [
                Check(
                    name,
                    False,
                    *tls_check_text("the S3 server", "SOHOA_S3_CA_FILE", settings.s3_ca_file, tls),
                )
            ]
        reason = getattr(exc, "code", None) or type(exc).__name__
        fix = (
            "check SOHOA_S3_ACCESS_KEY / SOHOA_S3_SECRET_KEY"
            if getattr(exc, "code", None)
            else ("start it: infra/servers.sh start, or set SOHOA_S3_ENDPOINT")
        )
        return [Check(name, False, f"unreachable or refused: {reason}", fix)]
    return [Check(name, True, f"{len(buckets)} bucket(s) visible to {settings.s3_access_key}")]


def check_es(settings: Settings) -> list[Check]:
    from flows.connect import es_client

    name = f"Elasticsearch {settings.es_url}"
    try:
        es = es_client(settings).options(request_timeout=5, max_retries=0)
        nodes = es.nodes.info(node_id="_local", metric="_none")  # GET / is absent in minimal distributions
        version = next(iter(nodes["nodes"].values()))["version"]
        health = es.cluster.health()["status"]
    except Exception as exc:
        if tls := tls_failure(exc):
            return [
                Check(
                    name,
                    False,
                    *tls_check_text("Elasticsearch", "SOHOA_ES_CA_FILE", settings.es_ca_file, tls),
                )
            ]
        if getattr(exc, "status_code", None) == 401:
            fix = "check SOHOA_ES_USERNAME / SOHOA_ES_PASSWORD or SOHOA_ES_API_KEY"
            return [Check(name, False, "refused: 401, no valid credentials", fix)]
        return [
            Check(
                name,
                False,
                f"unreachable or refused: {type(exc).__name__}",
                "start it: infra/servers.sh start, or set SOHOA_ES_URL / SOHOA_ES_API_KEY",
            )
        ]
    ok = version.startswith("9.")
    return [
        Check(name, ok, f"version {version}, cluster {health}", "" if ok else "sohoa needs Elasticsearch 9.x")
    ]


def check_prefect(_: Settings) -> list[Check]:
    try:
        import prefect
        from prefect.settings import PREFECT_API_URL
    except Exception as exc:
        return [Check("prefect", False, f"not importable: {exc}", "make setup")]
    api = PREFECT_API_URL.value()
    mode = f"server {api}" if api else "local ephemeral (SQLite)"
    return [Check("prefect", True, f"{prefect.__version__}, {mode}")]


CHECKS: list[Callable[[Settings], list[Check]]] = [
    check_tesseract,
    check_poppler,
    check_s3,
    check_es,
    check_prefect,
]


def run_checks(settings: Settings) -> list[Check]:
    results: list[Check] = []
    for check in CHECKS:
        try:
            results.extend(check(settings))
        except Exception as exc:
            results.append(Check(check.__name__.removeprefix("check_"), False, f"check crashed: {exc}"))
    return results


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
        raise typer.Exit(1)
