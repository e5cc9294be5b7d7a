"""Sign-in comes first: an operation that the OpenAPI document declares bearer-only (see
:mod:`api.openapi_security`) refuses an anonymous caller (401) and a cookie-authenticated
write without its CSRF token (403) before its query string or body is parsed, so that nobody
learns from a validation answer (422) of an operation they may not call.

The views still call :func:`~api.auth.current.require_user` for the user (cached for the
request by the first call). Permissions by role stay in the services: they need the parsed
arguments (the unit, the record) to decide.
"""

from flask import Flask, current_app, request
from flask_smorest.spec.plugins import FlaskPlugin

from api.auth.current import require_user
from api.openapi_security import BEARER

_EXTENSION = "sign_in_first"


def bearer_only_endpoints(app: Flask, api) -> frozenset[str]:
    """The endpoints whose documented operations need a bearer token."""
    paths = api.spec.to_dict()["paths"]
    found = set()
    for rule in app.url_map.iter_rules():
        path_item = paths.get(FlaskPlugin.flaskpath2openapi(rule.rule), {})
        operations = (path_item.get(method.lower()) for method in rule.methods or ())
        if any(operation and operation.get("security") == BEARER for operation in operations):
            found.add(rule.endpoint)
    return frozenset(found)


def install(app: Flask, api) -> None:
    """Refuse anonymous callers of the bearer-only operations before their views run (call it
    once the blueprints are registered: it reads the OpenAPI document)."""
    app.extensions[_EXTENSION] = bearer_only_endpoints(app, api)
    app.before_request(_sign_in_first)


def _sign_in_first() -> None:
    if request.method != "OPTIONS" and request.endpoint in current_app.extensions[_EXTENSION]:
        require_user()
