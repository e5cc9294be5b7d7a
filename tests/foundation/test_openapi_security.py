"""The OpenAPI document declares bearer auth, and each operation's ``security`` tells the truth."""

import inspect
import re

import pytest

from api.openapi_security import BEARER, OPTIONAL, PUBLIC, SCHEME_NAME

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _operations(app, spec):
    """(endpoint, method, OpenAPI path, operation) of every documented operation."""
    endpoints = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods:
            endpoints[(path, method.lower())] = rule.endpoint
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield endpoints[(path, method)], method, path, item[method]


def test_spec_declares_the_bearer_scheme(spec):
    assert spec["components"]["securitySchemes"][SCHEME_NAME] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"][SCHEME_NAME]["description"],
    }


def test_every_operation_declares_its_security(app, spec):
    operations = list(_operations(app, spec))

    assert len(operations) > 100
    assert all("security" in operation for *_, operation in operations)
    by_endpoint = {endpoint: operation["security"] for endpoint, _, _, operation in operations}
    assert by_endpoint["accounts.me"] == BEARER
    assert by_endpoint["accounts.login_password"] == PUBLIC
    assert by_endpoint["activities.get_activity"] == OPTIONAL


def test_security_matches_what_each_view_asks_for(app, spec):
    """A view that calls require_user is bearer-only; optional_user, optional; else public."""
    for endpoint, method, path, operation in _operations(app, spec):
        source = inspect.getsource(inspect.unwrap(app.view_functions[endpoint]))
        if "require_user(" in source:
            expected = BEARER
        elif "optional_user(" in source:
            expected = OPTIONAL
        else:
            expected = PUBLIC
        assert operation["security"] == expected, f"{method.upper()} {path}"


def test_operations_marked_bearer_refuse_an_anonymous_caller(app, client, spec):
    """Every GET and DELETE that declares bearer auth answers 401 without a token, and none
    declared public does (path parameters are dummies: the resource need not exist)."""
    checked = 0
    for _, method, path, operation in _operations(app, spec):
        if method not in ("get", "delete"):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        status = client.open(url, method=method.upper()).status_code
        if operation["security"] == BEARER:
            assert status == 401, f"{method.upper()} {path} answered {status}"
            checked += 1
        else:
            assert status != 401, f"{method.upper()} {path} is documented public"
    assert checked > 20


def test_sign_in_comes_before_validation(app, client, spec):
    """A GET with a query string no schema accepts, also answers 401 when anonymous."""
    statuses = {
        path: client.get(re.sub(r"\{[^}]+\}", "1", path) + "?page=0&per_page=x").status_code
        for _, method, path, operation in _operations(app, spec)
        if method == "get" and operation["security"] == BEARER
    }

    assert len(statuses) > 20
    assert {path: status for path, status in statuses.items() if status != 401} == {}


INVALID_BODY = [{"not_a_field": "x"}]  # a list, where every schema wants an object


def test_every_write_refuses_an_anonymous_caller_before_reading_the_body(
    app, client, spec, create_user, auth_headers
):
    """POST, PUT, PATCH and DELETE declared bearer-only: 401 for an anonymous caller with an
    invalid body, where a signed-in caller with the same body gets the 422 of validation."""
    signed_in = auth_headers(create_user())
    anonymous, validated = {}, {}
    for _, method, path, operation in _operations(app, spec):
        if method == "get" or operation["security"] != BEARER:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        anonymous[f"{method.upper()} {path}"] = client.open(
            url, method=method.upper(), json=INVALID_BODY
        ).status_code
        if "requestBody" in operation:
            validated[f"{method.upper()} {path}"] = client.open(
                url, method=method.upper(), json=INVALID_BODY, headers=signed_in
            ).status_code

    assert len(anonymous) > 60
    assert {name: status for name, status in anonymous.items() if status != 401} == {}
    assert len(validated) > 30
    assert {name: status for name, status in validated.items() if status != 422} == {}
