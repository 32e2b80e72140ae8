"""Templates, aliases, migration and bulk indexing against the real Elasticsearch."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.record import record_id
from search.indexer import index_records
from search.templates import (
    RECORDS_MAPPING,
    MappingConflictError,
    current_index,
    ensure_index,
    ensure_indices,
    migrate,
    records_template,
)
from tests.search_fixtures import (  # noqa: F401
    SearchNames,
    drop_prefix,
    make_doc,
    make_record,
    new_names,
    search_names_fixture,
)

pytestmark = pytest.mark.servers


def _count(es: Elasticsearch, index: str) -> int:
    es.indices.refresh(index=index)
    return es.count(index=index)["count"]


def test_ensure_creates_template_versioned_index_and_alias(
    es: Elasticsearch, search_names: SearchNames
) -> None:
    names = search_names
    assert current_index(es, names.alias) == f"{names.alias}-v1"
    assert current_index(es, names.ledger) == f"{names.ledger}-v1"
    aliases = es.indices.get_alias(name=names.alias).body
    assert aliases == {f"{names.alias}-v1": {"aliases": {names.alias: {"is_write_index": True}}}}
    template = es.indices.get_index_template(name=names.alias)["index_templates"][0]["index_template"]
    assert template["index_patterns"] == [f"{names.alias}-v*"]
    mapping = es.indices.get_mapping(index=names.alias)[f"{names.alias}-v1"]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["properties"]["pages"]["type"] == "nested"
    assert mapping["properties"]["doc_number"]["fields"]["keyword"]["type"] == "keyword"
    assert mapping["properties"]["issue_date"]["type"] == "date"
    # idempotent: a second call changes nothing and returns the same index
    assert ensure_indices(es, names.alias, names.ledger) == (f"{names.alias}-v1", f"{names.ledger}-v1")


def test_ensure_applies_additive_changes_and_refuses_conflicts(es: Elasticsearch) -> None:
    names = new_names()
    try:
        template = records_template(names.alias)
        ensure_index(es, names.alias, template)
        template["template"]["mappings"]["properties"]["new_field"] = {"type": "keyword"}
        ensure_index(es, names.alias, template)  # a new field: applied in place
        props = es.indices.get_mapping(index=names.alias)[f"{names.alias}-v1"]["mappings"]["properties"]
        assert props["new_field"] == {"type": "keyword"}
        template["template"]["mappings"]["properties"]["issue_date"] = {"type": "keyword"}
        with pytest.raises(MappingConflictError, match="migrate"):
            ensure_index(es, names.alias, template)
    finally:
        drop_prefix(es, names.prefix)


def test_same_object_twice_is_one_document_and_new_version_replaces(
    es: Elasticsearch, search_names: SearchNames
) -> None:
    alias = search_names.alias
    v1 = make_doc(make_record("a", ["phiên bản một"], etag="etag-1"))
    results = list(index_records(es, [v1, v1], index=alias, refresh="wait_for"))
    assert [r.ok for r in results] == [True, True]
    assert _count(es, alias) == 1
    v2 = make_doc(make_record("a", ["phiên bản hai"], etag="etag-2"))
    assert next(iter(index_records(es, [v2], index=alias, refresh="wait_for"))).result == "updated"
    assert _count(es, alias) == 1
    stored = es.get(index=alias, id=record_id("sohoa-intake", "cau-giay/a.pdf"))["_source"]
    assert stored["etag"] == "etag-2" and stored["text"] == "phiên bản hai"


def test_mapping_error_fails_one_record_not_the_batch(es: Elasticsearch, search_names: SearchNames) -> None:
    docs = [make_doc(make_record(f"r{i}", [f"trang {i}"])) for i in range(5)]
    docs[1]["issue_date"] = "ngày 3 tháng 4"  # not a date
    docs[3]["unexpected_field"] = 1  # strict mapping
    docs[4]["sidecar"] = {"bad": {1, 2}}  # a set: not JSON
    results = {r.key: r for r in index_records(es, docs, index=search_names.alias, refresh="wait_for")}
    assert len(results) == 5
    assert results["cau-giay/r0.pdf"].ok and results["cau-giay/r2.pdf"].ok
    assert (
        results["cau-giay/r1.pdf"].reason_code == "es_mapping"
        and "issue_date" in results["cau-giay/r1.pdf"].reason
    )
    assert (
        results["cau-giay/r3.pdf"].reason_code == "es_mapping"
        and "unexpected_field" in results["cau-giay/r3.pdf"].reason
    )
    assert results["cau-giay/r4.pdf"].reason_code == "es_serialization"
    assert _count(es, search_names.alias) == 2


def test_bounded_chunks_in_bytes(es: Elasticsearch, search_names: SearchNames) -> None:
    """Requests never exceed max_chunk_bytes, and every record still arrives."""
    big = "Ủy ban nhân dân phường thông báo thu hồi đất. " * 1000  # a record of about 200 kB in JSON
    docs = [make_doc(make_record(f"big{i}", [big])) for i in range(6)]
    sent: list[int] = []
    original = es.bulk

    class Spy:
        def __getattr__(self, name: str) -> Any:
            return getattr(es, name)

        def options(self, **kw: Any) -> Any:
            return self

        def bulk(self, *args: Any, **kwargs: Any) -> Any:
            sent.append(sum(len(op) for op in kwargs["operations"]))
            return original(*args, **kwargs)

    results = list(index_records(Spy(), docs, index=search_names.alias, max_chunk_bytes=600_000))  # type: ignore[arg-type]
    assert all(r.ok for r in results) and len(results) == 6
    assert len(sent) >= 3 and max(sent) <= 600_000
    assert _count(es, search_names.alias) == 6


def test_429_and_503_items_are_sent_again_within_the_wait_budget(
    es: Elasticsearch, search_names: SearchNames
) -> None:
    """Elasticsearch rejects documents for load (429, 503): the sink sends those again, and only those,
    with growing delays, while the record's wait budget lasts; then they end failed with the reason."""
    from core.retry import RetryBudget
    from pipeline.run.context import RunConfig, RunContext
    from pipeline.run.sink import index_with_retries

    calls: list[int] = []
    original = es.bulk

    class Flaky:
        def __init__(self, rejected_answers: int) -> None:
            self.rejected_answers = rejected_answers

        def __getattr__(self, name: str) -> Any:
            return getattr(es, name)

        def options(self, **kw: Any) -> Any:
            return self

        def bulk(self, *args: Any, **kwargs: Any) -> Any:
            calls.append(len(kwargs["operations"]) // 2)
            resp = original(*args, **kwargs)
            if len(calls) <= self.rejected_answers:
                body = resp.body
                for item, status in zip(body["items"][:2], (429, 503), strict=True):
                    item["index"].update(status=status, error={"type": "es_rejected_execution_exception"})
                body["errors"] = True
            return resp

    docs = [make_doc(make_record(f"x{i}", ["nội dung"])) for i in range(4)]
    ctx = RunContext(RunConfig(index_alias=search_names.alias), None, Flaky(1), "run-x")  # type: ignore[arg-type]
    results = index_with_retries(ctx, docs, RetryBudget(max_wait=5, base_delay=0.01))
    assert all(r.ok for r in results.values()) and len(results) == 4
    assert calls == [4, 2]  # the two rejected documents, and only them, were sent again

    calls.clear()
    budget = RetryBudget(max_wait=0.05, base_delay=0.02)
    ctx = RunContext(RunConfig(index_alias=search_names.alias), None, Flaky(99), "run-y")  # type: ignore[arg-type]
    results = index_with_retries(ctx, docs, budget)
    refused = sorted(r.reason_code or "" for r in results.values() if not r.ok)
    assert refused == ["es_rejected", "es_unavailable"]  # the 429 and the 503
    assert budget.waited <= 0.05 + 1e-9 and len(calls) >= 2


def test_migrate_copies_and_swaps_alias(es: Elasticsearch, search_names: SearchNames) -> None:
    alias = search_names.alias
    docs = [make_doc(make_record(f"m{i}", [f"trang {i}"])) for i in range(25)]
    assert all(r.ok for r in index_records(es, docs, index=alias, refresh="wait_for"))
    report = migrate(es, alias)
    assert (report.source, report.target) == (f"{alias}-v1", f"{alias}-v2")
    assert report.copied == 25 and not report.errors
    assert current_index(es, alias) == f"{alias}-v2"
    assert _count(es, alias) == 25
    assert es.indices.exists(index=f"{alias}-v1")  # kept until someone deletes it on purpose
    # writes through the alias now land in v2
    late = make_doc(make_record("late", ["sau khi chuyển"]))
    assert next(iter(index_records(es, [late], index=alias, refresh="wait_for"))).ok
    assert _count(es, f"{alias}-v2") == 26 and _count(es, f"{alias}-v1") == 25
    assert (
        es.indices.get_mapping(index=f"{alias}-v2")[f"{alias}-v2"]["mappings"]["dynamic"]
        == RECORDS_MAPPING["dynamic"]
    )
