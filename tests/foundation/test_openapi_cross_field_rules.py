"""A rule between fields (``@validates_schema``) is said where a client reads the fields: in a
field's description, which the OpenAPI document and the generated TypeScript types carry."""

import marshmallow


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _cross_field_schemas() -> list[type]:
    """The API's schemas with a schema-level validator of their own (not the bounds check
    every schema inherits from ``api.validation.Schema``)."""
    found = []
    for schema in set(_subclasses(marshmallow.Schema)):
        hooks = {name for name, *_ in schema._hooks.get("validates_schema", [])}
        if schema.__module__.startswith("api.") and hooks - {"_within_bounds"}:
            found.append(schema)
    return found


def test_each_cross_field_rule_is_described_on_a_field_naming_the_other(app):
    schemas = _cross_field_schemas()

    assert len(schemas) >= 4
    undescribed = []
    for schema in schemas:
        fields = schema._declared_fields
        descriptions = {
            name: field.metadata.get("description", "") for name, field in fields.items()
        }
        if not any(
            other in text
            for name, text in descriptions.items()
            for other in fields
            if other != name
        ):
            undescribed.append(schema.__name__)
    assert undescribed == []


def _parameter(spec, path, method, name) -> dict:
    return next(
        parameter
        for parameter in spec["paths"][path][method]["parameters"]
        if parameter["name"] == name
    )


def test_the_document_states_the_rules(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    assert "phone_last4" in schemas["LookupQuery"]["properties"]["id_last4"]["description"]
    assert "wrong" in schemas["DisputeCreate"]["properties"]["record_id"]["description"]
    assert "starts_at" in schemas["ActivityCreate"]["properties"]["ends_at"]["description"]
    assert "lat" in schemas["Scan"]["properties"]["lng"]["description"]
    assert "start" in _parameter(spec, "/api/v1/audit", "get", "end")["description"]
