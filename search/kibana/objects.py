"""Kibana saved objects, generated from code: the one source of truth for what archivists see.

`saved_objects(alias, ledger, link_base)` returns the objects; `to_ndjson` writes the file that
`POST /api/saved_objects/_import` takes; `import_objects` posts it. Objects (stable ids, so an import
with overwrite replaces them):

- data view `sohoa-records` over the records alias, with Vietnamese labels for the fields and a URL
  formatter that makes the original scan and the searchable PDF clickable;
- data view `sohoa-ledger` over the ledger alias (failures, for technicians);
- saved search "Tìm kiếm hồ sơ" (useful columns, newest issue date first), "Hồ sơ độ tin cậy OCR thấp"
  and "Lỗi xử lý" (failed and quarantined objects);
- Lens charts and the dashboard "Số hóa hồ sơ — tổng quan": records per new unit and per document type,
  records per month, pages processed, failures, low-confidence records.

Links are `<link_base><bucket>/<key>`: never presigned URLs (a URL stored in Kibana would outlive any
expiry). `link_base` should be a gateway that authenticates the archivist and redirects to a
short-lived presigned URL, or the object store itself where archivists may read it directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from search.kibana.format import saved_object
from search.kibana.lens import bar, count, donut, metric, terms

DATA_VIEW_ID = "sohoa-records"
LEDGER_VIEW_ID = "sohoa-ledger"
SEARCH_ID = "sohoa-search-records"
LOW_CONF_SEARCH_ID = "sohoa-search-low-confidence"
FAILURES_SEARCH_ID = "sohoa-search-failures"
DASHBOARD_ID = "sohoa-dashboard-overview"

# Vietnamese labels shown instead of the field names (data view fieldAttrs.customLabel)
FIELD_LABELS: dict[str, str] = {
    "record_id": "Hồ sơ",
    "doc_number": "Số, ký hiệu văn bản",
    "doc_number.keyword": "Số, ký hiệu văn bản",
    "doc_number_seq": "Số văn bản",
    "doc_symbol": "Ký hiệu văn bản",
    "doc_type": "Loại văn bản",
    "doc_type.keyword": "Loại văn bản",
    "doc_type_code": "Mã loại văn bản",
    "issuing_body": "Cơ quan ban hành",
    "issuing_body.keyword": "Cơ quan ban hành",
    "parent_body": "Cơ quan chủ quản",
    "issue_date": "Ngày ban hành",
    "issue_place": "Địa danh ban hành",
    "subject": "Trích yếu nội dung",
    "signer_name": "Người ký",
    "signer_title": "Chức vụ người ký",
    "recipients": "Nơi nhận",
    "addressees": "Kính gửi",
    "admin_unit_old.label": "Đơn vị hành chính cũ",
    "admin_unit_old.label.keyword": "Đơn vị hành chính cũ",
    "admin_unit_old.district": "Quận/huyện (cũ)",
    "admin_unit_old.commune": "Phường/xã (cũ)",
    "admin_unit_new.label": "Đơn vị hành chính mới",
    "admin_unit_new.label.keyword": "Đơn vị hành chính mới",
    "admin_unit_new.commune": "Phường/xã (mới)",
    "admin_unit_new.candidates": "Đơn vị mới có thể (chưa xác định)",
    "admin_unit_new.ambiguous": "Đơn vị mới chưa xác định",
    "language": "Ngôn ngữ",
    "text": "Toàn văn",
    "text_folded": "Toàn văn (không dấu)",
    "n_pages": "Số trang",
    "district": "Đơn vị gửi (thư mục)",
    "status": "Trạng thái xử lý",
    "ocr.mean_conf": "Độ tin cậy OCR trung bình",
    "ocr.n_low_conf_pages": "Số trang độ tin cậy thấp",
    "ocr.low_conf": "Độ tin cậy OCR thấp",
    "processed_at": "Thời điểm xử lý",
    "pipeline_version": "Phiên bản quy trình",
    "links.original": "Bản quét gốc",
    "links.pdf": "Bản PDF tìm kiếm được",
    "corrected_fields": "Trường đã được sửa",
    "review.score": "Điểm tin cậy (kiểm tra)",
    "review.checked_by": "Người kiểm tra",
    "key": "Tệp gốc",
}
LEDGER_LABELS: dict[str, str] = {
    "state": "Trạng thái",
    "reason": "Lý do",
    "reason_code": "Mã lý do",
    "attempts": "Số lần thử",
    "updated_at": "Cập nhật lúc",
    "first_seen": "Lần đầu thấy",
    "key": "Tệp",
    "bucket": "Bucket",
    "district": "Đơn vị gửi",
    "run_id": "Lượt chạy",
}
SEARCH_COLUMNS = [
    "record_id",
    "doc_number",
    "doc_type",
    "issue_date",
    "issuing_body",
    "subject",
    "admin_unit_old.label",
    "admin_unit_new.label",
    "n_pages",
    "links.original",
    "links.pdf",
]


def _search_source(query: str = "", with_index: bool = True) -> str:
    source: dict[str, Any] = {"query": {"query": query, "language": "kuery"}, "filter": []}
    if with_index:
        source["indexRefName"] = "kibanaSavedObjectMeta.searchSourceJSON.index"
    return json.dumps(source, ensure_ascii=False)


def _data_view(id_: str, title: str, name: str, labels: dict[str, str], **extra: Any) -> dict[str, Any]:
    attrs = {
        "title": title,  # the alias: a migration behind it needs no change here
        "name": name,
        "fieldAttrs": json.dumps({f: {"customLabel": lab} for f, lab in labels.items()}, ensure_ascii=False),
        "fieldFormatMap": "{}",
        "fields": "[]",
        "runtimeFieldMap": "{}",
        "sourceFilters": "[]",
        "typeMeta": "{}",
        "allowNoIndex": True,
        **extra,
    }
    return saved_object("index-pattern", id_, attrs, [])


def _saved_search(
    id_: str,
    title: str,
    view: str,
    columns: list[str],
    sort: list[list[str]],
    query: str = "",
    desc: str = "",
) -> dict[str, Any]:
    attrs = {
        "title": title,
        "description": desc,
        "columns": columns,
        "sort": sort,
        "grid": {},
        "hideChart": True,
        "isTextBasedQuery": False,
        "timeRestore": False,
        "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(query)},
    }
    ref = {"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": view}
    return saved_object("search", id_, attrs, [ref])


# --- dashboard ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Panel:
    object_type: str  # lens | search
    object_id: str
    x: int
    y: int
    w: int
    h: int


DASHBOARD_LAYOUT = [  # 48 columns wide
    Panel("lens", "sohoa-lens-per-new-unit", 0, 0, 24, 15),
    Panel("lens", "sohoa-lens-per-type", 24, 0, 24, 15),
    Panel("lens", "sohoa-lens-per-month", 0, 15, 32, 15),
    Panel("lens", "sohoa-lens-pages", 32, 15, 16, 7),
    Panel("lens", "sohoa-lens-low-conf-count", 32, 22, 16, 8),
    Panel("lens", "sohoa-lens-failures", 0, 30, 24, 15),
    Panel("search", FAILURES_SEARCH_ID, 24, 30, 24, 15),
    Panel("search", LOW_CONF_SEARCH_ID, 0, 45, 48, 15),
]


def _dashboard(layout: list[Panel]) -> dict[str, Any]:
    panels, refs = [], []
    for n, p in enumerate(layout, start=1):
        pid = f"p{n}"
        panels.append(
            {
                "type": p.object_type,
                "gridData": {"x": p.x, "y": p.y, "w": p.w, "h": p.h, "i": pid},
                "panelIndex": pid,
                "embeddableConfig": {"enhancements": {}},
                "panelRefName": f"panel_{pid}",
            }
        )
        refs.append({"name": f"{pid}:panel_{pid}", "type": p.object_type, "id": p.object_id})
    attrs = {
        "title": "Số hóa hồ sơ — tổng quan",
        "description": (
            "Hồ sơ theo đơn vị hành chính mới, loại văn bản, tháng; số trang; lỗi; độ tin cậy OCR thấp."
        ),
        "panelsJSON": json.dumps(panels, ensure_ascii=False),
        "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "hidePanelTitles": False}),
        "timeRestore": False,
        "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(with_index=False)},
    }
    return saved_object("dashboard", DASHBOARD_ID, attrs, refs)


def _url(template: str, label: str) -> dict[str, Any]:
    return {"id": "url", "params": {"urlTemplate": template, "labelTemplate": label}}


def url_formats(link_base: str, *, viewer: bool) -> dict[str, Any]:
    """The URL formatters of the records data view.

    With the viewer (`sohoa serve`): the record id opens the record page `/records/{{id}}`, and the
    scan and PDF paths open `/open/<bucket>/<key>`, which logs the archivist in and redirects to a
    short-lived presigned link. Without it: `<link_base><bucket>/<key>`, for a store archivists may
    read directly. Never a presigned URL: Kibana keeps what it stores for ever.
    """
    if re.search(r"(?i)x-amz-|signature=|expires=", link_base):
        raise ValueError("link_base must not be a presigned URL: Kibana keeps links for ever")
    if viewer:
        return {
            "record_id": _url(f"{link_base}records/{{{{value}}}}", "Mở hồ sơ"),
            "links.original": _url(f"{link_base}open/{{{{rawValue}}}}", "Mở bản quét gốc"),
            "links.pdf": _url(f"{link_base}open/{{{{rawValue}}}}", "Mở PDF"),
        }
    return {
        "links.original": _url(f"{link_base}{{{{rawValue}}}}", "Mở bản quét gốc"),
        "links.pdf": _url(f"{link_base}{{{{rawValue}}}}", "Mở PDF"),
    }


def saved_objects(
    alias: str = "sohoa-records", ledger: str = "sohoa-ledger", link_base: str = "", *, viewer: bool = False
) -> list[dict[str, Any]]:
    """All saved objects, referenced objects before the objects that use them. `viewer`: `link_base` is
    the URL of `sohoa serve` (links open record pages), else of the object store."""
    url_format = url_formats(link_base, viewer=viewer)
    records_view = _data_view(
        DATA_VIEW_ID,
        alias,
        "Hồ sơ số hóa",
        FIELD_LABELS,
        # no time field: records without an issue date would vanish from Discover, and archivists
        # search the whole archive, not the last 15 minutes
        fieldFormatMap=json.dumps(url_format, ensure_ascii=False),
        sourceFilters=json.dumps([{"value": "text_folded"}, {"value": "*_folded"}, {"value": "pages"}]),
    )
    ledger_view = _data_view(
        LEDGER_VIEW_ID, ledger, "Sổ theo dõi xử lý", LEDGER_LABELS, timeFieldName="updated_at"
    )
    failed = "state : (failed or quarantined)"
    low_conf = "ocr.low_conf : true"
    objects = [
        records_view,
        ledger_view,
        _saved_search(
            SEARCH_ID,
            "Tìm kiếm hồ sơ",
            DATA_VIEW_ID,
            SEARCH_COLUMNS,
            [["issue_date", "desc"]],
            desc="Hồ sơ đã số hóa, văn bản mới nhất trước. Gõ có dấu hoặc không dấu.",
        ),
        _saved_search(
            LOW_CONF_SEARCH_ID,
            "Hồ sơ độ tin cậy OCR thấp",
            DATA_VIEW_ID,
            [
                "doc_number",
                "issuing_body",
                "ocr.mean_conf",
                "ocr.n_low_conf_pages",
                "n_pages",
                "links.original",
            ],
            [["ocr.mean_conf", "asc"]],
            query=low_conf,
            desc="Nên kiểm tra lại bằng mắt: có trang OCR độ tin cậy thấp.",
        ),
        _saved_search(
            FAILURES_SEARCH_ID,
            "Lỗi xử lý",
            LEDGER_VIEW_ID,
            ["state", "reason_code", "reason", "district", "key", "attempts"],
            [["updated_at", "desc"]],
            query=failed,
        ),
        bar(
            "sohoa-lens-per-new-unit",
            "Hồ sơ theo đơn vị hành chính mới",
            DATA_VIEW_ID,
            terms("admin_unit_new.label.keyword", "Đơn vị hành chính mới", "", 30),
            count(),
            horizontal=True,
        ),
        donut(
            "sohoa-lens-per-type", "Hồ sơ theo loại văn bản", DATA_VIEW_ID, "doc_type_code", "Loại văn bản"
        ),
        bar(
            "sohoa-lens-per-month",
            "Hồ sơ theo tháng ban hành",
            DATA_VIEW_ID,
            {
                "label": "Tháng ban hành",
                "customLabel": True,
                "dataType": "date",
                "operationType": "date_histogram",
                "isBucketed": True,
                "scale": "interval",
                "sourceField": "issue_date",
                "params": {"interval": "M", "includeEmptyRows": True, "dropPartials": False},
            },
            count(),
            horizontal=False,
        ),
        metric(
            "sohoa-lens-pages",
            "Số trang đã xử lý",
            DATA_VIEW_ID,
            {
                "label": "Số trang đã xử lý",
                "customLabel": True,
                "dataType": "number",
                "operationType": "sum",
                "isBucketed": False,
                "scale": "ratio",
                "sourceField": "n_pages",
                "params": {"emptyAsNull": False},
            },
        ),
        metric(
            "sohoa-lens-low-conf-count", "Hồ sơ độ tin cậy OCR thấp", DATA_VIEW_ID, count(), query=low_conf
        ),
        bar(
            "sohoa-lens-failures",
            "Lỗi và cách ly theo lý do",
            LEDGER_VIEW_ID,
            terms("reason_code", "Mã lý do", "", 20),
            count("Số tệp"),
            horizontal=True,
            query=failed,
        ),
    ]
    objects.append(_dashboard(DASHBOARD_LAYOUT))
    return objects


def to_ndjson(objects: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n" for o in objects)


# --- what the objects need from the index (checked against _field_caps in the tests) ---------------
@dataclass(frozen=True)
class FieldUse:
    data_view: str  # saved-object id of the data view
    field: str
    need: str  # exists | sortable | aggregatable | searchable
    where: str  # which object uses it, for the error message


_KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*:")


def field_uses(objects: list[dict[str, Any]]) -> list[FieldUse]:
    """Every field the objects name, read from the objects themselves (not a second list to keep in sync)."""
    uses: list[FieldUse] = []
    for o in objects:
        a, where = o["attributes"], f"{o['type']}:{o['id']}"
        if o["type"] == "index-pattern":
            for name in json.loads(a["fieldAttrs"]):
                uses.append(FieldUse(o["id"], name, "exists", where))
            for name in json.loads(a["fieldFormatMap"]):
                uses.append(FieldUse(o["id"], name, "exists", where))
            if a.get("timeFieldName"):
                uses.append(FieldUse(o["id"], a["timeFieldName"], "aggregatable", where))
        elif o["type"] == "search":
            view = o["references"][0]["id"]
            uses += [FieldUse(view, c, "exists", where) for c in a["columns"]]
            uses += [FieldUse(view, s[0], "sortable", where) for s in a["sort"]]
            query = json.loads(a["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"]
            uses += [FieldUse(view, f, "searchable", where) for f in _KQL_FIELD.findall(query)]
        elif o["type"] == "lens":
            view = o["references"][0]["id"]
            state = a["state"]
            for layer in state["datasourceStates"]["formBased"]["layers"].values():
                for col in layer["columns"].values():
                    if col["sourceField"] != "___records___":
                        uses.append(FieldUse(view, col["sourceField"], "aggregatable", where))
            uses += [
                FieldUse(view, f, "searchable", where) for f in _KQL_FIELD.findall(state["query"]["query"])
            ]
    return uses


def panels_of(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(dashboard["attributes"]["panelsJSON"])
