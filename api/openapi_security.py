"""The OpenAPI document's bearer security: a ``bearerAuth`` scheme and every operation's
``security``, so Swagger UI (``/api/v1/docs``) can sign in and a client knows what needs a token.

Every operation needs a token unless its endpoint is listed below: the public ones (``[]``) and
the ones that answer anyone but say more to a signed-in user (``[{}, {"bearerAuth": []}]``).
``tests/foundation/test_openapi_security.py`` checks these lists against what the views do.
"""

from apispec import BasePlugin

SCHEME_NAME = "bearerAuth"
BEARER = [{SCHEME_NAME: []}]
OPTIONAL = [{}, {SCHEME_NAME: []}]
PUBLIC: list = []

#: Endpoints anyone may call without a token.
PUBLIC_ENDPOINTS = frozenset(
    {
        "accounts.login_wechat",
        "accounts.login_password",
        "accounts.login_wechat_web",  # the official account's code and state, not a bearer token
        "accounts.refresh",  # authenticated by the refresh token it trades, not a bearer token
        "units.list_units",
        "units.get_unit",
        "units.list_teams",
        "activities.list_activities",
        "activities.month_calendar",
        "hours.lookup_hours",
        "hours.honor_roll",
        "hours.verify_certificate",
        "feeds.activities_calendar",
        "feeds.my_calendar",  # its secret is the ?token= of the feed URL, not a bearer token
        "articles.list_articles",
        "articles.get_article",
        "search.search",
        "search.suggest",
        "help.list_board",
        "points.list_merchants",
        "points.get_merchant",
        "points.list_rewards",
        "points.get_reward",
        "stats.get_stats",
        "families.consent_text",
    }
)

#: Endpoints anyone may call; a signed-in caller gets more (their sign-up, their request).
OPTIONAL_AUTH_ENDPOINTS = frozenset(
    {
        "activities.get_activity",
        "activities.get_series",  # a draft series only for its organizers
        "activities.activity_wxacode",
        "help.get_help_request",
    }
)


def security_of(endpoint: str) -> list:
    """The OpenAPI ``security`` of an endpoint's operations."""
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    if endpoint in OPTIONAL_AUTH_ENDPOINTS:
        return OPTIONAL
    return BEARER


class BearerSecurityPlugin(BasePlugin):
    """apispec plugin: declares the bearer scheme and sets ``security`` on each operation."""

    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        spec.components.security_scheme(
            SCHEME_NAME,
            {
                "type": "http",
                "scheme": "bearer",
                "description": "POST /api/v1/auth/password 或 /auth/wechat 返回的 token",
            },
        )

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        for operation in operations.values():
            operation.setdefault("security", list(security_of(rule.endpoint)))
