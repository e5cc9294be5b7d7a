"""Fixtures of the points tests: volunteers with approved hours, a caring merchant of 巨陵镇
with its admin, and rewards."""

from datetime import timedelta
from itertools import count
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from api.accounts.services import register_volunteer
from api.extensions import db
from api.hours.models import RecordStatus, ServiceRecord
from api.points.account import sync_all
from api.points.models import PointsEntry
from api.timeutil import utcnow


@pytest.fixture
def volunteer(create_user, auth_headers, corpus_units):
    """Factory: a registered volunteer of 巨陵镇 and their headers."""
    numbers = count(1000)

    def create():
        user = create_user()
        register_volunteer(
            user,
            real_name="王小红",
            phone=f"1370000{next(numbers):04d}",
            unit_id=corpus_units["LY-JL"].id,
        )
        return SimpleNamespace(user=user, id=user.id, headers=auth_headers(user))

    return create


@pytest.fixture
def add_hours(corpus_units):
    """Factory: a service record of ``minutes`` (approved check-in by default)."""

    def add(
        person,
        minutes: int,
        *,
        status: str = RecordStatus.APPROVED,
        source: str = "checkin",
        reviewed_at=None,
    ) -> ServiceRecord:
        now = utcnow()
        reviewed = reviewed_at or (now if status == RecordStatus.APPROVED else None)
        record = ServiceRecord(
            user_id=person.id,
            unit_id=corpus_units["LY-JL"].id,
            credited_minutes=minutes,
            source=source,
            status=status,
            category="卫生环保",
            reviewed_at=reviewed,
            served_at=(reviewed or now) - timedelta(hours=3),
        )
        db.session.add(record)
        db.session.commit()
        return record

    return add


@pytest.fixture
def points(client):
    """Factory: GET /me/points for a person, after the periodic ``points.sync`` task wrote
    the ledger down (``synced=False``: before it, as a reader sees it meanwhile)."""

    def get(person, synced=True, **query):
        if synced:
            sync_all()
        response = client.get("/api/v1/me/points", headers=person.headers, query_string=query)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return get


@pytest.fixture
def entries(app):
    """Factory: (kind, points, year) of a person's ledger, oldest first."""

    def read(person) -> list[tuple[str, int, int]]:
        db.session.expire_all()
        return [
            (entry.kind, entry.points, entry.year)
            for entry in db.session.scalars(
                select(PointsEntry).where(PointsEntry.user_id == person.id).order_by(PointsEntry.id)
            )
        ]

    return read


@pytest.fixture
def unit_admin(create_user, auth_headers, corpus_units):
    user = create_user("jl-admin", roles=[("unit_admin", "LY-JL")])
    return SimpleNamespace(user=user, id=user.id, headers=auth_headers(user))


@pytest.fixture
def merchant(client, create_user, auth_headers, unit_admin, corpus_units):
    """A caring merchant of 巨陵镇 and its admin (``merchant.admin``)."""
    owner = create_user("shop-owner")
    response = client.post(
        "/api/v1/merchants",
        headers=unit_admin.headers,
        json={
            "name": "巨陵镇爱心超市",
            "unit_id": corpus_units["LY-JL"].id,
            "admin_id": owner.id,
            "address": "巨陵大街 18 号",
            "phone": "0395-8866001",
        },
    )
    assert response.status_code == 201, response.get_json()
    admin = SimpleNamespace(user=owner, id=owner.id, headers=auth_headers(owner))
    return SimpleNamespace(id=response.get_json()["id"], admin=admin)


@pytest.fixture
def reward(client, merchant):
    """Factory: a reward of the merchant (30 points, 5 in stock by default)."""

    def create(points_cost: int = 30, stock: int = 5, **overrides) -> dict:
        response = client.post(
            f"/api/v1/merchants/{merchant.id}/rewards",
            headers=merchant.admin.headers,
            json={"name": "洗衣液一瓶", "points_cost": points_cost, "stock": stock, **overrides},
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


@pytest.fixture
def redeem(client):
    """Factory: a person redeems a reward; returns the response."""

    def post(person, reward_id: int):
        return client.post(f"/api/v1/rewards/{reward_id}/redemptions", headers=person.headers)

    return post
