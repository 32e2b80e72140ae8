"""The `sohoa` command: the sub-commands, wired in one place, under one error handler (`cli.errors`)."""

from __future__ import annotations

import logging
import os

import typer

from cli import batch, districts, doctor, export, fanout, kibana, metadata, ocr, search, serve, upload, users
from cli.errors import SohoaGroup

app = typer.Typer(
    name="sohoa",
    cls=SohoaGroup,
    help="Digitize Vietnamese administrative records: OCR, metadata, search.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    debug: bool = typer.Option(False, "--debug", help="show the traceback of an error (also SOHOA_DEBUG=1)"),
) -> None:
    """Digitize Vietnamese administrative records: OCR, metadata, search."""
    if debug:
        os.environ["SOHOA_DEBUG"] = "1"
    else:
        # the client logs every failed connection; the error handler says it once, with the fix
        logging.getLogger("elastic_transport").setLevel(logging.ERROR)


app.command("doctor")(doctor.doctor_command)
app.command("run")(batch.run_command)
app.command("status")(batch.status_command)
app.command("failures")(batch.failures_command)
app.command("demo")(batch.demo_command)
app.command("upload")(upload.upload_command)
app.command("search")(search.search_command)
app.command("ocr")(ocr.ocr_command)
app.command("metadata")(metadata.metadata_command)
app.add_typer(kibana.kibana_app, name="kibana")
app.add_typer(districts.districts_app, name="units")
app.add_typer(districts.districts_app, name="districts")  # the name from before the communes had identities
app.add_typer(export.export_app, name="export")
app.command("serve")(serve.serve_command)
app.add_typer(users.users_app, name="users")
app.add_typer(fanout.prefect_app, name="prefect")
