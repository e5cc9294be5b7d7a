"""Every list endpoint runs as many statements for 8 items as for 2 (an N+1 query fails
here, not in a benchmark): one row of ``LISTINGS`` per endpoint, whose ``grow`` adds items to
the list (``tests/list_growth.py``). ``test_every_page_has_a_count_test`` fails naming any
endpoint answering a page (``pagination`` in its 200 answer) that no row covers.

To add a list endpoint: add a ``Listing`` and, in ``tests/list_growth.py``, how its list
grows (a new object the list hangs on goes in ``World``)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from api.extensions import db
from tests import list_growth as grow
from tests.list_growth import NOW, World

# Covered by tests/test_list_query_counts.py.
COVERED_ELSEWHERE = {
    "GET /api/v1/activities",
    "GET /api/v1/me/signups",
    "GET /api/v1/me/hours",
    "GET /api/v1/hours/records",
    "GET /api/v1/units",
    "GET /api/v1/teams",
}


@dataclass(frozen=True)
class Listing:
    """A list endpoint: its URL (``{name}`` from :meth:`World.url_ids`), who reads it, how
    its list grows, and where the items are in the answer (``None``: the answer itself)."""

    url: str
    who: str
    grow: Callable[[World, int], None]
    items: str | None = "data"


LISTINGS = {
    "GET /api/v1/activities/managed": Listing(
        "/api/v1/activities/managed", "inst", grow.activities
    ),
    "GET /api/v1/articles": Listing("/api/v1/articles", "anon", grow.articles),
    "GET /api/v1/editor/articles": Listing("/api/v1/editor/articles", "edit", grow.articles),
    "GET /api/v1/audit": Listing("/api/v1/audit?per_page=100", "admin", grow.audit_entries),
    "GET /api/v1/hours/disputes": Listing("/api/v1/hours/disputes", "inst", grow.disputes(False)),
    "GET /api/v1/me/hours/disputes": Listing(
        "/api/v1/me/hours/disputes", "vol", grow.disputes(True)
    ),
    "GET /api/v1/me/certificates": Listing("/api/v1/me/certificates", "vol", grow.certificates),
    "GET /api/v1/me/inbox": Listing("/api/v1/me/inbox", "vol", grow.inbox),
    "GET /api/v1/merchants": Listing("/api/v1/merchants", "anon", grow.merchants),
    "GET /api/v1/me/merchants": Listing("/api/v1/me/merchants", "shop", grow.merchants),
    "GET /api/v1/merchants/<int:merchant_id>/rewards": Listing(
        "/api/v1/merchants/{merchant_id}/rewards", "shop", grow.rewards
    ),
    "GET /api/v1/rewards": Listing("/api/v1/rewards", "anon", grow.rewards),
    "GET /api/v1/merchants/<int:merchant_id>/redemptions": Listing(
        "/api/v1/merchants/{merchant_id}/redemptions", "shop", grow.redemptions(False)
    ),
    "GET /api/v1/me/redemptions": Listing("/api/v1/me/redemptions", "vol", grow.redemptions(True)),
    "GET /api/v1/me/points": Listing("/api/v1/me/points", "vol", grow.points, "entries"),
    "GET /api/v1/users": Listing("/api/v1/users?per_page=100", "admin", grow.staff),
    "GET /api/v1/help-requests": Listing(
        "/api/v1/help-requests", "inst", grow.help_requests(False)
    ),
    "GET /api/v1/help-requests/board": Listing(
        "/api/v1/help-requests/board", "anon", grow.help_requests(False)
    ),
    "GET /api/v1/help-requests/assigned": Listing(
        "/api/v1/help-requests/assigned", "responder", grow.help_requests(True)
    ),
    "GET /api/v1/me/help-requests": Listing(
        "/api/v1/me/help-requests", "res", grow.help_requests(False)
    ),
    "GET /api/v1/me/family": Listing("/api/v1/me/family", "vol", grow.family),
    "GET /api/v1/me/family/<int:member_id>/signups": Listing(
        "/api/v1/me/family/{member_id}/signups", "vol", grow.member_signups
    ),
    "GET /api/v1/me/family/<int:member_id>/hours": Listing(
        "/api/v1/me/family/{member_id}/hours", "vol", grow.member_records, "records"
    ),
    "GET /api/v1/me/family/<int:member_id>/certificates": Listing(
        "/api/v1/me/family/{member_id}/certificates", "vol", grow.member_certificates
    ),
    "GET /api/v1/search": Listing("/api/v1/search?q=写春联", "anon", grow.searchable),
    # Lists that are not pages but grow with the data.
    "GET /api/v1/activities/<int:activity_id>/roster": Listing(
        "/api/v1/activities/{activity_id}/roster", "inst", grow.roster, "signups"
    ),
    "GET /api/v1/activities/calendar": Listing(
        "/api/v1/activities/calendar?month=2026-12", "anon", grow.calendar_days, "days"
    ),
    "GET /api/v1/activity-series/<int:series_id>": Listing(
        "/api/v1/activity-series/{series_id}", "anon", grow.occurrences, "occurrences"
    ),
    "GET /api/v1/hours/honor-roll": Listing(
        "/api/v1/hours/honor-roll?unit_id={unit_id}", "anon", grow.honor_roll
    ),
    "GET /api/v1/help-teams/<int:team_id>/responders": Listing(
        "/api/v1/help-teams/{team_id}/responders", "admin", grow.responders, None
    ),
}


@pytest.fixture
def world(client, corpus_units, create_user, create_activity, auth_headers, frozen_clock):
    frozen_clock(NOW)
    return World(client, corpus_units, create_user, create_activity, auth_headers)


def _listed(client, count_queries, url: str, headers: dict, items: str | None):
    """The statements a GET of ``url`` ran, and the items it listed."""
    # The request shares the test's session: what the test last read would come from it.
    db.session.expire_all()
    with count_queries() as counted:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return counted.n, body if items is None else body[items]


@pytest.mark.parametrize("endpoint", sorted(LISTINGS))
def test_the_statement_count_does_not_grow_with_the_list(client, count_queries, world, endpoint):
    listing = LISTINGS[endpoint]
    listing.grow(world, 2)
    url = listing.url.format(**world.url_ids())
    few, first = _listed(client, count_queries, url, world.headers(listing.who), listing.items)
    listing.grow(world, 6)
    many, listed = _listed(client, count_queries, url, world.headers(listing.who), listing.items)

    assert len(listed) == len(first) + 6 >= 8
    assert many == few


def _openapi_path(endpoint: str) -> str:
    """``GET /api/v1/x/<int:x_id>`` as the OpenAPI document names it: ``/api/v1/x/{x_id}``."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", endpoint.removeprefix("GET "))


def _paged_paths(client) -> set[str]:
    """The paths whose GET answers a page: ``pagination`` in its 200 answer."""
    spec = client.get("/api/v1/openapi.json").get_json()

    def properties(schema: dict) -> dict:
        if "$ref" in schema:
            return properties(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
        return schema.get("properties", {})

    def answer(operations: dict) -> dict:
        content = operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        return content.get("application/json", {}).get("schema", {})

    return {
        path
        for path, operations in spec["paths"].items()
        if "pagination" in properties(answer(operations))
    }


def test_every_page_has_a_count_test(client):
    covered = {_openapi_path(endpoint) for endpoint in LISTINGS.keys() | COVERED_ELSEWHERE}
    paged = _paged_paths(client)

    assert len(paged) > 20  # the document was read
    missing = sorted(paged - covered)
    assert not missing, f"list endpoints without a statement count test: {missing}"
