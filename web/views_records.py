"""The record page and what hangs off it: page images, the doors to the scans, corrections, checks."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from core.errors import NotFoundError
from pipeline.document import CORRECTABLE_FIELDS, corrected_fields
from pipeline.record import record_id as record_id_of
from search.corrections import history, mark_checked, record_correction
from search.query import get_record, page_highlights
from web.guard import checked_form, require
from web.record_view import field_rows, page_rows, reason_labels


def _record(ctx: Any, record_id: str) -> dict[str, Any]:
    doc = get_record(ctx.es, record_id, index=ctx.index)
    if doc is None:
        raise NotFoundError(f"Không có hồ sơ {record_id} trong {ctx.index}.")
    return doc


def record_page(request: Request) -> Response:
    ctx = request.app.state.ctx
    user = require(ctx, request)
    rid = request.path_params["record_id"]
    doc = _record(ctx, rid)
    query = request.query_params.get("q", "").strip()
    pages = page_rows(doc, page_highlights(ctx.es, query, rid, index=ctx.index) if query else {})
    try:
        current = int(request.query_params.get("page", "0"))
    except ValueError:
        current = 0
    if not any(p.page_no == current for p in pages):
        lit = [p.page_no for p in pages if p.highlighted]
        current = lit[0] if lit else (pages[0].page_no if pages else 1)
    return ctx.render(
        request,
        "record.html",
        user,
        doc=doc,
        rid=rid,
        query=query,
        fields=field_rows(doc),
        pages=pages,
        current=current,
        history=history(ctx.es, rid, index=ctx.settings.audit_index),
        review=doc.get("review") or {},
        review_reasons=reason_labels((doc.get("review") or {}).get("reasons") or []),
        error=request.session.pop("flash_error", None) or request.query_params.get("error"),
        saved=request.query_params.get("saved"),
    )


def page_image(request: Request) -> Response:
    return _image(request, thumb=False)


def thumb_image(request: Request) -> Response:
    return _image(request, thumb=True)


def _image(request: Request, *, thumb: bool) -> Response:
    ctx = request.app.state.ctx
    require(ctx, request)
    doc = _record(ctx, request.path_params["record_id"])
    try:
        path = ctx.pages.page(doc, int(request.path_params["page_no"]), thumb=thumb)
    except ValueError as exc:
        raise NotFoundError(str(exc)) from None
    # private: only this browser may keep it, and only for a day (the session may end earlier)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})


def door_scan(request: Request) -> Response:
    """`/records/<id>/scan`: a freshly presigned link to the original, after the login check."""
    return _door(request, "scan")


def door_pdf(request: Request) -> Response:
    """`/records/<id>/pdf`: the same for the searchable PDF."""
    return _door(request, "pdf")


def _door(request: Request, kind: str) -> Response:
    ctx = request.app.state.ctx
    require(ctx, request)
    doc = _record(ctx, request.path_params["record_id"])
    return _presigned_redirect(ctx, doc, kind)


def _presigned_redirect(ctx: Any, doc: dict[str, Any], kind: str) -> Response:
    if kind == "pdf":
        deriv = doc.get("derivatives") or {}
        bucket, key = deriv.get("processed_bucket"), deriv.get("pdf_key")
        if not bucket or not key:
            raise NotFoundError("Hồ sơ này không có bản PDF có thể tìm kiếm.")
    else:
        bucket, key = doc["bucket"], doc["key"]
    url = ctx.store.presign_get(bucket, key, ctx.settings.presign_expiry_seconds)
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def open_path(request: Request) -> Response:
    """Kibana's links (`<viewer>/open/<bucket>/<key>`): the scan or the PDF of the record behind the
    path, through the same login and the same short-lived link."""
    ctx = request.app.state.ctx
    require(ctx, request)
    bucket, _, key = request.path_params["path"].partition("/")
    parts = key.split("/")
    if bucket == ctx.settings.processed_bucket and len(parts) == 3 and parts[0] == "records":
        return _presigned_redirect(ctx, _record(ctx, parts[1]), "pdf")
    return _presigned_redirect(ctx, _record(ctx, record_id_of(bucket, key)), "scan")


async def correct(request: Request) -> Response:
    ctx = request.app.state.ctx
    user = await run_in_threadpool(require, ctx, request, "editor")
    form = await checked_form(request)
    rid = request.path_params["record_id"]
    field, value = str(form.get("field", "")), str(form.get("value", ""))
    reason = str(form.get("reason", "")).strip()[:1000] or None
    back = f"/records/{rid}"
    if field not in CORRECTABLE_FIELDS:
        return RedirectResponse(f"{back}?error=field", status_code=303)
    try:
        patch = corrected_fields(field, value)
    except ValueError as exc:
        request.session["flash_error"] = str(exc)
        return RedirectResponse(f"{back}?error=value#field-{field}", status_code=303)
    await run_in_threadpool(
        lambda: record_correction(
            ctx.es,
            index=ctx.index,
            audit_index=ctx.settings.audit_index,
            record_id=rid,
            field=field,
            value=value.strip(),
            patch=patch,
            by=user.name,
            reason=reason,
        )
    )
    return RedirectResponse(f"{back}?saved={field}#field-{field}", status_code=303)


async def check(request: Request) -> Response:
    ctx = request.app.state.ctx
    user = await run_in_threadpool(require, ctx, request, "editor")
    await checked_form(request)
    rid = request.path_params["record_id"]
    await run_in_threadpool(
        lambda: mark_checked(
            ctx.es, index=ctx.index, audit_index=ctx.settings.audit_index, record_id=rid, by=user.name
        )
    )
    return RedirectResponse(f"/records/{rid}?saved=checked", status_code=303)
