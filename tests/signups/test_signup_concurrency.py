"""DESIGN §4 invariants 1–3 under concurrent requests through a real HTTP server."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from api.extensions import db
from api.signups.models import Signup

USERS = 200
PLACES = 20


def _post_all(url: str, header_list: list[dict]) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=32) as pool, requests.Session() as session:
        adapter = requests.adapters.HTTPAdapter(pool_connections=32, pool_maxsize=32)
        session.mount("http://", adapter)
        return list(
            pool.map(lambda headers: session.post(url, headers=headers, timeout=60), header_list)
        )


def _status_counts(activity_id: int) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Signup.status, func.count())
        .where(Signup.activity_id == activity_id)
        .group_by(Signup.status)
    )
    return dict(rows.all())


@pytest.mark.slow
def test_concurrent_signups_never_overbook_and_queue_in_order(
    live_server, create_user, auth_headers, create_activity
):
    activity = create_activity(capacity=PLACES)
    users = [create_user() for _ in range(USERS)]
    headers = [auth_headers(user) for user in users]
    url = f"{live_server}/api/v1/activities/{activity.id}/signups"

    responses = _post_all(url, headers)

    assert [response.status_code for response in responses] == [201] * USERS
    bodies = [response.json() for response in responses]
    assert sum(body["status"] == "confirmed" for body in bodies) == PLACES
    positions = sorted(
        body["waitlist_position"] for body in bodies if body["status"] == "waitlisted"
    )
    assert positions == list(range(1, USERS - PLACES + 1))
    assert _status_counts(activity.id) == {"confirmed": PLACES, "waitlisted": USERS - PLACES}

    # Five cancellations promote exactly the first five of the queue, in order.
    queue = sorted(
        (body for body in bodies if body["status"] == "waitlisted"),
        key=lambda body: body["waitlist_position"],
    )
    expected_promoted = {body["id"] for body in queue[:5]}
    cancelling = [
        h for h, body in zip(headers, bodies, strict=True) if body["status"] == "confirmed"
    ][:5]
    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(
            pool.map(
                lambda h: requests.delete(f"{url}/me", headers=h, timeout=60).status_code,
                cancelling,
            )
        )
    assert statuses == [204] * 5

    db.session.expire_all()
    promoted = set(
        db.session.scalars(
            select(Signup.id).where(
                Signup.id.in_([body["id"] for body in queue]), Signup.status == "confirmed"
            )
        )
    )
    assert promoted == expected_promoted
    assert _status_counts(activity.id) == {
        "confirmed": PLACES,
        "waitlisted": USERS - PLACES - 5,
        "cancelled": 5,
    }
    detail = requests.get(f"{live_server}/api/v1/activities/{activity.id}", timeout=10).json()
    assert (detail["confirmed_count"], detail["waitlist_count"]) == (PLACES, USERS - PLACES - 5)


def test_concurrent_retries_of_one_user_make_one_signup(
    live_server, create_user, auth_headers, create_activity
):
    activity = create_activity(capacity=PLACES)
    headers = auth_headers(create_user())
    url = f"{live_server}/api/v1/activities/{activity.id}/signups"

    responses = _post_all(url, [headers] * 50)

    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["id"] for response in responses}) == 1
    assert _status_counts(activity.id) == {"confirmed": 1}
