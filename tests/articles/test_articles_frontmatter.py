"""Front matter: parsing the corpus files, round trips, Chinese validation messages."""

import datetime as dt

import pytest

from publishing import frontmatter
from publishing.exceptions import InvalidFrontMatter

VALID = """---
title: "高血压：冬季控压的六个要点"
date: 2026-12-03
category: health
author: 临颍县人民医院心内科 李文静
tags:
  - 高血压
summary: "讲解高血压的诊断标准。"
---

## 冬天为什么血压容易升高
"""


def test_load_reads_corpus_style_file():
    meta, body = frontmatter.load(VALID)
    assert meta == {
        "title": "高血压：冬季控压的六个要点",
        "date": dt.date(2026, 12, 3),
        "category": "health",
        "author": "临颍县人民医院心内科 李文静",
        "tags": ["高血压"],
        "summary": "讲解高血压的诊断标准。",
        "draft": False,
    }
    assert body == "## 冬天为什么血压容易升高\n"


def test_every_corpus_article_loads(corpus_dir):
    for path in sorted((corpus_dir / "articles").glob("*.md")):
        meta, _ = frontmatter.load(path.read_text(encoding="utf-8"))
        assert path.name.startswith(meta["date"].isoformat())


def test_dump_then_load_round_trips():
    meta, body = frontmatter.load(VALID)
    meta["title"] = '带"引号"和\\反斜杠: 的标题'
    meta["draft"] = True
    assert frontmatter.load(frontmatter.dump(meta, body)) == (meta, body)


def test_dump_omits_draft_when_published():
    meta, body = frontmatter.load(VALID)
    assert "draft" not in frontmatter.dump(meta, body)


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (VALID.replace('title: "高血压：冬季控压的六个要点"\n', ""), "title", "缺少此字段"),
        (VALID.replace("category: health", "category: sports"), "category", "栏目必须是"),
        (VALID.replace("date: 2026-12-03", "date: 2026-12-03 10:00"), "date", "日期格式"),
        (VALID.replace("category: health", "category: health\ncolor: red"), "color", "不支持"),
        (VALID.replace("tags:\n  - 高血压", "tags: 高血压"), "tags", "列表"),
    ],
)
def test_invalid_fields_get_chinese_messages(text, field, message):
    with pytest.raises(InvalidFrontMatter) as caught:
        frontmatter.load(text)
    assert message in " ".join(caught.value.errors[field])
    assert message in caught.value.message


@pytest.mark.parametrize(
    "text",
    ["没有头信息的正文", "---\ntitle: [unclosed\n---\n\n正文", "---\n- 列表\n---\n\n正文"],
)
def test_malformed_front_matter_is_refused(text):
    with pytest.raises(InvalidFrontMatter):
        frontmatter.load(text)
