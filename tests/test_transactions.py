"""``atomic()`` of api/transactions.py on the real test database: the outermost unit commits
or rolls back, an inner one joins it.

What is committed is read on a connection of its own (not the session's), as another request
or worker would see it.
"""

import pytest
from sqlalchemy import select

from api.extensions import db
from api.transactions import atomic
from api.units.models import Unit


class Refused(Exception):
    pass


def _add_unit(code: str) -> None:
    db.session.add(Unit(code=code, name=code, level="center", path=code))
    db.session.flush()


def _committed_codes() -> set[str]:
    """The unit codes another connection sees (only committed rows)."""
    with db.engine.connect() as connection:
        return set(connection.scalars(select(Unit.code)))


def test_a_unit_commits_when_it_ends_normally(app):
    with atomic():
        _add_unit("T-1")

    assert _committed_codes() == {"T-1"}


def test_an_exception_rolls_back_every_write_of_the_unit_and_goes_on(app):
    with pytest.raises(Refused), atomic():
        _add_unit("T-1")
        _add_unit("T-2")
        raise Refused()

    assert _committed_codes() == set()
    assert db.session.scalars(select(Unit.code)).all() == []


def test_an_inner_unit_does_not_commit_before_the_outer_one_ends(app):
    with atomic():
        with atomic():
            _add_unit("T-inner")
        seen_inside = _committed_codes()
        _add_unit("T-outer")

    assert seen_inside == set()
    assert _committed_codes() == {"T-inner", "T-outer"}


def test_a_failing_outer_unit_rolls_back_the_writes_of_an_inner_unit_that_ended(app):
    with pytest.raises(Refused), atomic():
        with atomic():
            _add_unit("T-inner")
        raise Refused()

    assert _committed_codes() == set()


def test_an_exception_of_an_inner_unit_rolls_back_the_outer_one(app):
    with pytest.raises(Refused), atomic():
        _add_unit("T-outer")
        with atomic():
            _add_unit("T-inner")
            raise Refused()

    assert _committed_codes() == set()


def test_the_decorator_form_is_a_unit_too(app):
    @atomic()
    def create(code: str, fail: bool = False) -> None:
        _add_unit(code)
        if fail:
            raise Refused()

    create("T-1")
    with pytest.raises(Refused):
        create("T-2", fail=True)

    assert _committed_codes() == {"T-1"}


def test_a_decorated_service_called_inside_a_unit_joins_it(app):
    @atomic()
    def create(code: str) -> None:
        _add_unit(code)

    with pytest.raises(Refused), atomic():
        create("T-1")
        assert _committed_codes() == set()
        raise Refused()

    assert _committed_codes() == set()


def test_after_a_failure_the_next_unit_is_outermost_again(app):
    with pytest.raises(Refused), atomic():
        with atomic():
            _add_unit("T-failed")
            raise Refused()

    with atomic():
        _add_unit("T-next")

    assert _committed_codes() == {"T-next"}  # committed at once: the depth went back to 0


def test_a_database_error_rolls_back_the_unit_and_leaves_the_session_usable(app):
    with atomic():
        _add_unit("T-1")

    with pytest.raises(Exception, match="(?i)unique"), atomic():
        _add_unit("T-2")
        _add_unit("T-1")  # the unique code: the flush fails

    with atomic():
        _add_unit("T-3")

    assert _committed_codes() == {"T-1", "T-3"}
