"""`sohoa prefect setup`: the work pools and the zombie automation a backlog on many machines needs."""

from __future__ import annotations

import typer
from rich.console import Console

from cli.errors import SohoaGroup
from flows.setup import CHUNK_POOL, CONTROL_POOL, DEFAULT_ZOMBIE_AFTER, setup

console = Console()

prefect_app = typer.Typer(
    cls=SohoaGroup,
    name="prefect",
    help="Prefect server setup for backlogs spread over several machines.",
    no_args_is_help=True,
)


@prefect_app.command("setup")
def setup_command(
    zombie_after: int = typer.Option(
        DEFAULT_ZOMBIE_AFTER,
        min=60,
        help="seconds without a heartbeat before a flow run is marked Crashed (at least three times "
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY of the workers)",
    ),
) -> None:
    """Create the work pools and the automation that crashes silent flow runs (idempotent)."""
    done = setup(zombie_after)
    for pool in (CHUNK_POOL, CONTROL_POOL):
        console.print(f"work pool {pool}: {'created' if pool in done.pools_created else 'already there'}")
    console.print(f"automation 'crash silent flow runs' (after {zombie_after} s): {done.automation}")
    console.print("next: `prefect deploy --all` in this checkout, then a worker on each machine (README)")
