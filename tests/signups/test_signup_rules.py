"""Sign-up rules through the API: confirmed, waitlist, retries, refusals, cancellation."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, update

from api.accounts.models import VolunteerProfile
from api.activities.models import Activity
from api.extensions import db
from api.personal_data import encrypt, lookup_hash
from api.signups import services as signup_services
from api.signups.models import Signup
from api.timeutil import utcnow


def sign_up(client, headers, activity):
    return client.post(f"/api/v1/activities/{activity.id}/signups", headers=headers)


def test_sign_up_confirms_while_places_remain_then_waitlists(
    client, create_user, auth_headers, create_activity
):
    activity = create_activity(capacity=1)
    first, second, third = (auth_headers(create_user()) for _ in range(3))

    assert sign_up(client, first, activity).get_json()["status"] == "confirmed"
    waitlisted = sign_up(client, second, activity)
    assert waitlisted.status_code == 201
    assert waitlisted.get_json()["status"] == "waitlisted"
    assert waitlisted.get_json()["waitlist_position"] == 1
    assert sign_up(client, third, activity).get_json()["waitlist_position"] == 2


def test_a_retry_returns_the_same_signup(client, create_user, auth_headers, create_activity):
    activity = create_activity()
    headers = auth_headers(create_user())
    first = sign_up(client, headers, activity).get_json()
    again = sign_up(client, headers, activity).get_json()
    assert again["id"] == first["id"]
    detail = client.get(f"/api/v1/activities/{activity.id}").get_json()
    assert detail["confirmed_count"] == 1


def test_a_retry_that_gets_in_while_the_first_waits_for_the_lock_returns_its_signup(
    client, create_user, auth_headers, create_activity, monkeypatch
):
    # On PostgreSQL the lock returns the user's facts as of the moment its statement began,
    # before it waited: a concurrent retry can sign the user up in between. Here it does,
    # deterministically, just as the lock is taken.
    activity = create_activity(capacity=5)
    user = create_user()
    headers = auth_headers(user)
    made_meanwhile = {}

    def lock_after_a_retry(activity_id, *statement, **parameters):
        row = take_lock(activity_id, *statement, **parameters)
        made_meanwhile["id"] = db.session.execute(
            insert(Signup.__table__).values(
                activity_id=activity_id, user_id=user.id, status="confirmed", created_at=utcnow()
            )
        ).inserted_primary_key[0]
        db.session.execute(
            update(Activity.__table__)
            .where(Activity.id == activity_id)
            .values(confirmed_count=Activity.confirmed_count + 1)
        )
        return row

    take_lock = signup_services.lock_activity_row
    monkeypatch.setattr(signup_services, "lock_activity_row", lock_after_a_retry)

    answer = sign_up(client, headers, activity)

    assert answer.status_code == 201
    assert answer.get_json()["id"] == made_meanwhile["id"]
    rows = db.session.scalars(select(Signup.id).where(Signup.activity_id == activity.id)).all()
    assert rows == [made_meanwhile["id"]]
    detail = client.get(f"/api/v1/activities/{activity.id}").get_json()
    assert detail["confirmed_count"] == 1  # counted once, by the retry that got in first


def test_cancelling_promotes_the_head_of_the_waitlist(
    client, create_user, auth_headers, create_activity
):
    activity = create_activity(capacity=1)
    holder, head, next_in_line = (auth_headers(create_user()) for _ in range(3))
    for headers in (holder, head, next_in_line):
        sign_up(client, headers, activity)

    response = client.delete(f"/api/v1/activities/{activity.id}/signups/me", headers=holder)

    assert response.status_code == 204
    me = client.get(f"/api/v1/activities/{activity.id}", headers=head).get_json()
    assert me["my_signup"]["status"] == "confirmed"
    still = client.get(f"/api/v1/activities/{activity.id}", headers=next_in_line).get_json()
    assert still["my_signup"] == {
        "id": still["my_signup"]["id"],
        "status": "waitlisted",
        "waitlist_position": 1,
    }
    assert me["confirmed_count"] == 1 and me["waitlist_count"] == 1


def test_raising_capacity_promotes_the_queue(client, create_user, auth_headers, create_activity):
    admin = create_user("admin", roles=[("admin", "LY")])
    activity = create_activity(capacity=1)
    users = [auth_headers(create_user()) for _ in range(3)]
    for headers in users:
        sign_up(client, headers, activity)

    response = client.patch(
        f"/api/v1/activities/{activity.id}", json={"capacity": 2}, headers=auth_headers(admin)
    )

    assert response.status_code == 200
    assert response.get_json()["confirmed_count"] == 2
    assert response.get_json()["waitlist_count"] == 1
    second = client.get(f"/api/v1/activities/{activity.id}", headers=users[1]).get_json()
    assert second["my_signup"]["status"] == "confirmed"


def test_cancel_after_the_deadline_is_refused(client, create_user, auth_headers, create_activity):
    activity = create_activity(cancel_deadline=utcnow() + timedelta(seconds=1))
    headers = auth_headers(create_user())
    sign_up(client, headers, activity)
    activity.cancel_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = client.delete(f"/api/v1/activities/{activity.id}/signups/me", headers=headers)

    assert response.status_code == 409
    assert response.get_json()["error"] == "cancel_closed"


def test_signup_outside_the_window_is_refused(client, create_user, auth_headers, create_activity):
    activity = create_activity(signup_closes_at=utcnow() - timedelta(minutes=1))
    response = sign_up(client, auth_headers(create_user()), activity)
    assert response.status_code == 409
    assert response.get_json()["error"] == "signup_closed"


def test_overlapping_confirmed_signup_is_a_time_conflict(
    client, create_user, auth_headers, create_activity
):
    first = create_activity()
    overlapping = create_activity(starts_at=first.starts_at + timedelta(hours=1))
    headers = auth_headers(create_user())
    sign_up(client, headers, first)

    response = sign_up(client, headers, overlapping)

    assert response.status_code == 409
    assert response.get_json()["error"] == "time_conflict"


def test_volunteer_only_activity_refuses_residents(
    client, create_user, auth_headers, create_activity
):
    activity = create_activity(audience="volunteers")
    response = sign_up(client, auth_headers(create_user()), activity)
    assert response.status_code == 403
    assert response.get_json()["error"] == "volunteers_only"


def _make_volunteer(user, unit, birth_date):
    db.session.add(
        VolunteerProfile(
            user=user,
            real_name="王小明",
            phone_encrypted=encrypt("13900001111"),
            phone_hash=lookup_hash("13900001111"),
            birth_date=birth_date,
            unit=unit,
        )
    )
    db.session.commit()


def test_under_fourteen_needs_guardian_consent(
    client, create_user, auth_headers, create_activity, corpus_units, frozen_clock
):
    frozen_clock(datetime(2027, 3, 9, 4, 0, tzinfo=UTC))
    activity = create_activity()  # on 10 March 2027, the eve of the 14th birthday
    child = create_user()
    _make_volunteer(child, corpus_units["LY-JL"], date(2013, 3, 11))

    response = sign_up(client, auth_headers(child), activity)

    assert response.status_code == 403
    assert response.get_json()["error"] == "guardian_consent_required"


def test_cancelled_activity_refuses_signups(client, create_user, auth_headers, create_activity):
    activity = create_activity(status="cancelled")
    response = sign_up(client, auth_headers(create_user()), activity)
    assert response.status_code == 409
    assert response.get_json()["error"] == "activity_cancelled"


def test_signing_up_needs_a_signed_in_user(client, create_activity):
    response = client.post(f"/api/v1/activities/{create_activity().id}/signups")
    assert response.status_code == 401
