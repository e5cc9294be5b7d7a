"""Residents' free text through WeChat's content check (``msg_sec_check`` v2).

The verdict is ``result.suggest`` (never the errcode): ``risky`` text is refused, ``review``
text is held for a dispatcher, ``pass`` text goes on. When WeChat cannot give a verdict (it
is down, the user has no openid or was not active lately: 61010) the text is held for a
person too: a request for help is never lost, and never published unchecked.
"""

import logging

from api.accounts.models import User
from api.wechat.client import PASS, REVIEW, RISKY, WeChatClient, WeChatError, WeChatUnavailable

log = logging.getLogger(__name__)

__all__ = ["PASS", "REVIEW", "RISKY", "verdict"]


def verdict(user: User | None, texts: list[str], scene: int) -> str:
    """``risky``, ``review`` or ``pass`` for the user's texts, checked as one."""
    content = "\n".join(text for text in texts if text)
    if not content.strip():
        return PASS
    if user is None or not user.openid:
        return REVIEW
    try:
        return WeChatClient.from_app().check_text(user.openid, content, scene)
    except (WeChatError, WeChatUnavailable) as exc:
        log.warning("msg_sec_check gave no verdict (%s); holding the text for review", exc)
        return REVIEW
