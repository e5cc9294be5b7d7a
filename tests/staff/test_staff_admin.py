"""Users and roles of an administrator's subtree: listing (masked), grants, revocations,
password resets that sign the person out, staff accounts."""

from sqlalchemy import select

from api.accounts.services import register_volunteer
from api.audit.models import AuditEntry
from api.extensions import db


def _usernames(response) -> set:
    return {user["username"] for user in response.get_json()["data"]}


def _login(client, username, password):
    return client.post("/api/v1/auth/password", json={"username": username, "password": password})


def test_an_institute_admin_lists_only_the_people_of_its_subtree(
    client, people, corpus_units, auth_headers
):
    register_volunteer(
        people["resident"],
        real_name="王小明",
        phone="13912345678",
        unit_id=corpus_units["LY-CG-YC"].id,
    )

    response = client.get("/api/v1/users?per_page=100", headers=auth_headers(people["cg_admin"]))

    assert response.status_code == 200
    body = response.get_json()
    assert {user["id"] for user in body["data"]} == {
        people["cg_admin"].id,
        people["cg_leader"].id,
        people["resident"].id,
    }
    volunteer = next(user for user in body["data"] if user["id"] == people["resident"].id)
    assert volunteer["real_name"] == "王*明"
    assert volunteer["phone"] == "139****5678"
    assert "openid" not in volunteer and "13912345678" not in response.get_data(as_text=True)


def test_search_by_name_or_whole_phone(client, people, corpus_units, auth_headers):
    register_volunteer(
        people["resident"],
        real_name="王小明",
        phone="13912345678",
        unit_id=corpus_units["LY-CG-YC"].id,
    )
    headers = auth_headers(people["county"])

    assert [
        user["id"]
        for user in client.get("/api/v1/users?q=13912345678", headers=headers).get_json()["data"]
    ] == [people["resident"].id]
    assert _usernames(client.get("/api/v1/users?q=leader", headers=headers)) == {
        "cgleader",
        "jlleader",
    }
    assert _usernames(client.get("/api/v1/users?role=admin", headers=headers)) == {"county"}


def test_people_lists_are_for_administrators(client, people, auth_headers):
    response = client.get("/api/v1/users", headers=auth_headers(people["cg_leader"]))

    assert response.status_code == 403


def test_a_granted_station_admin_manages_that_station_only(
    client, people, corpus_units, auth_headers
):
    station, elsewhere = corpus_units["LY-CG-NJ"], corpus_units["LY-CG-BXZ"]
    response = client.post(
        f"/api/v1/users/{people['resident'].id}/roles",
        json={"role": "unit_admin", "unit_id": station.id, "reason": "新站长"},
        headers=auth_headers(people["cg_admin"]),
    )

    assert response.status_code == 201
    assert response.get_json()["unit_code"] == "LY-CG-NJ"
    grantee = auth_headers(people["resident"])
    assert (
        client.patch(
            f"/api/v1/units/{station.id}", json={"phone": "0395-1234567"}, headers=grantee
        ).status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/v1/units/{elsewhere.id}", json={"phone": "0395-1234567"}, headers=grantee
        ).status_code
        == 403
    )
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "role.grant", AuditEntry.actor_id == people["cg_admin"].id
        )
    )
    assert entry.reason == "新站长" and entry.details == {"role": "unit_admin", "unit": "LY-CG-NJ"}


def test_grants_stay_inside_the_scope_and_rank(client, people, corpus_units, auth_headers):
    headers = auth_headers(people["cg_admin"])
    target = people["resident"].id

    outside = client.post(
        f"/api/v1/users/{target}/roles",
        headers=headers,
        json={"role": "team_leader", "unit_id": corpus_units["LY-JL"].id},
    )
    above = client.post(
        f"/api/v1/users/{target}/roles",
        headers=headers,
        json={"role": "admin", "unit_id": corpus_units["LY-CG-NJ"].id},
    )
    editor = client.post(
        f"/api/v1/users/{target}/roles",
        headers=headers,
        json={"role": "editor", "unit_id": corpus_units["LY-CG"].id},
    )
    myself = client.post(
        f"/api/v1/users/{people['cg_admin'].id}/roles",
        headers=headers,
        json={"role": "team_leader", "unit_id": corpus_units["LY-CG"].id},
    )
    unknown_role = client.post(
        f"/api/v1/users/{target}/roles",
        headers=headers,
        json={"role": "volunteer", "unit_id": corpus_units["LY-CG"].id},
    )

    assert (outside.status_code, outside.get_json()["error"]) == (403, "outside_scope")
    assert (above.status_code, above.get_json()["error"]) == (403, "role_escalation")
    assert editor.get_json()["error"] == "role_escalation"
    assert (myself.status_code, myself.get_json()["error"]) == (403, "self_administration")
    assert unknown_role.status_code == 422 and "role" in unknown_role.get_json()["errors"]
    assert people["resident"].grants == []


def test_revoking_a_role_takes_the_power_away(client, people, corpus_units, auth_headers):
    station = corpus_units["LY-CG-NJ"]
    grant_id = people["cg_leader"].grants[0].id
    leader = auth_headers(people["cg_leader"])
    assert (
        client.get(f"/api/v1/hours/records?unit_id={station.id}", headers=leader).status_code == 200
    )

    response = client.delete(
        f"/api/v1/role-grants/{grant_id}?reason=调离", headers=auth_headers(people["cg_admin"])
    )

    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=leader).status_code == 401  # signed out
    again = auth_headers(people["cg_leader"])
    assert (
        client.get(f"/api/v1/hours/records?unit_id={station.id}", headers=again).status_code == 403
    )
    assert (
        db.session.scalar(select(AuditEntry.reason).where(AuditEntry.action == "role.revoke"))
        == "调离"
    )


def test_an_institute_admin_cannot_revoke_the_county_admin(client, people, auth_headers):
    grant_id = people["county"].grants[0].id

    response = client.delete(
        f"/api/v1/role-grants/{grant_id}", headers=auth_headers(people["cg_admin"])
    )

    assert response.status_code == 403
    assert len(people["county"].grants) == 1


def test_a_password_reset_signs_the_person_out(client, people, auth_headers):
    old_token = _login(client, "cgleader", "old-password-1").get_json()["token"]
    old_headers = {"Authorization": f"Bearer {old_token}"}
    assert client.get("/api/v1/me", headers=old_headers).status_code == 200

    response = client.post(
        f"/api/v1/users/{people['cg_leader'].id}/password",
        json={},
        headers=auth_headers(people["cg_admin"]),
    )

    assert response.status_code == 200
    password = response.get_json()["password"]
    assert len(password) >= 12 and response.get_json()["signed_out"] is True
    assert client.get("/api/v1/me", headers=old_headers).status_code == 401
    assert _login(client, "cgleader", "old-password-1").status_code == 401
    assert _login(client, "cgleader", password).status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_reset"))
    assert password not in str(entry.details) + entry.reason


def test_an_admin_may_set_the_new_password_instead(client, people, auth_headers):
    response = client.post(
        f"/api/v1/users/{people['cg_leader'].id}/password",
        json={"password": "chosen-by-admin"},
        headers=auth_headers(people["cg_admin"]),
    )

    assert response.status_code == 200 and response.get_json()["password"] is None
    assert _login(client, "cgleader", "chosen-by-admin").status_code == 200


def test_password_resets_stay_inside_the_scope(client, people, auth_headers):
    headers = auth_headers(people["cg_admin"])

    elsewhere = client.post(
        f"/api/v1/users/{people['jl_leader'].id}/password", json={}, headers=headers
    )
    above = client.post(f"/api/v1/users/{people['county'].id}/password", json={}, headers=headers)
    myself = client.post(
        f"/api/v1/users/{people['cg_admin'].id}/password", json={}, headers=headers
    )

    assert [elsewhere.status_code, above.status_code, myself.status_code] == [403, 403, 403]
    assert _login(client, "jlleader", "old-password-2").status_code == 200


def test_an_admin_opens_a_staff_account(client, people, corpus_units, auth_headers):
    headers = auth_headers(people["cg_admin"])
    body = {
        "username": "nanjie-leader",
        "nickname": "南街队长",
        "role": "team_leader",
        "unit_id": corpus_units["LY-CG-NJ"].id,
    }

    created = client.post("/api/v1/users", json=body, headers=headers)
    again = client.post("/api/v1/users", json=body, headers=headers)

    assert created.status_code == 201
    user = created.get_json()["user"]
    assert [(grant["role"], grant["unit_code"]) for grant in user["grants"]] == [
        ("team_leader", "LY-CG-NJ")
    ]
    login = _login(client, "nanjie-leader", created.get_json()["password"])
    assert login.status_code == 200
    assert (again.status_code, again.get_json()["error"]) == (409, "username_taken")


def test_a_county_admin_finds_newcomers_without_any_unit(client, people, auth_headers):
    newcomer = people["resident"]

    county = client.get("/api/v1/users?per_page=100", headers=auth_headers(people["county"]))
    institute = client.get("/api/v1/users?per_page=100", headers=auth_headers(people["cg_admin"]))

    assert newcomer.id in [user["id"] for user in county.get_json()["data"]]
    assert newcomer.id not in [user["id"] for user in institute.get_json()["data"]]
