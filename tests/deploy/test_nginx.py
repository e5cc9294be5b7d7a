"""deploy/nginx.conf in front of a real gunicorn: Debian's nginx, run unprivileged with a
temporary prefix and test ports, proxies the app and serves the static files itself."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import swagger_ui_bundle

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
SERVER_NAME = "civ.example.test"
SITE_URL = f"https://{SERVER_NAME}/"
LOGIN = "/api/v1/auth/password"
REDIS = "redis://127.0.0.1:6379/0"

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian package nginx; .ci/run installs it)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port} within {seconds} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _built_site(root: Path) -> Path:
    """A small built site (the layout MkDocs writes), behind the symlink SITE_DIR is."""
    build = root / "site-build"
    (build / "assets").mkdir(parents=True)
    (build / "news").mkdir()
    script = "var __md_scope=new URL('.',location)"
    (build / "index.html").write_text(
        f"<!doctype html><title>首页</title><script>{script}</script><p>首页内容</p>",
        encoding="utf-8",
    )
    (build / "news" / "index.html").write_text("<!doctype html><p>新闻</p>", encoding="utf-8")
    (build / "assets" / "site.css").write_text("body{color:#222}", encoding="utf-8")
    from publishing.csp import write_hashes

    write_hashes(build)
    (root / "site").symlink_to(build)
    return root / "site"


def _render_nginx(prefix: Path, port: int, upstream_port: int, site_dir: Path) -> Path:
    values = {
        "LISTEN": f"127.0.0.1:{port}",
        "SERVER_NAME": SERVER_NAME,
        "UPSTREAM": f"127.0.0.1:{upstream_port}",
        "SITE_DIR": str(site_dir),
        "WEB_STATIC_DIR": str(PROJECT_ROOT / "api" / "web" / "static"),
        "CONSOLE_STATIC_DIR": str(PROJECT_ROOT / "api" / "console" / "static" / "console"),
        "SWAGGER_DIR": str(swagger_ui_bundle.swagger_ui_path),
        "MIME_TYPES": "/etc/nginx/mime.types",
        "PREFIX": str(prefix),
    }
    text = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    text = text.replace("worker_processes auto;", "worker_processes 1;")
    if os.geteuid() == 0:  # nginx's workers would drop to nobody, who cannot read tmp_path
        text = "user root;\n" + text
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    leftover = [line for line in text.splitlines() if "{{" in line and not line.startswith("#")]
    assert not leftover, leftover
    conf = prefix / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


@pytest.fixture(scope="module")
def proxied(_migrated_database, wechat_stub, tmp_path_factory):
    """gunicorn (TRUSTED_PROXIES=1, two workers, limits in Redis) behind nginx; yields
    nginx's port.

    Started once for the module (the app's start-up is most of the time); nothing here
    writes to the database (failed sign-ins only)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip(
                "Redis is not running at 127.0.0.1:6379 (the two workers share limits "
                "there; .ci/run starts it)"
            )
    tmp_path = tmp_path_factory.mktemp("proxied")
    site_dir = _built_site(tmp_path)
    gunicorn_port, nginx_port = _free_port(), _free_port()
    env = dict(
        os.environ,
        APP_ENV="development",
        DATABASE_URL=_migrated_database,
        SECRET_KEY="test-secret",
        DATA_KEY="test-data-key-0123456789abcdef-0123456789",
        WECHAT_API_BASE=wechat_stub.base_url,
        SITE_DIR=str(site_dir),
        CONTENT_DIR=str(tmp_path / "content"),
        SEARCH_INDEX_DIR=str(tmp_path / "index"),
        TASK_QUEUE="memory",
        SITE_URL=SITE_URL,
        TRUSTED_PROXIES="1",
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI=REDIS,
        RATELIMIT_KEY_NAMESPACE=f"nginx-test-{uuid.uuid4().hex[:8]}",
        LOGIN_RATE_LIMIT="2 per minute",
        WEB_CONCURRENCY="2",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        GUNICORN_BIND=f"127.0.0.1:{gunicorn_port}",
    )
    env.pop("REDIS_URL", None)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = _render_nginx(prefix, nginx_port, gunicorn_port, site_dir)
    with open(tmp_path / "gunicorn.log", "wb") as gunicorn_log:
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=gunicorn_log,
            stderr=subprocess.STDOUT,
        )
    nginx = subprocess.Popen(
        [
            NGINX,
            "-p",
            str(prefix),
            "-c",
            str(conf),
            "-e",
            str(prefix / "error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(nginx_port, nginx, "nginx")
        _wait_for_port(gunicorn_port, gunicorn, "gunicorn", seconds=60)
        yield nginx_port
    finally:
        _stop(nginx)
        _stop(gunicorn)


def _request(port: int, method: str, path: str, source: str = "127.0.0.1", body=None, headers=None):
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=20, source_address=(source, 0)
    )
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(
            method,
            path,
            body=payload,
            headers={
                "Host": SERVER_NAME,
                **({"Content-Type": "application/json"} if payload else {}),
                **(headers or {}),
            },
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_site_api_and_app_answer_through_nginx(proxied):
    status, headers, body = _request(proxied, "GET", "/")
    assert status == 200 and "首页内容" in body.decode()
    hashes = json.loads(_request(proxied, "GET", "/csp-script-hashes.json")[2])
    assert hashes and all(digest in headers["Content-Security-Policy"] for digest in hashes)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"

    status, headers, body = _request(proxied, "GET", "/assets/site.css")
    assert (status, body) == (200, b"body{color:#222}")
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', headers["ETag"])  # nginx's own, from disk
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"

    assert _request(proxied, "GET", "/news/")[0] == 200
    assert _request(proxied, "GET", "/api/v1/openapi.json")[0] == 200
    assert _request(proxied, "GET", "/healthz")[0] == 200

    status, _, page = _request(proxied, "GET", "/app/")
    assert status == 200
    static = re.search(r'(/app/static/[^"\']+\.(?:js|css))', page.decode()).group(1)
    status, headers, _ = _request(proxied, "GET", static)
    assert status == 200 and re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', headers["ETag"])


def test_metrics_are_for_localhost_only(proxied):
    assert _request(proxied, "GET", "/metrics", source="127.0.0.2")[0] == 403
    assert _request(proxied, "GET", "/metrics")[0] == 200


def test_metrics_add_up_the_requests_of_every_worker(proxied):
    for unit_id in range(1, 9):
        _request(proxied, "GET", f"/api/v1/units/{unit_id}")

    scrapes = {_request(proxied, "GET", "/metrics")[2].decode() for _ in range(4)}

    for text in scrapes:  # whichever worker answers, it counts all eight
        counted = re.search(
            r'^civ_request_duration_seconds_count\{endpoint="/api/v1/units/'
            r'<int:unit_id>",method="GET",status="404"\} (\S+)$',
            text,
            re.M,
        )
        assert counted and float(counted.group(1)) == 8


def test_rate_limits_count_per_client_address(proxied):
    wrong = {"username": "nobody", "password": "wrong"}

    first = [_request(proxied, "POST", LOGIN, body=wrong)[0] for _ in range(3)]
    # A client cannot pass itself off as another: nginx appends the address it saw.
    forged = _request(proxied, "POST", LOGIN, body=wrong, headers={"X-Forwarded-For": "127.0.0.9"})[
        0
    ]
    other = [_request(proxied, "POST", LOGIN, source="127.0.0.2", body=wrong)[0] for _ in range(2)]

    assert first == [401, 401, 429]
    assert forged == 429
    assert other == [401, 401]


def test_a_spoofed_host_changes_nothing(proxied):
    status, headers, _ = _request(
        proxied, "GET", "/app/auth/wechat", headers={"Host": "evil.example"}
    )

    assert status == 302
    redirect_uri = parse_qs(urlsplit(headers["Location"]).query)["redirect_uri"][0]
    assert redirect_uri == f"{SITE_URL}app/auth/wechat/done"
