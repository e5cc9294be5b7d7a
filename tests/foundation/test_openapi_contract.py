"""The OpenAPI document is a contract clients can generate code from."""

from collections import defaultdict

from openapi_spec_validator import validate

from api.errors import ApiError

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_the_document_validates_and_names_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    ids = [operation.get("operationId") for _, _, operation in _operations(document)]
    assert None not in ids
    assert len(ids) == len(set(ids))


def test_errors_are_documented_with_their_reasons(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for _path, _method, operation in _operations(document):
        if operation.get("security"):
            assert "`unauthorized`" in operation["responses"]["401"]["description"]
    sign_up = document["paths"]["/api/v1/activities/{activity_id}/signups"]["post"]
    assert sign_up["operationId"] == "signups_sign_up"
    assert "`time_conflict`" in sign_up["responses"]["409"]["description"]
    assert "`activity_not_found`" in sign_up["responses"]["404"]["description"]


def test_the_phone_binding_documents_its_409(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    answers = paths["/api/v1/me/phone"]["post"]["responses"]

    assert "`not_a_volunteer`" in answers["409"]["description"]


def test_an_error_class_name_means_one_answer(app):
    """The document finds the errors of ``:raises Name:`` by class name: two classes of one
    name answering differently would document one of them at random."""
    answers, todo = defaultdict(set), [ApiError]
    while todo:
        for cls in todo.pop().__subclasses__():
            answers[cls.__name__].add((cls.status_code, cls.error))
            todo.append(cls)

    assert {name: found for name, found in answers.items() if len(found) > 1} == {}


def test_file_answers_carry_their_media_type(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    expected = {
        "/api/v1/me/certificates/{code}/pdf": "application/pdf",
        "/api/v1/activities.ics": "text/calendar",
        "/api/v1/hours/reports/volunteers.csv": "text/csv",
        "/api/v1/activities/{activity_id}/wxacode": "image/png",
        "/api/v1/hours/reports/summary.xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    }
    for path, media in expected.items():
        content = paths[path]["get"]["responses"]["200"]["content"]
        assert content[media]["schema"] == {"type": "string", "format": "binary"}, path
