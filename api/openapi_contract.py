"""The OpenAPI document as a contract clients generate code from (``clients/miniprogram``).

After the blueprints are registered, :func:`complete` gives every operation

- an ``operationId`` from its endpoint (``activities.get_activity`` -> ``activities_get_activity``,
  with the method appended where one endpoint answers several methods), stable across releases;
- the media type of a file answer (PDF, ICS, XLSX, CSV, PNG) as a binary string: flask-smorest
  drops a ``content_type`` declared without a schema;
- its 401/403/404/409 answers in the error envelope, each listing the ``error`` reasons it can
  carry. The reasons are derived, not hand-kept: the domain errors (``ApiError`` subclasses) named
  in ``:raises ...:`` of the view's docstring and of the docstrings of the functions the view calls,
  plus the generic reason of each status (``unauthorized`` on every secured operation,
  ``not_found`` where the path names a resource).

``tests/foundation/test_openapi_contract.py`` validates the document and checks the operationIds.
"""

import inspect
import re

from flask import Flask
from flask_smorest.spec.plugins import FlaskPlugin

from api.errors import ApiError

_RAISES = re.compile(r":raises\s+([^:]+):")
_DOCUMENTED = (401, 403, 404, 409)
_SUMMARY = {
    401: "未登录或登录已失效",
    403: "没有权限",
    404: "资源不存在",
    409: "与当前状态冲突",
}
_HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _error_classes(app: Flask) -> dict[str, type[Exception]]:
    """Every ApiError subclass by class name (the names docstrings use after ``:raises``), and
    the errors of Flask-free packages the app renders itself (an error handler of their own,
    a ``status_code`` and an ``error`` reason, e.g. ``publishing``'s ``ArticleNotFound``)."""
    found, todo = {}, [ApiError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.setdefault(sub.__name__, sub)
            todo.append(sub)
    for cls in app.error_handler_spec.get(None, {}).get(None, {}):
        if isinstance(getattr(cls, "status_code", None), int) and hasattr(cls, "error"):
            found.setdefault(cls.__name__, cls)
    return found


def _raised_names(function) -> set[str]:
    """Class names in the ``:raises ...:`` fields of a function's docstring."""
    names = set()
    for match in _RAISES.finditer(inspect.getdoc(function) or ""):
        names.update(re.findall(r"[A-Z]\w+", match.group(1)))
    return names


def _callees(view) -> list:
    """The view and the functions it names: globals of its module and attributes of modules."""
    function = inspect.unwrap(view)
    module_globals = getattr(function, "__globals__", {})
    found = [function]
    code = getattr(function, "__code__", None)
    if code is None:
        return found
    for name in code.co_names:
        value = module_globals.get(name)
        if inspect.isfunction(value):
            found.append(value)
        elif inspect.ismodule(value):
            for attribute in code.co_names:
                member = getattr(value, attribute, None)
                if inspect.isfunction(member):
                    found.append(member)
    return found


def reasons_of(view, errors: dict[str, type[Exception]]) -> dict[int, set[str]]:
    """The documented statuses a view can answer with, and their ``error`` reasons."""
    reasons: dict[int, set[str]] = {}
    for function in _callees(view):
        for name in _raised_names(function):
            cls = errors.get(name)
            if cls is not None and cls.status_code in _DOCUMENTED:
                reasons.setdefault(cls.status_code, set()).add(cls.error)
    return reasons


def _error_response(status: int, reasons: set[str]) -> dict:
    listed = "、".join(f"`{reason}`" for reason in sorted(reasons))
    return {
        "description": f"{_SUMMARY[status]}。`error` 取值：{listed}",
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
            }
        },
    }


def _file_answers(view, responses: dict) -> None:
    """Document the ``@blp.response(200, content_type=...)`` of a view that sends a file."""
    declared = getattr(view, "_apidoc", {}).get("response", {}).get("responses", {})
    for status, answers in declared.items():
        for answer in answers if isinstance(answers, list) else [answers]:
            media = answer.get("content_type") if isinstance(answer, dict) else None
            response = responses.get(str(status))
            if (
                media
                and media != "application/json"
                and response is not None
                and "content" not in response
            ):
                response["content"] = {media: {"schema": {"type": "string", "format": "binary"}}}


def operation_id(endpoint: str, method: str, several_methods: bool) -> str:
    """A readable, stable operationId from the Flask endpoint."""
    name = endpoint.replace(".", "_")
    return f"{name}_{method}" if several_methods else name


def complete(app: Flask, api) -> None:
    """Add operationIds and the documented error answers to the app's OpenAPI document."""
    paths = api.spec.to_dict()["paths"]  # the spec's own dict: changes stay in the document
    errors = _error_classes(app)
    for rule in app.url_map.iter_rules():
        path_item = paths.get(FlaskPlugin.flaskpath2openapi(rule.rule))
        if not path_item:
            continue
        methods = sorted(m.lower() for m in rule.methods or () if m.lower() in _HTTP_METHODS)
        view = app.view_functions.get(rule.endpoint)
        for method in methods:
            operation = path_item.get(method)
            if operation is None:
                continue
            operation.setdefault(
                "operationId", operation_id(rule.endpoint, method, len(methods) > 1)
            )
            reasons = reasons_of(view, errors) if view is not None else {}
            if operation.get("security"):
                reasons.setdefault(401, set()).add("unauthorized")
            if "<" in rule.rule:
                reasons.setdefault(404, set()).add("not_found")
            if 403 in reasons:
                reasons[403].add("forbidden")
            responses = operation.setdefault("responses", {})
            if view is not None:
                _file_answers(view, responses)
            for status, names in sorted(reasons.items()):
                responses.setdefault(str(status), _error_response(status, names))
