"""The client's failure policy and the API calls it makes, against the stub over HTTP."""

import time

import pytest

from api.wechat.client import (
    DeliveryUnknown,
    WatermarkMismatch,
    WeChatClient,
    WeChatError,
    WeChatUnavailable,
)
from api.wechat.stub import RISKY_WORDS


def _send(wechat, **data):
    wechat.send_subscribe_message("openid-1", "tmpl-1", data or {"thing1": "义诊"})


# -- retries -------------------------------------------------------------------------------


def test_busy_minus_one_is_retried_then_succeeds(wechat, stub):
    stub.fail_next("msg_sec_check", errcode=-1, times=2)

    assert wechat.check_text("openid-1", "你好") == "pass"

    assert len(stub.calls_to("msg_sec_check")) == 3


def test_server_errors_are_retried_a_bounded_number_of_times(app, wechat, stub):
    stub.fail_next("msg_sec_check", status=502, times=10)

    with pytest.raises(WeChatUnavailable):
        wechat.check_text("openid-1", "你好")

    assert len(stub.calls_to("msg_sec_check")) == 1 + app.config["WECHAT_MAX_RETRIES"]


def test_busy_after_every_retry_keeps_its_errcode(app, wechat, stub):
    stub.fail_next("subscribe_send", errcode=-1, times=10)

    with pytest.raises(WeChatError) as raised:
        _send(wechat)

    assert raised.value.errcode == -1
    assert len(stub.calls_to("subscribe_send")) == 1 + app.config["WECHAT_MAX_RETRIES"]


@pytest.mark.parametrize("errcode", [40003, 40037, 43101, 47003])
def test_caller_errors_are_never_retried(wechat, stub, errcode):
    stub.fail_next("subscribe_send", errcode=errcode)

    with pytest.raises(WeChatError) as raised:
        _send(wechat)

    assert raised.value.errcode == errcode
    assert len(stub.calls_to("subscribe_send")) == 1


def test_a_send_without_answer_is_not_repeated(make_app, stub):
    make_app(WECHAT_TIMEOUT=0.3)
    wechat = WeChatClient.from_app()
    wechat.access_token()
    stub.fail_next("subscribe_send", delay=1.0)
    started = time.monotonic()

    with pytest.raises(DeliveryUnknown):
        _send(wechat)

    assert time.monotonic() - started < 1.0
    assert len(stub.calls_to("subscribe_send")) == 1


def test_unreachable_wechat_is_retried_then_unavailable(app, closed_port):
    wechat = WeChatClient(
        f"http://127.0.0.1:{closed_port}",
        "wx-app",
        "secret",
        1.0,
        max_retries=2,
        retry_backoff=0.01,
    )
    started = time.monotonic()

    with pytest.raises(WeChatUnavailable) as raised:
        wechat.check_text("openid-1", "你好")

    assert not isinstance(raised.value, DeliveryUnknown)  # it never left: safe to retry
    assert time.monotonic() - started < 3


def test_bad_secret_makes_every_call_unavailable(make_app, stub):
    make_app(WECHAT_SECRET="")

    with pytest.raises(WeChatUnavailable):
        WeChatClient.from_app().check_text("openid-1", "你好")


# -- subscribe messages ----------------------------------------------------------------------


def test_send_posts_the_message_with_the_token(wechat, stub):
    wechat.send_subscribe_message(
        "openid-1",
        "tmpl-1",
        {"thing1": "义诊进乡村", "time2": "2026年12月1日 15:00"},
        page="pages/activity/detail?id=3",
    )

    assert stub.messages == [
        {
            "touser": "openid-1",
            "template_id": "tmpl-1",
            "page": "pages/activity/detail?id=3",
            "data": {"thing1": "义诊进乡村", "time2": "2026年12月1日 15:00"},
            "miniprogram_state": "formal",
            "lang": "zh_CN",
        }
    ]


@pytest.mark.parametrize(
    "key,value",
    [
        ("thing1", "一" * 21),
        ("phrase2", "报名成功了吗呀"),
        ("phrase2", "ok"),
        ("name3", "欧阳" * 6),
        ("name3", "A" * 21),
        ("time4", "2026-12-01 15:00"),
        ("number5", "两小时"),
        ("character_string6", "编号123"),
    ],
)
def test_stub_answers_47003_for_values_beyond_wechat_limits(wechat, stub, key, value):
    with pytest.raises(WeChatError) as raised:
        _send(wechat, **{key: value})

    assert raised.value.errcode == 47003
    assert stub.messages == []


@pytest.mark.parametrize(
    "key,value",
    [
        ("thing1", "一" * 20),
        ("phrase2", "候补转正"),
        ("name3", "欧阳" * 5),
        ("name3", "A" * 20),
        ("time4", "2026年12月1日 15:00"),
        ("time4", "15:00"),
        ("date5", "2026年12月1日"),
        ("number6", "2.5"),
    ],
)
def test_stub_accepts_values_within_wechat_limits(wechat, stub, key, value):
    _send(wechat, **{key: value})

    assert len(stub.messages) == 1


# -- msg_sec_check v2 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,verdict",
    [
        ("周末去敬老院包饺子", "pass"),
        ("有事加微信聊", "review"),
        (f"介绍{RISKY_WORDS[0]}网站", "risky"),
    ],
)
def test_check_text_answers_the_suggest(wechat, stub, content, verdict):
    assert wechat.check_text("openid-1", content) == verdict

    body = stub.calls_to("msg_sec_check")[-1]
    assert body == {"content": content, "version": 2, "scene": 2, "openid": "openid-1"}


def test_check_text_trusts_suggest_not_errcode(wechat, stub):
    # A risky text is answered with errcode 0: only result.suggest tells.
    assert wechat.check_text("openid-1", RISKY_WORDS[0], scene=3) == "risky"


def test_long_text_is_checked_in_parts_and_the_worst_verdict_wins(wechat, stub):
    content = "好" * 5000 + RISKY_WORDS[0]

    assert wechat.check_text("openid-1", content) == "risky"

    assert [len(call["content"]) for call in stub.calls_to("msg_sec_check")] == [
        2500,
        2500,
        len(RISKY_WORDS[0]),
    ]


# -- phone numbers and 小程序码 --------------------------------------------------------------


def test_phone_number_is_answered_when_the_watermark_is_ours(wechat):
    phone = wechat.get_phone_number("phone-13912345678")

    assert (phone.pure_phone_number, phone.country_code) == ("13912345678", "86")


def test_phone_number_of_another_mini_program_is_refused(wechat):
    with pytest.raises(WatermarkMismatch):
        wechat.get_phone_number("other-app-13912345678")


def test_used_phone_code_is_a_caller_error(wechat, stub):
    wechat.get_phone_number("phone-once")

    with pytest.raises(WeChatError) as raised:
        wechat.get_phone_number("phone-once")

    assert raised.value.errcode == 40029


def test_wxacode_is_a_png(wechat, stub):
    image = wechat.get_unlimited_wxacode("id=42", "pages/activity/detail")

    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert stub.calls_to("getwxacodeunlimit")[0]["scene"] == "id=42"


def test_wxacode_error_is_json_with_errcode(wechat):
    with pytest.raises(WeChatError) as raised:
        wechat.get_unlimited_wxacode("x" * 33, "pages/activity/detail")

    assert raised.value.errcode == 40169
