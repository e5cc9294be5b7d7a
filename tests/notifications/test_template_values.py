"""Template values cut to WeChat's limits, checked against the stub's own rules."""

from datetime import UTC, date, datetime

import pytest

from api.notifications.templates import fit_value, render
from api.wechat.stub import subscribe_data_error


@pytest.mark.parametrize(
    "key,value,expected",
    [
        ("thing1", "义诊进乡村", "义诊进乡村"),
        ("thing1", "一二三四五六七八九十" * 3, "一二三四五六七八九十一二三四五六七八九…"),
        ("thing1", "  多个   空格\n换行 ", "多个 空格 换行"),
        ("thing1", "", "无"),
        ("phrase2", "候补转正", "候补转正"),
        ("phrase2", "报名成功啦啦啦", "报名成功啦"),
        ("phrase2", "OK已通过!", "已通过"),
        ("phrase2", "ok", "无"),
        ("name3", "欧阳娜娜娜娜娜娜娜娜娜", "欧阳娜娜娜娜娜娜娜娜"),
        ("name3", "Alexander Hamilton Jr.", "Alexander Hamilton J"),
        ("number4", 2.5, "2.5"),
        ("number4", 3.0, "3"),
        ("number4", "约2小时", "2"),
        ("character_string5", "编号A-001", "A-001"),
        ("time6", datetime(2026, 12, 1, 7, 0, tzinfo=UTC), "2026年12月1日 15:00"),
        ("time6", datetime(2026, 12, 31, 17, 5, tzinfo=UTC), "2027年1月1日 01:05"),
        ("date7", date(2026, 3, 8), "2026年3月8日"),
        ("thing8", datetime(2026, 12, 1, 7, 0, tzinfo=UTC), "2026年12月1日 15:00"),
    ],
)
def test_values_are_fitted_to_their_key_type(key, value, expected):
    assert fit_value(key, value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "临颍县巨陵镇新时代文明实践所“我们的节日·重阳”敬老爱老志愿服务暨健康义诊进乡村活动",
        "Volunteers wanted for the riverside clean-up on Saturday morning",
        "混合Mixed文本 with 数字123456789 和符号！？…" * 3,
    ],
)
@pytest.mark.parametrize("key", ["thing1", "phrase2", "name3", "number4", "character_string5"])
def test_fitted_values_pass_the_stubs_checks(key, text):
    assert subscribe_data_error({key: {"value": fit_value(key, text)}}) is None


def test_render_fills_literals_payload_values_and_page():
    template = {
        "template_id": "t",
        "page": "pages/help/detail?id={help_request_id}",
        "data": {
            "thing1": "help_title",
            "thing2": "team_name",
            "thing3": "=请留意电话",
            "time4": "missing",
        },
    }
    values = {
        "help_title": "帮忙修理水管",
        "team_name": "巨陵镇应急救援志愿服务队",
        "help_request_id": 7,
        "created_at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    }

    data, page = render(template, values)

    assert data == {
        "thing1": "帮忙修理水管",
        "thing2": "巨陵镇应急救援志愿服务队",
        "thing3": "请留意电话",
        "time4": "2026年1月2日 11:04",
    }
    assert page == "pages/help/detail?id=7"


def test_page_without_its_parameter_opens_the_bare_page():
    _, page = render(
        {"template_id": "t", "page": "pages/help/detail?id={help_request_id}", "data": {}},
        {"created_at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC)},
    )

    assert page == "pages/help/detail"
