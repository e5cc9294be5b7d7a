"""The transaction rule of `api/transactions.py`: only `atomic()` commits or rolls back.

An AST check over api/**.py: a call to `.commit()` or `.rollback()` anywhere but
`api/transactions.py` fails, unless its module is still in `NOT_YET_CONVERTED` (a list that only
shrinks; a module leaves it when its writes run inside `atomic()`).
"""

import ast
from pathlib import Path

API = Path(__file__).resolve().parent.parent / "api"
HOME = API / "transactions.py"

# Modules that still end their units by hand. Remove a line when its module follows the rule.
NOT_YET_CONVERTED = {
    "api/accounts/services.py",
    "api/accounts/views.py",
    "api/activities/series.py",
    "api/activities/services.py",
    "api/articles/scheduling.py",
    "api/articles/services.py",
    "api/auth/tokens.py",
    "api/checkin/services.py",
    "api/corpus/activities.py",
    "api/corpus/organisation.py",
    "api/demo.py",
    "api/families/services.py",
    "api/feeds/services.py",
    "api/health.py",
    "api/hours/certificates.py",
    "api/hours/lookup.py",
    "api/hours/reports.py",
    "api/jobs/services.py",
    "api/notifications/outbox.py",
    "api/notifications/services.py",
    "api/seed.py",
    "api/seed_scale.py",
    "api/signups/no_shows.py",
    "api/signups/services.py",
    "api/staff/services.py",
    "api/units/services.py",
    "api/wechat/services.py",
}


def direct_session_ends(path: Path) -> list[int]:
    """Line numbers of `x.commit()` / `x.rollback()` calls in the file at `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"commit", "rollback"}
    ]


def _offenders() -> dict[str, list[int]]:
    found = {}
    for path in sorted(API.rglob("*.py")):
        if path == HOME:
            continue
        lines = direct_session_ends(path)
        if lines:
            found[path.relative_to(API.parent).as_posix()] = lines
    return found


def test_only_atomic_commits_or_rolls_back():
    offenders = {
        path: lines for path, lines in _offenders().items() if path not in NOT_YET_CONVERTED
    }
    assert offenders == {}, (
        "commit()/rollback() outside api/transactions.py: run the writes inside atomic() "
        f"(see its docstring): {offenders}"
    )


def test_the_list_of_unconverted_modules_only_names_offenders():
    """A module that follows the rule leaves NOT_YET_CONVERTED, so the list cannot go stale."""
    stale = NOT_YET_CONVERTED - set(_offenders())
    assert stale == set(), f"these follow the rule now: remove them from NOT_YET_CONVERTED: {stale}"


def test_the_check_sees_a_direct_commit(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(db):\n    db.session.add(1)\n    db.session.commit()\n", encoding="utf-8"
    )
    assert direct_session_ends(sample) == [3]
