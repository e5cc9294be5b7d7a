"""``flask seed demo``: the corpus plus a demo user of every role."""

import os
import secrets
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from api.accounts import roles
from api.accounts.identity import id_check_character
from api.accounts.models import User
from api.accounts.services import create_staff_user, register_volunteer
from api.corpus.cli import import_corpus
from api.demo import seed_console_demo
from api.extensions import db
from api.seed_scale import scale_command
from api.transactions import atomic
from api.units.models import Unit
from api.wechat.stub import stub_openid, stub_unionid

seed_cli = AppGroup("seed", help="Demo data.")
seed_cli.add_command(scale_command)

# username, role, unit code
DEMO_STAFF: tuple[tuple[str, str, str], ...] = (
    ("admin", roles.ADMIN, "LY"),
    ("editor", roles.EDITOR, "LY"),
    ("julin", roles.UNIT_ADMIN, "LY-JL"),
    ("chengguan", roles.UNIT_ADMIN, "LY-CG"),
    ("youfangchen", roles.UNIT_ADMIN, "LY-JL-YFC"),
    ("leader", roles.TEAM_LEADER, "LY-JL"),
    ("dispatcher", roles.UNIT_ADMIN, "LY-CG"),
    ("merchant", roles.MERCHANT_ADMIN, "LY-JL"),
    ("official", roles.OFFICIAL, "LY"),
)
# WeChat login codes the stub accepts for the demo's residents and volunteers.
DEMO_WECHAT_CODES = ("demo-resident", "demo-volunteer")
DEMO_VOLUNTEER_ID_PREFIX = "41112219900101123"


@atomic()
def _ensure_wechat_user(code: str, nickname: str) -> tuple[User, bool]:
    openid = stub_openid(code)
    user = db.session.scalar(select(User).where(User.openid == openid))
    if user is not None:
        return user, False
    # With its unionid, so a web sign-in (网页授权) as the same person finds this user.
    user = User(openid=openid, unionid=stub_unionid(code), nickname=nickname)
    db.session.add(user)
    return user, True


def seed_demo(corpus_dir: Path, echo=click.echo) -> None:
    """Import the corpus and create the demo users; safe to run again (nothing duplicated,
    existing passwords kept)."""
    import_corpus(corpus_dir, echo=echo)
    fixed_password = os.environ.get("DEMO_PASSWORD")
    echo("Demo logins (passwords are shown only when the account is created):")
    for username, role, unit_code in DEMO_STAFF:
        if db.session.scalar(select(User).where(User.username == username)) is not None:
            echo(f"  {username:12} {role:14} {unit_code:10} (exists, password unchanged)")
            continue
        password = fixed_password or secrets.token_urlsafe(9)
        create_staff_user(username, password, role, unit_code)
        echo(f"  {username:12} {role:14} {unit_code:10} password: {password}")

    _ensure_wechat_user("demo-resident", "居民小王")
    volunteer, created = _ensure_wechat_user("demo-volunteer", "志愿者小张")
    if created:
        station = db.session.scalar(select(Unit).where(Unit.code == "LY-JL-YFC"))
        id_number = DEMO_VOLUNTEER_ID_PREFIX + id_check_character(DEMO_VOLUNTEER_ID_PREFIX)
        register_volunteer(
            volunteer,
            real_name="张小三",
            phone="13800138000",
            id_number=id_number,
            birth_date=date(1990, 1, 1),
            unit_id=station.id,
            skills=["急救", "摄影"],
        )
    echo("  WeChat (stub) login codes: " + ", ".join(DEMO_WECHAT_CODES))
    seed_console_demo(echo)


@seed_cli.command("demo")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Corpus directory (default CORPUS_DIR).",
)
def seed_demo_command(corpus_dir: Path | None) -> None:
    """Load the corpus and demo users of every role (printing their logins once)."""
    seed_demo(corpus_dir or Path(current_app.config["CORPUS_DIR"]))
