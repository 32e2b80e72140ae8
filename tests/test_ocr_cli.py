"""The `sohoa ocr` contract: files written per input, exit code, per-file reason on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from cli.ocr import ocr_command
from tests.fixtures.ocr.pages import render_page, save


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(ocr_command)
    return app


def _run(args: list[str]):  # type: ignore[no-untyped-def]
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click >= 8.2 keeps stderr apart already
        runner = CliRunner()
    return runner.invoke(_app(), args)


def test_cli_writes_outputs_and_reports_failures(tmp_path: Path) -> None:
    good = save(render_page(size=(1200, 500), font_px=44), tmp_path / "good.png")
    (tmp_path / "bad.jpg").write_text("this is not an image")
    (tmp_path / "empty.tif").write_bytes(b"")
    out = tmp_path / "out"
    res = _run(
        [
            str(good),
            str(tmp_path / "bad.jpg"),
            str(tmp_path / "empty.tif"),
            "--out",
            str(out),
            "--pdf",
            "--jobs",
            "1",
        ]
    )
    assert res.exit_code != 0
    assert "bad.jpg: unsupported_type" in res.stderr and "empty.tif: empty_file" in res.stderr
    text = (out / "good.txt").read_text(encoding="utf-8")
    assert "Hạnh phúc" in text
    data = json.loads((out / "good.json").read_text(encoding="utf-8"))
    page = data["pages"][0]
    assert page["words"] and page["mean_conf"] > 50 and page["steps"] and page["timings"]["tesseract"] > 0
    assert "metadata" in data
    assert (out / "good.pdf").read_bytes().startswith(b"%PDF")
    assert not (out / "bad.txt").exists()
    assert sorted(p.name for p in out.iterdir()) == ["good.json", "good.pdf", "good.txt"]  # no temp left


def test_cli_multipage_form_feed_and_parallel_jobs(tmp_path: Path) -> None:
    from PIL import Image

    pages = [Image.fromarray(render_page([f"Trang số {i}"], size=(700, 250), font_px=44)) for i in (1, 2)]
    pages[0].save(tmp_path / "two.tif", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    one = save(render_page(["Hà Nội"], size=(700, 250), font_px=44), tmp_path / "one.png")
    out = tmp_path / "out"
    res = _run([str(tmp_path / "two.tif"), str(one), "--out", str(out), "--jobs", "2", "--no-preprocess"])
    assert res.exit_code == 0, res.output
    text = (out / "two.txt").read_text(encoding="utf-8")
    assert (
        text.count("\f") == 1 and "Trang số 1" in text.split("\f")[0] and "Trang số 2" in text.split("\f")[1]
    )
    assert "Hà Nội" in (out / "one.txt").read_text(encoding="utf-8")
    assert len(json.loads((out / "two.json").read_text())["pages"]) == 2


def test_cli_registered_in_sohoa_app() -> None:
    from typer.testing import CliRunner

    from cli.app import app

    result = CliRunner().invoke(app, ["ocr", "--help"])
    assert result.exit_code == 0 and "--no-preprocess" in result.output
