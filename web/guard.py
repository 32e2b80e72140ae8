"""The checks in front of every page: logged in, allowed (viewer or editor), a CSRF token on forms."""

from __future__ import annotations

from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request

from search.users import UserRecord
from web.auth import CSRF_FIELD, session_user, valid_csrf
from web.context import WebContext


class LoginRequired(Exception):
    """No session (or an expired one): the answer is a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class Forbidden(Exception):
    """Logged in, but the role does not allow it (a viewer correcting), or a form without its token."""

    def __init__(self, message: str) -> None:
        self.message = message


def login_url(next_url: str) -> str:
    return f"/login?next={quote(next_url, safe='/')}"


def safe_next(value: str | None) -> str:
    """Only a path of this site (no `//host`, no scheme): a login must not send anyone elsewhere."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def require(ctx: WebContext, request: Request, role: str = "viewer") -> UserRecord:
    """The user behind the request, allowed `role`; raises LoginRequired or Forbidden."""
    user = session_user(request, ctx.es, ctx.settings.users_index, ctx.settings.web_session_hours * 3600)
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    if role == "editor" and not user.can_edit:
        raise Forbidden("Chỉ người có quyền biên tập (editor) mới được sửa hoặc đánh dấu đã kiểm tra.")
    return user


async def checked_form(request: Request) -> FormData:
    """The posted form, refused (403) without the session's CSRF token."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not valid_csrf(request, token if isinstance(token, str) else None):
        raise Forbidden(
            "Biểu mẫu không hợp lệ hoặc đã hết hạn (thiếu mã CSRF). Hãy tải lại trang và thử lại."
        )
    return form
