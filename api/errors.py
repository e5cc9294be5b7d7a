"""The one JSON error envelope, and the domain-error base classes services raise.

Every failure leaves the API as::

    {"code": 409, "status": "Conflict", "error": "already_signed_up",
     "message": "您已报名该活动", "errors": {}}

``error`` is a stable snake_case reason the front-end branches on; ``errors`` holds
per-field messages of validation failures.
"""

import logging
import re

from flask import Flask, jsonify
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)

# Reason and Chinese message for errors raised by routing, webargs, limiter or werkzeug.
HTTP_ERROR_TEXT: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式有误"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "请求与当前状态冲突"),
    413: ("payload_too_large", "上传的内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "提交的数据有误，请检查后重试"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器开小差了，请稍后再试"),
    503: ("service_unavailable", "服务暂时不可用，请稍后再试"),
}


class ApiError(Exception):
    """A failure with a status code, a stable reason and a Chinese message.

    Subclass it per domain rule (``class ActivityFull(Conflict): error = "activity_full"``);
    services raise, the handler below renders.
    """

    status_code = 400
    error = "bad_request"
    message = "请求无效"

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: dict | None = None,
        error: str | None = None,
        headers: dict | None = None,
    ) -> None:
        super().__init__(message or self.message)
        if message is not None:
            self.message = message
        if error is not None:
            self.error = error
        self.errors = errors or {}
        self.headers = headers or {}


class BadRequest(ApiError):
    status_code, error, message = 400, "bad_request", "请求无效"


class Unauthorized(ApiError):
    status_code, error, message = 401, "unauthorized", "请先登录"


class Forbidden(ApiError):
    status_code, error, message = 403, "forbidden", "没有权限执行此操作"


class NotFound(ApiError):
    status_code, error, message = 404, "not_found", "请求的资源不存在"


class Conflict(ApiError):
    status_code, error, message = 409, "conflict", "请求与当前状态冲突"


class ValidationFailed(ApiError):
    status_code, error, message = 422, "validation_error", "提交的数据有误，请检查后重试"


class TooManyRequests(ApiError):
    status_code, error, message = 429, "rate_limited", "请求过于频繁，请稍后再试"


class ServiceUnavailable(ApiError):
    status_code, error, message = 503, "service_unavailable", "服务暂时不可用，请稍后再试"


def envelope(code: int, error: str, message: str, errors: dict | None = None) -> dict:
    """Build the error body of DESIGN §5."""
    return {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Error"),
        "error": error,
        "message": message,
        "errors": errors or {},
    }


# webargs writes this message itself, in English; residents read Chinese.
_WEBARGS_MESSAGES = {"Invalid JSON body.": "请求体不是有效的 JSON"}


def _flatten_validation_messages(messages: dict) -> dict:
    """Merge webargs' per-location messages (``{"json": {...}}``) into one field map."""
    merged: dict = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            merged.update(location_messages)
        else:
            merged.setdefault("_schema", location_messages)
    return {
        field: [
            _WEBARGS_MESSAGES.get(text, text) if isinstance(text, str) else text
            for text in field_messages
        ]
        if isinstance(field_messages, list)
        else field_messages
        for field, field_messages in merged.items()
    }


def _handle_api_error(exc: ApiError):
    body = envelope(exc.status_code, exc.error, exc.message, exc.errors)
    return jsonify(body), exc.status_code, exc.headers


def _fallback_text(code: int) -> tuple[str, str]:
    """Reason and Chinese message of a status without an entry in ``HTTP_ERROR_TEXT``
    (werkzeug's own descriptions are English)."""
    reason = re.sub(r"[^a-z0-9]+", "_", HTTP_STATUS_CODES.get(code, "http error").lower())
    return reason.strip("_"), ("服务暂时不可用，请稍后再试" if code >= 500 else "请求无法完成")


def _handle_http_exception(exc: HTTPException):
    code = exc.code or 500
    error, message = HTTP_ERROR_TEXT.get(code) or _fallback_text(code)
    errors: dict = {}
    headers: dict = {}
    data = getattr(exc, "data", None) or {}
    if "messages" in data:
        errors = _flatten_validation_messages(data["messages"])
    if data.get("headers"):
        headers = dict(data["headers"])
    valid_methods = getattr(exc, "valid_methods", None)
    if code == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    if code == 429:
        # flask-limiter's own response carries Retry-After; keep it.
        for name, value in exc.get_response().headers.items():
            if name.lower().startswith(("retry-after", "x-ratelimit")):
                headers[name] = value
    return jsonify(envelope(code, error, message, errors)), code, headers


def _handle_unexpected(exc: Exception):
    log.exception("Unhandled exception", exc_info=exc)
    error, message = HTTP_ERROR_TEXT[500]
    return jsonify(envelope(500, error, message)), 500


def _handle_database_error(exc: DBAPIError):
    if not exc.connection_invalidated:
        return _handle_unexpected(exc)
    # The database dropped the connection (a restart, a failover, an idle timeout): SQLAlchemy
    # has invalidated the pool, so a retry reconnects (and a retried sign-up is safe).
    log.warning("Database connection lost; the pool reconnects", exc_info=exc)
    error, message = HTTP_ERROR_TEXT[503]
    return jsonify(envelope(503, error, message)), 503, {"Retry-After": "1"}


def register_error_handlers(app: Flask) -> None:
    """Render every failure, routing 404/405 included, in the one envelope."""
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(DBAPIError, _handle_database_error)
    app.register_error_handler(Exception, _handle_unexpected)
