"""Residents' text through WeChat's msg_sec_check v2 (the bundled stub decides by words):
risky text is refused with a clear message, review text is held for a dispatcher, passing
text goes to the queue; no verdict (WeChat down, no openid) holds it too."""

from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.extensions import db
from api.help.models import HelpRequest

RISKY = "有人在村里组织赌博，帮忙管管"  # the stub's RISKY_WORDS: 赌博, 代开发票
REVIEW = "需要帮忙搬家具，方便的话加微信联系"  # the stub's REVIEW_WORDS: 加微信


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_passing_text_goes_to_the_queue_after_one_check(client, submit, people, wechat_stub):
    response = submit()

    assert response.status_code == 201
    assert response.get_json()["status"] == "submitted"
    calls = wechat_stub.calls_to("msg_sec_check")
    assert len(calls) == 1
    assert (calls[0]["version"], calls[0]["scene"], calls[0]["openid"]) == (
        2,
        3,
        people.requester.user.openid,
    )
    assert "家门口的排水沟" in calls[0]["content"] and "油坊陈村" in calls[0]["content"]
    queue = client.get("/api/v1/help-requests", headers=people.institute.headers).get_json()
    assert queue["data"][0]["moderation"] == "pass"


def test_risky_text_is_refused_with_a_clear_message_and_nothing_is_kept(client, submit, people):
    audit_entries = _count(AuditEntry)

    response = submit(description=RISKY)

    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "content_risky"
    assert "违法违规" in body["message"] and "修改" in body["message"]
    assert _count(HelpRequest) == 0
    assert _count(AuditEntry) == audit_entries


def test_risky_words_in_any_field_are_refused(client, submit):
    response = submit(address="临颍县巨陵镇，可代开发票")

    assert response.status_code == 422
    assert response.get_json()["error"] == "content_risky"


def test_review_text_is_held_for_a_dispatcher(client, submit, act, people, audit_trail):
    response = submit(description=REVIEW)

    assert response.status_code == 201
    held = response.get_json()
    assert held["status"] == "held"
    board = client.get("/api/v1/help-requests/board").get_json()
    assert board["pagination"]["total"] == 0
    queue = client.get("/api/v1/help-requests", headers=people.institute.headers).get_json()
    assert [(item["id"], item["status"], item["moderation"]) for item in queue["data"]] == [
        (held["id"], "held", "review")
    ]

    released = act(people.institute, held["id"], "release")

    assert released.status_code == 200
    assert released.get_json()["status"] == "submitted"
    assert [action for action, _ in audit_trail(held["id"])] == [
        "help_request.submit",
        "help_request.release",
    ]
    assert client.get("/api/v1/help-requests/board").get_json()["pagination"]["total"] == 1


def test_a_held_request_can_be_rejected(client, submit, act, people):
    held = submit(description=REVIEW).get_json()

    rejected = act(people.institute, held["id"], "reject", reason="内容不属于求助事项")

    assert rejected.get_json()["status"] == "rejected"


def test_no_verdict_from_wechat_holds_the_request(client, submit, wechat_stub):
    wechat_stub.fail_next("msg_sec_check", status=500, times=5)

    response = submit()

    assert response.status_code == 201
    assert response.get_json()["status"] == "held"


def test_an_inactive_user_errcode_holds_the_request(client, submit, wechat_stub):
    wechat_stub.fail_next("msg_sec_check", errcode=61010)

    response = submit()

    assert response.get_json()["status"] == "held"


def test_a_user_without_openid_is_held(client, submit, create_user, auth_headers):
    staff_as_resident = create_user("no-wechat")
    person = type("Person", (), {"headers": auth_headers(staff_as_resident)})

    response = submit(person=person)

    assert response.get_json()["status"] == "held"


def test_a_risky_rating_comment_is_refused(client, request_in, act, people):
    request_id = request_in("completed")

    response = act(people.requester, request_id, "rate", rating=1, comment=RISKY)

    assert response.status_code == 422
    assert response.get_json()["error"] == "content_risky"
    assert db.session.get(HelpRequest, request_id).status == "completed"


def test_a_review_rating_comment_is_kept_from_the_team(client, request_in, act, people):
    request_id = request_in("completed")

    rated = act(people.requester, request_id, "rate", rating=2, comment=REVIEW)

    assert rated.status_code == 200
    assert rated.get_json()["rating_comment_held"] is True

    def comment(person):
        return client.get(f"/api/v1/help-requests/{request_id}", headers=person.headers).get_json()[
            "rating_comment"
        ]

    assert comment(people.responder) is None
    assert comment(people.institute) == REVIEW
    assert comment(people.requester) == REVIEW
