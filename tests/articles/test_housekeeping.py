"""The periodic task ``housekeeping.clean_up``: what dead builds and rebuilds left behind goes,
what serves stays."""

import datetime as dt
import os
import time

from api.articles import services
from api.housekeeping import clean_up_builds_and_indexes
from api.searching.index import search_index
from publishing import sitebuild

DOC = {
    "id": "article:2026-12-03-ceshi",
    "type": "article",
    "title": "测试",
    "body": "正文",
    "category": "news",
    "tags": [],
    "url": "/news/2026-12-03-ceshi/",
    "date": dt.date(2026, 12, 3),
}


def test_stale_site_builds_are_removed_and_the_live_one_stays(site_app, small_content, fetch):
    services.rebuild_site()
    live = sitebuild.current_build(services.site_dir())
    builds = live.parent
    (builds / "20000101T000000-1-old1").mkdir()  # replaced long ago
    (builds / "20000101T000000-1-old2").mkdir()
    (builds / "29991231T000000-1-dead").mkdir()  # a build whose process was killed
    os.symlink(live.name, builds / ".link-dead")

    removed = clean_up_builds_and_indexes()["site_builds_removed"]

    assert removed == 3  # the dead build, its link and the oldest build
    left = sorted(entry.name for entry in builds.iterdir() if entry.name[0] != ".")
    assert left == sorted([live.name, "20000101T000000-1-old2", "state.json"])
    assert sitebuild.current_build(services.site_dir()) == live
    assert fetch("/").status_code == 200
    assert clean_up_builds_and_indexes()["site_builds_removed"] == 0


def test_old_index_generations_are_removed_and_the_current_one_stays(site_app):
    index = search_index()
    index.add_or_update([DOC])
    root = index.root
    current = os.readlink(root / "current")
    stale, young = root / "gen-stale", root / "gen-young"
    stale.mkdir()
    young.mkdir()
    hour_and_more = time.time() - 3700
    os.utime(stale, (hour_and_more, hour_and_more))

    assert clean_up_builds_and_indexes()["index_generations_removed"] == 1

    assert not stale.exists() and young.exists() and (root / current).exists()
    assert [hit.id for hit in index.query("测试").hits] == [DOC["id"]]
