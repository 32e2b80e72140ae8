"""Lens visualisations (bar, donut, metric) in the form-based datasource Kibana's import accepts."""

from __future__ import annotations

from typing import Any

from search.kibana.format import saved_object, stable_id


def count(label: str = "Số hồ sơ") -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "count",
        "isBucketed": False,
        "scale": "ratio",
        "sourceField": "___records___",
        "params": {"emptyAsNull": False},
    }


def terms(fieldname: str, label: str, order_by: str, size: int = 20) -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "string",
        "operationType": "terms",
        "isBucketed": True,
        "scale": "ordinal",
        "sourceField": fieldname,
        "params": {
            "size": size,
            "orderBy": {"type": "column", "columnId": order_by},
            "orderDirection": "desc",
            "otherBucket": True,
            "missingBucket": False,
        },
    }


def lens(
    id_: str,
    title: str,
    view: str,
    columns: dict[str, dict[str, Any]],
    visualization: dict[str, Any],
    vis_type: str,
    query: str = "",
) -> dict[str, Any]:
    layer = stable_id(id_, "layer")
    for vis_layer in visualization.get("layers", [visualization]):
        vis_layer["layerId"] = layer
    attrs = {
        "title": title,
        "description": "",
        "visualizationType": vis_type,
        "state": {
            "datasourceStates": {
                "formBased": {
                    "layers": {
                        layer: {"columns": columns, "columnOrder": list(columns), "incompleteColumns": {}}
                    }
                }
            },
            "visualization": visualization,
            "query": {"query": query, "language": "kuery"},
            "filters": [],
            "internalReferences": [],
            "adHocDataViews": {},
        },
    }
    ref = {"type": "index-pattern", "id": view, "name": f"indexpattern-datasource-layer-{layer}"}
    return saved_object("lens", id_, attrs, [ref])


def bar(
    id_: str, title: str, view: str, x: dict[str, Any], y: dict[str, Any], horizontal: bool, query: str = ""
):
    xid, yid = stable_id(id_, "x"), stable_id(id_, "y")
    series = "bar_horizontal" if horizontal else "bar"
    x = (
        {**x, "params": {**x["params"], "orderBy": {"type": "column", "columnId": yid}}}
        if x["operationType"] == "terms"
        else x
    )
    vis = {
        "legend": {"isVisible": False, "position": "right"},
        "valueLabels": "show" if horizontal else "hide",
        "preferredSeriesType": series,
        "layers": [
            {
                "accessors": [yid],
                "position": "top",
                "seriesType": series,
                "showGridlines": False,
                "layerType": "data",
                "xAccessor": xid,
            }
        ],
    }
    return lens(id_, title, view, {xid: x, yid: y}, vis, "lnsXY", query)


def donut(id_: str, title: str, view: str, fieldname: str, label: str) -> dict[str, Any]:
    gid, mid = stable_id(id_, "group"), stable_id(id_, "metric")
    vis = {
        "shape": "donut",
        "layers": [
            {
                "primaryGroups": [gid],
                "metrics": [mid],
                "numberDisplay": "value",
                "categoryDisplay": "default",
                "legendDisplay": "show",
                "nestedLegend": False,
                "layerType": "data",
            }
        ],
    }
    return lens(id_, title, view, {gid: terms(fieldname, label, mid), mid: count()}, vis, "lnsPie")


def metric(id_: str, title: str, view: str, column: dict[str, Any], query: str = "") -> dict[str, Any]:
    mid = stable_id(id_, "metric")
    vis = {"layerType": "data", "metricAccessor": mid}
    return lens(id_, title, view, {mid: column}, vis, "lnsMetric", query)
