"""Merchants, rewards and redemptions: a code and QR code, the merchant confirms it or it
expires (or is given back) and is refunded; no overdraw, no negative stock."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from api.extensions import db
from api.points.models import Redemption
from api.timeutil import utcnow


def _stock(client, reward_id: int) -> int:
    return client.get(f"/api/v1/rewards/{reward_id}").get_json()["stock"]


def _expire(redemption_id: int) -> None:
    db.session.execute(
        update(Redemption)
        .where(Redemption.id == redemption_id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()


def test_unit_admins_enrol_merchants_and_name_their_admin(
    client, merchant, create_user, auth_headers, corpus_units
):
    me = client.get("/api/v1/me", headers=merchant.admin.headers).get_json()
    assert "merchant_admin" in me["roles"]
    outsider = create_user("cg-admin", roles=[("unit_admin", "LY-CG")])

    refused = client.post(
        "/api/v1/merchants",
        headers=auth_headers(outsider),
        json={
            "name": "别处的商家",
            "unit_id": corpus_units["LY-JL"].id,
            "admin_id": merchant.admin.id,
        },
    )

    assert refused.status_code == 403
    listed = client.get(
        "/api/v1/merchants", query_string={"unit_id": corpus_units["LY-JL"].id}
    ).get_json()
    assert [item["name"] for item in listed["data"]] == ["巨陵镇爱心超市"]


def test_only_the_merchant_offers_rewards(client, merchant, volunteer):
    stranger = volunteer()

    refused = client.post(
        f"/api/v1/merchants/{merchant.id}/rewards",
        headers=stranger.headers,
        json={"name": "理发一次", "points_cost": 50, "stock": 2},
    )

    assert refused.status_code == 403


def test_redeeming_spends_points_and_stock_for_a_code_and_qr(
    client, volunteer, add_hours, points, reward, redeem
):
    person = volunteer()
    add_hours(person, 300)  # 50 points
    offer = reward(points_cost=30, stock=5)

    response = redeem(person, offer["id"])

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending" and body["points"] == 30
    assert len(body["code"]) == 12 and body["code"].isalnum()
    assert body["merchant_name"] == "巨陵镇爱心超市"
    assert points(person)["balance"] == 20
    assert _stock(client, offer["id"]) == 4
    png = client.get(body["qr_url"], headers=person.headers)
    assert png.status_code == 200 and png.mimetype == "image/png"
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    decoded = [found.text for found in zxingcpp.read_barcodes(image.open(io.BytesIO(png.data)))]
    assert decoded == [body["code"]]


def test_the_qr_code_is_its_owners_only(client, volunteer, add_hours, reward, redeem):
    person, other = volunteer(), volunteer()
    add_hours(person, 300)
    body = redeem(person, reward()["id"]).get_json()

    assert client.get(body["qr_url"], headers=other.headers).status_code == 404
    assert (
        client.get(f"/api/v1/me/redemptions/{body['id']}", headers=other.headers).status_code == 404
    )


def test_no_overdraw(client, volunteer, add_hours, points, reward, redeem):
    person = volunteer()
    add_hours(person, 120)  # 20 points
    offer = reward(points_cost=30)

    response = redeem(person, offer["id"])

    assert response.status_code == 409
    assert response.get_json()["error"] == "insufficient_points"
    assert points(person)["balance"] == 20
    assert _stock(client, offer["id"]) == 5


def test_no_redemption_without_stock(client, volunteer, add_hours, reward, redeem, points):
    person = volunteer()
    add_hours(person, 600)
    offer = reward(stock=1)
    assert redeem(person, offer["id"]).status_code == 201

    response = redeem(person, offer["id"])

    assert response.status_code == 409
    assert response.get_json()["error"] == "out_of_stock"
    assert points(person)["balance"] == 70
    assert _stock(client, offer["id"]) == 0


def test_a_withdrawn_reward_cannot_be_redeemed(
    client, volunteer, add_hours, reward, redeem, merchant
):
    person = volunteer()
    add_hours(person, 600)
    offer = reward()
    client.patch(
        f"/api/v1/rewards/{offer['id']}", headers=merchant.admin.headers, json={"is_active": False}
    )

    response = redeem(person, offer["id"])

    assert response.status_code == 409
    assert response.get_json()["error"] == "reward_unavailable"
    assert client.get("/api/v1/rewards").get_json()["pagination"]["total"] == 0


def test_the_merchant_confirms_a_code_once(client, volunteer, add_hours, reward, redeem, merchant):
    person = volunteer()
    add_hours(person, 300)
    code = redeem(person, reward()["id"]).get_json()["code"]

    confirmed = client.post(
        "/api/v1/redemptions/confirm", headers=merchant.admin.headers, json={"code": code.lower()}
    )
    again = client.post(
        "/api/v1/redemptions/confirm", headers=merchant.admin.headers, json={"code": code}
    )

    assert confirmed.status_code == 200
    assert confirmed.get_json()["status"] == "confirmed"
    assert again.status_code == 409
    assert again.get_json()["error"] == "redemption_closed"
    mine = client.get("/api/v1/me/redemptions", headers=person.headers).get_json()
    assert mine["data"][0]["status"] == "confirmed"


def test_only_the_merchant_confirms_its_codes(client, volunteer, add_hours, reward, redeem):
    person, stranger = volunteer(), volunteer()
    add_hours(person, 300)
    code = redeem(person, reward()["id"]).get_json()["code"]

    refused = client.post(
        "/api/v1/redemptions/confirm", headers=stranger.headers, json={"code": code}
    )
    unknown = client.post(
        "/api/v1/redemptions/confirm", headers=stranger.headers, json={"code": "NOSUCHCODE22"}
    )

    assert refused.status_code == 403
    assert unknown.status_code == 404


def test_an_unconfirmed_redemption_expires_and_is_refunded(
    client, volunteer, add_hours, points, reward, redeem, merchant
):
    person = volunteer()
    add_hours(person, 300)
    offer = reward(stock=3)
    body = redeem(person, offer["id"]).get_json()
    assert points(person)["balance"] == 20
    _expire(body["id"])

    late = client.post(
        "/api/v1/redemptions/confirm", headers=merchant.admin.headers, json={"code": body["code"]}
    )

    assert late.status_code == 409
    assert late.get_json()["error"] == "redemption_expired"
    mine = points(person)
    assert mine["balance"] == 50
    assert [entry["kind"] for entry in mine["entries"]] == ["refund", "redeem", "earn"]
    assert _stock(client, offer["id"]) == 3
    status = client.get(f"/api/v1/me/redemptions/{body['id']}", headers=person.headers)
    assert status.get_json()["status"] == "expired"


def test_expiry_is_refunded_once_by_the_sync_command(
    client, runner, volunteer, add_hours, reward, redeem, entries
):
    person = volunteer()
    add_hours(person, 300)
    body = redeem(person, reward()["id"]).get_json()
    _expire(body["id"])

    result = runner.invoke(args=["points", "sync"])
    again = runner.invoke(args=["points", "sync"])

    assert "redemptions_refunded=1" in result.output
    assert "redemptions_refunded=0" in again.output
    assert [kind for kind, _, _ in entries(person)] == ["earn", "redeem", "refund"]


def test_items_held_by_expired_redemptions_go_back_before_the_next_redemption(
    client, volunteer, add_hours, reward, redeem, points
):
    first, second = volunteer(), volunteer()
    add_hours(first, 300)
    add_hours(second, 300)
    offer = reward(stock=1)
    held = redeem(first, offer["id"]).get_json()
    assert redeem(second, offer["id"]).status_code == 409
    _expire(held["id"])

    response = redeem(second, offer["id"])

    assert response.status_code == 201
    assert points(first)["balance"] == 50
    assert _stock(client, offer["id"]) == 0


def test_a_volunteer_gives_a_redemption_back(
    client, volunteer, add_hours, points, reward, redeem, merchant
):
    person = volunteer()
    add_hours(person, 300)
    offer = reward(stock=2)
    body = redeem(person, offer["id"]).get_json()

    cancelled = client.post(f"/api/v1/me/redemptions/{body['id']}/cancel", headers=person.headers)
    again = client.post(f"/api/v1/me/redemptions/{body['id']}/cancel", headers=person.headers)
    confirm = client.post(
        "/api/v1/redemptions/confirm", headers=merchant.admin.headers, json={"code": body["code"]}
    )

    assert cancelled.get_json()["status"] == "cancelled"
    assert again.status_code == confirm.status_code == 409
    assert points(person)["balance"] == 50
    assert _stock(client, offer["id"]) == 2


def test_the_merchant_sees_what_was_redeemed_not_by_whom(
    client, volunteer, add_hours, reward, redeem, merchant
):
    person = volunteer()
    add_hours(person, 300)
    code = redeem(person, reward()["id"]).get_json()["code"]

    listed = client.get(
        f"/api/v1/merchants/{merchant.id}/redemptions", headers=merchant.admin.headers
    )

    assert listed.status_code == 200
    item = listed.get_json()["data"][0]
    assert set(item) == {
        "id",
        "reward_id",
        "reward_name",
        "points",
        "status",
        "created_at",
        "expires_at",
        "confirmed_at",
    }
    assert code not in listed.get_data(as_text=True)
    assert (
        client.get(
            f"/api/v1/merchants/{merchant.id}/redemptions", headers=person.headers
        ).status_code
        == 403
    )


def test_restock_never_goes_below_zero(client, reward, merchant):
    offer = reward(stock=2)

    added = client.post(
        f"/api/v1/rewards/{offer['id']}/restock",
        headers=merchant.admin.headers,
        json={"quantity": 3},
    )
    too_many = client.post(
        f"/api/v1/rewards/{offer['id']}/restock",
        headers=merchant.admin.headers,
        json={"quantity": -6},
    )

    assert added.get_json()["stock"] == 5
    assert too_many.status_code == 409
    assert too_many.get_json()["error"] == "stock_below_zero"
    assert _stock(client, offer["id"]) == 5


def test_the_ledger_is_append_only(client, volunteer, add_hours, points):
    from api.points.models import PointsEntry

    person = volunteer()
    add_hours(person, 60)
    points(person)
    entry = db.session.scalar(select(PointsEntry))

    entry.points = 1000
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
