"""Admin rights on a unit cover its subtree, and nothing else (DESIGN §3, invariant 7)."""

import pytest
import sqlalchemy as sa

from api.audit.models import AuditEntry
from api.extensions import db
from api.units.models import Team, Unit


def _team(code: str) -> Team:
    return db.session.scalar(sa.select(Team).where(Team.code == code))


def _unit_name(code: str) -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Unit.name).where(Unit.code == code))


def _team_name(code: str) -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Team.name).where(Team.code == code))


@pytest.fixture
def headers_of(corpus_units, create_user, auth_headers):
    """Factory: the headers of a new user holding ``role`` on the unit ``unit_code``."""

    def headers(role: str, unit_code: str | None) -> dict:
        return auth_headers(create_user(f"{role}-{unit_code}", roles=[(role, unit_code)]))

    return headers


@pytest.fixture
def julin_admin(headers_of):
    """The admin of the 巨陵镇 institute (LY-JL)."""
    return headers_of("unit_admin", "LY-JL")


@pytest.fixture
def center_admin(headers_of):
    """An admin of the county center (LY)."""
    return headers_of("admin", "LY")


def test_township_admin_cannot_change_another_townships_unit(
    client, corpus_units, julin_admin, assert_envelope
):
    response = client.patch(
        f"/api/v1/units/{corpus_units['LY-CG'].id}",
        json={"name": "被改掉的名字"},
        headers=julin_admin,
    )

    assert_envelope(response, 403, "forbidden")
    assert _unit_name("LY-CG") == "城关街道新时代文明实践所"


def test_township_admin_cannot_change_a_station_of_another_township(
    client, corpus_units, julin_admin, assert_envelope
):
    response = client.patch(
        f"/api/v1/units/{corpus_units['LY-CG-NJ'].id}",
        json={"phone": "0395-0000000"},
        headers=julin_admin,
    )

    assert_envelope(response, 403, "forbidden")


def test_township_admin_cannot_change_the_center(
    client, corpus_units, julin_admin, assert_envelope
):
    response = client.patch(
        f"/api/v1/units/{corpus_units['LY'].id}",
        json={"phone": "0395-0000000"},
        headers=julin_admin,
    )

    assert_envelope(response, 403, "forbidden")


def test_township_admin_cannot_change_another_townships_team(
    client, corpus_units, julin_admin, assert_envelope
):
    response = client.patch(
        f"/api/v1/teams/{_team('T-CG-01').id}", json={"leader_name": "王五"}, headers=julin_admin
    )

    assert_envelope(response, 403, "forbidden")
    assert _team("T-CG-01").leader_name == "孙玉霞"


def test_township_admin_cannot_create_a_team_in_another_township(
    client, corpus_units, julin_admin, assert_envelope
):
    response = client.post(
        "/api/v1/teams",
        headers=julin_admin,
        json={"name": "越权服务队", "category": "特色", "unit_id": corpus_units["LY-CG"].id},
    )

    assert_envelope(response, 403, "forbidden")
    assert db.session.scalar(sa.select(Team).where(Team.name == "越权服务队")) is None


def test_township_admin_cannot_move_its_team_to_another_township(
    client, corpus_units, julin_admin, assert_envelope
):
    response = client.patch(
        f"/api/v1/teams/{_team('T-JL-01').id}",
        json={"unit_id": corpus_units["LY-CG"].id},
        headers=julin_admin,
    )

    assert_envelope(response, 403, "forbidden")
    db.session.expire_all()
    assert _team("T-JL-01").unit_id == corpus_units["LY-JL"].id


def test_township_admin_manages_its_own_institute(client, corpus_units, julin_admin):
    response = client.patch(
        f"/api/v1/units/{corpus_units['LY-JL'].id}",
        json={"phone": "0395-8000001"},
        headers=julin_admin,
    )

    assert response.status_code == 200
    assert response.get_json()["phone"] == "0395-8000001"


def test_township_admin_manages_its_own_stations(client, corpus_units, julin_admin):
    response = client.patch(
        f"/api/v1/units/{corpus_units['LY-JL-YFC'].id}",
        json={"name": "油坊陈村文明实践站", "lat": 33.77, "lng": 113.99},
        headers=julin_admin,
    )

    assert response.status_code == 200
    assert _unit_name("LY-JL-YFC") == "油坊陈村文明实践站"


def test_township_admin_manages_its_own_teams(client, corpus_units, julin_admin):
    response = client.patch(
        f"/api/v1/teams/{_team('T-JL-02').id}",
        json={"member_count": 60, "leader_name": "王五"},
        headers=julin_admin,
    )

    assert response.status_code == 200
    assert response.get_json()["member_count"] == 60
    assert _team_name("T-JL-02") == "巨陵镇卫生环保志愿服务队"


def test_township_admin_creates_a_team_in_its_township(client, corpus_units, julin_admin):
    response = client.post(
        "/api/v1/teams",
        headers=julin_admin,
        json={
            "name": "油坊陈村巾帼志愿服务队",
            "category": "特色",
            "unit_id": corpus_units["LY-JL-YFC"].id,
            "leader_name": "陈霞",
        },
    )

    assert response.status_code == 201
    assert response.get_json()["unit_id"] == corpus_units["LY-JL-YFC"].id
    assert db.session.get(Team, response.get_json()["id"]).name == "油坊陈村巾帼志愿服务队"


def test_station_admin_cannot_change_its_institute(
    client, corpus_units, headers_of, assert_envelope
):
    station_admin = headers_of("unit_admin", "LY-JL-YFC")

    response = client.patch(
        f"/api/v1/units/{corpus_units['LY-JL'].id}",
        json={"phone": "0395-0000000"},
        headers=station_admin,
    )

    assert_envelope(response, 403, "forbidden")


@pytest.mark.parametrize("role", ["team_leader", "editor"])
def test_roles_that_do_not_administer_cannot_change_units(
    client, corpus_units, headers_of, assert_envelope, role
):
    response = client.patch(
        f"/api/v1/units/{corpus_units['LY-JL'].id}",
        json={"phone": "0395-0000000"},
        headers=headers_of(role, "LY"),
    )

    assert_envelope(response, 403, "forbidden")


def test_center_admin_changes_any_township_unit(client, corpus_units, center_admin):
    response = client.patch(
        f"/api/v1/units/{corpus_units['LY-CG'].id}",
        json={"name": "城关街道文明实践所"},
        headers=center_admin,
    )

    assert response.status_code == 200
    assert _unit_name("LY-CG") == "城关街道文明实践所"


def test_center_admin_changes_any_township_team(client, corpus_units, center_admin):
    response = client.patch(
        f"/api/v1/teams/{_team('T-CG-01').id}",
        json={"name": "城关街道理论宣讲队"},
        headers=center_admin,
    )

    assert response.status_code == 200
    assert _team_name("T-CG-01") == "城关街道理论宣讲队"


def test_center_admin_moves_a_team_between_townships(client, corpus_units, center_admin):
    response = client.patch(
        f"/api/v1/teams/{_team('T-JL-03').id}",
        json={"unit_id": corpus_units["LY-CG"].id},
        headers=center_admin,
    )

    assert response.status_code == 200
    assert response.get_json()["unit_id"] == corpus_units["LY-CG"].id


def test_unit_changes_are_audited_with_their_actor(client, corpus_units, create_user, auth_headers):
    admin = create_user("county", roles=[("admin", "LY")])

    client.patch(
        f"/api/v1/units/{corpus_units['LY-CG'].id}",
        json={"phone": "0395-1234567"},
        headers=auth_headers(admin),
    )

    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "unit.update"))
    assert entry.actor_id == admin.id
    assert entry.entity_id == str(corpus_units["LY-CG"].id)
    assert entry.details == {"phone": "0395-1234567"}


def test_anonymous_unit_change_is_401(client, corpus_units, assert_envelope):
    response = client.patch(f"/api/v1/units/{corpus_units['LY-CG'].id}", json={"name": "匿名"})

    assert_envelope(response, 401, "unauthorized")


def test_anonymous_team_change_is_401(client, corpus_units, assert_envelope):
    response = client.patch(f"/api/v1/teams/{_team('T-CG-01').id}", json={"name": "匿名修改"})

    assert_envelope(response, 401, "unauthorized")


def test_anonymous_team_creation_is_401(client, corpus_units, assert_envelope):
    response = client.post(
        "/api/v1/teams",
        json={"name": "匿名服务队", "category": "特色", "unit_id": corpus_units["LY-CG"].id},
    )

    assert_envelope(response, 401, "unauthorized")
