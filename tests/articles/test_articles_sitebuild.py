"""Building and swapping the site: failures keep the old site, builds are serialized."""

import os
import threading

import pytest

from publishing import sitebuild
from publishing.sitebuild import SiteBuildError, build_site, current_build


def test_build_swaps_a_symlink_to_a_fresh_directory(small_site):
    result = small_site.build()
    assert small_site.site.is_symlink()
    assert current_build(small_site.site) == result.path.resolve()
    assert (small_site.site / "policy" / "2026-12-03-xiao-policy" / "index.html").is_file()
    assert result.pages == 9 and not result.coalesced


def test_broken_article_fails_with_reason_and_old_site_stays(small_site):
    first = small_site.build()
    broken = small_site.content / "health" / "2026-12-05-broken.md"
    broken.write_text('---\ntitle: "坏文章"\ndate: 2026-12-05\ncategory: sports\n---\n\n正文\n')
    with pytest.raises(SiteBuildError) as caught:
        small_site.build()
    assert "health/2026-12-05-broken.md" in caught.value.message
    assert "栏目" in caught.value.message
    assert current_build(small_site.site) == first.path.resolve()
    assert (small_site.site / "index.html").is_file()
    builds = small_site.site.parent / sitebuild.BUILDS_DIRNAME
    assert [p.name for p in builds.iterdir() if p.is_dir()] == [first.build_id]


def test_strict_warning_fails_the_build(small_site, create_article):
    create_article(name="link", body="[不存在的文章](../news/2026-01-01-nowhere.md)\n")
    with pytest.raises(SiteBuildError, match="nowhere"):
        small_site.build()
    assert not small_site.site.exists()


@pytest.mark.slow
def test_old_builds_are_removed(small_site):
    small_site.build(keep=1)
    latest = small_site.build(keep=1, coalesce=False)
    builds = small_site.site.parent / sitebuild.BUILDS_DIRNAME
    assert [p.name for p in builds.iterdir() if p.is_dir()] == [latest.build_id]


def test_a_plain_site_directory_is_replaced(small_site):
    small_site.site.mkdir()
    (small_site.site / "old.html").write_text("old")
    small_site.build()
    assert small_site.site.is_symlink()
    assert not (small_site.site / "old.html").exists()


def test_builds_wait_for_the_lock(small_site):
    builds = small_site.site.parent / sitebuild.BUILDS_DIRNAME
    builds.mkdir(parents=True)
    results = []
    with sitebuild._exclusive(builds / ".lock"):  # as another process holding the lock would
        worker = threading.Thread(target=lambda: results.append(small_site.build()))
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive() and not small_site.site.exists()
    worker.join(timeout=120)
    assert len(results) == 1 and small_site.site.is_symlink()


def test_concurrent_publishes_are_all_in_the_site(small_site, create_article):
    builds = small_site.site.parent / sitebuild.BUILDS_DIRNAME
    builds.mkdir(parents=True)
    results, errors = [], []

    def publish(name):
        try:
            create_article(name=name)
            results.append(small_site.build())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with sitebuild._exclusive(builds / ".lock"):
        workers = [threading.Thread(target=publish, args=(f"bingfa-{i}",)) for i in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=1.0)
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    for i in range(3):
        assert (small_site.site / "health" / f"2026-12-03-bingfa-{i}" / "index.html").is_file()
    # the three requests waited together: one build served them all
    assert len({r.build_id for r in results}) == 1
    assert sum(r.coalesced for r in results) == 2


def test_missing_config_is_an_error(tmp_path):
    with pytest.raises(SiteBuildError, match="mkdocs"):
        build_site(tmp_path, tmp_path / "site")


def test_timeout_kills_the_build(small_site):
    with pytest.raises(SiteBuildError, match="超时"):
        small_site.build(timeout=0.05)
    assert not small_site.site.exists()
    leftovers = [p for p in (small_site.site.parent / ".site-builds").iterdir() if p.is_dir()]
    assert leftovers == []


def test_build_reports_progress(small_site):
    calls = []
    small_site.build(progress=lambda *args: calls.append(args))
    page_calls = [c for c in calls if c[1]]
    assert page_calls[-1][:2] == (9, 9)
    assert os.path.basename(str(calls[0][2]))
