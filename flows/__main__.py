"""`python -m flows ...` is the `sohoa` command."""

from flows.cli import app

app()
