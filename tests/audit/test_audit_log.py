"""``GET /api/v1/audit``: filtered by actor, object and date, limited to the reader's subtree."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete

from api.audit.models import AuditEntry
from api.audit.services import record
from api.extensions import db
from api.units.models import Team


@pytest.fixture
def log(app, corpus_units, create_user, frozen_clock):
    """Entries on three days about units, a team, a person and an article."""
    county = create_user("county", roles=[("admin", "LY")])
    cg_admin = create_user("cgadmin", roles=[("unit_admin", "LY-CG")])
    jl_admin = create_user("jladmin", roles=[("unit_admin", "LY-JL")])
    cg_team = (
        db.session.query(Team)
        .join(Team.unit)
        .filter(
            Team.unit_id.in_(
                [corpus_units[code].id for code in corpus_units if code.startswith("LY-CG")]
            )
        )
        .first()
    )
    db.session.execute(delete(AuditEntry))  # the grants above: not what is tested here
    entries = [
        (
            datetime(2026, 11, 30, 2, tzinfo=UTC),
            cg_admin,
            "unit.update",
            "unit",
            corpus_units["LY-CG-NJ"].id,
        ),
        (datetime(2026, 12, 1, 2, tzinfo=UTC), cg_admin, "team.update", "team", cg_team.id),
        (
            datetime(2026, 12, 1, 17, tzinfo=UTC),
            jl_admin,
            "unit.update",
            "unit",
            corpus_units["LY-JL"].id,
        ),  # 12-02 01:00 in Shanghai
        (
            datetime(2026, 12, 2, 3, tzinfo=UTC),
            county,
            "article.publish",
            "article",
            "2026-12-02-tongzhi",
        ),
        (datetime(2026, 12, 2, 4, tzinfo=UTC), county, "role.grant", "user", cg_admin.id),
    ]
    for moment, actor, action, entity_type, entity_id in entries:
        frozen_clock(moment)
        record(actor, action, entity_type, entity_id)
        db.session.flush()  # created_at is taken at flush time
    db.session.commit()
    return {"county": county, "cg_admin": cg_admin, "jl_admin": jl_admin, "team": cg_team}


def _actions(response) -> list[str]:
    return [entry["action"] for entry in response.get_json()["data"]]


def test_a_county_admin_reads_everything_newest_first(client, log, auth_headers):
    response = client.get("/api/v1/audit", headers=auth_headers(log["county"]))

    body = response.get_json()
    assert response.status_code == 200
    assert _actions(response) == [
        "role.grant",
        "article.publish",
        "unit.update",
        "team.update",
        "unit.update",
    ]
    assert body["pagination"]["total"] == 5
    assert body["data"][0]["actor"] == {
        "id": log["county"].id,
        "username": "county",
        "nickname": "county",
    }
    assert body["data"][0]["created_at"] == "2026-12-02T12:00:00+08:00"


def test_filters_by_actor_object_and_local_dates(client, log, auth_headers):
    headers = auth_headers(log["county"])

    by_actor = client.get(f"/api/v1/audit?actor_id={log['cg_admin'].id}", headers=headers)
    by_object = client.get(
        f"/api/v1/audit?entity_type=team&entity_id={log['team'].id}", headers=headers
    )
    on_the_second = client.get("/api/v1/audit?start=2026-12-02&end=2026-12-02", headers=headers)
    by_action = client.get("/api/v1/audit?action=unit.", headers=headers)

    assert _actions(by_actor) == ["team.update", "unit.update"]
    assert _actions(by_object) == ["team.update"]
    assert _actions(on_the_second) == ["role.grant", "article.publish", "unit.update"]
    assert _actions(by_action) == ["unit.update", "unit.update"]


def test_an_institute_admin_reads_only_its_subtree(client, log, auth_headers):
    response = client.get("/api/v1/audit", headers=auth_headers(log["cg_admin"]))

    data = response.get_json()["data"]
    assert [(entry["action"], entry["entity_type"]) for entry in data] == [
        ("role.grant", "user"),
        ("team.update", "team"),
        ("unit.update", "unit"),
    ]


def test_the_log_is_for_administrators(client, log, create_user, auth_headers):
    resident = create_user()

    response = client.get("/api/v1/audit", headers=auth_headers(resident))

    assert response.status_code == 403


def test_a_date_range_backwards_is_refused(client, log, auth_headers):
    response = client.get(
        "/api/v1/audit?start=2026-12-03&end=2026-12-01", headers=auth_headers(log["county"])
    )

    assert response.status_code == 422 and "end" in response.get_json()["errors"]
