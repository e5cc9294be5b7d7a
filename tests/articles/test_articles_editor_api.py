"""The editors' API: drafts, images, preview, publish and unpublish through site-build jobs."""

import io

import pytest

from publishing.sitebuild import current_build

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _create(client, headers, payload):
    response = client.post("/api/v1/articles", json=payload, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _job(client, headers, response):
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{job['id']}")
    return job


def test_create_writes_a_draft_file(client, site_app, content_dir, editor_headers, draft_payload):
    body = _create(client, editor_headers, draft_payload())
    assert body["draft"] is True and body["slug"] == "2026-12-03-ceshi"
    assert body["html"] == "<h2>要点</h2>\n<p>多喝水，勤洗手。</p>"
    text = (content_dir / "health" / "2026-12-03-ceshi.md").read_text(encoding="utf-8")
    assert "draft: true" in text and text.endswith("多喝水，勤洗手。\n")
    assert client.get("/api/v1/articles/2026-12-03-ceshi").status_code == 404


def test_create_without_slug_uses_the_title_pinyin(client, site_app, editor_headers, draft_payload):
    payload = draft_payload(slug=None, title="高血压冬季控压")
    assert _create(client, editor_headers, payload)["slug"] == "2026-12-03-gaoxueyadongjikongya"
    assert _create(client, editor_headers, payload)["slug"] == "2026-12-03-gaoxueyadongjikongya-2"


@pytest.mark.parametrize(
    "slug",
    ["../2026-12-03-x", "2026-12-03-a/b", "2026-12-03-..", "2026-12-03-高血压", "2026-12-04-x"],
)
def test_bad_slugs_are_refused(client, site_app, content_dir, editor_headers, draft_payload, slug):
    response = client.post(
        "/api/v1/articles", json=draft_payload(slug=slug), headers=editor_headers
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_slug"
    assert not list(content_dir.rglob("2026-*"))


def test_taken_slug_is_a_conflict(client, site_app, editor_headers, draft_payload):
    _create(client, editor_headers, draft_payload())
    response = client.post(
        "/api/v1/articles", json=draft_payload(category="news"), headers=editor_headers
    )
    assert response.status_code == 409 and response.get_json()["error"] == "article_exists"


def test_invalid_fields_get_chinese_messages(client, site_app, editor_headers, draft_payload):
    payload = draft_payload(category="sports", title="", color="red")
    response = client.post("/api/v1/articles", json=payload, headers=editor_headers)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"category", "title", "color"}


def test_only_editors_write(client, site_app, resident_headers, draft_payload, create_article):
    create_article(name="cunzai")
    attempts = [
        ("post", "/api/v1/articles", {"json": draft_payload()}),
        ("put", "/api/v1/articles/2026-12-03-cunzai", {"json": {"title": "改"}}),
        ("post", "/api/v1/articles/2026-12-03-cunzai/publish", {}),
        ("post", "/api/v1/articles/2026-12-03-cunzai/unpublish", {}),
        ("post", "/api/v1/articles/preview", {"json": {"body": "x"}}),
        ("get", "/api/v1/editor/articles", {}),
        ("get", "/api/v1/editor/articles/2026-12-03-cunzai", {}),
    ]
    for method, url, kwargs in attempts:
        assert getattr(client, method)(url, headers=resident_headers, **kwargs).status_code == 403
        assert getattr(client, method)(url, **kwargs).status_code == 401


def test_update_changes_fields_and_moves_section(
    client, site_app, content_dir, editor_headers, draft_payload
):
    _create(client, editor_headers, draft_payload())
    response = client.put(
        "/api/v1/articles/2026-12-03-ceshi",
        json={"category": "news", "tags": ["动态"], "body": "新的正文"},
        headers=editor_headers,
    )
    assert response.status_code == 200
    assert response.get_json()["category"] == "news" and response.get_json()["tags"] == ["动态"]
    assert (content_dir / "news" / "2026-12-03-ceshi.md").is_file()
    assert not (content_dir / "health" / "2026-12-03-ceshi.md").exists()


def test_update_cannot_change_the_date(client, site_app, editor_headers, draft_payload):
    _create(client, editor_headers, draft_payload())
    response = client.put(
        "/api/v1/articles/2026-12-03-ceshi", json={"date": "2026-12-04"}, headers=editor_headers
    )
    assert response.status_code == 422


def test_html_in_markdown_is_sanitized(client, site_app, editor_headers, draft_payload):
    evil = '<script>alert(1)</script>\n\n<p onclick="x()">正文</p>\n\n[链接](javascript:alert(1))'
    body = _create(client, editor_headers, draft_payload(body=evil))
    assert "script" not in body["html"] and "onclick" not in body["html"]
    assert "javascript" not in body["html"]
    preview = client.post("/api/v1/articles/preview", json={"body": evil}, headers=editor_headers)
    assert preview.status_code == 200 and "alert" not in preview.get_json()["html"]


def test_upload_image_beside_the_article(
    client, site_app, content_dir, editor_headers, draft_payload
):
    _create(client, editor_headers, draft_payload())
    response = client.post(
        "/api/v1/articles/2026-12-03-ceshi/images",
        data={"file": (io.BytesIO(PNG), "Xueya.PNG")},
        headers=editor_headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert response.get_json() == {
        "name": "xueya.png",
        "path": "2026-12-03-ceshi/xueya.png",
        "markdown": "![](2026-12-03-ceshi/xueya.png)",
        "url": "http://localhost/health/2026-12-03-ceshi/xueya.png",
    }
    assert (content_dir / "health" / "2026-12-03-ceshi" / "xueya.png").read_bytes() == PNG


@pytest.mark.parametrize(
    ("name", "data"),
    [("../evil.png", PNG), ("a/b.png", PNG), ("x.svg", b"<svg/>"), ("x.png", b"MZ\x90\x00")],
)
def test_bad_images_are_refused(
    client, site_app, content_dir, editor_headers, draft_payload, name, data
):
    _create(client, editor_headers, draft_payload())
    response = client.post(
        "/api/v1/articles/2026-12-03-ceshi/images",
        data={"file": (io.BytesIO(data), name)},
        headers=editor_headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_image"
    assert not (content_dir / "health" / "2026-12-03-ceshi").exists()
    assert (
        not (content_dir / "evil.png").exists()
        and not (content_dir / "health" / "evil.png").exists()
    )


def test_publish_builds_serves_lists_then_unpublish_removes(
    fetch, client, site_app, editor, editor_headers, draft_payload, run_jobs
):
    _create(client, editor_headers, draft_payload())
    job = _job(
        client,
        editor_headers,
        client.post("/api/v1/articles/2026-12-03-ceshi/publish", headers=editor_headers),
    )
    assert job["status"] == "queued" and job["kind"] == "site_build"

    run_jobs()
    polled = client.get(f"/api/v1/jobs/{job['id']}", headers=editor_headers).get_json()
    assert polled["status"] == "done", polled
    assert polled["result"]["pages"] == 8

    page = fetch("/health/2026-12-03-ceshi/")
    assert page.status_code == 200 and "冬季健康提示" in page.get_data(as_text=True)
    assert "2026-12-03-ceshi/" in fetch("/health/").get_data(as_text=True)
    listed = client.get("/api/v1/articles").get_json()["data"]
    assert [item["slug"] for item in listed] == ["2026-12-03-ceshi"]

    job = _job(
        client,
        editor_headers,
        client.post("/api/v1/articles/2026-12-03-ceshi/unpublish", headers=editor_headers),
    )
    run_jobs()
    assert (
        client.get(f"/api/v1/jobs/{job['id']}", headers=editor_headers).get_json()["status"]
        == "done"
    )
    assert fetch("/health/2026-12-03-ceshi/").status_code == 404
    assert "2026-12-03-ceshi" not in fetch("/health/").get_data(as_text=True)
    assert client.get("/api/v1/articles").get_json()["data"] == []


def test_publish_updates_the_search_entry(
    client, site_app, editor_headers, draft_payload, run_jobs
):
    search = pytest.importorskip("search")
    _create(client, editor_headers, draft_payload(title="冬季防流感"))
    client.post("/api/v1/articles/2026-12-03-ceshi/publish", headers=editor_headers)
    (job,) = run_jobs()
    assert job.result["indexed"] is True
    index = search.SearchIndex(site_app.config["SEARCH_INDEX_DIR"])
    assert [hit.id for hit in index.query("流感").hits] == ["article:2026-12-03-ceshi"]
    client.post("/api/v1/articles/2026-12-03-ceshi/unpublish", headers=editor_headers)
    run_jobs()
    assert index.query("流感").hits == []


def test_failed_build_fails_the_job_and_old_site_serves(
    fetch, client, site_app, content_dir, editor_headers, draft_payload, run_jobs
):
    _create(client, editor_headers, draft_payload())
    client.post("/api/v1/articles/2026-12-03-ceshi/publish", headers=editor_headers)
    run_jobs()
    before = current_build(site_app.config["SITE_DIR"])
    (content_dir / "news" / "2026-12-05-huaile.md").write_text(
        '---\ntitle: "坏了"\ndate: 2026-12-05\ncategory: news\n---\n\n正文\n', encoding="utf-8"
    )
    _create(client, editor_headers, draft_payload(slug="2026-12-03-dierpian", title="第二篇"))
    response = client.post("/api/v1/articles/2026-12-03-dierpian/publish", headers=editor_headers)
    run_jobs()
    job = client.get(f"/api/v1/jobs/{response.get_json()['id']}", headers=editor_headers).get_json()
    assert job["status"] == "failed"
    assert "news/2026-12-05-huaile.md" in job["message"] and "作者" in job["message"]
    assert current_build(site_app.config["SITE_DIR"]) == before
    assert fetch("/health/2026-12-03-ceshi/").status_code == 200
    assert fetch("/health/2026-12-03-dierpian/").status_code == 404


def test_publishing_unknown_article_is_not_found(client, site_app, editor_headers):
    response = client.post("/api/v1/articles/2026-12-03-meiyou/publish", headers=editor_headers)
    assert response.status_code == 404 and response.get_json()["error"] == "article_not_found"


def test_editor_lists_drafts(client, site_app, editor_headers, create_article):
    create_article(name="caogao", draft=True)
    create_article(name="yifabu", date=__import__("datetime").date(2026, 12, 4))
    body = client.get("/api/v1/editor/articles?draft=true", headers=editor_headers).get_json()
    assert [(item["slug"], item["draft"]) for item in body["data"]] == [("2026-12-03-caogao", True)]
    body = client.get("/api/v1/editor/articles", headers=editor_headers).get_json()
    assert body["pagination"]["total"] == 2


def test_queued_publishes_share_one_build(
    fetch, client, site_app, editor_headers, draft_payload, run_jobs
):
    for slug in ("2026-12-03-yi", "2026-12-03-er", "2026-12-03-san"):
        _create(client, editor_headers, draft_payload(slug=slug))
        client.post(f"/api/v1/articles/{slug}/publish", headers=editor_headers)
    jobs = run_jobs()
    assert [job.status for job in jobs] == ["done"] * 3
    assert [job.result["coalesced"] for job in jobs] == [False, True, True]
    assert len({job.result["build_id"] for job in jobs}) == 1
    for slug in ("2026-12-03-yi", "2026-12-03-er", "2026-12-03-san"):
        assert fetch(f"/health/{slug}/").status_code == 200


def test_editor_list_items_carry_no_html_key(client, site_app, editor_headers, create_article):
    """The list renders no HTML: it leaves the key out rather than sending the null that its
    documented ``string`` forbade (schemathesis ST108); one article still has its HTML."""
    create_article(name="caogao", draft=True)
    item = client.get("/api/v1/editor/articles", headers=editor_headers).get_json()["data"][0]
    assert "html" not in item and item["slug"]
    one = client.get(f"/api/v1/editor/articles/{item['slug']}", headers=editor_headers)
    assert isinstance(one.get_json()["html"], str)
    document = client.get("/api/v1/openapi.json").get_json()
    listed = document["components"]["schemas"]["EditorArticleList"]["properties"]
    assert "html" not in listed
