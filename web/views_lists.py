"""The search page and the review queue: forms that GET, so a result list is a link one can share."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from search.query import SearchFilters, parse_date_bound, search_page
from search.review import ReviewFilters, review_queue
from web.guard import require
from web.record_view import reason_labels

PAGE_SIZE = 20


def _page_url(request: Request):  # type: ignore[no-untyped-def]
    """The same list at another page number (the other parameters kept, encoded)."""

    def url(page: int) -> str:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "p"]
        return f"{request.url.path}?{urlencode([*params, ('p', str(page))])}"

    return url


def _page(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("p", "1")))
    except ValueError:
        return 1


def search(request: Request) -> Response:
    ctx = request.app.state.ctx
    user = require(ctx, request)
    params = {
        k: request.query_params.get(k, "").strip()
        for k in ("q", "type", "unit_old", "unit_new", "from", "to")
    }
    error, result = None, None
    for key in ("from", "to"):
        try:
            parse_date_bound(params[key] or None, end=key == "to")
        except ValueError:
            error = f"Ngày không hợp lệ: {params[key]!r} (viết 2024, 04/2024 hoặc 03/04/2024)."
    asked = any(params.values())
    page = _page(request)
    if asked and not error:
        filters = SearchFilters(
            params["type"] or None,
            params["unit_old"] or None,
            params["unit_new"] or None,
            params["from"] or None,
            params["to"] or None,
        )
        result = search_page(
            ctx.es,
            params["q"],
            index=ctx.index,
            filters=filters,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    return ctx.render(
        request,
        "search.html",
        user,
        params=params,
        result=result,
        error=error,
        page=page,
        page_size=PAGE_SIZE,
        page_url=_page_url(request),
    )


def review(request: Request) -> Response:
    ctx = request.app.state.ctx
    user = require(ctx, request)
    unit = request.query_params.get("unit", "").strip()
    doc_type = request.query_params.get("type", "").strip()
    include_checked = request.query_params.get("checked") == "1"
    page = _page(request)
    total, records = review_queue(
        ctx.es,
        index=ctx.index,
        filters=ReviewFilters(unit or None, doc_type or None, include_checked),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    for r in records:
        r["reason_labels"] = reason_labels((r.get("review") or {}).get("reasons") or [])
    return ctx.render(
        request,
        "review.html",
        user,
        records=records,
        total=total,
        unit=unit,
        doc_type=doc_type,
        include_checked=include_checked,
        page=page,
        page_size=PAGE_SIZE,
        page_url=_page_url(request),
    )
