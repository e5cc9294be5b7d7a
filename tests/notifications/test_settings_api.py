"""``POST /me/subscriptions`` and ``GET/PUT /me/notifications``."""

import pytest

KINDS = [
    "signup_confirmed",
    "waitlist_promoted",
    "activity_changed",
    "activity_cancelled",
    "activity_reminder",
    "hours_approved",
    "hours_rejected",
    "help_dispatched",
    "help_completed",
    "help_escalated",
]


@pytest.fixture
def resident(create_user, auth_headers):
    user = create_user()
    return user, auth_headers(user)


def _settings(client, headers) -> dict:
    response = client.get("/api/v1/me/notifications", headers=headers)
    assert response.status_code == 200
    return {item["kind"]: item for item in response.get_json()["kinds"]}


def test_settings_list_every_kind_on_with_its_template(client, resident, templates):
    _, headers = resident

    response = client.get("/api/v1/me/notifications", headers=headers)

    body = response.get_json()
    assert [item["kind"] for item in body["kinds"]] == KINDS
    assert body["kinds"][1] == {
        "kind": "waitlist_promoted",
        "label": "候补转正通知",
        "enabled": True,
        "template_id": templates["waitlist_promoted"],
        "remaining_grants": 0,
    }


def test_accepted_templates_each_allow_one_more_send(client, resident, templates):
    _, headers = resident
    reminder, change = templates["activity_reminder"], templates["activity_changed"]

    client.post("/api/v1/me/subscriptions", headers=headers, json={"template_ids": [reminder]})
    response = client.post(
        "/api/v1/me/subscriptions",
        headers=headers,
        json={"template_ids": [reminder, change, reminder]},
    )

    assert response.status_code == 200
    settings = {item["kind"]: item for item in response.get_json()["kinds"]}
    assert settings["activity_reminder"]["remaining_grants"] == 2
    assert settings["activity_changed"]["remaining_grants"] == 1
    assert settings["activity_cancelled"]["remaining_grants"] == 1  # the same template
    assert settings["signup_confirmed"]["remaining_grants"] == 0


def test_grants_are_per_user(client, resident, create_user, auth_headers, templates):
    _, headers = resident
    client.post(
        "/api/v1/me/subscriptions",
        headers=headers,
        json={"template_ids": [templates["activity_reminder"]]},
    )

    other = _settings(client, auth_headers(create_user()))

    assert other["activity_reminder"]["remaining_grants"] == 0


def test_unknown_template_is_refused_and_nothing_is_counted(client, resident, templates):
    _, headers = resident

    response = client.post(
        "/api/v1/me/subscriptions",
        headers=headers,
        json={"template_ids": [templates["activity_reminder"], "tmpl-x"]},
    )

    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "unknown_template"
    assert body["errors"] == {"template_ids": ["未知的订阅消息模板：tmpl-x"]}
    assert _settings(client, headers)["activity_reminder"]["remaining_grants"] == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"template_ids": []}, {"template_ids": "tmpl"}, {"template_ids": ["a"], "extra": 1}],
)
def test_malformed_subscriptions_are_422(client, resident, body):
    _, headers = resident

    response = client.post("/api/v1/me/subscriptions", headers=headers, json=body)

    assert response.status_code == 422
    assert response.get_json()["error"] == "validation_error"


def test_kinds_are_turned_off_and_on(client, resident):
    _, headers = resident

    off = client.put(
        "/api/v1/me/notifications",
        headers=headers,
        json={
            "kinds": [
                {"kind": "activity_reminder", "enabled": False},
                {"kind": "hours_approved", "enabled": False},
            ]
        },
    )
    client.put(
        "/api/v1/me/notifications",
        headers=headers,
        json={"kinds": [{"kind": "hours_approved", "enabled": True}]},
    )

    assert off.status_code == 200
    assert {item["kind"] for item in off.get_json()["kinds"] if not item["enabled"]} == {
        "activity_reminder",
        "hours_approved",
    }
    settings = _settings(client, headers)
    assert [kind for kind, item in settings.items() if not item["enabled"]] == ["activity_reminder"]


def test_unknown_kind_is_refused(client, resident):
    _, headers = resident

    response = client.put(
        "/api/v1/me/notifications",
        headers=headers,
        json={"kinds": [{"kind": "spam", "enabled": True}]},
    )

    assert response.status_code == 422
    assert response.get_json()["error"] == "unknown_kind"


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("get", "/api/v1/me/notifications", None),
        (
            "put",
            "/api/v1/me/notifications",
            {"kinds": [{"kind": "hours_approved", "enabled": True}]},
        ),
        ("post", "/api/v1/me/subscriptions", {"template_ids": ["tmpl"]}),
        ("get", "/api/v1/me/inbox", None),
    ],
)
def test_signed_out_is_401(client, method, path, body):
    response = getattr(client, method)(path, json=body)

    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
