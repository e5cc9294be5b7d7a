"""Secrets never reach a log: WeChat's access_token, secret and codes, our tokens."""

import logging

import pytest

from api.help import moderation
from api.logscrub import scrub
from api.wechat.client import WeChatClient, WeChatUnavailable


@pytest.fixture
def token_then_unreachable(app, wechat, closed_port):
    """A valid access token stored, then WeChat unreachable; returns the token."""
    token = wechat.access_token()
    app.config.update(WECHAT_API_BASE=f"http://127.0.0.1:{closed_port}", WECHAT_MAX_RETRIES=0)
    return token


def test_unreachable_wechat_logs_no_access_token(token_then_unreachable, create_user, caplog):
    caplog.set_level(logging.DEBUG)

    answer = moderation.verdict(create_user(), ["需要帮忙修水管"], scene=2)

    assert answer == moderation.REVIEW
    assert "msg_sec_check gave no verdict" in caplog.text
    assert token_then_unreachable not in caplog.text


def test_a_logged_traceback_of_an_unreachable_wechat_holds_no_token(token_then_unreachable, caplog):
    caplog.set_level(logging.DEBUG)

    with pytest.raises(WeChatUnavailable) as failure:
        WeChatClient.from_app().check_text("some-openid", "文本")
    logging.getLogger("api.test").error("delivery failed", exc_info=failure.value)

    assert "ConnectionError" in caplog.text  # the chained requests error is there...
    assert token_then_unreachable not in caplog.text  # ...without the token of its URL
    assert "access_token=[REDACTED]" in caplog.text


def test_login_to_an_unreachable_wechat_logs_no_secret_nor_code(app, client, closed_port, caplog):
    caplog.set_level(logging.DEBUG)
    app.config.update(
        WECHAT_API_BASE=f"http://127.0.0.1:{closed_port}",
        WECHAT_MAX_RETRIES=0,
        WECHAT_SECRET="very-secret-wechat-secret",
    )

    js_code = "-".join(["one", "time", "js", "code"])  # not in this file's source lines

    response = client.post("/api/v1/auth/wechat", json={"code": js_code})
    try:
        WeChatClient.from_app().code_to_session(js_code)
    except WeChatUnavailable:
        logging.getLogger("api.test").exception("login failed")

    assert response.status_code == 503
    assert "very-secret-wechat-secret" not in caplog.text
    assert js_code not in caplog.text


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("GET /api/v1/me/calendar.ics?token=abc123secret HTTP/1.1", "abc123secret"),
        (
            "https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=s3cr3t&js_code=c0de"
            "&grant_type=authorization_code",
            "s3cr3t",
        ),
        (
            "https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=s3cr3t&js_code=c0de",
            "c0de",
        ),
        ("POST /wxa/msg_sec_check?access_token=ACCESS.tok-en_1 HTTP/1.1", "ACCESS.tok-en_1"),
        ("refresh_token=r-e-f&code=xyz", "r-e-f"),
    ],
)
def test_access_log_lines_are_scrubbed(caplog, line, secret):
    caplog.set_level(logging.INFO)

    logging.getLogger("werkzeug").info('127.0.0.1 - - "%s" 200 -', line)

    assert secret not in caplog.text
    assert "[REDACTED]" in caplog.text


def test_scrub_leaves_other_parameters_alone():
    assert scrub("errcode=40029&appid=wx1&page=2") == "errcode=40029&appid=wx1&page=2"
