"""Configuration: one class, every setting read from the environment with a default.

The defaults make ``flask --app wsgi run`` work on a fresh machine (SQLite in ``instance/``,
the bundled WeChat stub); production must set ``APP_ENV=production`` and the secrets.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

# Development-only fallbacks: refused when APP_ENV=production.
_DEV_SECRET_KEY = "dev-secret-key-not-for-production"
_DEV_DATA_KEY = "dev-data-key-not-for-production-0123456789"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_path(name: str, default: Path) -> str:
    # absolute(), not resolve(): SITE_DIR is a symlink swapped on every build and must be
    # followed afresh, not pinned to the build it pointed at when the app started.
    return str(Path(os.environ.get(name, default)).absolute())


def _env_json(name: str, default):
    value = os.environ.get(name)
    return json.loads(value) if value else default


def _notification_templates() -> dict:
    """Subscribe-message template of each notification kind: its id (from the 公众平台),
    the page it opens and which value fills each template key. Values name a field of the
    notification (see api/notifications/templates.py) or, after ``=``, are literal text.
    ``NOTIFICATION_TEMPLATES`` (JSON) replaces the whole mapping; the ``WECHAT_TEMPLATE_*``
    variables set single ids."""
    signup = os.environ.get("WECHAT_TEMPLATE_SIGNUP", "demo-tmpl-signup-result")
    change = os.environ.get("WECHAT_TEMPLATE_ACTIVITY_CHANGE", "demo-tmpl-activity-change")
    reminder = os.environ.get("WECHAT_TEMPLATE_REMINDER", "demo-tmpl-activity-reminder")
    hours = os.environ.get("WECHAT_TEMPLATE_HOURS", "demo-tmpl-hours-review")
    help_progress = os.environ.get("WECHAT_TEMPLATE_HELP", "demo-tmpl-help-progress")
    activity_page = "pages/activity/detail?id={activity_id}"
    signup_data = {
        "thing1": "activity_title",
        "time2": "activity_start",
        "thing3": "activity_address",
        "phrase4": "status",
    }
    change_data = {
        "thing1": "activity_title",
        "time2": "activity_start",
        "thing3": "body",
        "phrase4": "status",
    }
    hours_data = {
        "thing1": "activity_title",
        "number2": "hours",
        "phrase3": "status",
        "name4": "real_name",
        "thing5": "reason",
    }
    help_data = {
        "thing1": "help_title",
        "phrase2": "status",
        "thing3": "team_name",
        "time4": "created_at",
    }
    return _env_json(
        "NOTIFICATION_TEMPLATES",
        {
            "signup_confirmed": {"template_id": signup, "page": activity_page, "data": signup_data},
            "waitlist_promoted": {
                "template_id": signup,
                "page": activity_page,
                "data": signup_data,
            },
            "activity_changed": {"template_id": change, "page": activity_page, "data": change_data},
            "activity_cancelled": {
                "template_id": change,
                "page": activity_page,
                "data": change_data,
            },
            "activity_reminder": {
                "template_id": reminder,
                "page": activity_page,
                "data": {
                    "thing1": "activity_title",
                    "time2": "activity_start",
                    "thing3": "activity_address",
                    "thing4": "=请提前到场，扫码签到",
                },
            },
            "hours_approved": {"template_id": hours, "page": "pages/me/hours", "data": hours_data},
            "hours_rejected": {"template_id": hours, "page": "pages/me/hours", "data": hours_data},
            "help_dispatched": {
                "template_id": help_progress,
                "page": "pages/help/detail?id={help_request_id}",
                "data": help_data,
            },
            "help_completed": {
                "template_id": help_progress,
                "page": "pages/help/detail?id={help_request_id}",
                "data": help_data,
            },
            "help_escalated": {
                "template_id": help_progress,
                "page": "pages/help/detail?id={help_request_id}",
                "data": help_data,
            },
        },
    )


class Config:
    """Settings of the whole platform; see the configuration table in README.md."""

    def __init__(self) -> None:
        self.APP_ENV = os.environ.get("APP_ENV", "development")
        self.SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY)
        self.DATA_KEY = os.environ.get("DATA_KEY", _DEV_DATA_KEY)

        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'civpractice.sqlite3'}"
        )
        # No ping before every checkout (one more round trip per request): connections are
        # replaced after DATABASE_POOL_RECYCLE seconds (below any idle timeout of the server
        # or of a proxy in between), and a connection found dead when used invalidates the
        # whole pool; that one request answers 503 (api.errors), the next reconnect.
        # DATABASE_POOL_PRE_PING=true brings the ping back (a flaky network).
        self.SQLALCHEMY_ENGINE_OPTIONS = {
            "pool_pre_ping": _env_bool("DATABASE_POOL_PRE_PING", False),
            "pool_recycle": _env_int("DATABASE_POOL_RECYCLE", 1800),
        }

        self.WECHAT_APPID = os.environ.get("WECHAT_APPID", "wx-demo-appid")
        self.WECHAT_SECRET = os.environ.get("WECHAT_SECRET", "demo-secret")
        self.WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")
        # The county's official account, for sign-in on the web (网页授权); the authorize
        # page is on open.weixin.qq.com in production, on the stub (WECHAT_API_BASE) otherwise.
        self.WECHAT_OA_APPID = os.environ.get("WECHAT_OA_APPID", "wx-demo-oa-appid")
        self.WECHAT_OA_SECRET = os.environ.get("WECHAT_OA_SECRET", "demo-oa-secret")
        self.WECHAT_OAUTH_BASE = os.environ.get("WECHAT_OAUTH_BASE", "")
        self.WECHAT_TIMEOUT = float(os.environ.get("WECHAT_TIMEOUT", "5"))
        self.WECHAT_MAX_RETRIES = _env_int("WECHAT_MAX_RETRIES", 2)  # for -1, 5xx, refused
        self.WECHAT_RETRY_BACKOFF = float(os.environ.get("WECHAT_RETRY_BACKOFF", "0.3"))
        # developer | trial | formal: which version of the mini-program a message opens
        self.WECHAT_MINIPROGRAM_STATE = os.environ.get("WECHAT_MINIPROGRAM_STATE", "formal")
        self.WECHAT_WXACODE_PAGE = os.environ.get("WECHAT_WXACODE_PAGE", "pages/activity/detail")
        self.WECHAT_WXACODE_ENV = os.environ.get("WECHAT_WXACODE_ENV", "release")

        self.NOTIFICATION_TEMPLATES = _notification_templates()
        self.NOTIFICATION_MAX_ATTEMPTS = _env_int("NOTIFICATION_MAX_ATTEMPTS", 5)
        self.NOTIFICATION_RETRY_SECONDS = _env_int("NOTIFICATION_RETRY_SECONDS", 60)  # doubles
        self.NOTIFICATION_REMINDER_MINUTES = [  # before the start: 24 h and 2 h
            int(minutes)
            for minutes in os.environ.get("NOTIFICATION_REMINDER_MINUTES", "1440,120").split(",")
        ]
        # A claim of outbox rows is given back after this long if its worker died.
        self.OUTBOX_LEASE_SECONDS = _env_int("OUTBOX_LEASE_SECONDS", 300)

        self.SEARCH_INDEX_DIR = _env_path("SEARCH_INDEX_DIR", INSTANCE_DIR / "search-index")
        # Reindex activities right after their transaction commits.
        self.SEARCH_AUTO_INDEX = _env_bool("SEARCH_AUTO_INDEX", True)
        self.CONTENT_DIR = _env_path("CONTENT_DIR", PROJECT_ROOT / "content")
        self.SITE_DIR = _env_path("SITE_DIR", PROJECT_ROOT / "site")
        # The public URL of site and API; required in production (the Host header is never
        # trusted). Empty on a development machine: the host of the request.
        self.SITE_URL = os.environ.get("SITE_URL", "")
        # The demo sign-in buttons of the web pages (WeChat stub codes); never in production.
        self.DEMO_LOGIN = _env_bool("DEMO_LOGIN", self.APP_ENV != "production")
        self.SITE_BUILD_TIMEOUT = float(os.environ.get("SITE_BUILD_TIMEOUT", "600"))
        self.MKDOCS_CONFIG = _env_path("MKDOCS_CONFIG", PROJECT_ROOT / "mkdocs.yml")
        self.CORPUS_DIR = _env_path("CORPUS_DIR", PROJECT_ROOT / "corpus")

        # Access tokens live 2 h; the refresh token (rotated on use) keeps a sign-in 30 days.
        # Requests with a larger body are refused (413) before it is read.
        self.MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)

        self.TOKEN_TTL_SECONDS = _env_int("TOKEN_TTL_SECONDS", 2 * 3600)
        self.REFRESH_TOKEN_TTL_SECONDS = _env_int("REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600)

        # The task queue (Huey): a SQLite file on one machine, Redis when REDIS_URL is set.
        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        self.TASK_QUEUE = os.environ.get("TASK_QUEUE", "redis" if self.REDIS_URL else "sqlite")
        self.HUEY_NAME = os.environ.get("HUEY_NAME", "civpractice")
        self.HUEY_SQLITE_PATH = _env_path("HUEY_SQLITE_PATH", INSTANCE_DIR / "huey.sqlite3")
        self.WORKER_THREADS = _env_int("WORKER_THREADS", 2)
        # A running job's lease (renewed by its progress reports) and how often a job whose
        # worker died is tried again.
        self.JOB_LEASE_SECONDS = _env_int("JOB_LEASE_SECONDS", 900)
        self.JOB_MAX_ATTEMPTS = _env_int("JOB_MAX_ATTEMPTS", 3)
        # A confirmed sign-up without a check-in is a no-show this long after the end.
        self.NO_SHOW_GRACE_MINUTES = _env_int("NO_SHOW_GRACE_MINUTES", 120)

        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        # Limits count in Redis when REDIS_URL is set, so they hold across workers and machines.
        self.RATELIMIT_STORAGE_URI = os.environ.get(
            "RATELIMIT_STORAGE_URI", self.REDIS_URL or "memory://"
        )
        self.RATELIMIT_KEY_NAMESPACE = os.environ.get("RATELIMIT_KEY_NAMESPACE", "civ")
        self.RATELIMIT_HEADERS_ENABLED = True
        # Redis unreachable: count in this process meanwhile rather than fail the request.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute")
        # Per user where signed in, else per client address.
        self.SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "30 per minute;300 per day")
        self.HELP_REQUEST_RATE_LIMIT = os.environ.get(
            "HELP_REQUEST_RATE_LIMIT", "5 per hour;20 per day"
        )
        self.SEARCH_RATE_LIMIT = os.environ.get("SEARCH_RATE_LIMIT", "60 per minute")
        self.UPLOAD_RATE_LIMIT = os.environ.get("UPLOAD_RATE_LIMIT", "30 per hour")
        self.VOLUNTEER_RATE_LIMIT = os.environ.get("VOLUNTEER_RATE_LIMIT", "10 per hour")
        # Clients reach the app through this many proxies (nginx: 1); their X-Forwarded-For
        # and X-Forwarded-Proto are believed that deep (werkzeug ProxyFix), never beyond.
        self.TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
        # Processes serving: with more than one, memory:// limits would count per process.
        self.WEB_CONCURRENCY = _env_int("WEB_CONCURRENCY", _env_int("GUNICORN_WORKERS", 1))

        # Hours (志愿服务记录): star thresholds in approved hours, per region; the public
        # lookup's limit per client; certificates' verification URL ({code}) and font.
        self.STAR_THRESHOLDS_HOURS = tuple(
            int(hours)
            for hours in os.environ.get("STAR_THRESHOLDS_HOURS", "100,300,600,1000,1500").split(",")
        )
        self.HOURS_LOOKUP_RATE_LIMIT = os.environ.get(
            "HOURS_LOOKUP_RATE_LIMIT", "10 per minute;100 per day"
        )
        # ... and per looked-up name, whoever asks: guessing someone's digits stays slow.
        self.HOURS_LOOKUP_TARGET_RATE_LIMIT = os.environ.get(
            "HOURS_LOOKUP_TARGET_RATE_LIMIT", "10 per hour;30 per day"
        )
        self.CERTIFICATE_VERIFY_URL = os.environ.get(
            "CERTIFICATE_VERIFY_URL", "http://127.0.0.1:5000/app/certificates/{code}"
        )
        self.CERTIFICATE_FONT_PATH = os.environ.get("CERTIFICATE_FONT_PATH", "")

        # 我来帮: days after completion when an unrated request counts as rated "satisfied".
        self.HELP_AUTO_RATE_DAYS = _env_int("HELP_AUTO_RATE_DAYS", 7)
        # Hours a request waits to be dispatched (held, submitted) or accepted (dispatched)
        # before its dispatchers are told (once per wait).
        self.HELP_ESCALATE_DISPATCH_HOURS = _env_int("HELP_ESCALATE_DISPATCH_HOURS", 24)
        self.HELP_ESCALATE_ACCEPT_HOURS = _env_int("HELP_ESCALATE_ACCEPT_HOURS", 48)
        # 我来帮 hotline, offered as a tel: link on the pages for those who would rather call.
        self.HELP_HOTLINE = os.environ.get("HELP_HOTLINE", "0395-8861568")
        # 爱心商家联盟: points per approved check-in hour (pro rata, rounded down per record);
        # hours a redemption waits for the merchant's confirmation before it is refunded.
        self.POINTS_PER_HOUR = _env_int("POINTS_PER_HOUR", 10)
        self.POINTS_REDEMPTION_HOURS = _env_int("POINTS_REDEMPTION_HOURS", 72)
        # GET /stats answers from a per-process cache for this many seconds (0: no cache).
        self.STATS_CACHE_SECONDS = _env_int("STATS_CACHE_SECONDS", 60)
        # A stored snapshot (task stats.refresh, every 10 minutes) older than this is not used.
        self.STATS_SNAPSHOT_MAX_AGE_SECONDS = _env_int("STATS_SNAPSHOT_MAX_AGE_SECONDS", 1800)
        # Public response cache with REDIS_URL: seconds a generation token lives in Redis (the
        # longest a cached answer may lag should Redis fail just as a commit moves it on).
        self.PUBLIC_CACHE_TOKEN_SECONDS = _env_int("PUBLIC_CACHE_TOKEN_SECONDS", 60)
        # Hours ledger caps: one manual or 我来帮 record, and one volunteer's live records of
        # one local day (checkin, manual and help together).
        self.MANUAL_RECORD_MAX_MINUTES = _env_int("MANUAL_RECORD_MAX_MINUTES", 8 * 60)
        self.HELP_RECORD_MAX_MINUTES = _env_int("HELP_RECORD_MAX_MINUTES", 8 * 60)
        self.DAILY_SERVICE_MAX_MINUTES = _env_int("DAILY_SERVICE_MAX_MINUTES", 24 * 60)

        # flask-smorest / OpenAPI
        self.API_TITLE = "新时代文明实践中心 API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "docs"
        self.OPENAPI_SWAGGER_UI_URL = "/api/v1/docs-assets/"


_DEMO_WECHAT = {"WECHAT_APPID": "wx-demo-appid", "WECHAT_SECRET": "demo-secret"}
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _weak_secret(value: str) -> bool:
    # At least 32 characters, and not a few characters repeated ("xxxx…", "abab…").
    return len(value) < 32 or len(set(value)) < 10


def _production_problems(settings) -> list[str]:
    """What makes ``settings`` unfit for production, in words for the operator."""
    problems = []
    for name, development_value in (("SECRET_KEY", _DEV_SECRET_KEY), ("DATA_KEY", _DEV_DATA_KEY)):
        if settings[name] == development_value:
            problems.append(f"{name} must be set when APP_ENV=production")
        elif _weak_secret(settings[name]):
            problems.append(f"{name} must be at least 32 random characters")
    for name, demo_value in _DEMO_WECHAT.items():
        if not settings[name] or settings[name] == demo_value:
            problems.append(f"{name} must be the mini-program's real credential")
    wechat = urlsplit(settings["WECHAT_API_BASE"])
    if wechat.scheme != "https" or (wechat.hostname or "") in _LOCAL_HOSTS:
        problems.append("WECHAT_API_BASE must be WeChat's https API, not the stub")
    site = urlsplit(settings["SITE_URL"])
    if site.scheme not in {"http", "https"} or not site.hostname:
        problems.append("SITE_URL must be the platform's public URL (https://...)")
    if settings.get("DEBUG"):
        problems.append("debug mode must be off (FLASK_DEBUG)")
    if settings["DEMO_LOGIN"]:
        problems.append("DEMO_LOGIN must be off")
    if (
        settings["RATELIMIT_STORAGE_URI"].startswith("memory://")
        and settings["WEB_CONCURRENCY"] > 1
    ):
        problems.append(
            "rate limits in memory:// count per process: set REDIS_URL when "
            "WEB_CONCURRENCY (or GUNICORN_WORKERS) is above 1"
        )
    return problems


def check_secrets(settings) -> None:
    """Refuse to start with a weak DATA_KEY, or in production with any development setting:
    weak or development secrets, demo WeChat credentials or the stub, no ``SITE_URL``,
    debug, the demo sign-in, per-process rate limits with several processes.

    :raises RuntimeError: naming every problem found.
    """
    if len(settings["DATA_KEY"]) < 32:
        raise RuntimeError("DATA_KEY must be a secret string of at least 32 characters")
    if settings["APP_ENV"] == "production":
        problems = _production_problems(settings)
        if problems:
            raise RuntimeError("refusing to start in production: " + "; ".join(problems))
