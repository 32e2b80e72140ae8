"""`sohoa serve`: the ASGI application (Starlette, Jinja2 templates, run by uvicorn).

Server-rendered pages that work without JavaScript. Every page but the login page and `/healthz`
needs a session; every form carries a CSRF token; every ES call runs in the thread pool (sync
handlers are run there by Starlette).
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from elasticsearch import Elasticsearch
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config.clients import es_client, object_store
from config.settings import REPO_ROOT, Settings, load_settings
from core.errors import AccessDeniedError, NotFoundError, SohoaError
from storage.objects import ObjectStore
from web import views_lists, views_records
from web.auth import LoginLimiter, authenticate, login, logout, session_user
from web.context import WebContext, make_templates
from web.guard import Forbidden, LoginRequired, checked_form, login_url, safe_next
from web.pages import PageCache

log = logging.getLogger("sohoa.web")

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "sohoa_session"
# Scripts, styles and images only from this site; no frames; forms post only here
CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class SecurityHeaders:
    """Headers every answer carries (the reverse proxy may add HSTS: it owns TLS)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),  # search words never reach the object store
                    (b"content-security-policy", CSP.encode()),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


def login_page(request: Request) -> Response:
    ctx: WebContext = request.app.state.ctx
    user = session_user(request, ctx.es, ctx.settings.users_index, ctx.settings.web_session_hours * 3600)
    if user is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return ctx.render(
        request, "login.html", None, next=safe_next(request.query_params.get("next")), error=None
    )


async def login_submit(request: Request) -> Response:
    ctx: WebContext = request.app.state.ctx
    form = await checked_form(request)
    name = str(form.get("username", "")).strip().lower()[:100]
    password = str(form.get("password", ""))[:1000]
    next_url = safe_next(str(form.get("next", "/")))
    address = request.client.host if request.client else "?"
    if ctx.limiter.blocked(address, name):
        log.warning("login refused (rate limit) for %r from %s", name, address)
        return ctx.render(
            request,
            "login.html",
            None,
            status_code=429,
            next=next_url,
            error="Quá nhiều lần đăng nhập sai. Hãy chờ vài phút rồi thử lại.",
        )
    user = await run_in_threadpool(authenticate, ctx.es, ctx.settings.users_index, name, password)
    if user is None:
        ctx.limiter.failed(address, name)
        log.info("login failed for %r from %s", name, address)
        return ctx.render(
            request,
            "login.html",
            None,
            status_code=401,
            next=next_url,
            error="Tên đăng nhập hoặc mật khẩu không đúng.",
        )
    ctx.limiter.succeeded(address, name)
    login(request, user)
    log.info("login %r (%s) from %s", user.name, user.role, address)
    return RedirectResponse(next_url, status_code=303)


async def logout_submit(request: Request) -> Response:
    await checked_form(request)
    logout(request)
    return RedirectResponse("/login", status_code=303)


def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def _error_page(request: Request, status: int, message: str) -> Response:
    ctx: WebContext = request.app.state.ctx
    return ctx.render(request, "error.html", None, status_code=status, status=status, message=message)


async def on_login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(login_url(exc.next_url), status_code=303)


async def on_forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Forbidden)
    return _error_page(request, 403, exc.message)


async def on_not_found(request: Request, exc: Exception) -> Response:
    return _error_page(
        request, 404, str(exc) if isinstance(exc, NotFoundError) else "Không tìm thấy trang này."
    )


async def on_sohoa_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s: %s", request.method, request.url.path, exc)
    status = 403 if isinstance(exc, AccessDeniedError) else 503
    return _error_page(request, status, f"Máy chủ chưa trả lời được: {exc}")


def create_app(settings: Settings, es: Elasticsearch, store: ObjectStore) -> Starlette:
    """The application over the given clients (the CLI builds them from the settings; tests too)."""
    cache_dir = settings.web_cache_dir or REPO_ROOT / ".cache" / "web"
    ctx = WebContext(
        settings=settings,
        es=es,
        store=store,
        pages=PageCache(Path(cache_dir), store),
        limiter=LoginLimiter(settings.web_login_attempts, settings.web_login_window_seconds),
        templates=make_templates(),
    )
    secret = (
        settings.web_secret_key.get_secret_value() if settings.web_secret_key else secrets.token_urlsafe(48)
    )
    routes = [
        Route("/", views_lists.search, name="search"),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout_submit, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/review", views_lists.review),
        Route("/records/{record_id}", views_records.record_page),
        Route("/records/{record_id}/pages/{page_no:int}.jpg", views_records.page_image),
        Route("/records/{record_id}/thumbs/{page_no:int}.jpg", views_records.thumb_image),
        Route("/records/{record_id}/scan", views_records.door_scan),
        Route("/records/{record_id}/pdf", views_records.door_pdf),
        Route("/records/{record_id}/corrections", views_records.correct, methods=["POST"]),
        Route("/records/{record_id}/checked", views_records.check, methods=["POST"]),
        Route("/open/{path:path}", views_records.open_path),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=SESSION_COOKIE,
                max_age=int(settings.web_session_hours * 3600),
                same_site="lax",
                https_only=settings.web_cookie_secure,
            ),
        ],
        exception_handlers={
            LoginRequired: on_login_required,
            Forbidden: on_forbidden,
            NotFoundError: on_not_found,
            404: on_not_found,
            SohoaError: on_sohoa_error,
        },
    )
    app.state.ctx = ctx
    return app


def from_settings() -> Starlette:
    """The application over the configured servers (what `sohoa serve` runs)."""
    settings = load_settings()
    return create_app(settings, es_client(settings), object_store(settings))
