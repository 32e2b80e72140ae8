"""Unit tests for the lists of units (communes, former districts), slugs, generated policies and the
credentials file (no server).

The server tests (real versitygw) are in tests/test_districts_s3.py.
"""

from __future__ import annotations

import json
import re
import stat
import tomllib
import unicodedata
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from cli.districts import POLICIES_DIR, districts_app
from core.errors import ConfigError
from storage.districts import (
    ARN,
    Layout,
    intake_bucket_policy,
    load_communes,
    load_districts,
    load_units,
    minio_policy_for_district,
    pipeline_policy,
    policy_documents,
    policy_for_district,
    processed_bucket_policy,
    render_policy,
    slugify,
)
from storage.provision import (
    Identity,
    ProvisionResult,
    credentials_entries,
    generate_secret,
    write_credentials,
)

SLUGS = [u.slug for u in load_units()]


# -- the list of units and their slugs ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Cầu Giấy", "cau-giay"),
        ("Đống Đa", "dong-da"),
        ("Ứng Hòa", "ung-hoa"),
        ("Hai Bà Trưng", "hai-ba-trung"),
        ("Mỹ Đức", "my-duc"),
        ("Thị xã Sơn Tây", "thi-xa-son-tay"),
        ("  Bắc  Từ Liêm ", "bac-tu-liem"),
        ("Quận 1 / Q.1", "quan-1-q-1"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug
    # Same slug whether the input came composed (NFC) or decomposed (NFD), as scanners and OSes differ.
    assert slugify(unicodedata.normalize("NFD", name)) == slug


def test_thirty_former_districts_of_hanoi() -> None:
    units = load_districts()
    assert len(units) == 30
    kinds = [d.kind for d in units]
    assert (kinds.count("Quận"), kinds.count("Huyện"), kinds.count("Thị xã")) == (12, 17, 1)
    assert len({d.code for d in units}) == 30
    assert "cau-giay" in SLUGS and "son-tay" in SLUGS and "ung-hoa" in SLUGS
    for d in units:
        assert d.slug == slugify(d.short_name)  # the slugs issued before the communes came: unchanged
        assert d.level == "district"


def test_126_communes_of_hanoi_since_july_2025() -> None:
    units = load_communes()
    assert len(units) == 126
    kinds = [c.kind for c in units]
    assert (kinds.count("Phường"), kinds.count("Xã")) == (51, 75)
    assert len({c.code for c in units}) == 126
    for c in units:
        assert c.slug == slugify(c.name)  # with its kind: "phuong-cau-giay", not "cau-giay"
        assert c.slug.startswith(("phuong-", "xa-")) and c.level == "commune"
    by_slug = {c.slug: c.name for c in units}
    assert by_slug["phuong-cau-giay"] == "Phường Cầu Giấy"
    assert by_slug["phuong-van-mieu-quoc-tu-giam"] == "Phường Văn Miếu - Quốc Tử Giám"
    assert by_slug["xa-ba-vi"] == "Xã Ba Vì"


def test_slugs_are_ascii_and_unique_across_both_lists() -> None:
    assert len(SLUGS) == 156 and len(set(SLUGS)) == 156
    assert [u.slug for u in load_units("all")] == [
        *(u.slug for u in load_units("communes")),
        *(u.slug for u in load_units("districts")),
    ]
    for slug in SLUGS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
        # MinIO needs at least 3 characters and sets no maximum (internal/auth/credentials.go); the
        # longest key, sohoa-phuong-van-mieu-quoc-tu-giam, is used against the real MinIO in the tests.
        assert 3 <= len(Layout().district_access_key(slug)) <= 64
    # 28 of the 30 former districts share a name with a commune: the kind keeps the two apart.
    shared = {d.short_name for d in load_districts()} & {c.short_name for c in load_communes()}
    assert len(shared) == 28


def test_unknown_list_of_units() -> None:
    with pytest.raises(ConfigError, match="communes, districts, all"):
        load_units("wards")


def test_committed_lists_match_the_data_package() -> None:
    pytest.importorskip("vietnamadminunits", reason="only needed to regenerate storage/data/*.json")
    from storage.make_districts_data import communes_from_package, rows_from_package

    committed = json.loads(Path("storage/data/districts.json").read_text(encoding="utf-8"))["districts"]
    assert committed == rows_from_package(), "run `python -m storage.make_districts_data`"
    communes = json.loads(Path("storage/data/communes.json").read_text(encoding="utf-8"))["communes"]
    assert communes == communes_from_package(), "run `python -m storage.make_districts_data`"


# -- policies -------------------------------------------------------------------------------------------
def _strings(doc: object) -> list[str]:
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [s for v in doc.values() for s in _strings(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return []


def _resources(doc: dict) -> set[str]:
    return {r for st in doc["Statement"] for r in st["Resource"]}


def _actions(doc: dict) -> set[str]:
    return {a for st in doc["Statement"] for a in st["Action"]}


@pytest.mark.parametrize("slug", SLUGS)
def test_unit_policies_name_only_its_own_area(slug: str) -> None:
    layout = Layout()
    for doc in (policy_for_district(slug, layout), minio_policy_for_district(slug, layout)):
        assert _resources(doc) == {f"{ARN}sohoa-intake", f"{ARN}sohoa-intake/{slug}/*"}
        for st in doc["Statement"]:
            assert st["Effect"] == "Allow"
            if "s3:ListBucket" in st["Action"]:
                # A listing is allowed only under "<slug>/", never the whole bucket.
                assert st["Condition"] == {"StringLike": {"s3:prefix": [f"{slug}/", f"{slug}/*"]}}
        text = json.dumps(doc)
        for other in SLUGS:
            if other != slug:
                assert f"sohoa-intake/{other}/" not in text and f'"{other}/' not in text
                assert f'"sohoa-{other}"' not in text
        assert "sohoa-processed" not in text
        assert not any("Delete" in a or "*" in a for a in _actions(doc))
    principals = {p for st in policy_for_district(slug)["Statement"] for p in st["Principal"]["AWS"]}
    assert principals == {f"sohoa-{slug}"}
    assert all("Principal" not in st for st in minio_policy_for_district(slug)["Statement"])


def test_unknown_unit_gets_no_policy() -> None:
    with pytest.raises(ConfigError, match="unknown unit"):
        minio_policy_for_district("cau-giayy")


def test_pipeline_reads_intake_writes_processed_deletes_nothing() -> None:
    doc = pipeline_policy()
    by_bucket: dict[str, set[str]] = {}
    for st in doc["Statement"]:
        for r in st["Resource"]:
            by_bucket.setdefault(r.removeprefix(ARN).split("/")[0], set()).update(st["Action"])
    assert by_bucket == {
        "sohoa-intake": {"s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject"},
        "sohoa-processed": {
            "s3:GetBucketLocation",
            "s3:ListBucket",
            "s3:GetObject",
            "s3:PutObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
        },
    }
    assert not any(st.get("Condition") for st in doc["Statement"])


def test_bucket_policies_are_the_identity_policies_with_principals() -> None:
    intake = intake_bucket_policy(["cau-giay", "ba-dinh"])
    sids = [st["Sid"] for st in intake["Statement"]]
    assert len(sids) == len(set(sids))
    named = {p for st in intake["Statement"] for p in st["Principal"]["AWS"]}
    assert named == {"sohoa-cau-giay", "sohoa-ba-dinh", "sohoa-pipeline"}
    # versitygw refuses a bucket policy naming another bucket.
    assert all(r.startswith(f"{ARN}sohoa-intake") for r in _resources(intake))
    processed = processed_bucket_policy()
    assert all(r.startswith(f"{ARN}sohoa-processed") for r in _resources(processed))
    assert {p for st in processed["Statement"] for p in st["Principal"]["AWS"]} == {"sohoa-pipeline"}


def test_layout_renames_buckets_and_keys() -> None:
    layout = Layout("x-intake", "x-processed", "t1-")
    doc = policy_for_district("cau-giay", layout)
    assert _resources(doc) == {f"{ARN}x-intake", f"{ARN}x-intake/cau-giay/*"}
    assert doc["Statement"][0]["Principal"] == {"AWS": ["t1-cau-giay"]}


def test_committed_policy_files_are_up_to_date() -> None:
    docs = policy_documents()
    on_disk = {p.relative_to(POLICIES_DIR).as_posix() for p in POLICIES_DIR.rglob("*.json")}
    assert on_disk == set(docs), "run `sohoa units policies` and commit infra/policies/"
    for rel, doc in docs.items():
        assert (POLICIES_DIR / rel).read_text(encoding="utf-8") == render_policy(doc), (
            f"infra/policies/{rel} is stale: run `sohoa units policies`"
        )
    # one MinIO user policy per unit and the pipeline's; versitygw's intake policy names every unit
    assert len(docs) == 156 + 1 + 2
    assert "minio/commune-phuong-cau-giay.json" in docs and "minio/district-cau-giay.json" in docs
    intake = docs["versitygw/intake-bucket-policy.json"]
    named = {p for st in intake["Statement"] for p in st["Principal"]["AWS"]}
    assert named == {f"sohoa-{slug}" for slug in SLUGS} | {"sohoa-pipeline"}


def test_policies_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(districts_app, ["policies", "--out", str(tmp_path), "--check"]).exit_code == 1
    assert runner.invoke(districts_app, ["policies", "--out", str(tmp_path)]).exit_code == 0
    assert runner.invoke(districts_app, ["policies", "--out", str(tmp_path), "--check"]).exit_code == 0
    assert json.loads(
        (tmp_path / "minio" / "district-cau-giay.json").read_text()
    ) == minio_policy_for_district("cau-giay")
    assert json.loads(
        (tmp_path / "minio" / "commune-xa-ba-vi.json").read_text()
    ) == minio_policy_for_district("xa-ba-vi")


# -- secrets --------------------------------------------------------------------------------------------
def test_generated_secrets() -> None:
    a, b = generate_secret(), generate_secret()
    assert a != b and len(a) == 40 and a.isalnum()


def test_identity_repr_hides_the_secret() -> None:
    secret = generate_secret()
    ident = Identity("cau-giay", "sohoa-cau-giay", "area", "created", SecretStr(secret))
    result = ProvisionResult([ident], [], [])
    assert secret not in repr(ident) and secret not in str(ident) and secret not in repr(result)


def test_credentials_file_is_private_and_merged(tmp_path: Path) -> None:
    path = tmp_path / "creds.toml"
    path.write_text("")
    path.chmod(0o644)  # a lax file left by hand is tightened
    layout = Layout()
    s1, s2, s3 = generate_secret(), generate_secret(), generate_secret()
    first = ProvisionResult(
        [
            Identity("cau-giay", "sohoa-cau-giay", "", "created", SecretStr(s1)),
            Identity("pipeline", "sohoa-pipeline", "", "created", SecretStr(s2)),
        ],
        [],
        [],
    )
    write_credentials(path, credentials_entries(first, layout, "127.0.0.1:7070"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A later run that creates one more identity and leaves the others unchanged keeps their secrets.
    second = ProvisionResult(
        [
            Identity("cau-giay", "sohoa-cau-giay", "", "unchanged"),
            Identity("ba-dinh", "sohoa-ba-dinh", "", "created", SecretStr(s3)),
        ],
        [],
        [],
    )
    write_credentials(path, credentials_entries(second, layout, "127.0.0.1:7070"))
    data = tomllib.loads(path.read_text())
    assert data["cau-giay"]["s3_secret_key"] == s1
    assert data["cau-giay"]["prefix"] == "cau-giay/"
    assert data["ba-dinh"]["s3_secret_key"] == s3
    assert data["pipeline"] == {
        "s3_endpoint": "127.0.0.1:7070",
        "s3_access_key": "sohoa-pipeline",
        "s3_secret_key": s2,
        "intake_bucket": "sohoa-intake",
        "processed_bucket": "sohoa-processed",
    }
    write_credentials(path, {}, remove=["ba-dinh"])
    assert set(tomllib.loads(path.read_text())) == {"cau-giay", "pipeline"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name != "creds.toml"], "temp file left behind"


def test_provision_refuses_to_write_secrets_into_the_repository() -> None:
    # Refused before any server is contacted.
    result = CliRunner().invoke(districts_app, ["provision", "-d", "cau-giay", "--out", "credentials.toml"])
    assert result.exit_code == 2
    assert "inside the repository" in result.output
    assert not Path("credentials.toml").exists()


@pytest.mark.parametrize(("level", "count"), [("communes", 126), ("districts", 30), ("all", 156)])
def test_list_command_shows_the_chosen_units(level: str, count: int) -> None:
    result = CliRunner().invoke(districts_app, ["list", "--level", level], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    shown = re.findall(r"s3://sohoa-intake/([a-z0-9-]+)/", result.output)
    assert shown == [u.slug for u in load_units(level)] and len(shown) == count


def test_unknown_level_is_refused() -> None:
    result = CliRunner().invoke(districts_app, ["provision", "--level", "wards", "--out", "/tmp/x.toml"])
    assert result.exit_code == 2 and "choose one of communes, districts, all" in result.output
