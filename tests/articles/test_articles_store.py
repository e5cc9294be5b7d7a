"""The article store: slug and image-name rules, listing order, atomic writes, images."""

import datetime as dt

import pytest

from publishing.exceptions import ArticleExists, ArticleNotFound, InvalidImage, InvalidSlug
from publishing.store import detect_image_type, validate_image_name, validate_slug

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
GIF = b"GIF89a" + b"\x00" * 16
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 8


@pytest.mark.parametrize(
    "slug", ["2026-12-03-gaoxueya", "2027-02-21-yuanxiao-dengmi", "2026-01-01-a1"]
)
def test_valid_slugs(slug):
    assert validate_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    [
        "..",
        "../2026-12-03-gaoxueya",
        "2026-12-03-gao/xueya",
        "2026-12-03-..",
        "2026-12-03-gao..xueya",
        "2026-12-03-GaoXueya",
        "2026-12-03-高血压",
        "2026-12-03-%E9%AB%98",
        "2026-12-03-gao_xueya",
        "2026-12-03-",
        "2026-12-03-gao--xueya",
        "2026-12-03-gaoxueya-",
        "2026-12-03-gaoxueya\n",
        "2026-13-03-gaoxueya",
        "gaoxueya",
        "2026-12-03-" + "a" * 80,
        None,
    ],
)
def test_invalid_slugs_are_refused(slug):
    with pytest.raises(InvalidSlug):
        validate_slug(slug)


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PNG, "png"), (JPEG, "jpeg"), (GIF, "gif"), (WEBP, "webp"), (b"<svg/>", None), (b"", None)],
)
def test_detect_image_type(data, kind):
    assert detect_image_type(data) == kind


@pytest.mark.parametrize(
    "name",
    ["../x.png", "a/b.png", "..png", ".hidden.png", "x.svg", "x.png.exe", "x", "x y.png", ""],
)
def test_invalid_image_names_are_refused(name):
    with pytest.raises(InvalidImage):
        validate_image_name(name)


def test_image_names_are_lower_cased():
    assert validate_image_name("IMG_0001.JPG") == "img_0001.jpg"


def test_list_is_newest_first(store, create_article):
    create_article(name="b", date=dt.date(2026, 12, 3))
    create_article(name="c", date=dt.date(2027, 1, 5), category="policy")
    create_article(name="a", date=dt.date(2026, 9, 18), category="news")
    create_article(name="a", date=dt.date(2026, 12, 3))
    assert [a.slug for a in store.list()] == [
        "2027-01-05-c",
        "2026-12-03-b",
        "2026-12-03-a",
        "2026-09-18-a",
    ]


def test_list_filters_by_category_and_tag(store, create_article):
    create_article(name="one", tags=("高血压",))
    create_article(name="two", category="policy", tags=("反诈",))
    assert [a.slug for a in store.list(category="policy")] == ["2026-12-03-two"]
    assert [a.slug for a in store.list(tag="高血压")] == ["2026-12-03-one"]


def test_list_skips_drafts_unless_asked(store, create_article):
    create_article(name="draft", draft=True)
    assert store.list() == []
    assert [a.slug for a in store.list(include_drafts=True)] == ["2026-12-03-draft"]


def test_list_skips_invalid_files(store, create_article, content_dir):
    create_article(name="good")
    (content_dir / "health" / "2026-12-03-broken.md").write_text("没有头信息", encoding="utf-8")
    assert [a.slug for a in store.list()] == ["2026-12-03-good"]


def test_list_sees_changed_files(store, create_article, make_article):
    create_article(name="x", title="旧标题")
    assert store.list()[0].title == "旧标题"
    store.save(make_article(name="x", title="新标题，长一点"))
    assert store.list()[0].title == "新标题，长一点"


def test_create_writes_corpus_style_file(store, create_article, content_dir):
    article = create_article(name="gaoxueya", title="高血压")
    text = (content_dir / "health" / "2026-12-03-gaoxueya.md").read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "高血压"\ndate: 2026-12-03\ncategory: health\n')
    assert store.get("2026-12-03-gaoxueya") == article


def test_create_refuses_a_taken_slug_in_any_section(create_article):
    create_article(name="same", category="policy")
    with pytest.raises(ArticleExists):
        create_article(name="same", category="news")


def test_create_refuses_date_not_matching_slug(store, make_article):
    article = make_article(name="x")
    with pytest.raises(Exception, match="日期"):
        store.create(type(article)(**{**article.__dict__, "slug": "2026-12-04-x"}))


def test_writes_leave_no_temporary_files(store, create_article, make_article, content_dir):
    create_article(name="x")
    store.save(make_article(name="x", title="改"))
    assert [p.name for p in (content_dir / "health").iterdir() if p.name.startswith(".")] == []


def test_save_moves_article_and_images_to_new_section(
    store, create_article, make_article, content_dir
):
    create_article(name="move")
    store.save_image("2026-12-03-move", "a.png", PNG)
    store.save(make_article(name="move", category="news"))
    assert not (content_dir / "health" / "2026-12-03-move.md").exists()
    assert (content_dir / "news" / "2026-12-03-move" / "a.png").read_bytes() == PNG
    assert store.get("2026-12-03-move").category == "news"


def test_save_and_delete_need_an_existing_article(store, make_article):
    with pytest.raises(ArticleNotFound):
        store.save(make_article(name="missing"))
    with pytest.raises(ArticleNotFound):
        store.delete("2026-12-03-missing")


def test_get_refuses_traversal(store):
    with pytest.raises(InvalidSlug):
        store.get("../../etc/passwd")


def test_save_image_stores_beside_article(store, create_article, content_dir):
    create_article(name="pic")
    assert store.save_image("2026-12-03-pic", "Photo-1.PNG", PNG) == "2026-12-03-pic/photo-1.png"
    assert (content_dir / "health" / "2026-12-03-pic" / "photo-1.png").read_bytes() == PNG
    assert store.images("2026-12-03-pic") == ["photo-1.png"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("../evil.png", PNG, "文件名"),
        ("a/b.png", PNG, "文件名"),
        ("x.png", b"<svg onload=alert(1)>", "只支持"),
        ("x.png", JPEG, "不符"),
        ("x.gif", PNG, "不符"),
        ("x.png", PNG + b"\x00" * 64 * 1024, "不能超过"),
    ],
)
def test_save_image_refuses_bad_images(store, create_article, content_dir, name, data, message):
    create_article(name="pic")
    with pytest.raises(InvalidImage, match=message):
        store.save_image("2026-12-03-pic", name, data)
    assert not (content_dir / "health" / "2026-12-03-pic").exists()


def test_save_image_needs_the_article(store):
    with pytest.raises(ArticleNotFound):
        store.save_image("2026-12-03-nobody", "a.png", PNG)
