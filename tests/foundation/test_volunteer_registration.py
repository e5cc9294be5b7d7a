"""``PUT /api/v1/me/volunteer``: validated, encrypted at rest, always masked."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from api.accounts.identity import id_check_character
from api.accounts.models import VolunteerProfile
from api.accounts.services import register_volunteer
from api.audit.models import AuditEntry
from api.extensions import db
from api.personal_data import decrypt, encrypt, lookup_hash

PHONE = "13812345678"
REAL_NAME = "张小三"


@pytest.fixture
def resident(corpus_units, create_user, auth_headers):
    """A signed-in resident about to register: ``(user, headers)``."""
    user = create_user()
    return user, auth_headers(user)


@pytest.fixture
def register(client, corpus_units, id_number):
    """Factory: PUT a registration with valid defaults, changed by ``overrides``."""

    def put(headers: dict, **overrides):
        body = {
            "real_name": REAL_NAME,
            "phone": PHONE,
            "id_number": id_number(),
            "unit_id": corpus_units["LY-JL-YFC"].id,
            "skills": ["急救"],
        }
        body.update(overrides)
        return client.put("/api/v1/me/volunteer", json=body, headers=headers)

    return put


@pytest.fixture
def stored_text(app, database_url):
    """Everything the database holds, as text: the SQLite files' bytes, or on PostgreSQL
    every row of every table (each column cast to text) dumped with SQL."""

    def dump() -> str:
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            database = Path(sa.engine.make_url(database_url).database)
            files = [database, Path(f"{database}-wal"), Path(f"{database}-journal")]
            data = b"".join(path.read_bytes() for path in files if path.exists())
            return data.decode("utf-8", errors="replace")
        tables = db.session.scalars(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).all()
        rows = [
            row
            for table in tables
            for row in db.session.scalars(sa.text(f'SELECT CAST(t AS text) FROM "{table}" t'))
        ]
        return "\n".join(rows)

    return dump


def _profiles() -> list[VolunteerProfile]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(VolunteerProfile)))


def test_registration_answers_masked_phone_and_id_number(resident, register, id_number):
    _, headers = resident
    number = id_number()

    response = register(headers, id_number=number)

    assert response.status_code == 200
    answer = response.get_json()["volunteer"]
    assert answer["phone"] == "138****5678"
    assert answer["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert "volunteer" in response.get_json()["roles"]
    text = response.get_data(as_text=True)
    assert PHONE not in text and number not in text


def test_me_shows_the_registration_masked(client, resident, register, id_number):
    _, headers = resident
    register(headers)

    me = client.get("/api/v1/me", headers=headers)

    assert me.get_json()["volunteer"]["phone"] == "138****5678"
    assert id_number() not in me.get_data(as_text=True)


def test_raw_phone_and_id_number_are_not_in_the_database(
    resident, register, id_number, stored_text
):
    _, headers = resident
    assert register(headers).status_code == 200

    stored = stored_text()

    assert REAL_NAME in stored  # the dump does see what was registered
    assert PHONE not in stored
    assert id_number() not in stored
    assert id_number()[:17] not in stored


def test_stored_phone_and_id_number_decrypt_to_what_was_sent(resident, register, id_number):
    _, headers = resident
    register(headers)

    (profile,) = _profiles()

    assert decrypt(profile.phone_encrypted) == PHONE
    assert decrypt(profile.id_number_encrypted) == id_number()
    assert profile.phone_hash != PHONE and len(profile.id_number_hash) == 64


def test_phone_is_normalised_before_storing(resident, register):
    _, headers = resident

    response = register(headers, phone="+86 138-1234-5678")

    assert response.get_json()["volunteer"]["phone"] == "138****5678"
    assert decrypt(_profiles()[0].phone_encrypted) == PHONE


def test_lower_case_x_check_character_is_accepted(resident, register):
    _, headers = resident
    first17 = next(
        prefix
        for prefix in (f"41112219900101{n:03d}" for n in range(1000))
        if id_check_character(prefix) == "X"
    )

    response = register(headers, id_number=first17 + "x")

    assert response.status_code == 200
    assert response.get_json()["volunteer"]["id_number"].endswith("X")


def test_bad_check_digit_is_422_with_a_field_message(
    resident, register, id_number, assert_envelope
):
    _, headers = resident
    number = id_number()
    wrong = next(c for c in "0123456789X" if c != number[-1])

    response = register(headers, id_number=number[:17] + wrong)

    body = assert_envelope(response, 422, "validation_error")
    assert body["errors"] == {"id_number": ["身份证号码校验位不正确"]}
    assert _profiles() == []


def test_impossible_birth_date_in_the_id_number_is_422(
    resident, register, id_number, assert_envelope
):
    _, headers = resident

    response = register(headers, id_number=id_number(birth="19901345"))

    body = assert_envelope(response, 422, "validation_error")
    assert body["errors"] == {"id_number": ["身份证号码中的出生日期无效"]}


def test_bad_phone_is_422_with_a_field_message(resident, register, assert_envelope):
    _, headers = resident

    response = register(headers, phone="12345")

    body = assert_envelope(response, 422, "validation_error")
    assert body["errors"] == {"phone": ["手机号码格式不正确"]}


def test_a_taken_id_number_gets_the_same_answer_as_a_free_one(
    resident, register, create_user, auth_headers, id_number
):
    """No enumeration oracle: registering a number another account holds answers exactly as
    registering a free one, but the number is only kept as a claim for staff to settle."""
    owner, owner_headers = resident
    assert register(owner_headers).status_code == 200
    claimant, bystander = create_user(), create_user()

    taken = register(auth_headers(claimant), phone="13900001111", real_name="李四")
    free = register(
        auth_headers(bystander),
        phone="13900001111",
        real_name="李四",
        id_number=id_number(sequence="457"),
    )

    assert taken.status_code == free.status_code == 200
    taken_body, free_body = taken.get_json(), free.get_json()
    assert set(taken_body) == set(free_body)
    assert taken_body["roles"] == free_body["roles"]
    assert {**taken_body["volunteer"], "id_number": ""} == {
        **free_body["volunteer"],
        "id_number": "",
    }
    assert (
        taken.get_json()["volunteer"]["id_number"]
        == register(owner_headers).get_json()["volunteer"]["id_number"]
    )

    profiles = {profile.user_id: profile for profile in _profiles()}
    assert profiles[owner.id].id_number_hash is not None
    claim = profiles[claimant.id]
    assert (claim.id_number_hash, claim.id_number_encrypted) == (None, None)
    assert decrypt(claim.id_number_claim_encrypted) == decrypt(
        profiles[owner.id].id_number_encrypted
    )
    conflicts = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "volunteer.id_number_conflict")
    ).all()
    assert [(entry.actor_id, entry.details["holder_user_id"]) for entry in conflicts] == [
        (claimant.id, owner.id)
    ]


def test_a_registration_that_loses_the_race_for_an_id_number_becomes_a_claim(
    corpus_units, create_user, id_number
):
    """The other registration commits the same number after our check and before our write:
    the unique index refuses ours, its unit rolls back whole, and a new unit keeps the number
    as a claim."""
    owner, claimant = create_user(), create_user()
    owner_id, station_id, number = owner.id, corpus_units["LY-JL-YFC"].id, id_number()

    def owner_registers_first(session, flush_context, instances):
        with db.engine.begin() as connection:  # another request's committed registration
            connection.execute(
                sa.insert(VolunteerProfile).values(
                    user_id=owner_id,
                    real_name="王五",
                    phone_encrypted=encrypt(PHONE),
                    phone_hash=lookup_hash(PHONE),
                    id_number_encrypted=encrypt(number),
                    id_number_hash=lookup_hash(number),
                    unit_id=station_id,
                    skills=[],
                )
            )

    sa.event.listen(db.session(), "before_flush", owner_registers_first, once=True)
    profile = register_volunteer(
        claimant, real_name=REAL_NAME, phone="13900001111", unit_id=station_id, id_number=number
    )

    assert (profile.id_number_hash, profile.id_number_encrypted) == (None, None)
    assert decrypt(profile.id_number_claim_encrypted) == number
    assert {profile.user_id for profile in _profiles()} == {owner_id, claimant.id}
    conflicts = db.session.scalars(
        sa.select(AuditEntry.details).where(AuditEntry.action == "volunteer.id_number_conflict")
    ).all()
    assert conflicts == [{"holder_user_id": owner_id}]


def test_the_same_user_may_update_the_registration(resident, register):
    user, headers = resident
    register(headers)

    response = register(headers, real_name="张大三", phone="13900001111")

    assert response.status_code == 200
    assert response.get_json()["volunteer"]["phone"] == "139****1111"
    (profile,) = _profiles()
    assert (profile.user_id, profile.real_name) == (user.id, "张大三")


def test_unknown_unit_is_422_with_a_field_message(resident, register, assert_envelope):
    _, headers = resident

    response = register(headers, unit_id=987654)

    body = assert_envelope(response, 422, "unknown_unit")
    assert list(body["errors"]) == ["unit_id"]
    assert _profiles() == []


def test_birth_date_contradicting_the_id_number_is_422(
    resident, register, id_number, assert_envelope
):
    _, headers = resident

    response = register(headers, id_number=id_number(birth="19900101"), birth_date="1991-01-01")

    body = assert_envelope(response, 422, "validation_error")
    assert list(body["errors"]) == ["birth_date"]
    assert _profiles() == []


def test_birth_date_is_taken_from_the_id_number(resident, register, id_number):
    _, headers = resident

    response = register(headers, id_number=id_number(birth="20010203"))

    assert response.get_json()["volunteer"]["birth_date"] == "2001-02-03"


def test_id_number_is_optional(resident, register):
    _, headers = resident

    response = register(headers, id_number=None, birth_date="1985-06-07")

    assert response.status_code == 200
    assert response.get_json()["volunteer"]["id_number"] is None


def test_registration_needs_a_signed_in_user(client, corpus_units, register, assert_envelope):
    assert_envelope(register({}), 401, "unauthorized")
