"""The ``/admin/`` routes without a browser: the shell, its security policy, the static
files (console and shared ``/app/`` ones), the screens' config."""

import json
import re

from api.console.screens import SCREENS
from api.console.views import SCREEN_DIR


def _config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="app-config">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_the_console_shell_is_locked_down_and_revalidated(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "管理后台" in html


def test_every_declared_screen_has_a_page_and_unknown_ones_do_not(client):
    for screen in SCREENS:
        path = "/admin/" if screen.key == "home" else f"/admin/{screen.key}"
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/no-such-screen").status_code == 404


def test_static_files_of_the_console_and_of_app_are_served_immutable(client):
    html = client.get("/admin/activities").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/admin/static/[^"]+)"', html)
    assert any(url.endswith("/web/js/api.js") for url in urls)
    assert any(url.endswith("/css/console.css") for url in urls)
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert "immutable" in response.headers["Cache-Control"]
    with client.get("/admin/static/000000000000/js/shell.js") as old:
        assert old.status_code == 200 and old.headers["Cache-Control"] == "no-cache"
    assert client.get("/admin/static/000000000000/../views.py").status_code == 404
    assert client.get("/admin/static/000000000000/web/../../console/views.py").status_code == 404


def test_a_screen_has_a_module_exactly_when_its_file_exists(client):
    config = _config(client.get("/admin/").get_data(as_text=True))
    screens = {screen["key"]: screen for screen in config["screens"]}
    assert screens["home"]["module"].endswith("/js/screens/home.js")
    assert set(screens["dispatch"]["roles"]) == {"unit_admin", "admin"}
    for declared in SCREENS:
        module = screens[declared.key]["module"]
        assert (module is not None) == (SCREEN_DIR / f"{declared.module}.js").is_file()
        if module is not None:
            with client.get(module) as response:
                assert response.status_code == 200, declared.key
