"""Our own bearer tokens: signed, expiring, revocable."""

import time

from itsdangerous import URLSafeTimedSerializer

from api.accounts.models import RoleGrant, VolunteerProfile
from api.extensions import db
from api.personal_data import encrypt, lookup_hash


def _me(client, token: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def _wechat_token(client, code: str = "token-owner") -> str:
    return client.post("/api/v1/auth/wechat", json={"code": code}).get_json()["token"]


def test_login_token_opens_me(client):
    body = client.post("/api/v1/auth/wechat", json={"code": "token-owner"}).get_json()

    response = _me(client, body["token"])

    assert response.status_code == 200
    assert response.get_json()["id"] == body["user"]["id"]


def test_expired_token_is_401_token_expired(make_app, assert_envelope):
    app = make_app(TOKEN_TTL_SECONDS=1)
    client = app.test_client()
    token = _wechat_token(client)
    with app.app_context():  # one app context per request, as in production
        assert _me(client, token).status_code == 200
    _, issued = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="auth-token").loads(
        token, return_timestamp=True
    )
    # itsdangerous counts whole seconds: expired once the age exceeds 1 s, i.e. reaches 2.
    time.sleep(max(0.0, issued.timestamp() + 2.02 - time.time()))

    with app.app_context():
        response = _me(client, token)

    assert_envelope(response, 401, "token_expired")


def test_tampered_token_is_401_invalid_token(client, assert_envelope):
    token = _wechat_token(client)
    payload, timestamp, signature = token.rsplit(".", 2)
    forged_signature = ("A" if signature[0] != "A" else "B") + signature[1:]

    response = _me(client, f"{payload}.{timestamp}.{forged_signature}")

    assert_envelope(response, 401, "invalid_token")


def test_token_with_changed_claims_is_401(client, create_user, assert_envelope):
    victim = create_user("victim")
    token = _wechat_token(client)
    payload, timestamp, signature = token.rsplit(".", 2)
    other = URLSafeTimedSerializer("whatever", salt="auth-token").dumps(
        {"uid": victim.id, "ver": victim.token_version}
    )

    response = _me(client, f"{other.split('.')[0]}.{timestamp}.{signature}")

    assert_envelope(response, 401, "invalid_token")


def test_token_signed_with_another_secret_is_401(client, create_user, assert_envelope):
    user = create_user()
    forged = URLSafeTimedSerializer("not-our-secret", salt="auth-token").dumps(
        {"uid": user.id, "ver": user.token_version}
    )

    assert_envelope(_me(client, forged), 401, "invalid_token")


def test_garbage_token_is_401(client, assert_envelope):
    assert_envelope(_me(client, "not-a-token"), 401, "invalid_token")


def test_token_is_revoked_by_bumping_the_token_version(
    client, create_user, auth_headers, assert_envelope
):
    user = create_user()
    headers = auth_headers(user)
    user.token_version += 1
    db.session.commit()

    assert_envelope(client.get("/api/v1/me", headers=headers), 401, "invalid_token")


def test_token_of_a_deactivated_user_is_401(client, create_user, auth_headers, assert_envelope):
    user = create_user()
    headers = auth_headers(user)
    user.is_active = False
    db.session.commit()

    assert_envelope(client.get("/api/v1/me", headers=headers), 401, "invalid_token")


def test_non_bearer_authorization_counts_as_signed_out(client, assert_envelope):
    response = client.get("/api/v1/me", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})

    assert_envelope(response, 401, "unauthorized")


def test_a_residents_token_loads_the_user_with_the_profile_and_no_roles(
    client, create_user, auth_headers, corpus_units
):
    user = create_user()
    headers = auth_headers(user)
    db.session.add(
        VolunteerProfile(
            user=user,
            real_name="王小明",
            phone_encrypted=encrypt("13900001111"),
            phone_hash=lookup_hash("13900001111"),
            unit=corpus_units["LY"],
        )
    )
    db.session.commit()

    answer = client.get("/api/v1/me", headers=headers).get_json()

    assert answer["roles"] == ["resident", "volunteer"]


def test_a_role_given_without_a_version_bump_is_still_seen(
    client, create_user, auth_headers, corpus_units
):
    # The token of a resident says "no role"; the read finds the grant and loads it anyway.
    user = create_user()
    headers = auth_headers(user)
    db.session.add(RoleGrant(user_id=user.id, role="editor", unit_id=corpus_units["LY"].id))
    db.session.commit()

    answer = client.get("/api/v1/me", headers=headers).get_json()

    assert answer["roles"] == ["editor", "resident"]
