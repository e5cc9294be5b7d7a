"""Fixtures of the WeChat client tests (on top of ``tests/conftest.py``)."""

import pytest


@pytest.fixture
def app_settings():
    """Fast backoff: the retry count is what is tested, not the waiting."""
    return {"WECHAT_RETRY_BACKOFF": 0.01}


@pytest.fixture
def wechat(app):
    """A client configured from the test app (token shared through the database)."""
    from api.wechat.client import WeChatClient

    return WeChatClient.from_app()


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
