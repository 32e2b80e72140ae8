"""search/ without servers: folding, the record document, ids, query parsing, snippets, ledger rules."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocr.model import PageResult
from pipeline.document import UNRESOLVED_UNIT
from pipeline.record import record_id
from search.folding import fold, norm_code, norm_name
from search.indexer import index_records
from search.ledger import FAILED, INDEXED, PROCESSING, QUARANTINED, LedgerEntry, _merge, needs_work
from search.query import (
    SearchFilters,
    build_search,
    doc_numbers_in,
    parse_date_bound,
    trim_snippet,
    unfold_snippet,
)
from tests.search_fixtures import make_doc, make_record, new_unit, unit


# --- folding -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Quyết định thu hồi đất", "Quyet dinh thu hoi dat"),
        ("ĐẤT ĐAI", "DAT DAI"),
        ("Ủy ban nhân dân phường Dịch Vọng", "Uy ban nhan dan phuong Dich Vong"),
        ("hoá hóa", "hoa hoa"),  # old and new tone placement fold alike
        ("123/QĐ-UBND", "123/QD-UBND"),
        ("plain ascii", "plain ascii"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_accepts_decomposed_input() -> None:
    text = "Quyết định thu hồi đất"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


@given(st.text())
def test_fold_keeps_length_of_nfc_text_without_lone_marks(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    if any(unicodedata.combining(c) for c in nfc):
        return  # lone combining marks are dropped on purpose
    assert len(fold(nfc)) == len(nfc)
    assert fold(fold(nfc)) == fold(nfc)


def test_norm_code_and_name() -> None:
    assert norm_code("123/qđ-ubnd") == norm_code("123/QD-UBND") == norm_code(" 123/QĐ-UBND ") == "123/QD-UBND"
    assert norm_name("  Phường  Dịch Vọng ") == "phuong dich vong"


# --- ids and the record document ----------------------------------------------------------------------
def test_record_id_is_stable_and_ignores_etag() -> None:
    a = make_doc(make_record("x", ["một"], etag="v1"))
    b = make_doc(make_record("x", ["hai"], etag="v2"))
    assert a["record_id"] == b["record_id"] == record_id("sohoa-intake", "cau-giay/x.pdf")
    assert a["etag"] == "v1" and b["etag"] == "v2"
    assert record_id("b", "k") != record_id("b", "k2") != record_id("b2", "k")
    assert len(record_id("b", "k" * 1024)) == 40  # ES ids are limited to 512 bytes; S3 keys are not


def test_index_document_fields() -> None:
    rec = make_record(
        "qd",
        ["Quyết định thu hồi đất", "Trang hai"],
        doc_number="123/QĐ-UBND",
        doc_type_code="QĐ",
        subject="Về việc thu hồi đất",
        issue_date="2024-04-03",
        admin_unit_old=unit("quận", "Cầu Giấy", "phường", "Dịch Vọng"),
        admin_unit_new=new_unit("phường", "Cầu Giấy"),
        confidence={"doc_number": 0.9, "subject": "bad"},
        some_new_field="kept",
    )
    rec.pages[1].mean_conf, rec.pages[1].quality = 40.0, 0.62  # page 2 reads poorly
    # page 1: many doubtful words, yet its words are valid Vietnamese: the quality score decides
    rec.pages[0].low_conf_share, rec.pages[0].quality = 0.5, 0.93
    rec.pages[1].steps.append({"step": "retry", "applied": True, "chosen": "bare"})
    doc = make_doc(rec)
    assert doc["record_id"] == record_id("sohoa-intake", "cau-giay/qd.pdf")
    assert doc["text_folded"] == fold(doc["text"])
    assert [p["page_no"] for p in doc["pages"]] == [1, 2]
    assert doc["pages"][0]["text_folded"] == "Quyet dinh thu hoi dat"
    assert doc["doc_number_norm"] == "123/QD-UBND"
    assert doc["doc_type_code_norm"] == "qd"
    assert doc["subject_folded"] == "Ve viec thu hoi dat"
    assert doc["admin_unit_old"]["label"] == "phường Dịch Vọng, quận Cầu Giấy, Thành phố Hà Nội"
    assert {"dich vong", "phuong dich vong", "cau giay", "quan cau giay"} <= set(
        doc["admin_unit_old"]["names_norm"]
    )
    assert doc["admin_unit_new"]["label"] == "phường Cầu Giấy, Thành phố Hà Nội"
    assert doc["admin_unit_new"]["ambiguous"] is False
    assert doc["metadata_confidence"] == {"doc_number": 0.9}
    assert doc["extra"] == {"metadata": {"some_new_field": "kept"}}
    assert doc["ocr"]["low_conf_pages"] == [2] and doc["ocr"]["low_conf"] is True
    assert [p["quality"] for p in doc["pages"]] == [0.93, 0.62]
    assert doc["ocr"]["mean_conf"] == pytest.approx((91.0 + 40.0) / 2)
    # the names of the steps that changed a page, from the steps the engine records
    assert doc["ocr"]["steps"] == ["deskew", "retry"]
    assert doc["status"] == "low_confidence"
    rid = doc["record_id"]
    assert doc["links"] == {
        "original": "sohoa-intake/cau-giay/qd.pdf",
        "pdf": f"sohoa-processed/records/{rid}/document.pdf",
    }
    assert "X-Amz" not in str(doc)  # never a presigned URL in the index


def test_index_document_normalises_odd_metadata() -> None:
    """Metadata comes from the extractor and the office's sidecar: an odd value drops, never fails the
    whole record against the strict mapping."""
    rec = make_record(
        "k",
        ["x", ""],
        issue_date="31/02/2024",  # not ISO: dropped, not a mapping error
        recipients="one string",
        admin_unit_old="not a dict",
        admin_unit_new={"candidates": ["phường A", "phường B"]},
        signer_authority=None,
    )
    rec.pages[1] = PageResult(page_no=2, error="tesseract did not finish", error_reason="ocr_timeout")
    doc = make_doc(rec)
    assert doc["issue_date"] is None
    assert doc["recipients"] == ["one string"] and doc["signer_authority"] == []
    assert doc["admin_unit_old"] is None
    assert doc["admin_unit_new"]["label"] == UNRESOLVED_UNIT and doc["admin_unit_new"]["ambiguous"] is True
    assert doc["admin_unit_new"]["candidates"] == ["phường A", "phường B"]
    assert doc["n_pages"] == 2 and doc["n_pages_failed"] == 1 and doc["status"] == "partial"


# --- query parsing -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("123/QĐ-UBND", ["123/QD-UBND"]),
        ("123/qđ-ubnd", ["123/QD-UBND"]),
        ("Số 123 / QĐ - UBND", ["123/QD-UBND"]),
        ("quyết định 45/2024/QĐ-UBND về đất", ["45/2024/QD-UBND"]),
        ("2392/UBND-TNMT", ["2392/UBND-TNMT"]),
        ("65/TTr-UBND", ["65/TTR-UBND"]),
        ("thu hồi đất năm 2024", []),
        ("ngày 03/4/2024", []),
    ],
)
def test_doc_numbers_in(query: str, numbers: list[str]) -> None:
    assert doc_numbers_in(query) == numbers


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2024", False, "2024-01-01"),
        ("2024", True, "2024-12-31"),
        ("2024-02", True, "2024-02-29"),
        ("2024-12", True, "2024-12-31"),
        ("2024-04-03", False, "2024-04-03"),
        ("03/04/2024", False, "2024-04-03"),  # Vietnamese order
        (None, False, None),
    ],
)
def test_parse_date_bound(value: str | None, end: bool, expected: str | None) -> None:
    assert parse_date_bound(value, end=end) == expected


def test_parse_date_bound_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date_bound("last week", end=False)


def test_build_search_filters_and_boosts() -> None:
    body = build_search(
        "123/qđ-ubnd", SearchFilters(doc_type="qđ", unit_old="Dịch Vọng", date_from="2024", date_to="2024-06")
    )
    should = body["query"]["bool"]["should"]
    assert should[0] == {"terms": {"doc_number_norm": ["123/QD-UBND"], "boost": 100}}
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"admin_unit_old.names_norm": "dich vong"}} in filters
    assert {"range": {"issue_date": {"gte": "2024-01-01", "lte": "2024-06-30"}}} in filters
    assert "pages" in body["_source"]["excludes"]  # the whole text never travels with a hit
    only_filters = build_search("", SearchFilters(unit_new="Cầu Giấy"))
    assert only_filters["sort"][0] == {"issue_date": {"order": "desc", "missing": "_last"}}


def test_unfold_snippet_maps_folded_highlight_back() -> None:
    original = "Về việc thu hồi đất để mở rộng đường"
    assert unfold_snippet("viec <em>thu hoi dat</em> de", original) == "việc <em>thu hồi đất</em> để"
    assert unfold_snippet("<em>zzz</em>", original) == "<em>zzz</em>"  # not found: unchanged


def test_trim_snippet_keeps_a_window_around_the_longest_match() -> None:
    text = "đầu " * 80 + "<em>x</em> giữa " + "chữ " * 30 + "<em>thu hồi đất</em> " + "đuôi " * 80
    out = trim_snippet(text, before=20, width=100)
    plain = out.replace("<em>", "").replace("</em>", "")
    assert out.startswith("…") and out.endswith("…") and len(plain) <= 110
    assert "<em>thu hồi đất</em>" in out  # the phrase, not the stray single word
    assert out.count("<em>") == out.count("</em>")
    assert trim_snippet("ngắn <em>gọn</em>") == "ngắn <em>gọn</em>"


# --- ledger rules ------------------------------------------------------------------------------------
def test_needs_work() -> None:
    def entry(state: str) -> LedgerEntry:
        return LedgerEntry("id", "b", "k", "e1", state)

    assert needs_work(None, "e1")
    assert not needs_work(entry(INDEXED), "e1")
    assert not needs_work(entry(INDEXED), '"e1"')  # S3 etags come quoted sometimes
    assert needs_work(entry(INDEXED), "e2")  # a new version of the object
    assert needs_work(entry(FAILED), "e1") and not needs_work(entry(FAILED), "e1", retry_failed=False)
    assert not needs_work(entry(QUARANTINED), "e1") and needs_work(
        entry(QUARANTINED), "e1", retry_quarantined=True
    )
    assert needs_work(entry(PROCESSING), "e1")  # a run died mid-way


def test_ledger_attempts_counting() -> None:
    stamp = "2026-01-01T00:00:00+00:00"
    first = _merge(LedgerEntry("id", "b", "k", "e", PROCESSING, run_id="r1"), None, stamp)
    assert first.attempts == 1 and first.first_seen == stamp
    closed = _merge(
        LedgerEntry("id", "b", "k", "e", INDEXED, run_id="r1"), {"_source": first.to_doc()}, "later"
    )
    assert closed.attempts == 1 and closed.first_seen == stamp and closed.updated_at == "later"
    again = _merge(
        LedgerEntry("id", "b", "k", "e", FAILED, run_id="r2"), {"_source": closed.to_doc()}, "later2"
    )
    assert again.attempts == 2


def test_ledger_entry_rejects_unknown_state() -> None:
    with pytest.raises(ValueError, match="state"):
        LedgerEntry("id", "b", "k", "e", "done")


# --- indexer without a server ------------------------------------------------------------------------
def test_index_records_reports_every_document_when_es_is_down() -> None:
    from search.client import make_client

    es = make_client("http://127.0.0.1:9", timeout=1)  # nothing listens on port 9
    docs = [make_doc(make_record(f"r{i}", ["x"])) for i in range(7)]
    results = list(index_records(es, docs, index="whatever", chunk_size=3))
    assert len(results) == 7
    assert {r.reason_code for r in results} == {"es_unavailable"} and not any(r.ok for r in results)
    assert {r.key for r in results} == {d["key"] for d in docs}


def test_ensure_index_without_template_privilege_uses_what_exists() -> None:
    """The production writer may not manage templates (search.security): it uses the admin's setup."""
    from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
    from elasticsearch import AuthorizationException

    from search.templates import ensure_index, records_template

    meta = ApiResponseMeta(403, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))

    class Indices:
        def __init__(self, aliases: dict) -> None:
            self.aliases = aliases

        def put_index_template(self, **kw: object) -> None:
            raise AuthorizationException("forbidden", meta, {"error": "forbidden"})

        def get_alias(self, name: str) -> object:
            class Resp:
                body = self.aliases

            return Resp()

    class Es:
        def __init__(self, aliases: dict) -> None:
            self.indices = Indices(aliases)

    existing = {"r-v3": {"aliases": {"r": {"is_write_index": True}}}}
    assert ensure_index(Es(existing), "r", records_template("r")) == "r-v3"  # type: ignore[arg-type]
    with pytest.raises(PermissionError, match="sohoa_admin"):
        ensure_index(Es({}), "r", records_template("r"))  # type: ignore[arg-type]


def test_without_fuzzy_the_request_has_no_fuzzy_clause_and_the_same_highlight() -> None:
    from search.query import build_search

    full, quick = build_search("thu hoi dat"), build_search("thu hoi dat", fuzzy=False)
    assert "fuzziness" in json.dumps(full) and "fuzziness" not in json.dumps(quick)

    def highlight(body: dict) -> dict:
        nested = next(c["nested"] for c in body["query"]["bool"]["should"] if "nested" in c)
        return nested["inner_hits"]["highlight"]["highlight_query"]

    assert highlight(full) == highlight(quick)  # the highlight never used the fuzzy clause
    assert full["track_total_hits"] == quick["track_total_hits"] == 1000
