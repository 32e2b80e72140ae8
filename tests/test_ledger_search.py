"""The ledger index against the real Elasticsearch: states, batching, attempts, summaries, failures."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.record import record_id
from search.ledger import (
    FAILED,
    INDEXED,
    PROCESSING,
    QUARANTINED,
    LedgerEntry,
    failures,
    get_states,
    needs_work,
    summary,
    write_entries,
)
from tests.search_fixtures import SearchNames, search_names_fixture  # noqa: F401

pytestmark = pytest.mark.servers


def rid(key: str) -> str:
    return record_id("intake", key)


def entry(key: str, state: str, run: str = "run-1", etag: str = "e1", **kw: Any) -> LedgerEntry:
    return LedgerEntry(rid(key), "intake", key, etag, state, run_id=run, district=key.split("/")[0], **kw)


def test_one_entry_per_object_with_its_history(es: Elasticsearch, search_names: SearchNames) -> None:
    ledger = search_names.ledger
    write_entries(es, [entry("cau-giay/a.pdf", PROCESSING)], index=ledger)
    report = write_entries(
        es, [entry("cau-giay/a.pdf", INDEXED, n_pages=3, doc_type_code="QĐ")], index=ledger
    )
    assert not report.failed
    first = get_states(es, [rid("cau-giay/a.pdf")], index=ledger)[rid("cau-giay/a.pdf")]
    assert first.state == INDEXED and first.attempts == 1 and first.n_pages == 3
    assert first.record_id == rid("cau-giay/a.pdf")
    # a later run finds a new version, which fails
    write_entries(
        es,
        [entry("cau-giay/a.pdf", FAILED, run="run-2", etag="e2", reason="boom", reason_code="x")],
        index=ledger,
    )
    later = get_states(es, [rid("cau-giay/a.pdf")], index=ledger)[rid("cau-giay/a.pdf")]
    assert later.state == FAILED and later.attempts == 2 and later.etag == "e2" and later.run_id == "run-2"
    assert later.first_seen == first.first_seen and later.updated_at > first.updated_at
    es.indices.refresh(index=ledger)
    assert es.count(index=ledger)["count"] == 1


def test_get_states_is_batched(es: Elasticsearch, search_names: SearchNames) -> None:
    ledger = search_names.ledger
    keys = [f"dong-da/{i:04d}.png" for i in range(2500)]
    report = write_entries(es, [entry(k, INDEXED) for k in keys], index=ledger)
    assert len(report.written) == 2500 and not report.failed
    calls: list[int] = []
    original = es.mget

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(es, name)

        def mget(self, **kw: Any) -> Any:
            calls.append(len(kw["ids"]))
            return original(**kw)

    wanted = [rid(k) for k in keys] + [rid("never/seen.pdf")]
    states = get_states(Counting(), wanted, index=ledger)  # type: ignore[arg-type]
    assert calls == [1000, 1000, 501]  # three requests for 2501 objects, not 2501
    assert len(states) == 2500 and rid("never/seen.pdf") not in states
    assert not needs_work(states[rid(keys[0])], "e1")
    assert needs_work(states[rid(keys[0])], "e2")


def test_concurrent_writers_do_not_lose_updates(es: Elasticsearch, search_names: SearchNames) -> None:
    """A write between our read and our write is detected (seq_no) and merged, not overwritten."""
    ledger = search_names.ledger
    write_entries(es, [entry("a/x.pdf", FAILED, run="r1")], index=ledger)
    original = es.mget
    sneaked = []

    class Racing:
        def __getattr__(self, name: str) -> Any:
            return getattr(es, name)

        def mget(self, **kw: Any) -> Any:
            resp = original(**kw)
            if not sneaked:  # another worker writes right after our first read
                sneaked.append(True)
                write_entries(es, [entry("a/x.pdf", FAILED, run="r2")], index=ledger)
            return resp

    report = write_entries(Racing(), [entry("a/x.pdf", INDEXED, run="r3")], index=ledger)  # type: ignore[arg-type]
    assert not report.failed
    final = get_states(es, [rid("a/x.pdf")], index=ledger)[rid("a/x.pdf")]
    assert final.state == INDEXED and final.attempts == 3  # r1, r2 and r3 all counted


def test_summary_and_failures(es: Elasticsearch, search_names: SearchNames) -> None:
    ledger = search_names.ledger
    write_entries(
        es,
        [
            entry("cau-giay/1.pdf", INDEXED, n_pages=2),
            entry("cau-giay/2.pdf", INDEXED, n_pages=3),
            entry("cau-giay/3.pdf", FAILED, reason="Elasticsearch refused", reason_code="es_mapping"),
            entry(
                "dong-da/4.pdf", QUARANTINED, reason="encrypted PDF: decrypt it", reason_code="encrypted_pdf"
            ),
            entry("dong-da/5.pdf", INDEXED, run="run-other", n_pages=1),
        ],
        index=ledger,
    )
    run = summary(es, "run-1", index=ledger)
    assert run["total"] == 4
    assert run["states"] == {INDEXED: 2, FAILED: 1, QUARANTINED: 1}
    assert run["reason_codes"] == {"es_mapping": 1, "encrypted_pdf": 1}
    assert run["per_district"] == {"cau-giay": {INDEXED: 2, FAILED: 1}, "dong-da": {QUARANTINED: 1}}
    assert run["pages_indexed"] == 5
    assert summary(es, index=ledger)["total"] == 5
    rows = failures(es, index=ledger)
    assert {r["key"] for r in rows} == {"cau-giay/3.pdf", "dong-da/4.pdf"}
    assert all(r["reason"] for r in rows)
    assert [r["key"] for r in failures(es, index=ledger, states=(QUARANTINED,))] == ["dong-da/4.pdf"]
