"""What every request handler shares: settings, clients, the page cache, the login limiter, templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from config.settings import Settings
from search.query import split_highlight
from search.users import UserRecord
from storage.objects import ObjectStore
from web.auth import CSRF_FIELD, LoginLimiter, csrf_token
from web.pages import PageCache

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class WebContext:
    settings: Settings
    es: Elasticsearch
    store: ObjectStore
    pages: PageCache
    limiter: LoginLimiter
    templates: Jinja2Templates

    @property
    def index(self) -> str:
        return self.settings.index_alias

    def render(
        self, request: Request, name: str, user: UserRecord | None, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        context.update(user=user, csrf_field=CSRF_FIELD, csrf=csrf_token(request))
        response = self.templates.TemplateResponse(request, name, context, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"  # pages hold personal data and CSRF tokens
        return response


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals["split_highlight"] = split_highlight
    templates.env.filters["vn_date"] = vn_date
    templates.env.filters["percent"] = percent
    return templates


def vn_date(value: Any) -> str:
    """`2024-04-03` → `03/04/2024` (an ISO timestamp keeps its time: `03/04/2024 14:05`)."""
    if not value:
        return ""
    text = str(value)
    date, _, time = text.partition("T")
    parts = date.split("-")
    if len(parts) != 3:
        return text
    out = f"{parts[2]}/{parts[1]}/{parts[0]}"
    return f"{out} {time[:5]}" if time else out


def percent(value: Any) -> str:
    if not isinstance(value, int | float):
        return "–"
    return f"{round(value * 100 if value <= 1 else value)} %"
