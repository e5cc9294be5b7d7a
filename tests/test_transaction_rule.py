"""The transaction rule of `api/transactions.py`: only `atomic()` commits or rolls back.

An AST check over api/**.py: a call to `.commit()` or `.rollback()` anywhere but
`api/transactions.py` fails.
"""

import ast
from pathlib import Path

API = Path(__file__).resolve().parent.parent / "api"
HOME = API / "transactions.py"


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
    offenders = _offenders()
    assert offenders == {}, (
        "commit()/rollback() outside api/transactions.py: run the writes inside atomic() "
        f"(see its docstring): {offenders}"
    )


def test_the_check_sees_a_direct_commit(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(db):\n    db.session.add(1)\n    db.session.commit()\n", encoding="utf-8"
    )
    assert direct_session_ends(sample) == [3]
