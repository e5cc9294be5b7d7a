"""Fixtures of the hours tests: volunteers with profiles, organizers, past activities and
ledger records."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from api.accounts.identity import id_check_character
from api.accounts.services import register_volunteer
from api.audit.models import AuditEntry
from api.extensions import db
from api.hours.models import RecordStatus, ServiceRecord
from api.signups.models import Signup
from api.timeutil import utcnow


def make_id_number(birth: str = "19900101", sequence: str = "123", region: str = "411122") -> str:
    first17 = region + birth + sequence
    return first17 + id_check_character(first17)


@pytest.fixture
def make_id():
    """Factory: a valid ID number (check character computed)."""
    return make_id_number


@pytest.fixture
def volunteer(create_user, auth_headers, corpus_units):
    """Factory: a registered volunteer (of 巨陵镇 by default) and their headers."""
    counter = iter(range(1000, 10_000))

    def create(
        real_name: str = "张小三",
        *,
        phone: str | None = None,
        id_number: str | None = None,
        unit_code: str = "LY-JL",
    ):
        number = next(counter)
        user = create_user()
        register_volunteer(
            user,
            real_name=real_name,
            phone=phone or f"1380000{number:04d}",
            unit_id=corpus_units[unit_code].id,
            id_number=id_number or make_id_number(sequence=f"{number % 1000:03d}"),
        )
        return SimpleNamespace(user=user, headers=auth_headers(user), id=user.id)

    return create


@pytest.fixture
def organizer(create_user, auth_headers, corpus_units):
    """The admin of the 巨陵镇 institute (which holds ``create_activity``'s activities).

    Needs the units first: a grant on a unit not yet imported would be county-wide."""
    user = create_user("jl-admin", roles=[("unit_admin", "LY-JL")])
    return SimpleNamespace(user=user, headers=auth_headers(user), id=user.id)


@pytest.fixture
def outsider(create_user, auth_headers, corpus_units):
    """The admin of another township (城关镇)."""
    user = create_user("cg-admin", roles=[("unit_admin", "LY-CG")])
    return SimpleNamespace(user=user, headers=auth_headers(user), id=user.id)


@pytest.fixture
def past_activity(create_activity):
    """Factory: an activity that took place (two hours, ``days_ago`` days ago)."""

    def create(days_ago: float = 1, minutes: int = 120, **overrides):
        starts_at = utcnow().replace(microsecond=0) - timedelta(days=days_ago)
        return create_activity(
            **{
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(minutes=minutes),
                **overrides,
            }
        )

    return create


@pytest.fixture
def add_record(app):
    """Factory: a ledger record as check-out writes it (pending, source checkin)."""

    def add(
        person,
        activity,
        minutes: int = 90,
        *,
        status: str = RecordStatus.PENDING,
        source: str = "checkin",
        **overrides,
    ) -> ServiceRecord:
        record = ServiceRecord(
            user_id=person.id,
            activity_id=activity.id,
            unit_id=activity.unit_id,
            credited_minutes=minutes,
            source=source,
            status=status,
            **overrides,
        )
        db.session.add(record)
        db.session.commit()
        return record

    return add


@pytest.fixture
def signed_up(app):
    """Factory: a person's sign-up for an activity (``attended`` by default)."""

    def add(person, activity, status: str = "attended") -> Signup:
        signup = Signup(user_id=person.id, activity_id=activity.id, status=status)
        db.session.add(signup)
        db.session.commit()
        return signup

    return add


@pytest.fixture
def audit_actions(app):
    """Factory: the audit actions written about one entity, oldest first."""

    def actions(entity_type: str, entity_id) -> list[str]:
        return list(
            db.session.scalars(
                select(AuditEntry.action)
                .where(
                    AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id)
                )
                .order_by(AuditEntry.id)
            )
        )

    return actions


@pytest.fixture
def my_hours(client):
    """Factory: GET /me/hours for a person (query arguments as keywords)."""

    def get(person, **query):
        response = client.get("/api/v1/me/hours", headers=person.headers, query_string=query)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return get


@pytest.fixture
def all_records(client):
    """Factory: every record listed to a person by /me/hours, page after page."""

    def collect(person, per_page: int = 100) -> list[dict]:
        records, page = [], 1
        while True:
            body = client.get(
                "/api/v1/me/hours",
                headers=person.headers,
                query_string={"page": page, "per_page": per_page},
            ).get_json()
            records += body["records"]
            if page * per_page >= body["pagination"]["total"]:
                return records
            page += 1

    return collect
