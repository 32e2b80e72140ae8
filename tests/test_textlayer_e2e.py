"""A signed born-digital PDF through the real flow (real S3, Elasticsearch, Prefect, poppler, Tesseract):
indexed with the text of its own layer and its signature; the signed original is never rewritten."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from flows.batch import digitize
from pipeline.record import record_id
from pipeline.signatures import COPY_NOTE, read_signatures
from samples import born_digital as bd
from storage.objects import ObjectStore
from tests.flow_fixtures import remove_run_data
from tests.test_flow_e2e import names, records

pytestmark = [pytest.mark.servers, pytest.mark.slow]
KEY = "cau-giay/qd-123-signed.pdf"


@pytest.fixture(scope="module")
def signed_batch(
    tmp_path_factory: pytest.TempPathFactory, store: ObjectStore, es, prefect_harness
) -> Iterator[dict]:
    env = names(uuid.uuid4().hex[:8])
    mp = pytest.MonkeyPatch()
    for k, v in env.items():
        mp.setenv(k, v)
    d = tmp_path_factory.mktemp("signed-batch")
    mixed = bd.word_pdf(d / "mixed.pdf", [bd.Letter(), bd.scan_image(bd.ANNEX_LINES)])
    signed = bd.sign_pdf(mixed, d / "signed.pdf", bd.make_identity())
    store.ensure_bucket(env["SOHOA_INTAKE_BUCKET"])
    store.put_file(env["SOHOA_INTAKE_BUCKET"], KEY, signed)
    yield {"env": env, "file": signed}
    mp.undo()
    remove_run_data(store, es, env, (env["SOHOA_INTAKE_BUCKET"], env["SOHOA_PROCESSED_BUCKET"]))


def test_a_signed_pdf_is_indexed_from_its_layer_with_its_signature(
    signed_batch: dict, es, store: ObjectStore
) -> None:
    env, intake = signed_batch["env"], signed_batch["env"]["SOHOA_INTAKE_BUCKET"]
    etag_before = store.stat(intake, KEY).etag
    report = digitize(intake, "", workers=1)
    assert report["states"] == {"indexed": 1}, report["problems"]

    doc = records(es, env)[KEY]
    assert [p["text_source"] for p in doc["pages"]] == ["text_layer", "ocr"]
    # the signature box on the scanned annex gives it a layer of two lines: a scan all the same
    assert doc["pages"][1]["layer_rejected"] == "scanned_page"
    assert "Hiệp hội rau quả Đà Lạt" in doc["pages"][0]["text"]  # the layer's exact words
    assert doc["doc_number"] == "123/QĐ-UBND"
    [sig] = doc["signatures"]
    assert sig["signer"] == "Nguyễn Văn Bình" and sig["organisation"] == "Ủy ban nhân dân quận Cầu Giấy"
    assert sig["integrity"] == "intact" and sig["trust"] == "not_checked" and sig["signed_at"]

    # filters archivists use in Kibana work on the real index
    hits = es.search(
        index=env["SOHOA_INDEX_ALIAS"],
        query={"bool": {"filter": [{"term": {"signatures.integrity": "intact"}}]}},
    )["hits"]["hits"]
    assert [h["_source"]["key"] for h in hits] == [KEY]

    # the original object is untouched: same etag, same bytes, signature still intact
    assert store.stat(intake, KEY).etag == etag_before
    original = store.get_bytes(intake, KEY)
    assert hashlib.sha256(original).digest() == hashlib.sha256(signed_batch["file"].read_bytes()).digest()
    local = Path(signed_batch["file"]).with_name("downloaded.pdf")
    local.write_bytes(original)
    assert read_signatures(local)[0].integrity == "intact"

    # the derivative is a labelled copy in the processed bucket, never in the intake
    base = f"records/{record_id(intake, KEY)}"
    copy = PdfReader(io.BytesIO(store.get_bytes(env["SOHOA_PROCESSED_BUCKET"], f"{base}/document.pdf")))
    assert copy.metadata["/Subject"] == COPY_NOTE and len(copy.pages) == 2
    assert [o.key for o in store.list(intake)] == [KEY]
    detail = store.get_bytes(env["SOHOA_PROCESSED_BUCKET"], f"{base}/metadata.json").decode()
    assert '"signer": "Nguyễn Văn Bình"' in detail
