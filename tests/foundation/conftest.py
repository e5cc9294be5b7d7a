"""Fixtures of the foundation's acceptance tests (on top of ``tests/conftest.py``)."""

import csv
import re
import shutil
import socket

import pytest
from argon2 import PasswordHasher

from api.accounts import services as account_services
from api.accounts.identity import id_check_character

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _has_chinese(text: str) -> bool:
    return bool(_CHINESE.search(text))


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Argon2 with small costs: the production parameters take ~0.5 s a hash on a CI
    machine; what is tested (argon2id, verification, same answers) does not depend on them."""
    monkeypatch.setattr(
        account_services,
        "_password_hasher",
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )


@pytest.fixture
def corpus_rows(corpus_dir):
    """Factory: the data rows of a corpus CSV file, read with the csv module."""

    def rows(name: str) -> list[dict]:
        with (corpus_dir / name).open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    return rows


@pytest.fixture
def corpus_copy(corpus_dir, tmp_path):
    """A writable copy of the corpus's units.csv and teams.csv.

    Its activities.csv keeps only the header and it has no articles: those are other
    importers' business, and importing them (with search indexing) costs seconds a test.
    """
    copy = tmp_path / "corpus"
    copy.mkdir()
    for name in ("units.csv", "teams.csv"):
        shutil.copyfile(corpus_dir / name, copy / name)
    with (corpus_dir / "activities.csv").open(encoding="utf-8") as handle:
        (copy / "activities.csv").write_text(handle.readline(), encoding="utf-8")
    return copy


@pytest.fixture
def assert_envelope():
    """Check that a response is the error envelope of DESIGN §5, with Chinese messages.

    Returns the parsed body so a test can look further.
    """

    def check(response, code: int, error: str | None = None) -> dict:
        assert response.status_code == code, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert set(body) == {"code", "status", "error", "message", "errors"}
        assert body["code"] == code
        assert body["status"] and isinstance(body["status"], str)
        assert re.fullmatch(r"[a-z][a-z0-9_]*", body["error"]), body["error"]
        if error is not None:
            assert body["error"] == error
        assert _has_chinese(body["message"]), body["message"]
        assert isinstance(body["errors"], dict)
        for field, messages in body["errors"].items():
            assert messages and all(_has_chinese(text) for text in messages), (field, messages)
        return body

    return check


@pytest.fixture
def id_number():
    """Factory: a valid 18-character ID number (check character computed, never hard-coded)."""

    def make(birth: str = "19900101", sequence: str = "123", region: str = "411122") -> str:
        first17 = region + birth + sequence
        return first17 + id_check_character(first17)

    return make


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
