"""Pinyin artifacts: removed from the seed article, and nothing else changes anywhere."""

import difflib
import re

import pytest

from publishing.cleanup import find_pinyin_artifacts, strip_pinyin_artifacts

ARTIFACT = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("學(xué)黨史", "學黨史"),
        ("送文藝節(jié)目", "送文藝節目"),
        ("據(jù)了解", "據了解"),
        ("創（chuàng）新", "創新"),
        ("中心(所、站)", "中心(所、站)"),
        ("指南（2022）", "指南（2022）"),
        ("和（或）", "和（或）"),
        ("abc(xué)", "abc(xué)"),
        ("學(xue)", "學(xue)"),
        ("學 (xué)", "學 (xué)"),
    ],
)
def test_strip_pinyin_artifacts(text, expected):
    assert strip_pinyin_artifacts(text) == expected


def test_seed_text_loses_only_its_artifacts(seed_text):
    cleaned = strip_pinyin_artifacts(seed_text)
    assert find_pinyin_artifacts(cleaned) == []
    assert ARTIFACT.search(cleaned) is None
    matcher = difflib.SequenceMatcher(None, seed_text, cleaned, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    assert changes, "the seed text has artifacts to remove"
    for tag, start, end, _, _ in changes:
        assert tag == "delete"
        assert ARTIFACT.fullmatch(seed_text[start:end])
    assert len(find_pinyin_artifacts(seed_text)) == len(changes)


def test_other_corpus_articles_are_untouched(corpus_dir):
    for path in (corpus_dir / "articles").glob("*.md"):
        if path.name.startswith("2021-03-08"):
            continue
        text = path.read_text(encoding="utf-8")
        assert strip_pinyin_artifacts(text) == text, path.name
