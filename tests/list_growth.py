"""How each list of ``tests/test_list_query_counts_by_endpoint.py`` grows: ``World`` holds the
people and the objects the lists hang on, and each function ``grow(world, n)`` adds ``n``
items to one list through the project's services (as a request would)."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import sqlalchemy as sa

from api.accounts.services import register_volunteer
from api.activities import series as weekly
from api.audit.services import record as audit
from api.extensions import db
from api.families import services as families
from api.families.consent import CONSENT_VERSION
from api.help import services as help_services
from api.help import submitting
from api.help.models import HelpResponder
from api.hours.certificates import issue_certificate
from api.hours.disputes import open_dispute
from api.hours.models import RecordStatus, ServiceRecord
from api.notifications.kinds import KINDS
from api.notifications.services import notify
from api.points.account import sync_all
from api.points.merchants import create_merchant, create_reward
from api.points.redemptions import redeem
from api.signups.models import Attendance
from api.signups.services import sign_up
from api.units.models import Team, Unit

NOW = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)


class World:
    """The people of the tests and the shared objects (a merchant, a child...) made on
    first use. Items are spread over the units of 巨陵镇 and over new people, so that a
    query per related object shows (a repeated one would come from the session)."""

    def __init__(self, client, units, create_user, create_activity, auth_headers) -> None:
        self.client, self.create_user, self.create_activity = client, create_user, create_activity
        self.units = [unit.id for code, unit in sorted(units.items()) if code.startswith("LY-JL")]
        self.numbers = count()
        self.people = {
            "admin": create_user("root", roles=[("admin", None)]),
            "inst": create_user("julin", roles=[("unit_admin", "LY-JL")]),
            "edit": create_user("editor", roles=[("editor", "LY")]),
            "shop": create_user("shop"),
            "res": create_user(),
        }
        self.people["vol"] = self.volunteer()
        self.people["responder"] = self.volunteer()
        self.auth_headers = auth_headers
        self.shared: dict[str, object] = {}

    def headers(self, role: str) -> dict:
        """The role's headers, signed in now (a role granted meanwhile ends older tokens)."""
        return self.auth_headers(self.people[role]) if role != "anon" else {}

    def unit(self, number: int) -> int:
        """The id of one of the units of 巨陵镇 (its institute first), in turn."""
        return self.units[number % len(self.units)]

    def volunteer(self, minutes: int = 0):
        """A new registered volunteer (of a unit of 巨陵镇), with approved ``minutes``."""
        number = next(self.numbers)
        user = self.create_user()
        register_volunteer(
            user, real_name=f"王{number}红", phone=f"1370000{number:04d}", unit_id=self.unit(number)
        )
        if minutes:
            self.add_record(user, minutes)
        return user

    def add_record(self, user, minutes: int = 60, **values) -> ServiceRecord:
        """An approved record of ``user``, at a unit of 巨陵镇."""
        number = next(self.numbers)
        defaults = {
            "unit_id": self.unit(number),
            "source": "manual",
            "status": RecordStatus.APPROVED,
            "category": "医疗健身",
            "reviewed_at": NOW,
            "served_at": NOW - timedelta(days=number % 300 + 1),
        }
        record = ServiceRecord(user_id=user.id, credited_minutes=minutes, **defaults | values)
        db.session.add(record)
        db.session.commit()
        return record

    def once(self, name: str, make: Callable[[], object]):
        """The shared object ``name``, made by ``make()`` on first use."""
        if name not in self.shared:
            self.shared[name] = make()
        return self.shared[name]

    def merchant(self):
        return self.once("merchant", lambda: self.new_merchant(0))

    def new_merchant(self, number: int):
        values = {"name": f"爱心超市{number}", "unit_id": self.unit(number)}
        values["admin_id"] = self.people["shop"].id
        return create_merchant(self.people["admin"], values)

    def reward(self):
        return self.once("reward", lambda: self.new_reward(0, stock=100))

    def new_reward(self, number: int, stock: int = 5):
        values = {"name": f"奖品{number}", "points_cost": 1 + number, "stock": stock}
        return create_reward(self.people["admin"], self.merchant().id, values)

    def member(self):
        return self.once("member", lambda: self.new_member(0))

    def new_member(self, number: int):
        return families.add_member(
            self.people["vol"],
            real_name=f"王小{number}",
            birth_date=date(2016, 5, 1),
            relation="子女",
            consent_version=CONSENT_VERSION,
        )

    def activity(self):
        return self.once("activity", lambda: self.create_activity(starts_at=NOW + timedelta(1)))

    def series(self):
        rule = {"weekdays": [5], "start_time": time(9), "end_time": time(11)}
        rule |= {"first_date": date(2026, 12, 12), "last_date": date(2026, 12, 12)}
        template = {"title": "周末读书会", "theme": "history", "category": "文化文艺服务"}
        template["unit_id"] = self.unit(0)
        return self.once(
            "series", lambda: weekly.create_series(self.people["admin"], rule, template, True)
        )

    def team(self) -> Team:
        """A team of 巨陵镇 the responder takes requests for."""

        def make():
            team = db.session.scalar(sa.select(Team).where(Team.unit_id == self.unit(0)))
            db.session.add(HelpResponder(team_id=team.id, user_id=self.people["responder"].id))
            db.session.commit()
            return team

        return self.once("team", make)

    def url_ids(self) -> dict:
        """The ids a listing's URL may name (made by its first ``grow``)."""
        named = ("merchant", "member", "activity", "series", "team")
        ids = {f"{name}_id": self.shared[name].id for name in named if name in self.shared}
        return ids | {"unit_id": self.unit(0)}


# -- how each list grows ----------------------------------------------------------------------


def activities(w: World, n: int) -> None:
    for _ in range(n):
        number = next(w.numbers)
        w.create_activity(unit_id=w.unit(number), starts_at=NOW + timedelta(days=1, hours=number))


def calendar_days(w: World, n: int) -> None:
    for _ in range(n):
        number = next(w.numbers)
        day = datetime(2026, 12, 1 + number % 28, 2, tzinfo=UTC)  # one more day of December
        w.create_activity(unit_id=w.unit(number), starts_at=day)


def occurrences(w: World, n: int) -> None:
    series_id = w.series().id
    for _ in range(n):
        number = next(w.numbers)
        starts_at = NOW + timedelta(days=7 * number)
        w.create_activity(series_id=series_id, unit_id=w.unit(number), starts_at=starts_at)


def searchable(w: World, n: int) -> None:
    for _ in range(n):
        number = next(w.numbers)
        w.create_activity(
            title=f"写春联送福字{number}",
            unit_id=w.unit(number),
            starts_at=NOW + timedelta(days=1, hours=number),
        )


def articles(w: World, n: int) -> None:
    for _ in range(n):
        body = {"title": f"文章{next(w.numbers)}", "date": "2026-12-01", "category": "news"}
        body |= {"author": "宣传组", "body": "正文"}
        made = w.client.post("/api/v1/articles", headers=w.headers("edit"), json=body)
        assert made.status_code == 201, made.get_json()
        slug = made.get_json()["slug"]
        published = w.client.post(f"/api/v1/articles/{slug}/publish", headers=w.headers("edit"))
        assert published.status_code == 202, published.get_json()


def audit_entries(w: World, n: int) -> None:
    for _ in range(n):
        audit(w.create_user(), "test.entry", "user", next(w.numbers))
    db.session.commit()


def disputes(mine: bool) -> Callable[[World, int], None]:
    def add(w: World, n: int) -> None:
        for _ in range(n):
            user = w.people["vol"] if mine else w.volunteer()
            contested = w.add_record(user, activity_id=w.create_activity().id)
            open_dispute(
                user, kind="wrong", record_id=contested.id, claimed_minutes=90, description="少记"
            )
        db.session.commit()

    return add


def certificates(w: World, n: int) -> None:
    w.once("hours", lambda: w.add_record(w.people["vol"], activity_id=w.activity().id))
    for _ in range(n):
        issue_certificate(w.people["vol"])
    db.session.commit()


def inbox(w: World, n: int) -> None:
    for number in range(n):
        notify([w.people["vol"].id], KINDS[number % len(KINDS)], f"通知{number}")
    db.session.commit()


def merchants(w: World, n: int) -> None:
    for _ in range(n):
        w.new_merchant(next(w.numbers))


def rewards(w: World, n: int) -> None:
    for _ in range(n):
        w.new_reward(next(w.numbers))


def redemptions(mine: bool) -> Callable[[World, int], None]:
    def add(w: World, n: int) -> None:
        reward = w.reward()
        for _ in range(n):
            user = w.people["vol"] if mine else w.volunteer()
            w.add_record(user, 60, source="checkin")
            redeem(user, reward.id)
        db.session.commit()

    return add


def staff(w: World, n: int) -> None:
    for number in range(n):
        code = db.session.get(Unit, w.unit(number)).code
        w.create_user(f"staff{next(w.numbers)}", roles=[("team_leader", code)])


def help_requests(dispatched: bool) -> Callable[[World, int], None]:
    def add(w: World, n: int) -> None:
        for number in range(n):
            values = {
                "category": "卫生环保",
                "description": f"排水沟堵塞，需要志愿者帮忙清理（{number}）",
                "address": "临颍县巨陵镇油坊陈村3组12号",
                "contact_name": "张大爷",
                "phone": "13812345678",
                "unit_id": w.unit(number + 1),
            }
            made = submitting.submit(w.people["res"], values)
            if dispatched:
                help_services.dispatch(w.people["inst"], made.id, w.team().id)
        db.session.commit()

    return add


def family(w: World, n: int) -> None:
    for _ in range(n):
        w.new_member(next(w.numbers))


def member_signups(w: World, n: int) -> None:
    member = w.member()
    for _ in range(n):
        number = next(w.numbers)
        activity = w.create_activity(
            unit_id=w.unit(number), starts_at=NOW + timedelta(days=2 + number)
        )
        families.sign_up_member(w.people["vol"], member.id, activity.id)
    db.session.commit()


def member_records(w: World, n: int) -> None:
    child = w.member().child
    for _ in range(n):
        w.add_record(child, activity_id=w.create_activity(starts_at=NOW - timedelta(days=3)).id)


def member_certificates(w: World, n: int) -> None:
    member = w.member()
    w.once("child hours", lambda: w.add_record(member.child))
    for _ in range(n):
        families.issue_member_certificate(w.people["vol"], member.id)
    db.session.commit()


def points(w: World, n: int) -> None:
    for _ in range(n):
        w.add_record(w.people["vol"], 60, source="checkin")
    sync_all(NOW)


def roster(w: World, n: int) -> None:
    activity = w.activity()
    for number in range(n):
        user = w.volunteer() if number % 2 else w.create_user()
        signup = sign_up(user, activity.id)
        if number % 2:  # half of them came: the roster shows their attendance too
            checked_in = NOW + timedelta(days=1)
            db.session.add(
                Attendance(
                    signup_id=signup.id,
                    checked_in_at=checked_in,
                    checked_out_at=checked_in + timedelta(hours=2),
                    method="staff",
                    recorded_by_id=w.people["inst"].id,
                )
            )
    db.session.commit()


def honor_roll(w: World, n: int) -> None:
    for number in range(n):
        w.volunteer(minutes=60 * (number + 1))


def responders(w: World, n: int) -> None:
    team = w.team()
    for number in range(n):
        user = w.volunteer() if number % 2 else w.create_user()
        db.session.add(HelpResponder(team_id=team.id, user_id=user.id))
    db.session.commit()
