"""Importing the corpus: sections, cleaning of the seed article, idempotence."""

from publishing import frontmatter
from publishing.cleanup import find_pinyin_artifacts, strip_pinyin_artifacts
from publishing.importer import import_articles

SEED_ARTICLE = "2021-03-08-linying-civilization-practice.md"


def test_every_corpus_article_lands_in_its_section(corpus_dir, content_dir):
    result = import_articles(corpus_dir, content_dir)
    sources = sorted((corpus_dir / "articles").glob("*.md"))
    assert result.as_dict() == {"created": len(sources), "updated": 0, "unchanged": 0, "failed": 0}
    for path in sources:
        meta, _ = frontmatter.load(path.read_text(encoding="utf-8"))
        assert (content_dir / meta["category"] / path.name).is_file(), path.name
    counts = {c: len(list((content_dir / c).glob("2*.md"))) for c in frontmatter.CATEGORIES}
    assert counts == {"policy": 15, "health": 15, "news": 12}


def test_articles_are_copied_byte_for_byte_except_artifacts(corpus_dir, content_dir):
    import_articles(corpus_dir, content_dir)
    for path in (corpus_dir / "articles").glob("*.md"):
        meta, _ = frontmatter.load(path.read_text(encoding="utf-8"))
        imported = (content_dir / meta["category"] / path.name).read_text(encoding="utf-8")
        assert imported == strip_pinyin_artifacts(path.read_text(encoding="utf-8"))


def test_seed_article_is_cleaned_and_otherwise_equal(corpus_dir, content_dir, seed_text):
    import_articles(corpus_dir, content_dir)
    original_meta, original_body = frontmatter.load(
        (corpus_dir / "articles" / SEED_ARTICLE).read_text(encoding="utf-8")
    )
    meta, body = frontmatter.load((content_dir / "news" / SEED_ARTICLE).read_text(encoding="utf-8"))
    assert original_body == seed_text
    assert find_pinyin_artifacts(body) == []
    assert "(xué)" not in body and "(jié)" not in body
    assert body == strip_pinyin_artifacts(seed_text)
    assert meta == original_meta


def test_reimport_changes_nothing(corpus_dir, content_dir):
    import_articles(corpus_dir, content_dir)
    before = {p: p.stat().st_mtime_ns for p in content_dir.rglob("*.md")}
    result = import_articles(corpus_dir, content_dir)
    assert result.as_dict() == {"created": 0, "updated": 0, "unchanged": 42, "failed": 0}
    assert {p: p.stat().st_mtime_ns for p in content_dir.rglob("*.md")} == before


def test_changed_article_is_updated_and_moved(corpus_dir, content_dir, tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "articles").mkdir(parents=True)
    source = corpus / "articles" / "2026-12-03-gaoxueya.md"
    source.write_bytes((corpus_dir / "articles" / source.name).read_bytes())
    import_articles(corpus, content_dir)
    source.write_text(
        source.read_text(encoding="utf-8").replace("category: health", "category: news")
    )
    result = import_articles(corpus, content_dir)
    assert result.updated == 1
    assert not (content_dir / "health" / source.name).exists()
    assert (content_dir / "news" / source.name).is_file()


def test_invalid_article_is_reported_and_others_imported(content_dir, tmp_path, corpus_dir):
    corpus = tmp_path / "corpus"
    (corpus / "articles").mkdir(parents=True)
    good = corpus_dir / "articles" / "2026-12-03-gaoxueya.md"
    (corpus / "articles" / good.name).write_bytes(good.read_bytes())
    (corpus / "articles" / "2026-12-04-broken.md").write_text("---\ntitle: x\n---\n\n正文")
    (corpus / "articles" / "Bad Name.md").write_bytes(good.read_bytes())
    result = import_articles(corpus, content_dir)
    assert result.created == 1
    assert sorted(name for name, _ in result.failed) == ["2026-12-04-broken.md", "Bad Name.md"]
    assert all(reason for _, reason in result.failed)


def test_progress_is_reported_per_file(corpus_dir, content_dir):
    calls = []
    import_articles(corpus_dir, content_dir, progress=lambda *args: calls.append(args))
    assert len(calls) == 42
    assert calls[-1][:2] == (42, 42)
