"""Flask extensions, created unbound and attached to the app in ``create_app``."""

import sqlite3

import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

from api.auth.credentials import signed_user_id
from api.openapi_security import BearerSecurityPlugin
from api.validation import Schema

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose metadata names constraints predictably (for Alembic)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def openapi_schema_name(schema) -> str:
    """OpenAPI component name of a schema: the class name without ``Schema``, plus ``Patch``
    for partial instances (so create and update bodies get distinct components)."""
    schema_class = resolve_schema_cls(schema)
    name = schema_class.__name__.removesuffix("Schema") or schema_class.__name__
    if not isinstance(schema, type) and getattr(schema, "partial", False):
        name += "Patch"
    return name


class ErrorSchema(Schema):
    """The error envelope of DESIGN §5 (documentation only: errors.py renders it)."""

    code = ma.fields.Integer(metadata={"description": "HTTP status code"})
    status = ma.fields.String(metadata={"description": "HTTP status name"})
    error = ma.fields.String(metadata={"description": "stable snake_case reason"})
    message = ma.fields.String(metadata={"description": "Chinese message for the user"})
    errors = ma.fields.Dict(metadata={"description": "per-field messages"})


class PlatformApi(Api):
    ERROR_SCHEMA = ErrorSchema


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = PlatformApi(
    spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=openapi_schema_name),
        "extra_plugins": [BearerSecurityPlugin()],
    }
)


def rate_limit_key() -> str:
    """Whom a rate limit counts: the signed-in user, else the client's address (which
    ProxyFix takes from ``X-Forwarded-For`` behind ``TRUSTED_PROXIES`` proxies)."""
    user_id = signed_user_id()
    return namespaced(f"user:{user_id}" if user_id is not None else f"ip:{get_remote_address()}")


def namespaced(key: str) -> str:
    """A rate-limit key in this deployment's namespace (``RATELIMIT_KEY_NAMESPACE``), so that
    several deployments (or test runs) can share one Redis."""
    return f"{current_app.config['RATELIMIT_KEY_NAMESPACE']}:{key}"


limiter = Limiter(key_func=rate_limit_key, default_limits=[])


def configured_limit(setting: str):
    """A limit read from the configuration when a request comes (``LOGIN_RATE_LIMIT``...)."""
    return lambda: current_app.config[setting]


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite: WAL so readers never wait for the writer, a busy timeout so concurrent
    writers queue instead of failing, and foreign keys enforced like on PostgreSQL."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
