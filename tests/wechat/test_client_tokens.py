"""The shared access token: one fetch for every caller, refreshed before expiry and on
40001/42001 (WeChat's ``stable_token`` against the stub, over HTTP)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update

from api.extensions import db
from api.timeutil import utcnow
from api.wechat.client import WeChatClient, WeChatError
from api.wechat.models import WeChatAccessToken
from api.wechat.tokens import DatabaseTokenStore, MemoryTokenStore


def test_token_is_fetched_with_stable_token_without_force(app, wechat, stub):
    wechat.access_token()

    assert stub.calls_to("stable_token") == [
        {
            "grant_type": "client_credential",
            "appid": app.config["WECHAT_APPID"],
            "secret": app.config["WECHAT_SECRET"],
            "force_refresh": False,
        }
    ]


def test_every_client_shares_one_fetched_token(wechat, stub):
    first = wechat.access_token()
    tokens = {WeChatClient.from_app().access_token() for _ in range(5)}

    assert tokens == {first}
    assert len(stub.calls_to("stable_token")) == 1


def test_concurrent_workers_fetch_the_token_once(app, stub):
    stub.set_latency("stable_token", 0.3)

    def fetch(_):
        with app.app_context():
            return WeChatClient.from_app().access_token()

    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = set(pool.map(fetch, range(8)))

    assert len(tokens) == 1
    assert len(stub.calls_to("stable_token")) == 1


def test_token_is_refreshed_five_minutes_before_it_expires(app, wechat, stub):
    wechat.access_token()
    db.session.execute(
        update(WeChatAccessToken).values(expires_at=utcnow() + timedelta(minutes=4, seconds=50))
    )
    db.session.commit()

    wechat.access_token()

    assert len(stub.calls_to("stable_token")) == 2


def test_token_with_more_than_five_minutes_left_is_kept(app, wechat, stub):
    wechat.access_token()
    db.session.execute(update(WeChatAccessToken).values(expires_at=utcnow() + timedelta(minutes=6)))
    db.session.commit()

    wechat.access_token()

    assert len(stub.calls_to("stable_token")) == 1


def test_revoked_token_40001_forces_one_refresh_then_the_call_succeeds(wechat, stub):
    old = wechat.access_token()
    stub.revoke_tokens()

    assert wechat.check_text("openid-1", "周末一起去敬老院") == "pass"

    assert len(stub.calls_to("stable_token")) == 2
    assert len(stub.calls_to("msg_sec_check")) == 2
    assert wechat.access_token() != old


def test_expired_token_42001_forces_one_refresh(wechat, stub):
    wechat.access_token()
    stub.expire_tokens()

    assert wechat.check_text("openid-1", "你好") == "pass"

    assert len(stub.calls_to("stable_token")) == 2


def test_a_token_rejected_twice_is_not_refreshed_in_a_loop(wechat, stub):
    wechat.access_token()
    stub.fail_next("msg_sec_check", errcode=40001, times=5)

    with pytest.raises(WeChatError) as raised:
        wechat.check_text("openid-1", "你好")

    assert raised.value.errcode == 40001
    assert len(stub.calls_to("msg_sec_check")) == 2
    # WeChat still answers the same (valid) token to a normal fetch: only a forced one
    # replaces a token it rejected.
    assert [call["force_refresh"] for call in stub.calls_to("stable_token")] == [False, False, True]


def _fetcher(answers: list[str], seen: list[bool]):
    def fetch(force_refresh: bool) -> tuple[str, int]:
        seen.append(force_refresh)
        return answers.pop(0), 7200

    return fetch


def test_store_forces_a_refresh_when_wechat_answers_the_rejected_token_again(app):
    store = DatabaseTokenStore(db.engine, "wx-store-test")
    seen: list[bool] = []
    assert store.get(_fetcher(["token-a"], seen)) == "token-a"

    store.invalidate("token-a")
    token = store.get(_fetcher(["token-a", "token-b"], seen))

    assert token == "token-b"
    assert seen == [False, False, True]


def test_store_ignores_the_invalidation_of_a_token_already_replaced(app):
    store = DatabaseTokenStore(db.engine, "wx-store-test")
    seen: list[bool] = []
    store.get(_fetcher(["token-a"], seen))

    store.invalidate("some-older-token")

    assert store.get(_fetcher([], seen)) == "token-a"
    assert seen == [False]


def test_memory_store_caches_and_forces_after_a_rejection():
    store = MemoryTokenStore()
    seen: list[bool] = []
    assert store.get(_fetcher(["token-a"], seen)) == "token-a"
    assert store.get(_fetcher([], seen)) == "token-a"

    store.invalidate("token-a")

    assert store.get(_fetcher(["token-a", "token-b"], seen)) == "token-b"
    assert seen == [False, False, True]
