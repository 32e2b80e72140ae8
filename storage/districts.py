"""Hanoi's upload units — the 126 commune-level units that exist since 1 July 2025 and the 30 former
district-level units, whose offices keep the backlog — and the object-store policies that confine each.

Layout: ONE intake bucket, one prefix per unit (`s3://sohoa-intake/phuong-cau-giay/...`,
`s3://sohoa-intake/cau-giay/...`). versitygw v1.8.0 and MinIO enforce object-prefix resources and
`s3:prefix` conditions on ListBucket (proven against both servers in tests/test_districts_s3.py), so no
bucket-per-unit fallback is needed. See docs/security.md.

Slugs are ASCII, stable and unique across both lists: a former district keeps the slug of its short name
(`cau-giay`), a commune takes the slug of its full name with its kind (`phuong-cau-giay`, `xa-ba-vi`),
because 28 of the 30 district names live on as names of new communes.

Two policy flavours grant the same rights:
- production MinIO / AWS: identity policies (no Principal) attached to each user
  (`minio_policy_for_district`, `pipeline_policy`);
- local versitygw (internal IAM has no identity policies): bucket policies whose statements are the
  identity statements of each user, with that user's access key as Principal
  (`policy_for_district`, `intake_bucket_policy`, `processed_bucket_policy`).
Deriving the second from the first keeps the two from drifting apart.

A unit may: list its own prefix, write (PUT, multipart) under it, and read back (GET/HEAD) what
is under it, which resumable uploads need. Nothing else: no delete, no other prefix, no other bucket.
The pipeline may: read and list intake, read, list and write processed. No delete anywhere.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from core.errors import ConfigError

DATA_DIR = Path(__file__).with_name("data")
DATA_FILE = DATA_DIR / "districts.json"
COMMUNES_FILE = DATA_DIR / "communes.json"
ARN = "arn:aws:s3:::"
POLICY_VERSION = "2012-10-17"

# GetObject on the own prefix: `flows/upload.py` HEADs multipart objects to compare their MD5.
DISTRICT_OBJECT_ACTIONS = (
    "s3:PutObject",
    "s3:GetObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)
PIPELINE_INTAKE_OBJECT_ACTIONS = ("s3:GetObject",)
PIPELINE_PROCESSED_OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)

Policy = dict[str, Any]


Level = Literal["commune", "district"]
LEVELS = ("communes", "districts", "all")  # the lists one may provision


@dataclass(frozen=True)
class Unit:
    code: str  # the GSO code: "005" (district), "00166" (commune)
    name: str  # "Quận Cầu Giấy", "Phường Cầu Giấy"
    short_name: str  # "Cầu Giấy"
    kind: str  # "Quận" | "Huyện" | "Thị xã" | "Phường" | "Xã"
    slug: str  # "cau-giay", "phuong-cau-giay": the prefix and part of the access key
    level: Level = "district"


_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """ASCII slug: "Cầu Giấy" → "cau-giay", "Ứng Hòa" → "ung-hoa", "Đống Đa" → "dong-da"."""
    # đ/Đ is a letter of its own, not d + a combining mark, so NFD leaves it alone.
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _SLUG_JUNK.sub("-", text).strip("-")


@cache
def load_districts() -> tuple[Unit, ...]:
    """The 30 former district-level units (the backlog), in GSO code order."""
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(Unit(**d, level="district") for d in doc["districts"])


@cache
def load_communes() -> tuple[Unit, ...]:
    """The 126 commune-level units of Hanoi since 1 July 2025, in GSO code order."""
    doc = json.loads(COMMUNES_FILE.read_text(encoding="utf-8"))
    return tuple(Unit(**c, level="commune") for c in doc["communes"])


def load_units(which: str = "all") -> tuple[Unit, ...]:
    """`communes`, `districts` or `all` (communes first)."""
    if which not in LEVELS:
        raise ConfigError(f"unknown list of units {which!r}", hint=f"choose one of {', '.join(LEVELS)}")
    return (load_communes() if which != "districts" else ()) + (
        load_districts() if which != "communes" else ()
    )


def unit(slug: str) -> Unit:
    for u in load_units():
        if u.slug == slug:
            return u
    raise ConfigError(
        f"unknown unit {slug!r}", hint=f"`sohoa units list` shows the {len(load_units())} slugs"
    )


@dataclass(frozen=True)
class Layout:
    """Where things live and how identities are named. Access key ids are not secret: they name
    the principals in the committed policies, so they are derived from the slug."""

    intake_bucket: str = "sohoa-intake"
    processed_bucket: str = "sohoa-processed"
    key_prefix: str = "sohoa-"  # keys stay within 3..20 chars, like MinIO's own: the longest is 18

    def district_access_key(self, slug: str) -> str:
        return f"{self.key_prefix}{slug}"

    @property
    def pipeline_access_key(self) -> str:
        return f"{self.key_prefix}pipeline"

    def district_prefix(self, slug: str) -> str:
        return f"{slug}/"

    def district_area(self, slug: str) -> str:
        return f"s3://{self.intake_bucket}/{self.district_prefix(slug)}"


def _sid(*parts: str) -> str:
    # AWS wants Sids of [A-Za-z0-9] only.
    return "".join(p.capitalize() for part in parts for p in re.split(r"[^A-Za-z0-9]+", part) if p)


def _doc(statements: list[Policy]) -> Policy:
    return {"Version": POLICY_VERSION, "Statement": statements}


# -- identity policies (production MinIO / AWS IAM) -----------------------------------------------------
def minio_policy_for_district(slug: str, layout: Layout = Layout()) -> Policy:
    """The IAM policy of one unit's user (a district or a commune): its own prefix of the intake bucket,
    nothing else."""
    unit(slug)  # refuse unknown slugs: a typo must not produce a policy for nobody
    bucket, prefix = layout.intake_bucket, layout.district_prefix(slug)
    return _doc(
        [
            {
                # Harmless, and clients that do not preset the region (mc, minio-py) ask for it first.
                "Sid": _sid("Locate", slug),
                "Effect": "Allow",
                "Action": ["s3:GetBucketLocation"],
                "Resource": [f"{ARN}{bucket}"],
            },
            {
                "Sid": _sid("List", slug),
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [f"{ARN}{bucket}"],
                # Only listings under "<slug>/": a bare "<slug>" prefix would also list "<slug>-x/".
                "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}},
            },
            {
                "Sid": _sid("Write", slug),
                "Effect": "Allow",
                "Action": list(DISTRICT_OBJECT_ACTIONS),
                "Resource": [f"{ARN}{bucket}/{prefix}*"],
            },
        ]
    )


def pipeline_policy(layout: Layout = Layout()) -> Policy:
    """The IAM policy of the pipeline's user: read intake, write processed, delete nothing."""
    intake, processed = layout.intake_bucket, layout.processed_bucket
    return _doc(
        [
            {
                "Sid": "PipelineLocate",
                "Effect": "Allow",
                "Action": ["s3:GetBucketLocation"],
                "Resource": [f"{ARN}{intake}", f"{ARN}{processed}"],
            },
            {
                "Sid": "PipelineListIntake",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [f"{ARN}{intake}"],
            },
            {
                "Sid": "PipelineReadIntake",
                "Effect": "Allow",
                "Action": list(PIPELINE_INTAKE_OBJECT_ACTIONS),
                "Resource": [f"{ARN}{intake}/*"],
            },
            {
                # ListBucket also answers HEAD bucket, which `ensure_bucket` sends.
                "Sid": "PipelineListProcessed",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [f"{ARN}{processed}"],
            },
            {
                "Sid": "PipelineWriteProcessed",
                "Effect": "Allow",
                "Action": list(PIPELINE_PROCESSED_OBJECT_ACTIONS),
                "Resource": [f"{ARN}{processed}/*"],
            },
        ]
    )


# -- bucket policies (local versitygw) -----------------------------------------------------------------
def _in_bucket(resource: str, bucket: str) -> bool:
    return resource == f"{ARN}{bucket}" or resource.startswith(f"{ARN}{bucket}/")


def bucket_statements(identity_policy: Policy, access_key: str, bucket: str) -> list[Policy]:
    """The statements of an identity policy that concern `bucket`, with `access_key` as Principal.

    versitygw's internal IAM matches a Principal by access key id, and refuses a bucket policy whose
    resources name another bucket, so each statement is cut down to this bucket's resources.
    """
    out = []
    for st in identity_policy["Statement"]:
        resources = [r for r in st["Resource"] if _in_bucket(r, bucket)]
        if not resources:
            continue
        st2 = {"Sid": st["Sid"], "Effect": st["Effect"], "Principal": {"AWS": [access_key]}}
        st2 |= {"Action": st["Action"], "Resource": resources}
        if "Condition" in st:
            st2["Condition"] = st["Condition"]
        out.append(st2)
    return out


def policy_for_district(slug: str, layout: Layout = Layout()) -> Policy:
    """The intake-bucket policy for one district alone (versitygw flavour of its IAM policy)."""
    return _doc(
        bucket_statements(
            minio_policy_for_district(slug, layout), layout.district_access_key(slug), layout.intake_bucket
        )
    )


def intake_bucket_policy(slugs: Iterable[str], layout: Layout = Layout(), pipeline: bool = True) -> Policy:
    """The one policy of the intake bucket: every given unit's statements, plus the pipeline's."""
    statements: list[Policy] = []
    for slug in sorted(set(slugs)):
        statements += policy_for_district(slug, layout)["Statement"]
    if pipeline:
        statements += bucket_statements(
            pipeline_policy(layout), layout.pipeline_access_key, layout.intake_bucket
        )
    return _doc(statements)


def processed_bucket_policy(layout: Layout = Layout()) -> Policy:
    return _doc(
        bucket_statements(pipeline_policy(layout), layout.pipeline_access_key, layout.processed_bucket)
    )


# -- the committed documents ---------------------------------------------------------------------------
def policy_documents(layout: Layout = Layout()) -> dict[str, Policy]:
    """Relative path → policy document, for `sohoa units policies --out infra/policies/`: one MinIO user
    policy per unit (`commune-<slug>.json`, `district-<slug>.json`) and the pipeline's; the versitygw
    bucket policies name every unit."""
    units = load_units()
    docs: dict[str, Policy] = {
        "versitygw/intake-bucket-policy.json": intake_bucket_policy([u.slug for u in units], layout),
        "versitygw/processed-bucket-policy.json": processed_bucket_policy(layout),
        "minio/pipeline.json": pipeline_policy(layout),
    }
    for u in units:
        docs[minio_policy_file(u)] = minio_policy_for_district(u.slug, layout)
    return docs


def minio_policy_file(u: Unit) -> str:
    return f"minio/{u.level}-{u.slug}.json"


def render_policy(doc: Policy) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_policies(out_dir: Path, layout: Layout = Layout()) -> list[Path]:
    written = []
    for rel, doc in policy_documents(layout).items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_policy(doc), encoding="utf-8")
        written.append(path)
    return written


def is_district_identity(name: str, layout: Layout | None = None) -> bool:
    """An upload identity (`sohoa-<slug>`, `sohoa-pipeline`) or a unit's bare slug (a former district's
    or a commune's): names that belong to S3 keys, never to a person who logs in to the web application."""
    layout = layout or Layout()
    name = name.strip().lower()
    if name.startswith(layout.key_prefix):
        return True
    return name in {u.slug for u in load_units("all")} or name == "pipeline"
