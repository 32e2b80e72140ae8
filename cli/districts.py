"""`sohoa units list|policies|provision|revoke` (also `sohoa districts ...`): per-unit upload identities,
for the 126 communes and the 30 former districts.

Output names access keys and areas only; secrets go to the credentials file and nowhere else.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from cli.errors import SohoaGroup
from config.clients import object_store, s3_admin
from config.settings import Settings, load_settings
from core.errors import ConfigError, ExitCode
from storage.districts import LEVELS, Layout, load_units, policy_documents, render_policy, write_policies
from storage.objects import ObjectStore
from storage.provision import ProvisionResult, credentials_entries, provision, revoke, write_credentials
from storage.versity_admin import VersityAdmin

__all__ = ["districts_app"]

REPO_ROOT = Path(__file__).resolve().parents[1]
POLICIES_DIR = REPO_ROOT / "infra" / "policies"
DEFAULT_CREDENTIALS = Path.home() / ".sohoa" / "credentials.toml"

districts_app = typer.Typer(
    cls=SohoaGroup,
    help="Per-unit upload identities (communes, former districts) on the object store, and their policies.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)


KEY_PREFIX_HELP = "access keys are <prefix><slug>; another prefix keeps e.g. a staging set apart"
LEVEL_HELP = "communes (the 126 units since July 2025), districts (the 30 former ones, backlog) or all"


def _level(value: str) -> str:
    if value not in LEVELS:
        raise typer.BadParameter(f"{value!r}: choose one of {', '.join(LEVELS)}")
    return value


def _servers(key_prefix: str) -> tuple[Settings, Layout, VersityAdmin, ObjectStore]:
    settings = load_settings()
    admin = s3_admin(settings)
    layout = Layout(settings.intake_bucket, settings.processed_bucket, key_prefix)
    return settings, layout, admin, object_store(settings)


def _show(result: ProvisionResult) -> None:
    table = Table("identity", "access key", "may", "status")
    for ident in result.identities:
        table.add_row(
            ident.name,
            ident.access_key,
            ident.area,
            ident.status + (f" ({ident.note})" if ident.note else ""),
        )
    console.print(table)
    console.print(f"intake bucket policy names {len(result.intake_districts)} unit(s)")


@districts_app.command("list")
def list_command(
    level: str = typer.Option("all", "--level", callback=_level, help=LEVEL_HELP),
) -> None:
    """Hanoi's communes (since July 2025) and former districts: slugs and upload areas."""
    layout = Layout()
    table = Table("code", "slug", "name", "access key", "area")
    for u in load_units(level):
        table.add_row(
            u.code, u.slug, u.name, layout.district_access_key(u.slug), layout.district_area(u.slug)
        )
    console.print(table)


@districts_app.command("policies")
def policies_command(
    out: Path = typer.Option(POLICIES_DIR, "--out", help="folder for the JSON documents"),
    check: bool = typer.Option(False, "--check", help="write nothing; exit 1 if the files differ"),
) -> None:
    """Write the policy documents (MinIO user policies, versitygw bucket policies) to --out."""
    if check:
        stale = [
            rel
            for rel, doc in policy_documents().items()
            if not (out / rel).is_file() or (out / rel).read_text(encoding="utf-8") != render_policy(doc)
        ]
        for rel in stale:
            err_console.print(f"stale: {out / rel}")
        if stale:
            err_console.print("run `sohoa units policies` and commit the result")
            raise typer.Exit(ExitCode.failures)
        console.print(f"{len(policy_documents())} policy documents up to date in {out}")
        return
    paths = write_policies(out)
    console.print(f"wrote {len(paths)} policy documents to {out}")


@districts_app.command("provision")
def provision_command(
    district: list[str] = typer.Option(
        None, "--unit", "--district", "-d", help="unit slug (repeatable); every unit of --level when omitted"
    ),
    level: str = typer.Option("all", "--level", callback=_level, help=LEVEL_HELP),
    out: Path = typer.Option(
        DEFAULT_CREDENTIALS, "--out", help="credentials file (TOML, mode 0600); new secrets go only here"
    ),
    rotate: bool = typer.Option(False, "--rotate", help="give existing identities new secrets"),
    pipeline: bool = typer.Option(True, "--pipeline/--no-pipeline", help="also the pipeline's identity"),
    key_prefix: str = typer.Option(Layout.key_prefix, "--key-prefix", help=KEY_PREFIX_HELP),
) -> None:
    """Create the unit (and pipeline) identities, buckets and policies on the local versitygw.

    Idempotent: existing identities keep their secrets unless --rotate. For MinIO see docs/security.md.
    """
    if out.resolve().is_relative_to(REPO_ROOT):
        # One `git add .` away from publishing every district's key.
        raise ConfigError(f"{out} is inside the repository", hint="write secrets elsewhere (--out)")
    settings, layout, admin, store = _servers(key_prefix)

    def save(result: ProvisionResult) -> None:
        entries = credentials_entries(result, layout, settings.s3_endpoint)
        if entries:
            write_credentials(out, entries)

    names = district or [u.slug for u in load_units(level)]
    result = provision(admin, store, layout, names, pipeline=pipeline, rotate=rotate, save=save)
    _show(result)
    fresh = sum(1 for i in result.identities if i.secret is not None)
    if fresh:
        console.print(
            f"{fresh} new secret(s) written to {out} (mode 0600); hand each office only its section"
        )
    else:
        console.print("no new secrets (existing identities keep theirs; --rotate to replace them)")


@districts_app.command("revoke")
def revoke_command(
    names: list[str] = typer.Argument(..., help="unit slugs, or `pipeline`"),
    out: Path | None = typer.Option(
        None, "--out", help="also drop their sections from this credentials file"
    ),
    key_prefix: str = typer.Option(Layout.key_prefix, "--key-prefix", help=KEY_PREFIX_HELP),
) -> None:
    """Delete identities: their keys stop working at once, and the bucket policy forgets them."""
    _, layout, admin, store = _servers(key_prefix)
    result = revoke(admin, store, layout, names)
    if out is not None and out.exists():
        write_credentials(out, {}, remove=names)
    _show(result)
