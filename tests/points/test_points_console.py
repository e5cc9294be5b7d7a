"""What the merchant's console needs: the merchants I run, all their rewards, and a clear
answer to a second confirmation of one code."""

from datetime import UTC, datetime


def test_a_merchant_admin_finds_the_merchants_they_run(
    client, merchant, unit_admin, create_user, auth_headers
):
    stranger = create_user("someone-else")

    mine = client.get("/api/v1/me/merchants", headers=merchant.admin.headers).get_json()
    admins = client.get("/api/v1/me/merchants", headers=unit_admin.headers).get_json()
    theirs = client.get("/api/v1/me/merchants", headers=auth_headers(stranger)).get_json()

    assert [item["id"] for item in mine["data"]] == [merchant.id]
    assert [item["id"] for item in admins["data"]] == [merchant.id]
    assert theirs["data"] == []


def test_the_merchant_sees_withdrawn_and_empty_rewards_too(client, merchant, reward, volunteer):
    on_offer = reward(stock=0)
    withdrawn = reward(is_active=False)

    response = client.get(
        f"/api/v1/merchants/{merchant.id}/rewards", headers=merchant.admin.headers
    )
    refused = client.get(f"/api/v1/merchants/{merchant.id}/rewards", headers=volunteer().headers)

    assert [item["id"] for item in response.get_json()["data"]] == [withdrawn["id"], on_offer["id"]]
    assert client.get("/api/v1/rewards").get_json()["pagination"]["total"] == 1
    assert refused.status_code == 403


def test_a_second_confirmation_says_when_the_code_was_used(
    client, volunteer, add_hours, reward, redeem, merchant, frozen_clock
):
    frozen_clock(datetime(2026, 12, 3, 2, 30, tzinfo=UTC))
    person = volunteer()
    add_hours(person, 300)
    code = redeem(person, reward()["id"]).get_json()["code"]
    client.post("/api/v1/redemptions/confirm", headers=merchant.admin.headers, json={"code": code})

    again = client.post(
        "/api/v1/redemptions/confirm", headers=merchant.admin.headers, json={"code": code}
    )

    assert again.status_code == 409
    assert again.get_json()["error"] == "redemption_closed"
    assert again.get_json()["message"] == "该兑换码已于 2026-12-03 10:30 核销，不能重复兑换"
