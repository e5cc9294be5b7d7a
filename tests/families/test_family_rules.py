"""Families and guardian consent: each rule through the API.

志愿服务条例 Art. 15 and county practice (under 14 with a guardian's consent, under 10 with a
guardian present, an activity's minimum age), PIPL Art. 28/31 (a child's data only with
consent, shown to the family and the organizers of its activities).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.extensions import db
from api.families.consent import CONSENT_VERSION
from api.families.models import FamilyMember
from api.hours.models import ServiceRecord
from api.notifications.models import Notification
from api.signups.models import Signup
from api.signups.services import GuardianRequired, sign_up

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in China
CHILD_ID_NUMBER = "411122201505051236"  # born 2015-05-05: 11 on the activity day


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    frozen_clock(NOW)


@pytest.fixture
def guardian(create_user):
    return create_user()


@pytest.fixture
def headers(auth_headers, guardian):
    return auth_headers(guardian)


@pytest.fixture
def add_child(client, headers):
    """Factory: a child added by the guardian with consent; returns the answer's JSON."""

    def add(born: date = date(2015, 5, 5), **overrides):
        body = {
            "real_name": "王小明",
            "birth_date": born.isoformat(),
            "consent": True,
            "consent_version": CONSENT_VERSION,
            **overrides,
        }
        response = client.post("/api/v1/me/family", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return add


@pytest.fixture
def activity(create_activity):
    """An activity in a week, at 巨陵镇."""
    return create_activity(starts_at=NOW + timedelta(days=7), capacity=10)


def sign_child_up(client, headers, member_id: int, activity_id: int):
    return client.post(
        f"/api/v1/me/family/{member_id}/signups", json={"activity_id": activity_id}, headers=headers
    )


def active_user_ids(activity_id: int) -> set[int]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(Signup.user_id).where(
                Signup.activity_id == activity_id, Signup.status.in_(("confirmed", "waitlisted"))
            )
        )
    )


def child_of(member_id: int) -> int:
    return db.session.get(FamilyMember, member_id).child_id


# --- adding a child with consent ---------------------------------------------------------


@pytest.mark.parametrize(
    "consent, version, status, error",
    [
        (False, CONSENT_VERSION, 422, "validation_error"),
        (True, "2019-01", 409, "consent_version_outdated"),
    ],
)
def test_a_child_is_added_only_with_explicit_consent_to_the_current_text(
    client, headers, consent, version, status, error
):
    response = client.post(
        "/api/v1/me/family",
        headers=headers,
        json={
            "real_name": "王小明",
            "birth_date": "2015-05-05",
            "consent": consent,
            "consent_version": version,
        },
    )
    assert (response.status_code, response.get_json()["error"]) == (status, error)
    assert db.session.scalar(select(FamilyMember)) is None


def test_consent_not_given_is_refused_on_its_field(client, headers, add_child):
    refused = client.post(
        "/api/v1/me/family",
        headers=headers,
        json={
            "real_name": "王小明",
            "birth_date": "2015-05-05",
            "consent": False,
            "consent_version": CONSENT_VERSION,
        },
    )
    member = add_child()
    client.delete(f"/api/v1/me/family/{member['id']}/consent", headers=headers)
    not_renewed = client.post(
        f"/api/v1/me/family/{member['id']}/consent",
        headers=headers,
        json={"consent": False, "consent_version": CONSENT_VERSION},
    )

    assert refused.get_json()["errors"]["consent"] == ["需监护人阅读并同意后才能添加"]
    assert not_renewed.status_code == 422
    assert not_renewed.get_json()["errors"]["consent"] == ["请阅读并同意后再确认"]


def test_consent_is_recorded_with_time_and_version_and_the_id_number_encrypted_and_masked(
    client, add_child, guardian
):
    member = add_child(id_number=CHILD_ID_NUMBER)
    assert member["consented"] is True
    assert member["consent_version"] == CONSENT_VERSION
    assert member["consent_given_at"] == "2026-06-01T10:00:00+08:00"
    assert member["id_number"] == "4111**********1236"
    row = db.session.get(FamilyMember, member["id"])
    assert CHILD_ID_NUMBER not in row.id_number_encrypted
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "family.consent_given"))
    assert entry.actor_id == guardian.id
    assert entry.details["consent_version"] == CONSENT_VERSION
    text = client.get("/api/v1/family/consent-text").get_json()
    assert text["version"] == CONSENT_VERSION and "撤回" in text["text"]


def test_an_adult_is_no_family_member(client, headers):
    response = client.post(
        "/api/v1/me/family",
        headers=headers,
        json={
            "real_name": "王大明",
            "birth_date": "2000-01-01",
            "consent": True,
            "consent_version": CONSENT_VERSION,
        },
    )
    assert response.status_code == 422
    assert "birth_date" in response.get_json()["errors"]


# --- signing a child up --------------------------------------------------------------------


def test_a_consented_child_of_11_is_signed_up_alone(client, headers, add_child, activity, guardian):
    member = add_child(date(2015, 5, 5))
    response = sign_child_up(client, headers, member["id"], activity.id)
    assert response.status_code == 201
    assert response.get_json()["status"] == "confirmed"
    assert response.get_json()["guardian_signup_status"] is None
    assert active_user_ids(activity.id) == {child_of(member["id"])}


def test_a_child_under_10_is_signed_up_with_the_guardian(
    client, headers, add_child, activity, guardian
):
    member = add_child(date(2018, 3, 1))
    answer = sign_child_up(client, headers, member["id"], activity.id).get_json()
    assert answer["status"] == answer["guardian_signup_status"] == "confirmed"
    assert active_user_ids(activity.id) == {child_of(member["id"]), guardian.id}
    assert db.session.get(type(activity), activity.id).confirmed_count == 2


def test_an_activity_requiring_a_guardian_signs_the_guardian_up_too(
    client, headers, add_child, create_activity, guardian
):
    activity = create_activity(starts_at=NOW + timedelta(days=7), guardian_required=True)
    member = add_child(date(2013, 1, 1))
    answer = sign_child_up(client, headers, member["id"], activity.id).get_json()
    assert answer["guardian_signup_status"] == "confirmed"
    assert guardian.id in active_user_ids(activity.id)


def test_a_child_and_guardian_go_together_to_the_waitlist_when_one_place_is_left(
    client, headers, add_child, create_activity, create_user
):
    activity = create_activity(starts_at=NOW + timedelta(days=7), capacity=2)
    sign_up(create_user(), activity.id)
    member = add_child(date(2018, 3, 1))
    answer = sign_child_up(client, headers, member["id"], activity.id).get_json()
    assert answer["status"] == answer["guardian_signup_status"] == "waitlisted"


def test_the_activity_minimum_age_is_held(client, headers, add_child, create_activity):
    activity = create_activity(starts_at=NOW + timedelta(days=7), min_age=12)
    member = add_child(date(2015, 5, 5))
    response = sign_child_up(client, headers, member["id"], activity.id)
    assert response.status_code == 403
    assert response.get_json()["error"] == "below_minimum_age"
    assert active_user_ids(activity.id) == set()


def test_a_child_is_never_signed_up_without_its_guardian(add_child, activity, create_user):
    member = add_child()
    child = db.session.get(FamilyMember, member["id"]).child
    with pytest.raises(GuardianRequired):
        sign_up(child, activity.id)
    with pytest.raises(GuardianRequired):
        sign_up(child, activity.id, guardian=create_user())


def test_a_self_registered_volunteer_under_14_still_needs_consent(
    client, create_user, auth_headers, corpus_units, activity
):
    from api.accounts.services import register_volunteer

    young = create_user()
    register_volunteer(
        young,
        real_name="李小华",
        phone="13900007777",
        unit_id=corpus_units["LY-JL"].id,
        birth_date=date(2014, 1, 1),
    )
    response = client.post(f"/api/v1/activities/{activity.id}/signups", headers=auth_headers(young))
    assert response.get_json()["error"] == "guardian_consent_required"


# --- check-in, hours and certificates -------------------------------------------------------


def test_staff_check_the_child_in_and_the_guardian_sees_its_hours_and_certificate(
    client, headers, add_child, create_activity, create_user, auth_headers, frozen_clock
):
    activity = create_activity(starts_at=NOW + timedelta(hours=1))
    member = add_child()
    assert sign_child_up(client, headers, member["id"], activity.id).status_code == 201
    organizer = create_user("jl-admin", roles=[("unit_admin", "LY-JL")])
    frozen_clock(NOW + timedelta(hours=1, minutes=5))
    checked_in = client.post(
        f"/api/v1/activities/{activity.id}/checkins/staff",
        json={"user_id": child_of(member["id"]), "reason": "孩子没有手机"},
        headers=auth_headers(organizer),
    )
    assert checked_in.status_code == 201
    roster = client.get(
        f"/api/v1/activities/{activity.id}/roster", headers=auth_headers(organizer)
    ).get_json()
    assert [entry["name"] for entry in roster["signups"]] == ["王*明"]

    db.session.add(
        ServiceRecord(
            user_id=child_of(member["id"]),
            activity_id=activity.id,
            unit_id=activity.unit_id,
            credited_minutes=90,
            source="checkin",
            status="approved",
        )
    )
    db.session.commit()
    hours = client.get(f"/api/v1/me/family/{member['id']}/hours", headers=headers).get_json()
    assert hours["total_hours"] == 1.5
    issued = client.post(f"/api/v1/me/family/{member['id']}/certificates", headers=headers)
    assert issued.status_code == 201
    assert issued.get_json()["name"] == "王*明"
    listed = client.get(f"/api/v1/me/family/{member['id']}/certificates", headers=headers)
    assert [item["number"] for item in listed.get_json()["data"]] == [issued.get_json()["number"]]
    document = client.get(issued.get_json()["pdf_url"], headers=headers)
    assert document.status_code == 200 and document.data.startswith(b"%PDF")
    stranger = client.get(issued.get_json()["pdf_url"], headers=auth_headers(create_user()))
    assert stranger.status_code == 404


def test_nobody_outside_the_family_sees_the_child(client, add_child, create_user, auth_headers):
    member = add_child()
    stranger = auth_headers(create_user())
    for path in ("", "/hours", "/signups", "/certificates"):
        if not path:
            listed = client.get("/api/v1/me/family", headers=stranger).get_json()
            assert listed["data"] == []
            continue
        response = client.get(f"/api/v1/me/family/{member['id']}{path}", headers=stranger)
        assert response.status_code == 404
        assert "王" not in response.get_data(as_text=True)
    lookup = client.get("/api/v1/hours/lookup", query_string={"name": "王小明", "id_last4": "1236"})
    assert lookup.status_code in (404, 405)


# --- withdrawing consent -------------------------------------------------------------------


def test_withdrawing_consent_cancels_future_signups_promotes_the_waitlist_and_hides_the_child(
    client, headers, add_child, create_activity, create_user, auth_headers
):
    activity = create_activity(starts_at=NOW + timedelta(days=7), capacity=1)
    member = add_child()
    assert (
        sign_child_up(client, headers, member["id"], activity.id).get_json()["status"]
        == "confirmed"
    )
    waiting = create_user()
    assert sign_up(waiting, activity.id).status == "waitlisted"

    withdrawn = client.delete(f"/api/v1/me/family/{member['id']}/consent", headers=headers)
    assert withdrawn.status_code == 200
    body = withdrawn.get_json()
    assert body["consented"] is False and body["real_name"] is None
    assert body["birth_date"] is None
    assert active_user_ids(activity.id) == {waiting.id}
    hidden = client.get(f"/api/v1/me/family/{member['id']}/hours", headers=headers)
    assert hidden.get_json()["error"] == "consent_withdrawn"
    again = sign_child_up(client, headers, member["id"], activity.id)
    assert again.get_json()["error"] == "consent_withdrawn"
    organizer = auth_headers(create_user("jl-admin", roles=[("unit_admin", "LY-JL")]))
    roster = client.get(f"/api/v1/activities/{activity.id}/roster", headers=organizer)
    assert "王" not in roster.get_data(as_text=True)

    renewed = client.post(
        f"/api/v1/me/family/{member['id']}/consent",
        headers=headers,
        json={"consent": True, "consent_version": CONSENT_VERSION},
    )
    assert renewed.get_json()["real_name"] == "王小明"


# --- notifications about a child ----------------------------------------------------------


def test_what_concerns_a_child_reaches_its_guardian_under_the_childs_masked_name(
    client, headers, add_child, create_activity, create_user, auth_headers, guardian
):
    activity = create_activity(starts_at=NOW + timedelta(days=7), capacity=1, title="少儿书法课")
    taken = create_user()
    sign_up(taken, activity.id)
    member = add_child(date(2015, 5, 5))
    child = child_of(member["id"])
    waitlisted = sign_child_up(client, headers, member["id"], activity.id).get_json()
    # The one confirmed place is given back: the child moves up from the waitlist.
    client.delete(f"/api/v1/activities/{activity.id}/signups/me", headers=auth_headers(taken))

    inbox = client.get("/api/v1/me/inbox", headers=headers).get_json()["data"]

    assert waitlisted["status"] == "waitlisted"
    assert [(item["kind"], item["title"], item["payload"]) for item in inbox] == [
        (
            "waitlist_promoted",
            "【王*明】候补成功：少儿书法课",
            {"activity_id": activity.id, "child_user_id": child},
        )
    ]
    assert (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == child)
        )
        == 0
    )  # nothing waits for a child who cannot sign in


def test_a_childs_own_sign_up_is_confirmed_to_its_guardian(
    client, headers, add_child, activity, guardian
):
    member = add_child(date(2015, 5, 5))
    sign_child_up(client, headers, member["id"], activity.id)

    titles = [
        item["title"] for item in client.get("/api/v1/me/inbox", headers=headers).get_json()["data"]
    ]

    assert titles == [f"【王*明】报名成功：{activity.title}"]
