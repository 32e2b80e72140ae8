"""The production files: compose stack and Prefect deployments are well-formed and hold no secrets."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "infra" / "compose.yaml"
SECRET_VARS = [
    "ELASTIC_PASSWORD",
    "KIBANA_PASSWORD",
    "MINIO_ROOT_USER",
    "MINIO_ROOT_PASSWORD",
    "SOHOA_S3_ACCESS_KEY",
    "SOHOA_S3_SECRET_KEY",
    "SOHOA_ES_API_KEY",
    "PREFECT_DB_PASSWORD",
]


def test_compose_has_the_whole_stack_and_no_literal_secrets() -> None:
    spec = yaml.safe_load(COMPOSE.read_text())
    assert {"elasticsearch", "kibana", "minio", "prefect-server", "worker"} <= set(spec["services"])
    assert spec["services"]["elasticsearch"]["image"].split(":")[-1].startswith("9.")
    text = COMPOSE.read_text()
    for var in SECRET_VARS:
        # every secret is a required variable from the environment, never a value in the file
        assert re.search(rf"\$\{{{var}(:\?[^}}]*)?\}}", text), var
    for svc in spec["services"].values():
        for value in (svc.get("environment") or {}).values():
            assert "PASSWORD" not in str(value) or "${" in str(value)


def _compose_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="the docker compose plugin is not installed here")
def test_docker_compose_config_passes() -> None:
    env = {v: "x" for v in SECRET_VARS} | {"PATH": "/usr/bin:/bin:/usr/local/bin"}
    subprocess.run(["docker", "compose", "-f", str(COMPOSE), "config", "-q"], check=True, env=env)


def test_prefect_deployments_point_at_their_flows() -> None:
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in spec["deployments"]}
    pools = {
        "digitize-batch": "sohoa-process",
        "digitize-chunk": "sohoa-process",
        "digitize-backlog": "sohoa-control",
    }
    assert set(deployments) == set(pools)
    for name, deployment in deployments.items():
        path, func = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        flow = getattr(module, func)
        # the parent starts chunks by "<flow name>/<deployment name>": the two must be the same
        assert flow.name == name
        # every parameter the deployment sets is one the flow accepts
        assert set(deployment.get("parameters", {})) <= set(flow.parameters.properties)
        assert deployment["work_pool"]["name"] == pools[name]
        env = deployment["work_pool"]["job_variables"]["env"]
        assert env["OMP_THREAD_LIMIT"] == "1" and env["DO_NOT_TRACK"] == "1"
