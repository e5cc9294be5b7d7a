"""No upward imports: the layers of the project, checked on the source (AST, imports inside
functions included, as in tests/test_import_cycles.py).

From the bottom up:

- ``search`` (the Whoosh adapter) and ``publishing`` (the articles as files, the site build)
  import nothing from ``api``, and ``publishing`` nothing of Flask or SQLAlchemy: the MkDocs
  hook and the site build's child process import them without the app.
- ``api/wechat`` is the WeChat client (and its stub, token store and image cache): it imports
  no other package of ``api`` (the domains call it, never the reverse), only the foundation
  modules at the top of ``api``.
- Views and CLI commands are the top of each package: no other package imports them (the
  factory ``api/__init__.py`` registers them).
"""

from pathlib import Path

import pytest

from tests.source_imports import ROOT, imported_modules, module_name

API = ROOT / "api"

#: Subpackages of api (the domains, and the adapters such as wechat and searching).
API_PACKAGES = sorted(path.parent.name for path in API.glob("*/__init__.py"))

#: Edges left as they are (each a constant or function that could move down a layer): the staff
#: console reads the web pages' CSP and static folder, seed runs the corpus import.
VIEW_IMPORTS_ALLOWED = {("api.console.views", "api.web.views")}
CLI_IMPORTS_ALLOWED = {("api.seed", "api.corpus.cli")}


def _in(name: str, top: str) -> bool:
    return name == top or name.startswith(top + ".")


def _violations(folder: Path, forbidden) -> dict[str, list[str]]:
    found = {}
    for path in sorted(folder.rglob("*.py")):
        bad = sorted(name for name in imported_modules(path) if forbidden(name))
        if bad:
            found[path.relative_to(ROOT).as_posix()] = bad
    return found


@pytest.mark.parametrize("package", ["search", "publishing"])
def test_the_flask_free_packages_import_nothing_from_api(package):
    assert _violations(ROOT / package, lambda name: _in(name, "api")) == {}


def test_publishing_needs_neither_flask_nor_sqlalchemy():
    frameworks = ("flask", "flask_smorest", "sqlalchemy", "werkzeug")
    assert (
        _violations(ROOT / "publishing", lambda name: any(_in(name, top) for top in frameworks))
        == {}
    )


def test_the_wechat_client_imports_no_other_package_of_api():
    others = [f"api.{name}" for name in API_PACKAGES if name != "wechat"]
    assert _violations(API / "wechat", lambda name: any(_in(name, other) for other in others)) == {}


@pytest.mark.parametrize(
    "layer, allowed", [("views", VIEW_IMPORTS_ALLOWED), ("cli", CLI_IMPORTS_ALLOWED)]
)
def test_no_package_imports_the_views_or_commands_of_another(layer, allowed):
    found = set()
    for path in sorted(API.rglob("*.py")):
        module = module_name(path)
        if module == "api":
            continue  # the factory registers every blueprint and command
        own = ".".join(module.split(".")[:2])
        for name in imported_modules(path):
            if name.startswith("api.") and name.endswith(f".{layer}") and not _in(name, own):
                found.add((module, name))
    assert found - allowed == set()


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from api.accounts import services\n", encoding="utf-8")
    assert "api.accounts.services" in imported_modules(sample)
