"""`python -m cli ...` is the `sohoa` command."""

from cli.app import app

app()
