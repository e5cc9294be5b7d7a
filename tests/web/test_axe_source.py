"""The one axe-core of the browser tests: missing, it skips a developer's run and fails CI's."""

from pathlib import Path

import pytest

from tests.web import axe


@pytest.fixture
def without_axe(monkeypatch, tmp_path):
    monkeypatch.setattr(axe, "AXE", tmp_path / "node_modules" / "axe-core" / "axe.min.js")


def test_missing_axe_fails_the_test_in_ci(without_axe, monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="npm ci --prefix tests/web"):
        axe.require_axe()


def test_missing_axe_skips_the_test_elsewhere(without_axe, monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="npm ci --prefix tests/web"):
        axe.require_axe()


def test_the_console_and_app_tests_share_the_npm_copy():
    tests_dir = Path(axe.__file__).resolve().parents[1]
    copies = [path for path in tests_dir.rglob("axe.min.js") if "node_modules" not in path.parts]

    assert copies == []
    assert axe.AXE.parts[-3:] == ("node_modules", "axe-core", "axe.min.js")
