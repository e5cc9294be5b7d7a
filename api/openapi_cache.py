"""``/api/v1/openapi.json`` built once per process and served with an ETag.

flask-smorest regenerates and re-serialises the whole document on every request (about
30 ms at this API's size). The document cannot change while the process runs, so the first
request builds the bytes and every later one sends them, or 304 when the client has them.
"""

import hashlib
import threading

from flask import Flask, current_app, json, request

_ENDPOINT = "api-docs.openapi_json"
_lock = threading.Lock()


def install(app: Flask, api) -> None:
    """Serve the app's OpenAPI document from a per-app cache."""

    def openapi_json():
        cached = app.extensions.get("openapi_json")
        if cached is None:
            with _lock:
                cached = app.extensions.get("openapi_json")
                if cached is None:
                    body = json.dumps(api.spec.to_dict(), indent=2, sort_keys=False).encode()
                    cached = (body, hashlib.sha256(body).hexdigest()[:32])
                    app.extensions["openapi_json"] = cached
        body, etag = cached
        response = current_app.response_class(body, mimetype="application/json")
        response.set_etag(etag)
        response.cache_control.public = True
        response.cache_control.max_age = 300
        return response.make_conditional(request)

    app.view_functions[_ENDPOINT] = openapi_json
