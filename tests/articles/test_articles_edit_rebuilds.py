"""Editing a published article rebuilds the site and its search entry; the editors' list
says which articles are drafts and which are published."""

import io

import pytest


def _create(client, headers, payload):
    response = client.post("/api/v1/articles", json=payload, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_editing_a_published_article_rebuilds_the_site(
    fetch, client, site_app, editor_headers, draft_payload, run_jobs, after_every_article
):
    search = pytest.importorskip("search")
    _create(client, editor_headers, draft_payload(title="冬季健康提示"))
    client.post("/api/v1/articles/2026-12-03-ceshi/publish", headers=editor_headers)
    run_jobs()

    edited = client.put(
        "/api/v1/articles/2026-12-03-ceshi",
        headers=editor_headers,
        json={"title": "冬季防流感提示"},
    )

    body = edited.get_json()
    assert edited.status_code == 200
    assert body["status"] == "published" and body["build_job_id"] is not None
    (job,) = run_jobs()
    assert job.id == body["build_job_id"] and job.status == "done", job.message
    assert "冬季防流感提示" in fetch("/health/2026-12-03-ceshi/").get_data(as_text=True)
    index = search.SearchIndex(site_app.config["SEARCH_INDEX_DIR"])
    assert [hit.id for hit in index.query("流感").hits] == ["article:2026-12-03-ceshi"]


def test_editing_a_draft_builds_nothing(client, site_app, editor_headers, draft_payload, run_jobs):
    _create(client, editor_headers, draft_payload())

    edited = client.put(
        "/api/v1/articles/2026-12-03-ceshi", headers=editor_headers, json={"summary": "改过的摘要"}
    )

    assert edited.get_json()["build_job_id"] is None
    assert edited.get_json()["status"] == "draft"
    assert run_jobs() == []


def test_the_editors_list_gives_and_filters_each_status(
    client, site_app, editor_headers, draft_payload, after_every_article
):
    _create(client, editor_headers, draft_payload())
    _create(client, editor_headers, draft_payload(slug="2026-12-02-fabu", date="2026-12-02"))
    _create(client, editor_headers, draft_payload(slug="2028-01-05-dingshi", date="2028-01-05"))
    for slug in ("2026-12-02-fabu", "2028-01-05-dingshi"):
        client.post(f"/api/v1/articles/{slug}/publish", headers=editor_headers)

    listed = client.get("/api/v1/editor/articles", headers=editor_headers).get_json()["data"]
    scheduled = client.get(
        "/api/v1/editor/articles?status=scheduled", headers=editor_headers
    ).get_json()["data"]

    assert [(item["slug"], item["status"]) for item in listed] == [
        ("2028-01-05-dingshi", "scheduled"),
        ("2026-12-03-ceshi", "draft"),
        ("2026-12-02-fabu", "published"),
    ]
    assert "body" not in listed[0]
    assert [item["slug"] for item in scheduled] == ["2028-01-05-dingshi"]


def test_editors_read_the_images_of_a_draft(
    client, site_app, editor_headers, resident_headers, draft_payload
):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    _create(client, editor_headers, draft_payload())
    client.post(
        "/api/v1/articles/2026-12-03-ceshi/images",
        headers=editor_headers,
        data={"file": (io.BytesIO(png), "photo.png")},
        content_type="multipart/form-data",
    )

    image = client.get(
        "/api/v1/articles/2026-12-03-ceshi/images/photo.png", headers=editor_headers, buffered=True
    )
    missing = client.get(
        "/api/v1/articles/2026-12-03-ceshi/images/other.png", headers=editor_headers
    )
    bad_name = client.get(
        "/api/v1/articles/2026-12-03-ceshi/images/..%2Fceshi.md", headers=editor_headers
    )
    refused = client.get(
        "/api/v1/articles/2026-12-03-ceshi/images/photo.png", headers=resident_headers
    )

    assert image.status_code == 200 and image.data == png
    assert image.mimetype == "image/png" and "no-store" in image.headers["Cache-Control"]
    assert missing.status_code == 404 and missing.get_json()["error"] == "image_not_found"
    assert bad_name.status_code == 404
    assert refused.status_code == 403
