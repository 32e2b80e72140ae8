"""Kibana saved objects: structure, references, layout, and every field they use checked against the
real Elasticsearch mapping (`_field_caps`). Kibana itself cannot run here; the import test runs only
when KIBANA_URL names a real Kibana."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from search.kibana import (
    DASHBOARD_ID,
    FIELD_LABELS,
    field_uses,
    import_objects,
    import_problems,
    panels_of,
    saved_objects,
    to_ndjson,
)
from search.kibana.check import JSON_STRING_ATTRIBUTES
from tests.search_fixtures import SearchNames, relevance_index_fixture, search_names_fixture  # noqa: F401

LINK_BASE = "https://kho.example.vn/mo/"


@pytest.fixture(name="objects")
def objects_fixture() -> list[dict[str, Any]]:
    return [json.loads(line) for line in to_ndjson(saved_objects(link_base=LINK_BASE)).splitlines()]


def test_every_line_parses_and_type_id_is_unique() -> None:
    text = to_ndjson(saved_objects(link_base=LINK_BASE))
    lines = text.splitlines()
    assert text.endswith("\n") and all(lines)
    parsed = [json.loads(line) for line in lines]  # raises on a bad line
    keys = [(o["type"], o["id"]) for o in parsed]
    assert len(keys) == len(set(keys))
    assert {t for t, _ in keys} == {"index-pattern", "search", "lens", "dashboard"}


def _embedded_json(o: dict[str, Any]) -> Iterator[tuple[str, str]]:
    a = o["attributes"]
    for name in JSON_STRING_ATTRIBUTES:
        if name in a:
            yield name, a[name]
    if "kibanaSavedObjectMeta" in a:
        yield "searchSourceJSON", a["kibanaSavedObjectMeta"]["searchSourceJSON"]


def test_embedded_json_strings_parse(objects: list[dict[str, Any]]) -> None:
    for o in objects:
        for name, value in _embedded_json(o):
            assert isinstance(value, str), f"{o['id']}.{name} must be a JSON string"
            json.loads(value)


def test_every_reference_resolves(objects: list[dict[str, Any]]) -> None:
    present = {(o["type"], o["id"]) for o in objects}
    for o in objects:
        names = [r["name"] for r in o["references"]]
        assert len(names) == len(set(names)), o["id"]
        for ref in o["references"]:
            assert (ref["type"], ref["id"]) in present, f"{o['id']} -> {ref}"
        if o["type"] == "search":
            source = json.loads(o["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
            assert source["indexRefName"] in names
        if o["type"] == "lens":
            layers = o["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
            for layer_id, layer in layers.items():
                assert f"indexpattern-datasource-layer-{layer_id}" in names
                assert layer["columnOrder"] and set(layer["columnOrder"]) == set(layer["columns"])
                for col in layer["columns"].values():
                    order_by = col.get("params", {}).get("orderBy", {})
                    if order_by.get("type") == "column":
                        assert order_by["columnId"] in layer["columns"]
            vis = o["attributes"]["state"]["visualization"]
            vis_layers = vis.get("layers", [vis])
            assert {v["layerId"] for v in vis_layers} == set(layers)
        if o["type"] == "dashboard":
            for panel in panels_of(o):
                assert f"{panel['panelIndex']}:{panel['panelRefName']}" in names


def test_dashboard_panels_fit_the_grid_without_overlap(objects: list[dict[str, Any]]) -> None:
    dashboard = next(o for o in objects if o["type"] == "dashboard" and o["id"] == DASHBOARD_ID)
    cells: dict[tuple[int, int], str] = {}
    panels = panels_of(dashboard)
    assert len({p["panelIndex"] for p in panels}) == len(panels)
    for p in panels:
        g = p["gridData"]
        assert g["i"] == p["panelIndex"]
        assert g["x"] >= 0 and g["y"] >= 0 and g["w"] > 0 and g["h"] > 0
        assert g["x"] + g["w"] <= 48, f"panel {g['i']} is wider than the 48-column grid"
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"panels {cells[(x, y)]} and {g['i']} overlap at {(x, y)}"
                cells[(x, y)] = g["i"]


def test_required_content(objects: list[dict[str, Any]]) -> None:
    by_id = {o["id"]: o for o in objects}
    view = by_id["sohoa-records"]["attributes"]
    labels = {k: v["customLabel"] for k, v in json.loads(view["fieldAttrs"]).items()}
    assert labels["doc_number"] == "Số, ký hiệu văn bản"
    assert labels["issuing_body"] == "Cơ quan ban hành"
    assert labels["admin_unit_new.label"] == "Đơn vị hành chính mới"
    formats = json.loads(view["fieldFormatMap"])
    for name in ("links.original", "links.pdf"):
        assert formats[name]["id"] == "url"
        assert formats[name]["params"]["urlTemplate"] == LINK_BASE + "{{rawValue}}"
    search = next(
        o for o in objects if o["type"] == "search" and o["attributes"]["title"] == "Tìm kiếm hồ sơ"
    )
    assert search["attributes"]["sort"] == [["issue_date", "desc"]]
    assert {"doc_number", "issue_date", "issuing_body", "admin_unit_new.label", "links.original"} <= set(
        search["attributes"]["columns"]
    )
    titles = {o["attributes"]["title"] for o in objects if o["type"] == "lens"}
    assert {
        "Hồ sơ theo đơn vị hành chính mới",
        "Hồ sơ theo loại văn bản",
        "Hồ sơ theo tháng ban hành",
        "Số trang đã xử lý",
        "Lỗi và cách ly theo lý do",
        "Hồ sơ độ tin cậy OCR thấp",
    } <= titles


def test_no_presigned_url_ever(objects: list[dict[str, Any]]) -> None:
    text = json.dumps(objects)
    assert "X-Amz-" not in text and "Signature=" not in text
    with pytest.raises(ValueError, match="presigned"):
        saved_objects(link_base="https://s3/b/?X-Amz-Expires=604800&X-Amz-Signature=abc&")


def _supports(caps: dict[str, Any], need: str) -> bool:
    if need in ("exists",):
        return True
    if need == "searchable":
        return any(c.get("searchable") for c in caps.values())
    # sorting and aggregating both need doc values: field_caps reports them as aggregatable
    return any(c.get("aggregatable") for c in caps.values())


@pytest.mark.servers
def test_every_field_exists_with_a_type_that_supports_its_use(
    es: Elasticsearch, search_names: SearchNames
) -> None:
    objects = saved_objects(search_names.alias, search_names.ledger, LINK_BASE)
    views = {o["id"]: o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}
    caps = {view: es.field_caps(index=title, fields="*")["fields"] for view, title in views.items()}
    problems = []
    uses = field_uses(objects)
    assert len(uses) > 50
    for use in uses:
        field_caps = caps[use.data_view].get(use.field)
        if field_caps is None:
            problems.append(f"{use.where}: {use.field} is not in the mapping of {views[use.data_view]}")
        elif not _supports(field_caps, use.need):
            problems.append(f"{use.where}: {use.field} ({list(field_caps)}) is not {use.need}")
    assert not problems, "\n".join(problems)
    # the labels cover the fields the issue names
    assert set(FIELD_LABELS) <= set(caps["sohoa-records"])


@pytest.mark.skipif(not os.environ.get("KIBANA_URL"), reason="KIBANA_URL not set: no Kibana to import into")
def test_import_into_a_real_kibana() -> None:
    report = import_objects(
        os.environ["KIBANA_URL"],
        to_ndjson(saved_objects(link_base=LINK_BASE)),
        space=os.environ.get("KIBANA_SPACE"),
        api_key=os.environ.get("KIBANA_API_KEY"),
    )
    assert report.ok, report.errors
    assert report.success_count == len(saved_objects())


def _kql_to_lucene(kql: str) -> str:
    """Enough KQL for our own saved queries (`field : value`, `field : (a or b)`)."""
    return kql.replace(" : ", ":").replace(" or ", " OR ").replace(" and ", " AND ")


def _aggregation(col: dict[str, Any]) -> dict[str, Any] | None:
    op, name = col["operationType"], col["sourceField"]
    if op == "terms":
        return {"terms": {"field": name, "size": col["params"]["size"]}}
    if op == "date_histogram":
        return {"date_histogram": {"field": name, "calendar_interval": "month"}}
    if op in ("sum", "avg", "min", "max"):
        return {op: {"field": name}}
    return None  # count


@pytest.mark.servers
def test_queries_and_charts_run_on_real_records(es: Elasticsearch, relevance_index: SearchNames) -> None:
    """Each saved query and each Lens aggregation, as Elasticsearch requests, on the relevance records."""
    objects = saved_objects(relevance_index.alias, relevance_index.ledger, LINK_BASE)
    views = {o["id"]: o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}
    results: dict[str, Any] = {}
    for o in objects:
        if o["type"] == "search":
            a = o["attributes"]
            kql = json.loads(a["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"]
            query = {"query_string": {"query": _kql_to_lucene(kql)}} if kql else {"match_all": {}}
            sort = [{f: {"order": d}} for f, d in a["sort"]]
            results[o["id"]] = es.search(
                index=views[o["references"][0]["id"]], query=query, sort=sort, size=5
            )
        elif o["type"] == "lens":
            state = o["attributes"]["state"]
            (layer,) = state["datasourceStates"]["formBased"]["layers"].values()
            aggs = {cid: agg for cid, col in layer["columns"].items() if (agg := _aggregation(col))}
            kql = state["query"]["query"]
            query = {"query_string": {"query": _kql_to_lucene(kql)}} if kql else {"match_all": {}}
            index = views[o["references"][0]["id"]]
            results[o["id"]] = es.search(index=index, query=query, aggs=aggs or None, size=0)
    assert results["sohoa-search-records"]["hits"]["hits"][0]["_source"]["issue_date"] == "2025-03-01"
    per_unit = next(iter(results["sohoa-lens-per-new-unit"]["aggregations"].values()))["buckets"]
    assert {b["key"]: b["doc_count"] for b in per_unit}["phường Cầu Giấy, Thành phố Hà Nội"] == 4
    per_type = next(iter(results["sohoa-lens-per-type"]["aggregations"].values()))["buckets"]
    assert sum(b["doc_count"] for b in per_type) == 12
    per_month = next(iter(results["sohoa-lens-per-month"]["aggregations"].values()))["buckets"]
    assert sum(b["doc_count"] for b in per_month) == 12
    pages = next(iter(results["sohoa-lens-pages"]["aggregations"].values()))["value"]
    assert pages == 14  # ten one-page records and two of two pages
    assert results["sohoa-lens-low-conf-count"]["hits"]["total"]["value"] == 0
    assert results["sohoa-search-failures"]["hits"]["total"]["value"] == 0  # an empty ledger still answers


# --- Kibana's own import rules (search.kibana.check), and the links to the record pages ---------------
VIEWER = "https://sohoa.trungtam.example.vn/"


def test_objects_pass_kibanas_import_rules() -> None:
    for viewer in (False, True):
        objects = [
            json.loads(line)
            for line in to_ndjson(saved_objects(link_base=VIEWER, viewer=viewer)).splitlines()
        ]
        assert import_problems(objects) == []


def test_import_rules_catch_what_kibana_refuses(objects: list[dict[str, Any]]) -> None:
    dashboard = next(o for o in objects if o["type"] == "dashboard")
    bad = json.loads(json.dumps(dashboard))
    bad["attributes"]["layout"] = "grid"  # unknown attribute: the dashboard schema forbids it
    bad["attributes"]["kibanaSavedObjectMeta"]["extra"] = "x"  # nested objects forbid them too
    assert any("unknown attribute 'layout'" in p for p in import_problems([*objects[:-1], bad]))
    assert any(
        "kibanaSavedObjectMeta: unknown attribute 'extra'" in p for p in import_problems([*objects[:-1], bad])
    )

    search = next(o for o in objects if o["type"] == "search")
    orphan = {**search, "references": [{**search["references"][0], "id": "no-such-view"}]}
    problems = import_problems([o for o in objects if o is not search] + [orphan])
    assert any("missing_references index-pattern:no-such-view" in p for p in problems)

    too_new = {**search, "typeMigrationVersion": "10.99.0"}
    assert any(
        "newer than Kibana knows" in p
        for p in import_problems([o for o in objects if o is not search] + [too_new])
    )
    unversioned = {k: v for k, v in search.items() if k != "typeMigrationVersion"}
    assert import_problems([o for o in objects if o is not search] + [unversioned])
    tabs = {**search, "typeMigrationVersion": "10.8.0"}
    assert any(
        "requires tabs" in p for p in import_problems([o for o in objects if o is not search] + [tabs])
    )

    assert "more than once" in import_problems([*objects, objects[0]])[0]
    assert import_problems([{**objects[0], "type": "canvas-workpad"}]) == [
        f"canvas-workpad:{objects[0]['id']}: unsupported_type"
    ]


def test_with_the_viewer_links_open_record_pages_never_presigned_urls() -> None:
    objects = saved_objects(link_base=VIEWER, viewer=True)
    view = next(o for o in objects if o["id"] == "sohoa-records")["attributes"]
    formats = json.loads(view["fieldFormatMap"])
    assert formats["record_id"]["params"]["urlTemplate"] == VIEWER + "records/{{value}}"
    assert formats["links.original"]["params"]["urlTemplate"] == VIEWER + "open/{{rawValue}}"
    assert formats["links.pdf"]["params"]["urlTemplate"] == VIEWER + "open/{{rawValue}}"
    assert (
        "record_id" in next(o for o in objects if o["id"] == "sohoa-search-records")["attributes"]["columns"]
    )
    text = json.dumps(objects)
    assert "X-Amz-" not in text and "Signature=" not in text
    with pytest.raises(ValueError, match="presigned"):
        saved_objects(link_base="https://viewer/?X-Amz-Signature=abc&", viewer=True)
