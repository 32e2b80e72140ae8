"""`sohoa metadata FILE.txt...`: one JSON object per input file, one per line (JSON Lines)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from pipeline.describe import MAX_CHARS, describe_text

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


def describe_file(path: Path) -> dict[str, Any]:
    try:
        text = read_text_file(path)
    except OSError as exc:
        return {"file": str(path), "error": f"cannot read {path}: {exc.strerror or exc}"}
    return {"file": str(path), **describe_text(text)}


def metadata_command(
    files: list[Path] = typer.Argument(..., help="OCR text files (pages separated by form feeds)"),
) -> None:
    """Extract the metadata of OCR text files: one JSON object per file on its own line."""
    failed = 0
    for path in files:
        record = describe_file(path)
        failed += "error" in record
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if failed:
        raise typer.Exit(code=1)
