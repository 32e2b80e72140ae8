"""What the Prefect server needs for sohoa's fan-out, set up idempotently (`sohoa prefect setup`):

- the process work pools: `sohoa-process` (chunk runs: one worker per OCR machine, `--limit 1`) and
  `sohoa-control` (the backlog's parent runs, which mostly wait: a worker on the server's machine);
- the automation that marks a flow run `Crashed` when its heartbeats stop (its machine died, or lost the
  network): Prefect's zombie detection. The parent of a backlog sees the crash and starts the chunk again.
  Flow runs send a heartbeat every `PREFECT_FLOWS_HEARTBEAT_FREQUENCY` seconds (set on the workers); the
  automation waits `zombie_after` seconds (three heartbeats or more) before it decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.settings import get_current_settings
from prefect.workers.process import ProcessWorker

from core.errors import ConfigError

CHUNK_POOL = "sohoa-process"
CONTROL_POOL = "sohoa-control"
ZOMBIE_AUTOMATION = "sohoa: crash flow runs whose heartbeats stopped"
SOHOA_TAG = "sohoa"  # on every run of sohoa's deployments (prefect.yaml) and on every chunk run
DEFAULT_ZOMBIE_AFTER = 540  # three missed heartbeats at Prefect's default 180 s


@dataclass
class SetupReport:
    pools_created: list[str]
    automation: str  # created | updated | unchanged


def zombie_automation(zombie_after: float) -> AutomationCore:
    """After a sohoa flow run starts running, and after each of its heartbeats, expect another event of it
    (heartbeat or state) within `zombie_after` seconds; if none comes, the run is a zombie: mark it Crashed.

    `Running` arms it too, not only heartbeats: a machine that dies in the seconds after its run started may
    never get its first heartbeat out, and that run would stay `Running` for ever. Only runs tagged `sohoa`
    (the deployments' runs) are watched: another flow on the same server may send heartbeats less often."""
    return AutomationCore(
        name=ZOMBIE_AUTOMATION,
        description="sohoa: a chunk run whose machine went silent is crashed, so its backlog starts it again",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat", "prefect.flow-run.Running"},
            expect={"prefect.flow-run.*"},
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            match_related=ResourceSpecification(
                {"prefect.resource.role": "tag", "prefect.resource.id": [f"prefect.tag.{SOHOA_TAG}"]}
            ),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=zombie_after),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=f"no heartbeat for {zombie_after:.0f} s: its machine died or lost the network",
            )
        ],
    )


def ensure_pools(pools: tuple[str, ...] = (CHUNK_POOL, CONTROL_POOL)) -> list[str]:
    """Create the process work pools that are missing; returns those created."""
    created = []
    template = ProcessWorker.get_default_base_job_template()
    with get_client(sync_client=True) as client:
        for name in pools:
            try:
                client.create_work_pool(WorkPoolCreate(name=name, type="process", base_job_template=template))
                created.append(name)
            except ObjectAlreadyExists:
                pass
    return created


def same_automation(existing: dict[str, Any], wanted: AutomationCore) -> bool:
    """Whether the server's automation (as it returned it) is `wanted`. Compared as Python values: the
    trigger's event names are sets, and a set's order in a JSON dump changes with the order its members
    were added and the process's hash seed (the same automation compared as JSON came out "updated" now
    and then)."""
    return AutomationCore.model_validate(existing).model_dump() == wanted.model_dump()


def ensure_zombie_automation(zombie_after: float = DEFAULT_ZOMBIE_AFTER) -> str:
    """Create the automation, or bring an existing one of the same name up to date."""
    wanted = zombie_automation(zombie_after)
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(ZOMBIE_AUTOMATION)
        if not existing:
            client.create_automation(wanted)
            return "created"
        first, *extra = existing
        for duplicate in extra:  # two setups raced: keep one
            client.delete_automation(duplicate.id)
        if same_automation(first.model_dump(), wanted):
            return "unchanged"
        client.update_automation(first.id, wanted)
        return "updated"


def setup(zombie_after: float = DEFAULT_ZOMBIE_AFTER) -> SetupReport:
    return SetupReport(ensure_pools(), ensure_zombie_automation(zombie_after))


def require_fanout(deployment: str, pool: str = CHUNK_POOL) -> int:
    """Check that a backlog can be spread: a Prefect server (not the ephemeral one a single machine runs),
    the chunk deployment on it, and workers in its pool. Returns the number of online workers (0 is only
    a warning: runs wait until a worker starts). Raises ConfigError with the fix otherwise."""
    if not get_current_settings().api.url:
        raise ConfigError(
            "distributed runs need a Prefect server shared by the machines; PREFECT_API_URL is not set",
            hint="start one (`prefect server start`, or infra/compose.yaml) and set "
            "PREFECT_API_URL=http://<server>:4200/api here and on every worker",
        )
    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(deployment)
        except ObjectNotFound:
            raise ConfigError(
                f"the Prefect deployment {deployment!r} does not exist on {get_current_settings().api.url}",
                hint="run `sohoa prefect setup` and `prefect deploy --all` in the sohoa checkout",
            ) from None
        workers = client.read_workers_for_work_pool(pool)
    return sum(1 for w in workers if str(getattr(w, "status", "")).upper().endswith("ONLINE"))
