"""Query rewriting: pinyin and initials over bodies, questions, whole titles, common words."""

import json
from datetime import datetime, timedelta, timezone

from search import lexicon

#: Before the corpus season: every activity is upcoming, so the order is relevance.
BEFORE_SEASON = datetime(2026, 11, 28, 12, 0, tzinfo=timezone(timedelta(hours=8)))


def ids(result):
    return [hit.id for hit in result.hits]


def titles(result):
    return [hit.title for hit in result.hits]


def test_pinyin_finds_a_word_that_is_only_in_the_body(index, make_doc):
    index.add_or_update(
        [
            make_doc(1, title="冬季健康讲座", body="医生讲解骨质疏松的预防。"),
            make_doc(2, title="冬季健康讲座", body="医生讲解糖尿病的饮食。"),
        ]
    )
    assert ids(index.query("guzhishusong")) == ["activity:T0001"]
    assert ids(index.query("gzss")) == ["activity:T0001"]


def test_rebuild_stores_the_lexicon_with_its_generation(index, corpus_docs, make_doc):
    index.rebuild(corpus_docs)
    generation = index.root / "current"
    stored = json.loads((generation / lexicon.LEXICON_FILE).read_text(encoding="utf-8"))
    words = dict(stored["pinyin"]["xueya"])
    assert words["血压"] > 1
    # a second rebuild swaps in a new generation with a lexicon of its own
    index.rebuild([make_doc(1, title="书法练习", body="学写毛笔字。")])
    stored = json.loads((generation / lexicon.LEXICON_FILE).read_text(encoding="utf-8"))
    assert "xueya" not in stored["pinyin"]
    assert ids(index.query("shufa")) == ["activity:T0001"]


def test_ambiguous_initials_expand_to_their_most_frequent_words():
    words = [(f"词{i}", 100 - i) for i in range(20)]
    built = lexicon.build([("血压", 50), ("学员", 5), ("选用", 1), *words])
    ((reading, _weight),) = built.readings("xy")
    (piece,) = reading
    assert [word for word, _share in piece] == ["血压", "学员", "选用"]
    assert piece[0][1] == 1.0 and piece[1][1] < piece[0][1]
    many = lexicon.build([(f"词{chr(0x4E00 + i)}", 100 - i) for i in range(40)])
    for key in many.initials:
        for reading, _weight in many.readings(key):
            assert all(len(piece) <= lexicon.MAX_CANDIDATES for piece in reading)


def test_run_together_pinyin_splits_into_indexed_words():
    built = lexicon.build([("志愿", 10), ("服务", 8)])
    ((reading, weight),) = built.readings("zhiyuanfuwu")
    assert [[word for word, _ in piece] for piece in reading] == [["志愿"], ["服务"]]
    assert weight == 1.0


def test_mixed_pinyin_and_chinese_query(corpus_index):
    result = corpus_index.query("shufa 培训", per_page=10, now=BEFORE_SEASON)
    assert sum("书法" in title for title in titles(result)) >= 5
    assert sum("培训" in title for title in titles(result)) >= 2


def test_question_words_are_dropped_and_most_words_suffice(corpus_index):
    result = corpus_index.query("村里办酒席要注意什么卫生", now=BEFORE_SEASON)
    assert "农村集体聚餐食品安全培训" in titles(result)[:3]
    question = corpus_index.query("缺钙了该怎么办", now=BEFORE_SEASON)
    assert all("骨" in title for title in titles(question)[:4])


def test_a_whole_title_ranks_its_document_first_then_its_topic(corpus_index):
    result = corpus_index.query("高血压：冬季控压的六个要点", per_page=10, now=BEFORE_SEASON)
    assert result.hits[0].id == "article:2026-12-03-gaoxueya"
    assert sum("血压" in title or "血壓" in title for title in titles(result)) >= 5


def test_a_common_word_does_not_outrank_the_topic_word(corpus_index):
    result = corpus_index.query("垃圾分类 志愿者 活动", per_page=10, now=BEFORE_SEASON)
    assert all("垃圾" in title or "分類" in title or "分类" in title for title in titles(result))


def test_beyond_the_bound_totals_are_lower_bounds_newest_first(tmp_path, make_doc):
    from search import SearchIndex

    index = SearchIndex(tmp_path / "bounded", total_bound=5)
    start = BEFORE_SEASON + timedelta(days=1)
    docs = [make_doc(i, title=f"义诊活动{i}", date=start + timedelta(days=i)) for i in range(12)]
    article = make_doc(99, id="article:yizhen", type="article", title="义诊问答", url="/a/")
    try:
        index.rebuild([article, *sorted(docs, key=lambda d: d["date"], reverse=True)])
        result = index.query("义诊", per_page=3, now=BEFORE_SEASON)
        assert result.total_is_lower_bound and result.total == 5 + 1
        assert "article:yizhen" in ids(result)  # each type is counted apart
        exact = SearchIndex(tmp_path / "bounded", total_bound=None)
        assert exact.query("义诊", now=BEFORE_SEASON).total == 13
        assert not exact.query("义诊", now=BEFORE_SEASON).total_is_lower_bound
        exact.close()
    finally:
        index.close()


def test_date_filters_on_a_segment_written_latest_first(tmp_path, make_doc):
    from search import SearchIndex

    index = SearchIndex(tmp_path / "sorted")
    start = BEFORE_SEASON + timedelta(days=1)
    docs = [make_doc(i, title=f"义诊活动{i}", date=start + timedelta(days=i)) for i in range(30)]
    try:
        index.rebuild(sorted(docs, key=lambda d: d["date"], reverse=True))
        low, high = docs[5]["date"].date(), docs[12]["date"].date()
        result = index.query("义诊", date_from=low, date_to=high, per_page=50, now=BEFORE_SEASON)
        assert sorted(ids(result)) == sorted(d["id"] for d in docs[5:13])
    finally:
        index.close()
