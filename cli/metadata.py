"""`sohoa metadata FILE.txt...`: one JSON object per input file, one per line (JSON Lines)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from core.errors import ConfigError, ExitCode
from pipeline.describe import MAX_CHARS, describe_text
from pipeline.exports import write_batch

_HEAD_BYTES = 4 * MAX_CHARS  # UTF-8 Vietnamese is at most ~3 bytes a character
_TAIL_BYTES = 800_000


def read_text_file(path: Path) -> str:
    """The text of a file, whatever it holds: bad bytes are replaced, a huge file is read head and tail."""
    size = path.stat().st_size
    with path.open("rb") as f:
        if size <= _HEAD_BYTES + _TAIL_BYTES:
            data = f.read()
        else:
            head = f.read(_HEAD_BYTES)
            f.seek(size - _TAIL_BYTES)
            data = head + b"\n\f\n" + f.read()
    return data.decode("utf-8", errors="replace")


def describe_file(path: Path, district_hint: str | None = None) -> dict[str, Any]:
    try:
        text = read_text_file(path)
    except OSError as exc:
        return {"file": str(path), "error": f"cannot read {path}: {exc.strerror or exc}"}
    return {"file": str(path), **describe_text(text, district_hint=district_hint)}


def metadata_command(
    files: list[Path] = typer.Argument(..., help="OCR text files (pages separated by form feeds)"),
    export_dir: Path | None = typer.Option(
        None, "--export-dir", help="also write the national exports (Decree 30 app. VI, archival) here"
    ),
    batch_config: Path | None = typer.Option(
        None, "--batch-config", help="JSON object of batch values the page never shows (file_code, ...)"
    ),
    batch_name: str = typer.Option("batch", "--batch-name", help="file name stem of the exports"),
    district_hint: str | None = typer.Option(
        None,
        "--district",
        help="slug of the former district the texts come from (cau-giay): settles a commune name "
        "several districts share, as the upload prefix does in a batch run",
    ),
) -> None:
    """Extract the metadata of OCR text files: one JSON object per file on its own line."""
    config: dict[str, Any] = {}
    if batch_config is not None:
        try:
            config = json.loads(batch_config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the batch config {batch_config}: {exc}") from exc
        if not isinstance(config, dict):
            raise ConfigError(f"the batch config {batch_config} must hold a JSON object")
    failed = 0
    records: list[dict[str, Any]] = []
    for path in files:
        record = describe_file(path, district_hint)
        failed += "error" in record
        if export_dir is not None and "error" not in record:
            records.append(record)
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if export_dir is not None:
        paths = write_batch(records, export_dir, config, batch_name)
        typer.echo("exports: " + ", ".join(str(p) for p in paths.values()), err=True)
    if failed:
        raise typer.Exit(ExitCode.failures)
