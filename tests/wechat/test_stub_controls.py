"""The stub's switches over HTTP, for demos driven from another process
(``flask wechat-stub``)."""

import requests


def test_failures_can_be_switched_on_over_http(stub):
    requests.post(
        f"{stub.base_url}/stub/fail-next",
        timeout=5,
        json={"endpoint": "stable_token", "errcode": -1, "times": 1},
    )

    first = requests.post(
        f"{stub.base_url}/cgi-bin/stable_token",
        timeout=5,
        json={"grant_type": "client_credential", "appid": "wx-demo", "secret": "s"},
    ).json()
    second = requests.post(
        f"{stub.base_url}/cgi-bin/stable_token",
        timeout=5,
        json={"grant_type": "client_credential", "appid": "wx-demo", "secret": "s"},
    ).json()

    assert first["errcode"] == -1
    assert second["access_token"] and second["expires_in"] == 7200


def test_received_messages_are_listed_and_reset_over_http(wechat, stub):
    wechat.send_subscribe_message("openid-1", "tmpl-1", {"thing1": "义诊"})

    listed = requests.get(f"{stub.base_url}/stub/messages", timeout=5).json()["messages"]
    requests.post(f"{stub.base_url}/stub/reset", timeout=5)

    assert [message["data"] for message in listed] == [{"thing1": "义诊"}]
    assert stub.messages == []


def test_calls_without_a_token_are_refused(stub):
    answer = requests.post(
        f"{stub.base_url}/cgi-bin/message/subscribe/send",
        timeout=5,
        json={"touser": "o", "template_id": "t", "data": {}},
    ).json()

    assert answer["errcode"] == 41001
