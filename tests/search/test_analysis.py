"""Chinese analysis: folding, segmentation, stop words, pinyin, synonyms."""

import subprocess
import sys
from pathlib import Path

from search import analysis
from search.highlight import snippet
from search.schema import plain_text

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_traditional_folds_to_simplified_before_segmentation():
    assert analysis.query_tokens("寫春聯") == analysis.query_tokens("写春联")
    assert analysis.index_tokens("志願者") == analysis.index_tokens("志愿者")


def test_full_width_and_case_fold():
    assert analysis.normalize("ＡＥＤ　１２０") == "aed 120"
    assert analysis.query_tokens("ＡＥＤ") == ["aed"]


def test_pinyin_artifacts_are_stripped():
    assert analysis.normalize("學(xué)習(xí)") == "学习"
    assert "学习" in analysis.index_tokens("深入學(xué)習(xí)貫徹")
    # a parenthesis without a tone mark is ordinary text
    assert analysis.strip_pinyin_artifacts("所(站)") == "所(站)"
    assert plain_text("文明實(shí)踐") == "文明實踐"


def test_punctuation_is_split_off_and_stop_words_dropped():
    assert analysis.query_tokens("0395-8861568") == ["0395", "8861568"]
    assert analysis.query_tokens("怎么预防老人摔倒") == ["预防", "老人", "摔倒"]
    assert analysis.query_tokens("的") == []
    assert analysis.query_tokens('" AND ( * title:') == ["title"]


def test_user_dictionary_keeps_programme_names_whole():
    assert analysis.query_tokens("放学娃之家") == ["放学娃之家"]
    assert {"放学娃", "放学娃之家"} <= set(analysis.index_tokens("放学娃之家"))
    assert "我来帮" in analysis.query_tokens("我来帮热线")


def test_search_mode_indexes_the_words_inside_long_words():
    tokens = analysis.index_tokens("高血压")
    assert {"高血压", "血压"} <= set(tokens)


def test_rjieba_segments_the_corpus_like_jieba(corpus_docs):
    jieba = analysis.load_jieba()
    rjieba = analysis._rjieba()
    texts = [analysis.normalize(doc["title"] + doc["body"]) for doc in corpus_docs]
    for text in texts:
        expected = list(analysis._split_parts(jieba.lcut(text, HMM=False)))
        assert list(analysis._split_parts(rjieba.cut(text, False))) == expected


def test_title_pinyin_and_initials():
    terms = analysis.title_terms("放学娃之家志愿服务队")
    assert {"fangxuewa", "zhiyuan", "fuwu", "zhiyuanfuwudui"} <= set(terms.pinyin)
    assert {"fxw", "zyfwd"} <= set(terms.initials)
    assert "gaoxueya" in analysis.title_terms("健康大講堂：高血壓的防與治").pinyin


def test_split_syllables():
    assert analysis.split_syllables("fangxuewa") == ["fang", "xue", "wa"]
    assert analysis.split_syllables("fxw") is None


def test_synonyms_are_data_and_symmetric():
    table = analysis.synonym_table()
    assert (analysis.DATA_DIR / "synonyms.txt").exists()
    assert ("老年人",) in table[("老人",)]
    assert ("老人",) in table[("老年人",)]
    concepts = analysis.expand_synonyms(analysis.query_tokens("量血压"))
    assert len(concepts) == 1 and ("血压", "测量") in concepts[0]


def test_snippet_escapes_everything_but_mark():
    html = snippet("注意<script>alert(1)</script>高血压 & 低盐", ["高血压"])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>高血压</mark>" in html
    assert "&amp;" in html


def test_snippet_marks_traditional_text_for_a_simplified_query():
    assert snippet("寫春聯 送福字", ["写春联"]) == "<mark>寫春聯</mark> 送福字"


def test_snippet_cuts_a_window_around_the_terms():
    text = "开头" * 100 + "血压测量" + "结尾" * 100
    html = snippet(text, ["血压"], width=40)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>血压</mark>" in html


def test_importing_search_is_clean_under_warnings_as_errors():
    code = "import search, search.analysis as a; a.warm_up(); a.load_jieba()"
    subprocess.run(
        [sys.executable, "-W", "error", "-c", code], cwd=REPO_ROOT, check=True, timeout=120
    )
