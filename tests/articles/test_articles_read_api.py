"""The read API of the mini-program, over the imported corpus."""

import pytest

from publishing.importer import import_articles

SEED = "2021-03-08-linying-civilization-practice"


@pytest.fixture
def corpus_api(site_app, content_dir, corpus_dir, create_article, after_every_article):
    import_articles(corpus_dir, content_dir)
    create_article(name="weifabu", category="news", title="尚未发布", draft=True)
    return site_app


def test_list_has_every_published_article_newest_first(client, corpus_api):
    body = client.get("/api/v1/articles?per_page=100").get_json()
    assert body["pagination"] == {"page": 1, "per_page": 100, "total": 42}
    dates = [item["date"] for item in body["data"]]
    assert dates == sorted(dates, reverse=True)
    assert "2026-12-03-weifabu" not in {item["slug"] for item in body["data"]}


def test_list_item_shape(client, corpus_api):
    item = client.get("/api/v1/articles?category=health&per_page=1").get_json()["data"][0]
    assert item == {
        "slug": "2027-02-17-guzhi-shusong",
        "title": "骨质疏松：静悄悄的“骨头小偷”",
        "date": "2027-02-17",
        "category": "health",
        "section": "健康科普",
        "author": item["author"],
        "tags": item["tags"],
        "summary": item["summary"],
        "url": "http://localhost/health/2027-02-17-guzhi-shusong/",
    }


@pytest.mark.parametrize(("category", "total"), [("policy", 15), ("health", 15), ("news", 12)])
def test_list_filters_by_category(client, corpus_api, category, total):
    body = client.get(f"/api/v1/articles?category={category}").get_json()
    assert body["pagination"]["total"] == total
    assert {item["category"] for item in body["data"]} == {category}


def test_list_filters_by_tag(client, corpus_api):
    body = client.get("/api/v1/articles?tag=高血压").get_json()
    assert [item["slug"] for item in body["data"]] == ["2026-12-03-gaoxueya"]


def test_list_pages(client, corpus_api):
    first = client.get("/api/v1/articles?per_page=20&page=3").get_json()
    assert len(first["data"]) == 2 and first["pagination"]["page"] == 3


def test_unknown_category_is_refused(client, corpus_api):
    response = client.get("/api/v1/articles?category=sports")
    assert response.status_code == 422
    assert response.get_json()["errors"]["category"]


def test_detail_has_sanitized_html_and_site_url(client, corpus_api):
    body = client.get("/api/v1/articles/2026-12-03-gaoxueya").get_json()
    assert body["url"] == "http://localhost/health/2026-12-03-gaoxueya/"
    assert body["html"].startswith("<h2>冬天为什么血压容易升高</h2>")
    assert "<table>" in body["html"]
    assert "body" not in body


def test_every_published_article_has_an_api_entry(client, corpus_api, corpus_dir):
    for path in (corpus_dir / "articles").glob("*.md"):
        assert client.get(f"/api/v1/articles/{path.stem}").status_code == 200, path.name


def test_seed_article_is_served_cleaned(client, corpus_api):
    html = client.get(f"/api/v1/articles/{SEED}").get_json()["html"]
    assert "學黨史國史" in html and "(xué)" not in html


@pytest.mark.parametrize("slug", ["2026-12-03-weifabu", "2026-12-03-nothing", "..", "x"])
def test_drafts_unknown_and_malformed_slugs_are_not_found(client, corpus_api, slug):
    response = client.get(f"/api/v1/articles/{slug}")
    assert response.status_code == 404
    assert response.get_json()["error"] in {"article_not_found", "not_found"}


def test_site_url_setting_wins_over_the_request_host(client, corpus_api):
    corpus_api.config["SITE_URL"] = "https://wenming.example.cn"
    body = client.get("/api/v1/articles/2026-12-03-gaoxueya").get_json()
    assert body["url"] == "https://wenming.example.cn/health/2026-12-03-gaoxueya/"
