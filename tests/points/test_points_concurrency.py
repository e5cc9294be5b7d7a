"""Redemptions racing through a real HTTP server: the database holds stock and balance
(conditional UPDATEs, the account's row lock), so exactly as many win as there is stock and
points, on SQLite and PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from api.extensions import db
from api.points.models import Redemption, Reward


def _post_all(url: str, header_list: list[dict]) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=len(header_list)) as pool, requests.Session() as session:
        adapter = requests.adapters.HTTPAdapter(pool_connections=32, pool_maxsize=32)
        session.mount("http://", adapter)
        return list(
            pool.map(lambda headers: session.post(url, headers=headers, timeout=120), header_list)
        )


def _balance(live_server: str, person) -> int:
    return requests.get(
        f"{live_server}/api/v1/me/points", headers=person.headers, timeout=30
    ).json()["balance"]


def test_twenty_volunteers_race_for_the_last_three_items(live_server, volunteer, add_hours, reward):
    people = [volunteer() for _ in range(20)]
    for person in people:
        add_hours(person, 600)  # 100 points each
        assert _balance(live_server, person) == 100
    offer = reward(points_cost=30, stock=3)

    responses = _post_all(
        f"{live_server}/api/v1/rewards/{offer['id']}/redemptions",
        [person.headers for person in people],
    )

    statuses = [response.status_code for response in responses]
    assert sorted(statuses) == [201] * 3 + [409] * 17, [r.json() for r in responses]
    assert {response.json()["error"] for response in responses if response.status_code == 409} == {
        "out_of_stock"
    }
    db.session.expire_all()
    assert db.session.scalar(select(Reward.stock).where(Reward.id == offer["id"])) == 0
    assert (
        requests.get(f"{live_server}/api/v1/rewards/{offer['id']}", timeout=30).json()["stock"] == 0
    )
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 3
    balances = [_balance(live_server, person) for person in people]
    expected = [70 if status == 201 else 100 for status in statuses]
    assert balances == expected


def test_one_volunteer_racing_never_overdraws(live_server, volunteer, add_hours, reward):
    person = volunteer()
    add_hours(person, 600)  # 100 points: three redemptions of 30
    assert _balance(live_server, person) == 100
    offer = reward(points_cost=30, stock=10)

    responses = _post_all(
        f"{live_server}/api/v1/rewards/{offer['id']}/redemptions", [person.headers] * 10
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 3 + [409] * 7
    assert {response.json()["error"] for response in responses if response.status_code == 409} == {
        "insufficient_points"
    }
    assert _balance(live_server, person) == 10
    db.session.expire_all()
    assert db.session.scalar(select(Reward.stock).where(Reward.id == offer["id"])) == 7
