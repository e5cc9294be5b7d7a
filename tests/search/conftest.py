"""Fixtures for the search adapter: documents built straight from the shared corpus."""

from __future__ import annotations

import csv
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from search import SearchIndex

REPO_ROOT = Path(__file__).resolve().parents[2]
CHINA = timezone(timedelta(hours=8))
#: Mid-season: activities before this are "past", after it "upcoming".
NOW = datetime(2027, 1, 15, 12, 0, tzinfo=CHINA)


def corpus_dir() -> Path:
    """The test corpus: $CORPUS_DIR, else corpus/ in the repository."""
    default = (REPO_ROOT / "corpus").resolve()
    return Path(os.environ.get("CORPUS_DIR", str(default)))


def unit_paths(directory: Path) -> dict[str, str]:
    """unit code -> "LY/LY-JL/LY-JL-YFC" from units.csv."""
    with (directory / "units.csv").open(encoding="utf-8", newline="") as f:
        parents = {row["code"]: row["parent_code"] for row in csv.DictReader(f)}

    def path(code: str) -> str:
        parent = parents.get(code)
        return f"{path(parent)}/{code}" if parent else code

    return {code: path(code) for code in parents}


def activity_documents(directory: Path) -> list[dict]:
    """Search documents for activities.csv (ids "activity:A0001" ...)."""
    paths = unit_paths(directory)
    with (directory / "activities.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        {
            "id": f"activity:{row['external_id']}",
            "type": "activity",
            "title": row["title"],
            "body": row["description"],
            "category": row["category"],
            "theme": row["theme"],
            "unit_path": paths[row["unit_code"]],
            "tags": [],
            "date": datetime.fromisoformat(row["starts_at"]),
            "url": f"/activities/{row['external_id']}",
            "external_id": row["external_id"],
            "db_id": index + 1,
        }
        for index, row in enumerate(rows)
    ]


def article_documents(directory: Path) -> list[dict]:
    """Search documents for articles/*.md (ids "article:<file name>")."""
    docs = []
    for path in sorted((directory / "articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front_matter, body = text.split("---\n", 2)
        meta = yaml.safe_load(front_matter)
        assert isinstance(meta["date"], date)
        docs.append(
            {
                "id": f"article:{path.stem}",
                "type": "article",
                "title": meta["title"],
                "body": body,
                "category": meta["category"],
                "tags": meta.get("tags") or [],
                "date": datetime.combine(meta["date"], datetime.min.time(), CHINA),
                "url": f"/articles/{path.stem}/",
            }
        )
    return docs


def corpus_documents(directory: Path | None = None) -> list[dict]:
    """Every activity and article of the corpus as a search document."""
    directory = directory or corpus_dir()
    return activity_documents(directory) + article_documents(directory)


@pytest.fixture(scope="session")
def corpus_docs() -> list[dict]:
    return corpus_documents()


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, corpus_docs) -> SearchIndex:
    """A read-only index of the whole corpus (do not write to it in tests)."""
    index = SearchIndex(tmp_path_factory.mktemp("corpus-index"))
    index.rebuild(corpus_docs)
    yield index
    index.close()


@pytest.fixture
def index(tmp_path) -> SearchIndex:
    """An empty index of its own for tests that write."""
    index = SearchIndex(tmp_path / "index")
    yield index
    index.close()


@pytest.fixture
def make_doc():
    """Factory for a valid activity document; keyword arguments override fields."""

    def make(number: int = 1, **overrides) -> dict:
        doc = {
            "id": f"activity:T{number:04d}",
            "type": "activity",
            "title": f"测试活动{number}",
            "body": "志愿者为群众测量血压。",
            "category": "医疗健身",
            "theme": "health",
            "unit_path": "LY/LY-JL/LY-JL-YFC",
            "tags": [],
            "date": NOW + timedelta(days=1),
            "url": f"/activities/{number}",
            "external_id": None,
            "db_id": number,
        }
        doc.update(overrides)
        return doc

    return make
