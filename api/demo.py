"""Demo data for the staff console (管理后台): something on every screen.

Called by ``flask seed demo`` after the corpus and the demo accounts exist. Everything is made
through the services (so it is audit-logged and follows the rules), except the check-in hours
of the demo volunteer, which stand for QR check-ins nobody can scan in a demo. Run once: when
the demo merchant exists, nothing is added again.
"""

from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import select

from api.accounts.models import User
from api.accounts.services import register_volunteer
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.articles import services as articles
from api.extensions import db
from api.help import responders as help_responders
from api.help import services as help_requests
from api.help import submitting as help_submitting
from api.hours.models import RecordStatus, ServiceRecord
from api.hours.records import create_manual_record
from api.hours.reviews import review_record
from api.points import account as points_account
from api.points import merchants, redemptions
from api.points.models import Merchant
from api.timeutil import local_today, utcnow
from api.transactions import atomic
from api.units.models import Team, Unit
from api.wechat.stub import stub_openid

MERCHANT_NAME = "巨陵镇爱心超市"
# name, phone, station of the demo volunteers (no WeChat: entered by their station)
VOLUNTEERS = (
    ("李秀英", "13900000001", "LY-JL-YFC"),
    ("王建国", "13900000002", "LY-JL-YFC"),
    ("赵丽娟", "13900000003", "LY-JL"),
    ("陈志强", "13900000004", "LY-CG-NJ"),
)
HOTLINE_CALLS = (
    ("独居老人家中水管漏水，需要志愿者帮忙联系维修", "南街村三组 12 号", "周六上午"),
    ("想请志愿者周末陪同去县医院复查", "北徐庄村村委会旁", "周日"),
    ("孩子放学后无人照看，想报名放学娃之家", "颍川社区 5 号楼", "工作日下午"),
    ("院子里的枯树枝需要清理，老人搬不动", "人民路社区东巷 3 号", ""),
)


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _volunteers() -> list[User]:
    people = []
    for number, (name, phone, unit_code) in enumerate(VOLUNTEERS, start=1):
        with atomic():  # one unit per volunteer: the user and their registration
            user = User(nickname=f"志愿者{name[0]}", openid=f"demo-offline-{number}")
            db.session.add(user)
            db.session.flush()
            register_volunteer(user, real_name=name, phone=phone, unit_id=_unit(unit_code).id)
        people.append(user)
    return people


@atomic()
def _past_activity(organizer: User, team: Team) -> Activity:
    """A finished activity of 油坊陈村 yesterday, run by ``team``; its hours wait for review."""
    starts_at = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    station = _unit("LY-JL-YFC")
    activity = Activity(
        team_id=team.id,
        title="油坊陈村环境整治志愿服务",
        description="清理村内主干道和文化广场的垃圾杂物。",
        theme="caring",
        category="卫生环保",
        unit_id=station.id,
        address=station.address,
        lat=station.lat,
        lng=station.lng,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        capacity=30,
        status=ActivityStatus.PUBLISHED,
        audience="public",
        created_by_id=organizer.id,
    )
    db.session.add(activity)
    return activity


def _hours(people: list[User], station_admin: User, institute_admin: User) -> Activity:
    """Hours entered by the station for members of the team that ran the activity, one of
    them approved by the institute (never by their author)."""
    team = db.session.scalar(
        select(Team).join(Team.unit).where(Unit.code == "LY-JL").order_by(Team.id)
    )
    help_responders.set_responders(institute_admin, team.id, [person.id for person in people[:3]])
    activity = _past_activity(station_admin, team)
    for number, person in enumerate(people[:3]):
        record = create_manual_record(
            station_admin,
            user_id=person.id,
            activity_id=activity.id,
            credited_minutes=150 + 10 * number,
            reason="纸质签到表补录",
        )
        if number == 0:
            review_record(institute_admin, record.id, approve=True, note="核对签到表无误")
    return activity


def _help_requests(dispatcher: User, responder: User) -> int:
    """Hotline requests of 城关街道: waiting, dispatched, accepted."""
    stations = ["LY-CG-NJ", "LY-CG-BXZ", "LY-CG-YC", "LY-CG-RML"]
    team = db.session.scalar(
        select(Team).join(Team.unit).where(Unit.code.startswith("LY-CG")).order_by(Team.id)
    )
    help_responders.set_responders(dispatcher, team.id, [responder.id])
    made = []
    for (description, address, when), code in zip(HOTLINE_CALLS, stations, strict=True):
        made.append(
            help_submitting.enter_hotline(
                dispatcher,
                {
                    "category": team.category,
                    "description": description,
                    "address": address,
                    "contact_name": "刘大爷",
                    "phone": "0395-8871234",
                    "preferred_time": when,
                    "unit_id": _unit(code).id,
                },
            )
        )
    help_requests.dispatch(dispatcher, made[0].id, team.id)
    help_requests.dispatch(dispatcher, made[1].id, team.id)
    help_requests.accept(responder, made[1].id)
    return len(made)


def _merchant(admin: User, owner: User, volunteer: User, reviewer: User) -> str:
    """The demo merchant with rewards, and a redemption of the demo volunteer to confirm."""
    merchant = merchants.create_merchant(
        admin,
        {
            "name": MERCHANT_NAME,
            "unit_id": _unit("LY-JL").id,
            "admin_id": owner.id,
            "address": "巨陵镇巨陵大街 18 号",
            "phone": "0395-8866001",
            "description": "志愿者凭积分兑换生活用品。",
        },
    )
    rewards = [
        merchants.create_reward(
            owner,
            merchant.id,
            {
                "name": name,
                "description": "",
                "points_cost": cost,
                "stock": stock,
                "is_active": True,
            },
        )
        for name, cost, stock in (
            ("洗衣液一瓶", 30, 20),
            ("食用油一桶", 80, 5),
            ("理发一次", 50, 0),
        )
    ]
    # Check-in hours of the demo volunteer (the QR scans of a real day), approved: points.
    now = utcnow()
    with atomic():  # committed before the points are synced from it
        db.session.add(
            ServiceRecord(
                user_id=volunteer.id,
                unit_id=merchant.unit_id,
                credited_minutes=360,
                source="checkin",
                status=RecordStatus.APPROVED,
                category="卫生环保",
                served_at=now - timedelta(days=2),
                reviewed_by_id=reviewer.id,
                reviewed_at=now - timedelta(days=1),
            )
        )
    points_account.sync_all()
    return redemptions.redeem(volunteer, rewards[0].id).code


def _draft_article(editor: User) -> str | None:
    """A draft in the editor's list, unless one is there already (the repository's content/
    carries one; another CONTENT_DIR gets it here)."""
    store = articles.store_for(current_app.config["CONTENT_DIR"])
    if any(article.draft for article in store.list(include_drafts=True)):
        return None
    view = articles.create_draft(
        editor,
        store,
        "/",
        {
            "slug": None,
            "title": "冬季志愿服务安全提示",
            "date": local_today(),
            "category": "news",
            "author": "县新时代文明实践中心",
            "tags": ["志愿服务"],
            "summary": "入冬后户外志愿服务的几点提醒。",
            "body": "## 注意保暖\n\n户外服务请穿戴防寒衣物。\n\n## 结伴而行\n\n至少两人一组。\n",
        },
    )
    return view.article.slug


def seed_console_demo(echo=click.echo) -> None:
    """Add the console's demo data (once)."""
    if db.session.scalar(select(Merchant.id).where(Merchant.name == MERCHANT_NAME)):
        echo("Console demo data: present")
        return
    people = _volunteers()
    _hours(people, _user("youfangchen"), _user("julin"))
    count = _help_requests(_user("dispatcher"), people[3])
    volunteer = db.session.scalar(select(User).where(User.openid == stub_openid("demo-volunteer")))
    code = _merchant(_user("admin"), _user("merchant"), volunteer, _user("julin"))
    slug = _draft_article(_user("editor"))
    echo(
        f"Console demo data: {len(people)} volunteers, hours to review at 油坊陈村, "
        f"{count} hotline help requests in 城关街道, merchant {MERCHANT_NAME} "
        f"(redemption code to confirm: {code})" + (f", draft article {slug}" if slug else "")
    )
