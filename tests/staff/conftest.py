"""Fixtures of the staff administration tests: the corpus units and a few people."""

import pytest
from argon2 import PasswordHasher

from api.accounts import services as account_services


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Argon2 with small costs (the production ones take ~0.5 s a hash)."""
    monkeypatch.setattr(
        account_services,
        "_password_hasher",
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )


@pytest.fixture
def people(corpus_units, create_user):
    """A county admin, the 城关 institute's admin, and staff of two institutes."""
    return {
        "county": create_user("county", roles=[("admin", "LY")], password="county-pass-1"),
        "cg_admin": create_user(
            "cgadmin", roles=[("unit_admin", "LY-CG")], password="cg-admin-pass"
        ),
        "cg_leader": create_user(
            "cgleader", roles=[("team_leader", "LY-CG-NJ")], password="old-password-1"
        ),
        "jl_leader": create_user(
            "jlleader", roles=[("team_leader", "LY-JL")], password="old-password-2"
        ),
        "resident": create_user(),
    }
