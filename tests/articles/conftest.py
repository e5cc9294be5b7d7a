"""Fixtures of the articles tests: temporary content directories, article and site factories.

The corpus site is built once per session (``corpus_site``); tests that need a build of their
own use ``small_content`` (the site pages plus two articles), which builds in a few seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from publishing.frontmatter import CATEGORIES
from publishing.importer import import_articles
from publishing.sitebuild import build_site
from publishing.store import Article, ArticleStore

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = Path(os.environ.get("CORPUS_DIR", PROJECT_ROOT / "corpus"))
SEED_FILE = CORPUS_DIR.parent / "seed" / "linying-civilization-practice-2021-03-08.txt"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 13


def _copy_site_pages(target: Path) -> Path:
    """Copy content/ without its articles: home, about, tags, search and the section pages."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        if Path(folder).name in CATEGORIES:
            return {name for name in names if name != "index.md"}
        return set()

    shutil.copytree(PROJECT_ROOT / "content", target, ignore=ignore)
    return target


#: After every article of the corpus and of these tests: none is scheduled any more, whatever
#: day the tests run (scheduled publishing has its own tests, at chosen dates).
AFTER_EVERY_ARTICLE = dt.datetime(2027, 12, 31, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def after_every_article(frozen_clock):
    """The app clock after every article, so the API and the site show them all."""
    frozen_clock(AFTER_EVERY_ARTICLE)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS_DIR / "articles").is_dir():
        pytest.skip(f"corpus not found at {CORPUS_DIR} (set CORPUS_DIR)")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED_FILE.is_file():
        pytest.skip(f"seed text not found at {SEED_FILE} (set CORPUS_DIR)")
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A content directory with the site's pages and no articles."""
    return _copy_site_pages(tmp_path / "content")


@pytest.fixture
def store(content_dir) -> ArticleStore:
    return ArticleStore(content_dir, max_image_bytes=64 * 1024)


@pytest.fixture
def make_article():
    """Build an ``Article`` with sensible defaults; override any field."""

    def make(**overrides) -> Article:
        date = overrides.pop("date", dt.date(2026, 12, 3))
        name = overrides.pop("name", "ceshi")
        fields = {
            "slug": f"{date.isoformat()}-{name}",
            "title": "测试文章",
            "date": date,
            "category": "health",
            "author": "测试作者",
            "body": "## 小标题\n\n正文第一段。\n",
            "tags": ("测试",),
            "summary": "一句话摘要。",
            "draft": False,
        }
        fields.update(overrides)
        return Article(**fields)

    return make


@pytest.fixture
def create_article(store, make_article):
    """Write an article into the test content directory and return it."""

    def create(**overrides) -> Article:
        return store.create(make_article(**overrides))

    return create


@pytest.fixture
def small_content(content_dir, create_article) -> Path:
    """Site pages plus one policy and one health article: quick to build."""
    create_article(name="xiao-policy", category="policy", title="小型站点政策文章")
    create_article(name="xiao-health", date=dt.date(2026, 12, 4), title="小型站点健康文章")
    return content_dir


@pytest.fixture
def small_site(tmp_path, small_content):
    """``build(**kwargs)`` builds ``small_content`` into ``tmp_path/site``."""
    site_dir = tmp_path / "site"

    def build(**kwargs):
        return build_site(PROJECT_ROOT, site_dir, docs_dir=small_content, **kwargs)

    return SimpleNamespace(content=small_content, site=site_dir, build=build)


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory, corpus_dir):
    """The corpus imported into fresh content, plus one draft with an image, built once."""
    root = tmp_path_factory.mktemp("corpus-site")
    content = _copy_site_pages(root / "content")
    imported = import_articles(corpus_dir, content)
    store = ArticleStore(content)
    draft = store.create(
        Article(
            slug="2026-12-31-caogao-ceshi",
            title="尚未发布的草稿",
            date=dt.date(2026, 12, 31),
            category="news",
            author="编辑",
            body="草稿正文。\n",
            draft=True,
        )
    )
    store.save_image(draft.slug, "photo.png", PNG)
    result = build_site(PROJECT_ROOT, root / "site", docs_dir=content)
    return SimpleNamespace(
        root=root,
        content=content,
        site=root / "site",
        result=result,
        imported=imported,
        draft=draft,
        store=store,
    )


@pytest.fixture(scope="session")
def hostile_site_of(tmp_path_factory):
    """``build(**fields)``: the site pages plus one health article with these front-matter
    fields (``2026-12-03-hostile``), built once per distinct set of fields."""
    built: dict[str, Path] = {}

    def build(**fields) -> Path:
        key = repr(sorted(fields.items()))
        if key not in built:
            root = tmp_path_factory.mktemp("hostile-site")
            content = _copy_site_pages(root / "content")
            article = {
                "slug": "2026-12-03-hostile",
                "title": "标题",
                "date": dt.date(2026, 12, 3),
                "category": "health",
                "author": "作者",
                "body": "正文。\n",
                "draft": False,
            }
            ArticleStore(content).create(Article(**(article | fields)))
            build_site(PROJECT_ROOT, root / "site", docs_dir=content)
            built[key] = root / "site"
        return built[key]

    return build


# -- the Flask side (the app fixtures come from tests/conftest.py) ----------------------------


@pytest.fixture
def editor(app, create_user):
    return create_user("editor", roles=[("editor", None)])


@pytest.fixture
def editor_headers(editor, auth_headers):
    return auth_headers(editor)


@pytest.fixture
def resident_headers(app, create_user, auth_headers):
    return auth_headers(create_user())


@pytest.fixture
def site_app(app, content_dir):
    """The app with a content directory holding the site pages (CONTENT_DIR = content_dir)."""
    assert app.config["CONTENT_DIR"] == str(content_dir)
    return app


@pytest.fixture
def run_jobs(app):
    """Run the queued jobs as the worker would; returns them, finished."""
    from api.extensions import db
    from api.jobs.services import run_next

    def run() -> list:
        finished = []
        while (job := run_next()) is not None:
            finished.append(job)
        db.session.expire_all()
        return finished

    return run


@pytest.fixture
def draft_payload():
    """Factory: the JSON body of a new draft."""

    def payload(**overrides) -> dict:
        body = {
            "slug": "2026-12-03-ceshi",
            "title": "冬季健康提示",
            "date": "2026-12-03",
            "category": "health",
            "author": "县人民医院 张医生",
            "tags": ["健康"],
            "summary": "冬季常见病的预防要点。",
            "body": "## 要点\n\n多喝水，勤洗手。\n",
        }
        body.update(overrides)
        return body

    return payload


@pytest.fixture
def fetch(client):
    """GET a site path with the body read and the file closed (send_file streams it)."""

    def get(path: str, **kwargs):
        return client.get(path, buffered=True, **kwargs)

    return get
