"""``GET /api/v1/activities/{id}/wxacode``: a cached 小程序码 PNG from getwxacodeunlimit."""


def _get(client, activity_id, **kwargs):
    return client.get(f"/api/v1/activities/{activity_id}/wxacode", **kwargs)


def test_published_activity_has_a_png_code(app, client, create_activity, stub):
    activity = create_activity()

    response = _get(client, activity.id)

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert stub.calls_to("getwxacodeunlimit") == [
        {
            "scene": f"id={activity.id}",
            "page": app.config["WECHAT_WXACODE_PAGE"],
            "env_version": "release",
            "width": 430,
            "check_path": False,
        }
    ]


def test_code_is_fetched_once_then_served_from_the_cache(client, create_activity, stub):
    activity = create_activity()
    first = _get(client, activity.id)

    second = _get(client, activity.id)

    assert second.data == first.data
    assert len(stub.calls_to("getwxacodeunlimit")) == 1
    assert len(stub.calls_to("stable_token")) == 1


def test_code_answers_not_modified_to_a_matching_etag(client, create_activity):
    activity = create_activity()
    etag = _get(client, activity.id).headers["ETag"]

    response = _get(client, activity.id, headers={"If-None-Match": etag})

    assert response.status_code == 304


def test_each_activity_has_its_own_code(client, create_activity):
    first, second = create_activity(), create_activity(title="红色观影")

    assert _get(client, first.id).data != _get(client, second.id).data


def test_draft_activity_has_no_public_code(client, create_activity, stub):
    activity = create_activity(status="draft")

    response = _get(client, activity.id)

    assert response.status_code == 404
    assert response.get_json()["error"] == "activity_not_found"
    assert stub.calls_to("getwxacodeunlimit") == []


def test_unknown_activity_is_404(client):
    assert _get(client, 999_999).status_code == 404


def test_wechat_failure_is_503_and_nothing_is_cached(client, create_activity, stub):
    activity = create_activity()
    stub.fail_next("getwxacodeunlimit", status=500, times=3)

    failed = _get(client, activity.id)
    retried = _get(client, activity.id)

    assert failed.status_code == 503
    assert failed.get_json()["error"] == "wechat_unavailable"
    assert retried.status_code == 200
