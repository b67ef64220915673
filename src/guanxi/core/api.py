"""What every API router shares: authentication, the error body, permissions, cursors.

Error bodies have one shape everywhere, so a client needs one error handler:

    {"code": "validation_error", "message": "…",
     "errors": [{"field": "phone", "message": "无效的电话号码…", "code": "invalid_phone"}]}

- 422 `validation_error`: the input does not validate, whether the JSON schema
  (pydantic) or the domain form refused it; `errors` names each field.
- 400 with the action's own code: an action refused a valid-looking request
  (`ActionError`, e.g. `invalid_owner`); `errors` names the field when known.
- 401 `not_authenticated`, 403 `permission_denied` (the role may never do this,
  whatever the record), 404 `not_found` (the record does not exist *or* is
  outside the caller's scope — the two are indistinguishable on purpose).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import ConfigDict

from .actions import ActionError
from .models import ApiToken, User
from .permissions import can

# A token's last use is written at most this often, so reading the API does not
# turn every request into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
TOKEN_PREFIX = "gx_"
MAX_LIMIT = 200


# --- errors -------------------------------------------------------------------------


class FieldError(Schema):
    field: str | None
    message: str
    code: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[FieldError] = []


# The error answers every endpoint documents next to its success status.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class Strict(Schema):
    """An input body that refuses fields it does not know (422 `extra_forbidden`)."""

    model_config = ConfigDict(extra="forbid")


class ApiError(Exception):
    """An error answer in the one error shape; raise it from any endpoint."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors = [dict(e) for e in errors]


def not_found() -> ApiError:
    return ApiError(404, "not_found", "记录不存在。")


def permission_denied() -> ApiError:
    return ApiError(403, "permission_denied", "您的角色无权执行此操作。")


def invalid(field: str, message: str, code: str = "invalid") -> ApiError:
    return ApiError(
        422, "validation_error", message, [{"field": field, "message": message, "code": code}]
    )


def form_error(
    form: forms.BaseForm, *, rename: Mapping[str, str] | None = None, prefix: str = ""
) -> ApiError:
    """A 422 from a bound, invalid Django form; `rename` maps form fields to API fields."""
    return ApiError(
        422,
        "validation_error",
        "输入有误，请检查标出的字段。",
        form_field_errors(form, rename, prefix),
    )


def form_field_errors(
    form: forms.BaseForm, rename: Mapping[str, str] | None = None, prefix: str = ""
) -> list[dict[str, Any]]:
    rename = rename or {}
    errors = []
    for name, items in form.errors.get_json_data().items():
        if name == forms.forms.NON_FIELD_ERRORS:
            field = prefix.rstrip(".") or None
        else:
            field = prefix + rename.get(name, name)
        for item in items:
            errors.append(
                {"field": field, "message": str(item["message"]), "code": item["code"] or "invalid"}
            )
    return errors


# Pydantic speaks English; the messages a form user would also meet are given in
# Chinese, the rest keep pydantic's wording.
SCHEMA_MESSAGES = {
    "missing": "此字段为必填项。",
    "extra_forbidden": "不允许提交此字段。",
    "json_invalid": "请求体不是有效的 JSON。",
}
PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def schema_field(loc: Sequence[Any]) -> str | None:
    """('body', 'payload', 'lines', 2, 'quantity') → 'lines[2].quantity'.

    The source and the body parameter's name are ninja's plumbing, not part of the
    document the client sent, so they are dropped.
    """
    parts = list(loc)
    if parts and parts[0] in PARAM_SOURCES:
        source = parts.pop(0)
        if source == "body" and len(parts) > 1:
            parts.pop(0)
    field = ""
    for part in parts:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return field or None


def _schema_validation_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors = [
        {
            "field": schema_field(item.get("loc", ())),
            "message": SCHEMA_MESSAGES.get(item.get("type", ""), item.get("msg", "")),
            "code": item.get("type", "invalid"),
        }
        for item in exc.errors
    ]
    return _respond(
        request, ApiError(422, "validation_error", "输入有误，请检查标出的字段。", errors)
    )


def _action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    if exc.code == "not_found":
        return _respond(request, not_found())
    errors = [{"field": exc.field, "message": exc.message, "code": exc.code}] if exc.field else []
    return _respond(request, ApiError(400, exc.code, exc.message, errors))


HTTP_CODES = {
    400: ("bad_request", "请求体不是有效的 JSON。"),
    401: ("not_authenticated", "需要登录或有效的 API 令牌。"),
    403: ("permission_denied", "您无权执行此操作。"),
    404: ("not_found", "记录不存在。"),
    405: ("method_not_allowed", "不支持的请求方法。"),
    429: ("throttled", "请求过于频繁。"),
}


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = HTTP_CODES.get(exc.status_code, ("error", str(exc)))
    if exc.status_code == 403 and "CSRF" in str(exc):
        code, message = "csrf_failed", "CSRF 校验失败：浏览器会话的写请求需带 X-CSRFToken。"
    if isinstance(exc, TokenRejected):
        message = exc.message
    return _respond(request, ApiError(exc.status_code, code, message))


def _http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, not_found())


def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _respond(request, exc)


_api: NinjaAPI | None = None


def _respond(request: HttpRequest, exc: ApiError) -> HttpResponse:
    assert _api is not None
    body: dict[str, Any] = {"code": exc.code, "message": exc.message, "errors": exc.errors}
    response = _api.create_response(request, body, status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="guanxi"'
    return response


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error the API can raise answer in the one error shape."""
    global _api
    _api = api
    api.add_exception_handler(SchemaValidationError, _schema_validation_error)
    api.add_exception_handler(ActionError, _action_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _http404)
    api.add_exception_handler(ApiError, _api_error)


# --- authentication -----------------------------------------------------------------


class TokenRejected(AuthenticationError):
    def __init__(self) -> None:
        super().__init__(401, "API 令牌无效、已吊销或其用户已停用。")


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer gx_…`, looked up by its SHA-256 digest.

    A Bearer header that does not match answers 401 at once instead of falling
    back to the session, so a client with a revoked token learns so.
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX):
            raise TokenRejected()
        # Authentication happens before there is a user to restrict by; the digest
        # is the whole lookup key.
        record = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True)
            .first()
        )
        if record is None or not record.user.is_active:
            raise TokenRejected()
        now = timezone.now()
        if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
            # Bookkeeping, not a domain change: no action and no event, or every
            # minute of API use would flood the audit trail.
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user


class BrowserSessionAuth(APIKeyCookie):
    """The web UI's Django session; unsafe methods must carry the CSRF token.

    Without a signed-in session there is nothing to protect, so the request is
    simply unauthenticated (401) rather than a CSRF failure (403).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if user.is_authenticated and user.is_active:
            return user  # type: ignore[return-value]
        return None


AUTH = [ApiTokenAuth(), BrowserSessionAuth()]


def actor(request: HttpRequest) -> User:
    """The authenticated user of this request."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def require(user: User, action: str) -> None:
    """403 when the role may never do `action`; record scope is checked separately (404)."""
    if not can(user, action):
        raise permission_denied()


M = TypeVar("M", bound=Model)


def scoped_or_404(model: type[M], user: User | None, id: int, action: str = "view") -> M:
    """The `model` record `id` within the user's `action` scope; 404 when there is none.

    A record outside the scope answers exactly like one that does not exist, so the
    API never confirms that a record the caller may not see is there.
    """
    record = model.objects.restrict(user, action).filter(pk=id).first()  # type: ignore[attr-defined]
    if record is None:
        raise not_found()
    return record  # type: ignore[no-any-return]


def writable_or_404(request: HttpRequest, model: type[M], id: int, action: str) -> tuple[User, M]:
    """The caller and the `model` record `id` they may `action`.

    The checks run in this order on purpose: 404 when the record is outside the view
    scope, 403 when the role may never `action`, 404 when the record is visible but
    beyond the `action` scope. Checking the role first would answer 403 for records
    the caller cannot see and so reveal which ids exist; the view check comes first
    so an invisible record is a 404 whatever the role.
    """
    user = actor(request)
    scoped_or_404(model, user, id)
    require(user, action)
    return user, scoped_or_404(model, user, id, action)


# --- cursors ------------------------------------------------------------------------


class Page(Schema):
    next_cursor: str | None = None


def clamp_limit(limit: int | None, default: int = 50) -> int:
    if limit is None:
        return default
    if limit < 1 or limit > MAX_LIMIT:
        raise invalid("limit", f"limit 必须在 1 到 {MAX_LIMIT} 之间。", "out_of_range")
    return limit


def encode_time_cursor(when: datetime, pk: int) -> str:
    raw = json.dumps([when.isoformat(), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_time_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        when = datetime.fromisoformat(value)
        if timezone.is_naive(when) or not isinstance(pk, int):
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        raise invalid("cursor", "无效的分页游标。", "invalid_cursor") from None
    return when, pk


def newest_first_page(
    qs: QuerySet[Any], field: str, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of `qs` ordered by (field, id) descending, cut by keyset, never OFFSET."""
    if cursor:
        when, pk = decode_time_cursor(cursor)
        qs = qs.filter(Q(**{f"{field}__lt": when}) | Q(**{field: when, "pk__lt": pk}))
    rows = list(qs.order_by(f"-{field}", "-id")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_time_cursor(getattr(rows[-1], field), rows[-1].pk)


def form_data(values: Mapping[str, Any], rename: Mapping[str, str] | None = None) -> dict[str, Any]:
    """API input (already typed by pydantic) in the shape a Django form reads."""
    rename = rename or {}
    data: dict[str, Any] = {}
    for key, value in values.items():
        data[rename.get(key, key)] = _form_value(value)
    return data


def _form_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)):
        return [_form_value(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, str):  # choices enums
        return value.value
    return str(value) if not isinstance(value, (int, str)) else value
