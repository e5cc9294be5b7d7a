"""Concurrent reviews, corrections and entries through a real HTTP server: one wins, the
others get a 409, the ledger and the audit log record exactly one change."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import requests
from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.extensions import db
from api.hours.models import RecordStatus, ServiceRecord

ATTEMPTS = 8


def _post_all(url: str, headers: dict, bodies: list[dict]) -> list[int]:
    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        return list(
            pool.map(
                lambda body: requests.post(url, headers=headers, json=body, timeout=60).status_code,
                bodies,
            )
        )


def _audit_count(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def test_concurrent_approve_and_reject_of_one_record(
    live_server, volunteer, organizer, past_activity, add_record
):
    record = add_record(volunteer(), past_activity())
    base = f"{live_server}/api/v1/hours/records/{record.id}"

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        statuses = list(
            pool.map(
                lambda number: (
                    requests.post(
                        f"{base}/{'approve' if number % 2 else 'reject'}",
                        headers=organizer.headers,
                        json={"note": "并发审核"},
                        timeout=60,
                    ).status_code
                ),
                range(ATTEMPTS),
            )
        )

    assert sorted(statuses) == [200] + [409] * (ATTEMPTS - 1)
    db.session.expire_all()
    assert _audit_count("service_record.approve") + _audit_count("service_record.reject") == 1


def test_concurrent_corrections_of_one_record(
    live_server, volunteer, organizer, past_activity, add_record
):
    person = volunteer()
    record = add_record(person, past_activity(), 90, status=RecordStatus.APPROVED)
    url = f"{live_server}/api/v1/hours/records/{record.id}/corrections"

    statuses = _post_all(
        url,
        organizer.headers,
        [
            {"credited_minutes": 60 + number, "reason": f"更正 {number}"}
            for number in range(ATTEMPTS)
        ],
    )

    assert sorted(statuses) == [201] + [409] * (ATTEMPTS - 1)
    db.session.expire_all()
    live = db.session.scalars(
        select(ServiceRecord).where(
            ServiceRecord.user_id == person.id, ServiceRecord.status == RecordStatus.APPROVED
        )
    )
    assert [row.corrects_id for row in live] == [record.id]
    assert _audit_count("service_record.correct") == 1


def test_concurrent_manual_entries_stay_within_the_daily_cap(
    app, live_server, frozen_clock, volunteer, organizer, past_activity, signed_up
):
    frozen_clock(datetime(2026, 12, 10, 2, 0, tzinfo=UTC))  # 10:00 local
    app.config["DAILY_SERVICE_MAX_MINUTES"] = 150
    person = volunteer()
    # Eight activities of yesterday morning, each alone within the cap, any two over it.
    activities = [past_activity(days_ago=1, minutes=120) for _ in range(ATTEMPTS)]
    for activity in activities:
        signed_up(person, activity)
    activity_ids = [activity.id for activity in activities]

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        answers = list(
            pool.map(
                lambda activity_id: requests.post(
                    f"{live_server}/api/v1/hours/records",
                    headers=organizer.headers,
                    json={
                        "user_id": person.id,
                        "activity_id": activity_id,
                        "credited_minutes": 100,
                        "reason": "补录",
                    },
                    timeout=60,
                ),
                activity_ids,
            )
        )

    assert sorted(answer.status_code for answer in answers) == [201] + [409] * (ATTEMPTS - 1)
    assert {answer.json()["error"] for answer in answers if answer.status_code == 409} == {
        "minutes_over_daily_cap"
    }
    db.session.expire_all()
    entered = db.session.scalars(
        select(ServiceRecord.credited_minutes).where(ServiceRecord.user_id == person.id)
    )
    assert list(entered) == [100]
    assert _audit_count("service_record.create") == 1
