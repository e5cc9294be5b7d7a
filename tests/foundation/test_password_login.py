"""``POST /api/v1/auth/password`` for staff."""

import sqlalchemy as sa

from api.accounts.models import User
from api.extensions import db

PASSWORD = "correct horse battery"


def _login(client, username: str, password: str):
    return client.post("/api/v1/auth/password", json={"username": username, "password": password})


def test_password_login_gives_a_token_that_opens_me(client, corpus_units, create_user):
    create_user("julin", roles=[("unit_admin", "LY-JL")], password=PASSWORD)

    response = _login(client, "julin", PASSWORD)

    assert response.status_code == 200
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["username"] == "julin"
    assert me["roles"] == ["resident", "unit_admin"]
    assert me["grants"][0]["unit_id"] == corpus_units["LY-JL"].id


def test_login_answer_never_contains_the_password_or_its_hash(client, create_user):
    user = create_user("editor", password=PASSWORD)

    text = _login(client, "editor", PASSWORD).get_data(as_text=True)

    assert PASSWORD not in text
    assert user.password_hash not in text and "password" not in text


def test_password_is_stored_as_an_argon2_hash(create_user):
    user = create_user("hashed", password=PASSWORD)

    stored = db.session.scalar(sa.select(User.password_hash).where(User.id == user.id))

    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_unknown_user_and_wrong_password_get_byte_identical_answers(
    client, create_user, assert_envelope
):
    create_user("julin", password=PASSWORD)

    wrong_password = _login(client, "julin", "not the password")
    unknown_user = _login(client, "nobody", "not the password")

    assert_envelope(wrong_password, 401, "invalid_credentials")
    assert unknown_user.status_code == wrong_password.status_code
    assert unknown_user.data == wrong_password.data


def test_account_without_password_gets_the_same_answer(client, create_user):
    create_user("wechat-only")
    unknown_user = _login(client, "nobody", "whatever")

    response = _login(client, "wechat-only", "whatever")

    assert response.status_code == 401
    assert response.data == unknown_user.data


def test_deactivated_account_cannot_sign_in(client, create_user):
    user = create_user("retired", password=PASSWORD)
    user.is_active = False
    db.session.commit()
    unknown_user = _login(client, "nobody", PASSWORD)

    response = _login(client, "retired", PASSWORD)

    assert response.status_code == 401
    assert response.data == unknown_user.data
