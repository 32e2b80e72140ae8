"""The `sohoa` command. Each sub-command lives beside the code it drives; this file only wires them."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="sohoa",
    help="Digitize Vietnamese administrative records: OCR, metadata, search.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main() -> None:
    """Digitize Vietnamese administrative records: OCR, metadata, search."""


from flows import doctor  # noqa: E402

app.command("doctor")(doctor.doctor_command)

from flows import commands  # noqa: E402

app.command("run")(commands.run_command)
app.command("status")(commands.status_command)
app.command("failures")(commands.failures_command)
app.command("upload")(commands.upload_command)
app.command("demo")(commands.demo_command)

from search.cli import kibana_app, search_command  # noqa: E402

app.command("search")(search_command)
app.add_typer(kibana_app, name="kibana")

from storage.cli import districts_app  # noqa: E402

app.add_typer(districts_app, name="units")
app.add_typer(districts_app, name="districts")  # the name from before the communes had identities

from ocr.cli import ocr_command  # noqa: E402

app.command("ocr")(ocr_command)

from pipeline.cli import metadata_command  # noqa: E402

app.command("metadata")(metadata_command)
