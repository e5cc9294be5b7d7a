"""Under gunicorn's preload, ``wsgi.py`` warms search up once, in the master."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _import_wsgi(env_extra: dict, tmp_path) -> list[str]:
    code = (
        "import wsgi; from api.searching.index import search_index; "
        "app = wsgi.app; ctx = app.app_context(); ctx.push(); "
        "print(len(search_index()._columns))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "JOBS_WORKER": "external",
        "SEARCH_INDEX_DIR": str(tmp_path / "no-index"),
        "NO_MKDOCS_2_WARNING": "1",
        **env_extra,
    }
    if "SERVER_SOFTWARE" not in env_extra:
        env.pop("SERVER_SOFTWARE", None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.slow
def test_gunicorn_loading_wsgi_warms_search_up(tmp_path):
    from search import SearchIndex

    index = SearchIndex(tmp_path / "index")
    index.add_or_update(
        [
            {
                "id": "article:a",
                "type": "article",
                "title": "志愿服务在身边",
                "body": "志愿服务",
                "category": "news",
                "theme": "",
                "unit_path": "LY",
                "tags": [],
                "date": "2026-12-01T00:00:00+08:00",
                "url": "/a",
            }
        ]
    )
    index.close()

    warmed = _import_wsgi(
        {"SERVER_SOFTWARE": "gunicorn/23.0.0", "SEARCH_INDEX_DIR": str(tmp_path / "index")},
        tmp_path,
    )
    plain = _import_wsgi({"SEARCH_INDEX_DIR": str(tmp_path / "index")}, tmp_path)

    assert warmed[0] != "0"  # the index's per-segment columns were read
    assert plain == ["0"]  # flask --app wsgi <command>: no index read
