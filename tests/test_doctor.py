from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.app import app
from cli.doctor import run_checks
from config.settings import Settings


@pytest.mark.servers
def test_doctor_green_against_the_real_servers(settings: Settings, es, store) -> None:
    results = run_checks(settings)
    assert [r.name for r in results if not r.ok] == []
    names = " ".join(r.name for r in results)
    for part in ("tesseract", "poppler", "S3", "Elasticsearch", "prefect"):
        assert part in names
    es_row = next(r for r in results if r.name.startswith("Elasticsearch"))
    assert "version 9." in es_row.detail


def test_doctor_red_names_the_failure_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_ES_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("SOHOA_S3_ENDPOINT", "127.0.0.1:1")
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "FAIL" in result.output
    assert "make servers" in result.output  # the fix, for each server
    assert "127.0.0.1:1" in result.output  # the URL it tried
