"""Sign-in comes before validation: on an operation that the OpenAPI document declares
bearer-only (see :mod:`api.openapi_security`), the argument parser asks for the signed-in user
before it reads the query string or body, so an anonymous caller gets 401 (and a cookie write
without its CSRF token 403), never the 422 of an operation they may not call.

The check sits in the parser (:class:`SignInFirstParser`, the parser of
:class:`api.blueprint.Blueprint`), so a route's rate limit, decorated above the arguments,
still counts the request first. A view without arguments asks for the user itself. The views
still call :func:`~api.auth.current.require_user` for the user (cached for the request).
Permissions by role stay in the services: they need the parsed arguments to decide.
"""

from flask import Flask, current_app, request
from flask_smorest.spec.plugins import FlaskPlugin
from webargs.flaskparser import FlaskParser

from api.auth.current import require_user
from api.openapi_security import BEARER

_EXTENSION = "bearer_only_endpoints"


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
    """Remember the app's bearer-only endpoints for the parser (call it once the blueprints
    are registered: it reads the OpenAPI document)."""
    app.extensions[_EXTENSION] = bearer_only_endpoints(app, api)


class SignInFirstParser(FlaskParser):
    """webargs' Flask parser, asking for the signed-in user first on bearer-only operations."""

    def parse(self, *args, **kwargs):
        """Parse the request's arguments. :raises Unauthorized, CsrfFailed: on a bearer-only
        operation, before anything is read."""
        if request.endpoint in current_app.extensions.get(_EXTENSION, ()):
            require_user()
        return super().parse(*args, **kwargs)
