"""The ledger stamps: every write of a volunteer's records, whoever makes it, draws a new
stamp in the database, so a breakdown kept under the old one is never shown again."""

import sqlalchemy as sa

from api.extensions import db
from api.hours.models import LedgerStamp, RecordStatus, ServiceRecord


def _stamp(person) -> int | None:
    return db.session.scalar(sa.select(LedgerStamp.stamp).where(LedgerStamp.user_id == person.id))


def _bulk_records(person, activity, minutes: list[int]) -> None:
    """Records inserted past the services and the ORM, as the seed and the benchmark do."""
    db.session.execute(
        ServiceRecord.__table__.insert(),
        [
            {
                "user_id": person.id,
                "activity_id": activity.id,
                "unit_id": activity.unit_id,
                "credited_minutes": each,
                "source": "manual",
                "status": RecordStatus.APPROVED,
                "category": activity.category,
                "served_at": activity.starts_at,
                "reason": "",
                "review_note": "",
                "created_at": activity.starts_at,
            }
            for each in minutes
        ],
    )
    db.session.commit()


def test_a_volunteer_without_records_has_no_stamp(volunteer):
    assert _stamp(volunteer()) is None


def test_every_kind_of_write_draws_a_new_stamp(volunteer, past_activity, add_record):
    person = volunteer()
    seen = []

    add_record(person, past_activity(days_ago=2), 60)
    seen.append(_stamp(person))
    _bulk_records(person, past_activity(days_ago=3), [30, 40])
    seen.append(_stamp(person))
    db.session.execute(
        sa.text("UPDATE service_records SET status = 'approved' WHERE user_id = :user"),
        {"user": person.id},
    )
    db.session.commit()
    seen.append(_stamp(person))
    db.session.execute(
        sa.text("DELETE FROM service_records WHERE user_id = :user"), {"user": person.id}
    )
    db.session.commit()
    seen.append(_stamp(person))

    assert None not in seen and len(set(seen)) == len(seen)


def test_a_write_moves_only_the_stamps_of_the_volunteers_it_touches(
    volunteer, past_activity, add_record
):
    person, other = volunteer(), volunteer()
    add_record(person, past_activity(days_ago=2), 60)
    add_record(other, past_activity(days_ago=2), 60)
    others = _stamp(other)

    add_record(person, past_activity(days_ago=3), 30)

    assert _stamp(other) == others


def test_records_inserted_past_the_services_show_at_once(my_hours, volunteer, past_activity):
    person = volunteer()
    _bulk_records(person, past_activity(days_ago=2), [60])
    assert my_hours(person)["total_minutes"] == 60  # the worker keeps this breakdown

    _bulk_records(person, past_activity(days_ago=3), [30, 45])

    body = my_hours(person)
    assert body["total_minutes"] == 135
    assert body["pagination"]["total"] == 3
