"""Build the MkDocs site into a fresh directory and swap it in only when the build succeeds.

Layout beside ``site_dir`` (``site/`` by default)::

    site -> .site-builds/20261203T101500-4242-1a2b   a symlink, replaced atomically (os.replace)
    .site-builds/
        .lock                                         fcntl lock: one build at a time, any process
        state.json                                    the current build and when it started
        20261203T101500-4242-1a2b/                    the live build
        20261203T095900-4242-9c8d/                    the previous one (kept for in-flight reads)

A reader that resolves ``site/...`` gets the old or the new tree, never a half-built one; Flask
serves ``site_dir`` as an ordinary directory (``send_from_directory`` follows the link). A failed
build is deleted and ``SiteBuildError`` says why; the previous site keeps serving.

Builds are serialized with ``fcntl.flock`` on ``.lock``. Every build reads the content directory
when it starts, after the lock is taken, so a publish whose file was written before it asked for a
build is always in that build or a later one: none is lost. A caller that waited while another
build *started after its request* and succeeded gets that build back (``coalesced=True``)
instead of building the same content twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .store import PUBLISH_UNTIL_ENV, write_atomic

BUILDS_DIRNAME = ".site-builds"
PROGRESS_ENV = "CIVP_BUILD_PROGRESS"  # read by mkdocs_hooks/articles.py
PROGRESS_PREFIX = "@@progress"
DEFAULT_TIMEOUT = 600.0

#: ``progress(done, total, message)``: pages rendered so far (0/0 for stage messages).
Progress = Callable[[int, int, str], None]
#: The clock of build ids and of ``requested_at`` (the platform passes its application clock).
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The system's time, aware, in UTC."""
    return datetime.now(UTC)


class SiteBuildError(RuntimeError):
    """A build failed; ``message`` is the reason (Chinese where it is ours), ``log`` the output."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.log = log


@dataclass(frozen=True)
class BuildResult:
    """A site now serving: which build, where, how long it took, whether it was someone else's."""

    build_id: str
    path: Path
    seconds: float
    pages: int
    coalesced: bool = False


def build_site(
    project: str | os.PathLike[str],
    site_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    *,
    docs_dir: str | os.PathLike[str] | None = None,
    keep: int = 2,
    timeout: float = DEFAULT_TIMEOUT,
    coalesce: bool = True,
    requested_at: float | None = None,
    publish_until: str | None = None,
    clock: Clock = system_clock,
) -> BuildResult:
    """Build the site and make it the one ``site_dir`` serves.

    ``project`` is the project root or its ``mkdocs.yml``; ``site_dir`` defaults to the config's
    ``site_dir`` and ``docs_dir`` to the config's. ``keep`` builds stay on disk (the live one and
    the previous). Raises ``SiteBuildError`` when MkDocs fails (strict: a warning is a failure)
    or times out; the previous site is left in place. ``publish_until`` (``YYYY-MM-DD``):
    articles dated later are scheduled and left out (None: none is held back). ``clock``: the
    clock ``requested_at`` was read from, also used for the build's start and id.
    """
    requested_ns = _now_ns(clock) if requested_at is None else int(requested_at * 1e9)
    report = progress or (lambda done, total, message: None)
    config_file = _config_file(project)
    site = Path(site_dir) if site_dir is not None else _configured_site_dir(config_file)
    site = site if site.is_absolute() else config_file.parent / site
    docs = str(Path(docs_dir).resolve()) if docs_dir is not None else None
    builds = site.parent / BUILDS_DIRNAME
    builds.mkdir(parents=True, exist_ok=True)

    report(0, 0, "等待其他构建完成")
    with _exclusive(builds / ".lock"):
        state = _read_state(builds)
        if (
            coalesce
            and _covers(state, requested_ns, config_file, docs, site)
            and state.get("publish_until") == publish_until
        ):
            report(state["pages"], state["pages"], "已由刚完成的构建发布")
            return BuildResult(
                build_id=state["build_id"],
                path=builds / state["build_id"],
                seconds=0.0,
                pages=state["pages"],
                coalesced=True,
            )
        started_ns = _now_ns(clock)
        build_id = _new_build_id(clock)
        target = builds / build_id
        report(0, 0, "开始构建")
        started = time.monotonic()
        try:
            pages = _run_mkdocs(config_file, target, docs, timeout, report, publish_until)
            if not (target / "index.html").is_file():
                raise SiteBuildError("构建结果缺少首页 index.html")
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        seconds = time.monotonic() - started
        _swap(site, target, builds, clock)
        _write_state(
            builds,
            {
                "build_id": build_id,
                "started_ns": started_ns,
                "seconds": round(seconds, 3),
                "pages": pages,
                "config_file": str(config_file),
                "docs_dir": docs,
                "site_dir": str(site),
                "publish_until": publish_until,
            },
        )
        _remove_old_builds(builds, keep=max(keep, 1), current=build_id)
        report(pages, pages, "新版本已上线")
        return BuildResult(build_id=build_id, path=target, seconds=seconds, pages=pages)


def site_link(site_dir: str | os.PathLike[str]) -> Path:
    """The stable path to serve: ``site_dir``, or the link it was resolved from.

    A configuration that calls ``Path.resolve()`` on ``site/`` gets ``.site-builds/<id>``, which
    is deleted two builds later; the link's own path is recorded in ``state.json``.
    """
    path = Path(site_dir)
    if path.parent.name == BUILDS_DIRNAME:
        recorded = _read_state(path.parent).get("site_dir")
        if recorded:
            return Path(recorded)
    return path


def published_until(site_dir: str | os.PathLike[str]) -> str | None:
    """The ``publish_until`` date of the live build (None: none built, or not held back)."""
    builds = Path(site_link(site_dir)).parent / BUILDS_DIRNAME
    return _read_state(builds).get("publish_until")


def remove_stale_builds(site_dir: str | os.PathLike[str], keep: int = 2) -> int:
    """Delete what builds left behind: builds beyond the newest ``keep`` (the live one always
    stays) and the half-written trees and links of builds whose process died. Takes the
    build lock, so a running build is never touched. Returns how many were removed."""
    site = Path(site_link(site_dir))
    builds = site.parent / BUILDS_DIRNAME
    if not builds.is_dir():
        return 0
    with _exclusive(builds / ".lock"):
        live = current_build(site)
        before = {entry.name for entry in builds.iterdir()}
        for link in builds.glob(".link-*"):
            link.unlink(missing_ok=True)
        if live is not None:
            # Under the lock no build runs: a tree newer than the live one is a dead build's.
            for entry in builds.iterdir():
                if entry.is_dir() and entry.name[0] != "." and entry.name > live.name:
                    shutil.rmtree(entry, ignore_errors=True)
            _remove_old_builds(builds, keep=max(keep, 1), current=live.name)
        return len(before - {entry.name for entry in builds.iterdir()})


def current_build(site_dir: str | os.PathLike[str]) -> Path | None:
    """The build directory ``site_dir`` points to, or None when it is not a swapped build."""
    site = Path(site_dir)
    if not site.is_symlink():
        return None
    return site.resolve()


# -- the MkDocs run ----------------------------------------------------------------------------


def _run_mkdocs(
    config_file: Path,
    target: Path,
    docs: str | None,
    timeout: float,
    report: Progress,
    publish_until: str | None = None,
) -> int:
    """Run the build in a child process; return the number of pages; raise SiteBuildError."""
    command = [
        sys.executable,
        str(Path(__file__).with_name("mkdocs_runner.py")),
        "--config-file",
        str(config_file),
        "--site-dir",
        str(target),
    ]
    if docs:
        command += ["--docs-dir", docs]
    env = dict(os.environ)
    env[PROGRESS_ENV] = "1"
    env.pop(PUBLISH_UNTIL_ENV, None)
    if publish_until:
        env[PUBLISH_UNTIL_ENV] = publish_until
    env.setdefault("PYTHONIOENCODING", "utf-8")
    env.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner is not a build message
    timed_out = threading.Event()
    log_lines: list[str] = []
    pages = 0
    with subprocess.Popen(
        command,
        cwd=config_file.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as process:

        def kill() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith(PROGRESS_PREFIX):
                    done, total = (int(part) for part in line.split()[1:3])
                    pages = max(pages, done)
                    report(done, total, "生成页面")
                else:
                    log_lines.append(line.rstrip("\n"))
            returncode = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
    log = "\n".join(log_lines)
    if returncode != 0:
        if timed_out.is_set():
            raise SiteBuildError(f"站点构建超时（超过 {timeout:.0f} 秒）", log)
        raise SiteBuildError(_failure_reason(log), log)
    return pages


def _failure_reason(log: str) -> str:
    """The warnings and errors of a failed build, continuation lines included, without noise."""
    reasons: list[str] = []
    keep_going = False
    for line in log.splitlines():
        level, _, message = line.partition(" - ")
        if level in ("ERROR", "WARNING", "CRITICAL"):
            keep_going = not message.startswith("Aborted with")
            if keep_going:
                reasons.append(message)
        elif level in ("INFO", "DEBUG"):
            keep_going = False
        elif keep_going and line.strip():
            reasons.append(line)  # e.g. one line per broken article after "文章校验失败"
    if not reasons:
        reasons = [line for line in log.splitlines() if line.strip()][-5:]
    return "站点构建失败：" + "\n".join(dict.fromkeys(reasons))


# -- swapping and housekeeping -----------------------------------------------------------------


def _swap(site: Path, target: Path, builds: Path, clock: Clock) -> None:
    """Point ``site`` at ``target`` in one ``os.replace``.

    A plain ``site/`` directory (from ``mkdocs build``) is first moved into ``.site-builds`` so
    it can be replaced by the link; it then ages out like any old build.
    """
    if site.exists() and not site.is_symlink():
        os.replace(site, builds / f"{_new_build_id(clock)}-legacy")
    link = builds / f".link-{target.name}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(os.path.relpath(target, site.parent), link)
    os.replace(link, site)


def _remove_old_builds(builds: Path, *, keep: int, current: str) -> None:
    """Delete all builds but the newest ``keep`` (the current one always stays)."""
    names = sorted(
        (entry.name for entry in builds.iterdir() if entry.is_dir() and entry.name[0] != "."),
        reverse=True,
    )
    kept = {current}
    for name in names:
        if len(kept) >= keep:
            break
        kept.add(name)
    for name in names:
        if name not in kept:
            shutil.rmtree(builds / name, ignore_errors=True)


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read_state(builds: Path) -> dict:
    try:
        return json.loads((builds / "state.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _write_state(builds: Path, state: dict) -> None:
    write_atomic(builds / "state.json", json.dumps(state, ensure_ascii=False).encode("utf-8"))


def _covers(
    state: dict, requested_ns: int, config_file: Path, docs: str | None, site: Path
) -> bool:
    """Whether the last successful build started after the request, from the same sources."""
    return (
        bool(state)
        and state.get("started_ns", 0) > requested_ns
        and state.get("config_file") == str(config_file)
        and state.get("docs_dir") == docs
        and state.get("site_dir") == str(site)
        and current_build(site) == (site.parent / BUILDS_DIRNAME / state["build_id"]).resolve()
    )


def _now_ns(clock: Clock) -> int:
    """The clock in nanoseconds: ``requested_at`` comes from it too."""
    moment = clock()
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def _new_build_id(clock: Clock) -> str:
    return f"{clock():%Y%m%dT%H%M%S}-{os.getpid()}-{secrets.token_hex(2)}"


def _config_file(project: str | os.PathLike[str]) -> Path:
    path = Path(project).resolve()
    if path.is_dir():
        path = path / "mkdocs.yml"
    if not path.is_file():
        raise SiteBuildError(f"找不到 MkDocs 配置文件：{path}")
    return path


def _configured_site_dir(config_file: Path) -> Path:
    from mkdocs.utils.yaml import yaml_load

    with open(config_file, encoding="utf-8") as handle:
        config = yaml_load(handle) or {}
    return Path(config.get("site_dir") or "site")
