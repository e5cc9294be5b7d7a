"""The built site served by Flask at ``/``, with cache headers; the API keeps its own 404s."""

import re

import pytest

from api.articles import services
from publishing import sitebuild
from publishing.csp import inline_script_hashes


@pytest.fixture
def served(app, corpus_site):
    """The app serving the corpus site (built once per session)."""
    app.config["SITE_DIR"] = str(corpus_site.site)
    return app


@pytest.fixture
def built(site_app, small_content):
    """The small site built into SITE_DIR, as `flask site build` would."""
    return services.rebuild_site()


def test_home_page_is_served_and_revalidated(fetch, served):
    response = fetch("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "临颍县新时代文明实践中心" in response.get_data(as_text=True)
    assert "no-cache" in response.headers["Cache-Control"]
    assert response.headers["ETag"]
    again = fetch("/", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_article_page_by_its_dated_slug(fetch, served):
    response = fetch("/health/2026-12-03-gaoxueya/")
    assert response.status_code == 200
    assert "高血压：冬季控压的六个要点" in response.get_data(as_text=True)


def test_directory_without_slash_redirects(fetch, served):
    response = fetch("/health/2026-12-03-gaoxueya?from=share")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/health/2026-12-03-gaoxueya/?from=share")


def test_fingerprinted_assets_are_immutable(fetch, served):
    html = fetch("/").get_data(as_text=True)
    css = re.search(r'href="(assets/stylesheets/main\.[0-9a-f]+\.min\.css)"', html).group(1)
    response = fetch(f"/{css}")
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    plain = fetch("/assets/civp/search.js")
    assert "max-age=3600" in plain.headers["Cache-Control"]


def test_unknown_page_is_the_site_404_for_browsers_and_json_otherwise(fetch, served):
    browser = fetch("/no-such-page/", headers={"Accept": "text/html"})
    assert browser.status_code == 404 and browser.mimetype == "text/html"
    assert fetch("/no-such-page/").get_json()["error"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/no-such-endpoint", "/api/v1/articles/a/b", "/api"])
def test_api_paths_never_fall_through_to_the_site(client, served, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "application/json"


def test_a_post_only_api_route_answers_other_methods_with_405_and_its_own_allow(client, served):
    """The site's catch-all never matches under /api (it advertised GET on every API URL)."""
    response = client.get("/api/v1/activities/1/cancel")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert set(client.options("/api/v1/activities/1/cancel").headers["Allow"].split(", ")) == {
        "POST",
        "OPTIONS",
    }


@pytest.mark.parametrize("path", ["/../etc/passwd", "/%2e%2e/etc/passwd", "/..%2fmkdocs.yml"])
def test_traversal_is_not_served(client, served, path):
    assert client.get(path).status_code == 404


def test_a_new_build_is_served_without_restart(fetch, built, create_article):
    assert fetch("/health/2026-12-03-xin/").status_code == 404
    create_article(name="xin", title="新文章")
    services.rebuild_site()
    assert fetch("/health/2026-12-03-xin/").status_code == 200


def test_nothing_built_yet_is_a_json_404(fetch, site_app):
    assert fetch("/").status_code == 404


def test_a_resolved_site_dir_setting_still_follows_swaps(served, corpus_site):
    # a config that resolved the symlink gets .site-builds/<id>, deleted two builds later
    served.config["SITE_DIR"] = str(sitebuild.current_build(corpus_site.site))
    assert services.site_dir() == corpus_site.site


def test_site_build_command_reports_pages(runner, site_app, small_content, after_every_article):
    result = runner.invoke(args=["site", "build"])
    assert result.exit_code == 0, result.output
    assert "站点已更新：9 个页面" in result.output


def test_site_build_command_fails_with_the_reason(runner, site_app, small_content):
    (small_content / "news" / "2026-12-05-huaile.md").write_text("没有头信息", encoding="utf-8")
    result = runner.invoke(args=["site", "build"])
    assert result.exit_code == 1
    assert "news/2026-12-05-huaile.md" in result.output and "头信息" in result.output


def test_site_routes_are_not_in_the_api_document(client, app):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/" not in paths and "/{path}" not in paths
    assert "/api/v1/articles/{slug}/publish" in paths


def test_every_page_carries_a_policy_that_lists_exactly_its_own_inline_scripts(
    fetch, served, corpus_site
):
    pages = ["/", "/health/", "/health/2026-12-03-gaoxueya/", "/tags/", "/search/"]
    for path in pages:
        response = fetch(path)
        policy = response.headers["Content-Security-Policy"]
        script_src = next(part for part in policy.split("; ") if part.startswith("script-src"))
        html = response.get_data(as_text=True)
        assert inline_script_hashes(html), path  # Material writes a few
        assert inline_script_hashes(html) <= set(script_src.split()[2:]), path
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    missing = fetch("/nowhere/", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert inline_script_hashes(missing.get_data(as_text=True)) <= set(
        missing.headers["Content-Security-Policy"].split("; ")[1].split()[2:]
    )
