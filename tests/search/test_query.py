"""Querying: hits, snippets, facets, filters, ordering, pagination, odd input, suggest."""

from datetime import date, datetime, timedelta, timezone

import pytest

from search import Hit, SearchResults, analysis

CHINA = timezone(timedelta(hours=8))
#: Mid-season (as in conftest): activities before it are past.
NOW = datetime(2027, 1, 15, 12, 0, tzinfo=CHINA)


def test_hit_fields(corpus_index):
    result = corpus_index.query("高血压筛查进集市", now=NOW)
    assert isinstance(result, SearchResults)
    hit = result.hits[0]
    assert isinstance(hit, Hit)
    assert hit.type == "activity"
    assert hit.id.startswith("activity:A")
    assert hit.external_id == hit.id.removeprefix("activity:")
    assert isinstance(hit.db_id, int)
    assert hit.title == "高血压筛查进集市"
    assert hit.url == f"/activities/{hit.external_id}"
    assert hit.score > 0
    assert hit.date.tzinfo is not None and hit.date.utcoffset() == timedelta(hours=8)
    assert "<mark>" in hit.snippet


def test_article_hit_has_no_external_id(corpus_index):
    hit = corpus_index.query("gaoxueya", type="article", now=NOW).hits[0]
    assert hit.id == "article:2026-12-03-gaoxueya"
    assert hit.external_id is None and hit.db_id is None
    assert hit.date == datetime(2026, 12, 3, tzinfo=CHINA)


def test_snippet_escapes_html_but_keeps_marks(index, make_doc):
    index.add_or_update([make_doc(body='<script>alert("x")</script> 义诊 <b>免费</b> & 量血压')])
    snippet = index.query("义诊").hits[0].snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in snippet
    assert "&amp;" in snippet
    assert "<mark>义诊</mark>" in snippet


def test_markdown_is_flattened_for_snippets(corpus_index):
    snippet = corpus_index.query("收缩压", type="article", now=NOW).hits[0].snippet
    assert "|" not in snippet and "**" not in snippet and "##" not in snippet


def test_pinyin_query_highlights_the_chinese_word(corpus_index):
    hit = corpus_index.query("gaoxueya", now=NOW).hits[0]
    assert "<mark>高血压</mark>" in hit.snippet or "<mark>高血壓</mark>" in hit.snippet


def test_facets_count_every_match_by_type_and_category(corpus_index):
    result = corpus_index.query("高血压", per_page=1, now=NOW)
    facets = result.facets
    assert sum(facets["type"].values()) == result.total
    assert facets["type"]["article"] >= 1 and facets["type"]["activity"] >= 5
    assert facets["category"]["医疗健身"] == facets["type"]["activity"]
    assert "health" in facets["category"]


def test_filter_by_type(corpus_index):
    result = corpus_index.query("高血压", type="article", now=NOW)
    assert result.total >= 1 and {h.type for h in result.hits} == {"article"}
    assert result.facets["type"] == {"article": result.total}


def test_filter_by_category_and_theme(corpus_index, corpus_docs):
    by_id = {doc["id"]: doc for doc in corpus_docs}
    result = corpus_index.query("讲座", category="医疗健身", per_page=100, now=NOW)
    assert result.total > 0
    assert all(by_id[h.id]["category"] == "医疗健身" for h in result.hits)
    result = corpus_index.query("宣讲", theme="performance", per_page=100, now=NOW)
    assert result.total > 0
    assert all(by_id[h.id].get("theme") == "performance" for h in result.hits)


def test_township_filter_covers_its_villages(corpus_index, corpus_docs):
    by_id = {doc["id"]: doc for doc in corpus_docs}
    result = corpus_index.query("放学娃", unit_code="LY-JL", per_page=100, now=NOW)
    paths = {by_id[h.id]["unit_path"] for h in result.hits}
    assert "LY/LY-JL/LY-JL-YFC" in paths  # a village of 巨陵镇
    assert all(path.startswith("LY/LY-JL") for path in paths)
    expected = sum(
        1
        for doc in corpus_docs
        if doc.get("unit_path", "").startswith("LY/LY-JL") and "放学娃" in doc["title"]
    )
    assert result.total >= expected
    village = corpus_index.query("放学娃", unit_code="LY-JL-YFC", per_page=100, now=NOW)
    assert 0 < village.total < result.total
    assert corpus_index.query("放学娃", unit_code="LY-XX", now=NOW).total == 0


def test_date_range_filter(corpus_index):
    january = corpus_index.query(
        "放学娃", date_from=date(2027, 1, 1), date_to=date(2027, 1, 31), per_page=100, now=NOW
    )
    assert january.total > 0
    for hit in january.hits:
        assert date(2027, 1, 1) <= hit.date.date() <= date(2027, 1, 31)
    whole = corpus_index.query("放学娃", per_page=100, now=NOW)
    assert january.total < whole.total
    # datetimes work too, inclusive at both ends
    moment = january.hits[0].date
    exact = corpus_index.query("放学娃", date_from=moment, date_to=moment, now=NOW)
    assert moment in {h.date for h in exact.hits}


def test_upcoming_activities_come_before_past_ones(corpus_index):
    result = corpus_index.query("高血压", per_page=100, now=NOW)
    assert result.total >= 10  # complete matches only: one tier order over all of them
    past_seen = False
    for hit in result.hits:
        past = hit.type == "activity" and hit.date < NOW
        assert not (past_seen and not past), "an upcoming hit after a past one"
        past_seen = past_seen or past
    assert past_seen
    # A0001 (2026-12-01) and A0172 (2027-01-18) have the same title and text pattern
    ids = [h.id for h in result.hits]
    assert ids.index("activity:A0172") < ids.index("activity:A0001")


def test_partial_matches_follow_complete_ones(corpus_index, corpus_docs):
    by_id = {doc["id"]: doc for doc in corpus_docs}
    result = corpus_index.query("高血压筛查", per_page=100, now=NOW)

    def complete(hit):
        words = analysis.index_tokens(by_id[hit.id]["title"] + " " + by_id[hit.id]["body"])
        return {"高血压", "筛查"} <= set(words)

    flags = [complete(hit) for hit in result.hits]
    assert 0 < flags.count(True) < 10  # fewer than 10 complete: partial ones follow
    assert flags == sorted(flags, reverse=True)


def test_articles_are_never_past(corpus_index):
    late = datetime(2030, 1, 1, tzinfo=CHINA)
    result = corpus_index.query("高血压", per_page=100, now=late)
    assert result.hits[0].type == "article"


def test_pagination(corpus_index):
    first = corpus_index.query("志愿者", per_page=5, now=NOW)
    second = corpus_index.query("志愿者", page=2, per_page=5, now=NOW)
    everything = corpus_index.query("志愿者", per_page=10, now=NOW)
    assert first.total == second.total == everything.total > 10
    assert (first.page, first.per_page, second.page) == (1, 5, 2)
    assert [h.id for h in first.hits + second.hits] == [h.id for h in everything.hits]
    beyond = corpus_index.query("志愿者", page=1000, per_page=5, now=NOW)
    assert beyond.hits == [] and beyond.total == first.total
    capped = corpus_index.query("志愿者", per_page=10_000, now=NOW)
    assert capped.per_page == 100


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        None,
        '"',
        "AND (",
        "*",
        "title:",
        "((高血压",
        "高血压))",
        "OR AND NOT",
        "\\",
        "<script>",
        "%_'; DROP TABLE",
        "\x00\u200b",
        "😀",
        "a",
        "血",
        "的",
        "高" * 500,
        "高血压 " * 100,
    ],
)
def test_odd_queries_never_raise(corpus_index, q):
    result = corpus_index.query(q, now=NOW)
    assert result.total >= 0
    assert corpus_index.suggest(q, now=NOW) is not None


def test_empty_and_stop_word_queries_find_nothing(corpus_index):
    for q in ("", '"', "*", "的", "AND ("):
        result = corpus_index.query(q, now=NOW)
        assert (result.total, result.hits) == (0, [])


def test_one_character_query_finds_titles_containing_it(corpus_index):
    result = corpus_index.query("血", now=NOW)
    assert result.total > 0
    assert all("血" in h.title or "血" in h.snippet for h in result.hits)


def test_long_query_is_truncated_not_rejected(corpus_index):
    result = corpus_index.query("高血压" + "。" * 300 + "放学娃", now=NOW)
    assert result.total > 0  # the tail beyond 200 characters is ignored


def test_query_with_an_unknown_word_still_answers(corpus_index):
    assert corpus_index.query("量子计算机", now=NOW).total == 0
    assert corpus_index.query("高血压 量子", now=NOW).total > 0  # partial matches follow


def test_suggest_by_title_pinyin_and_initials(corpus_index):
    for q in ("高血", "gaox", "gxy", "高血壓"):
        titles = [s.text for s in corpus_index.suggest(q, now=NOW)]
        assert "高血压筛查进集市" in titles, q
    titles = [s.text for s in corpus_index.suggest("fxw", now=NOW)]
    assert titles and all("放学娃" in t or "放學娃" in t for t in titles)
    titles = [s.text for s in corpus_index.suggest("zhiyuan fu", now=NOW)]
    assert any("志愿服务" in t for t in titles)


def test_suggest_gives_distinct_titles_up_to_the_limit(corpus_index):
    suggestions = corpus_index.suggest("放学", limit=5, now=NOW)
    assert len(suggestions) == 5
    assert len({s.text for s in suggestions}) == 5
    first = suggestions[0]
    assert first.type in ("activity", "article") and first.id and first.url


def test_query_on_a_directory_without_an_index(index):
    assert index.query("高血压").total == 0
    assert index.suggest("gao") == []
    assert index.doc_count() == 0
