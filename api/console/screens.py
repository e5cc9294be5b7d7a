"""The console's screens: where each lives, its label in the left nav, and who sees it.

A screen's module is ``static/console/js/screens/<module>.js`` exporting
``default async function render(ctx)``. A declared screen whose module file does not exist
yet shows "此页面建设中". The roles only decide what the navigation shows; every request is
still judged by the API.
"""

from dataclasses import dataclass

from api.accounts.roles import ADMIN, EDITOR, MERCHANT_ADMIN, ORGANIZER_ROLES, UNIT_ADMIN

# Roles that dispatch 我来帮 requests (api.help.access.Standing.dispatches).
DISPATCHER_ROLES: tuple[str, ...] = (UNIT_ADMIN, ADMIN)
# Officials read the statistics; the role name is reserved for when the API grants it.
OFFICIAL = "official"


@dataclass(frozen=True)
class Screen:
    key: str  # URL: /admin/<key> ("home" is /admin/)
    label: str  # the nav entry and the page title
    group: str  # the nav section it is listed under
    roles: tuple[str, ...]  # who sees it (any one of them); empty: every staff member
    module: str  # static/console/js/screens/<module>.js
    nav: bool = True  # False: reached from another screen (a roster from its activity)


GROUPS: tuple[str, ...] = ("工作台", "活动组织", "我来帮", "内容", "爱心商家", "系统管理", "数据")

SCREENS: tuple[Screen, ...] = (
    Screen("home", "工作台", "工作台", (), "home"),
    # organizers
    Screen("activities", "活动管理", "活动组织", ORGANIZER_ROLES, "activities"),
    Screen("activity", "编辑活动", "活动组织", ORGANIZER_ROLES, "activity-form", nav=False),
    Screen("series", "每周系列活动", "活动组织", ORGANIZER_ROLES, "series"),
    Screen("roster", "花名册与签到", "活动组织", ORGANIZER_ROLES, "roster", nav=False),
    Screen("hours", "时长审核", "活动组织", ORGANIZER_ROLES, "hours"),
    Screen("import", "导入活动", "活动组织", ORGANIZER_ROLES, "import"),
    Screen("reports", "报表导出", "活动组织", ORGANIZER_ROLES, "reports"),
    # dispatchers
    Screen("dispatch", "派单看板", "我来帮", DISPATCHER_ROLES, "dispatch"),
    Screen("hotline", "热线登记", "我来帮", DISPATCHER_ROLES, "hotline"),
    Screen("responders", "接单人管理", "我来帮", DISPATCHER_ROLES, "responders"),
    # built on this shell by the second console helper
    Screen("articles", "文章", "内容", (EDITOR, ADMIN), "articles"),
    Screen("redeem", "商家核销", "爱心商家", (MERCHANT_ADMIN, ADMIN), "redeem"),
    Screen("rewards", "奖品", "爱心商家", (MERCHANT_ADMIN, ADMIN), "rewards"),
    Screen("users", "用户与角色", "系统管理", (UNIT_ADMIN, ADMIN), "users"),
    Screen("units", "单位与队伍", "系统管理", (UNIT_ADMIN, ADMIN), "units"),
    Screen("certificates", "证书设置", "系统管理", (UNIT_ADMIN, ADMIN), "certificate-settings"),
    Screen("audit", "审计日志", "系统管理", (ADMIN,), "audit"),
    Screen("stats", "数据", "数据", (OFFICIAL, UNIT_ADMIN, ADMIN), "stats"),
)

SCREENS_BY_KEY: dict[str, Screen] = {screen.key: screen for screen in SCREENS}

# Every role that may use the console: the sign-in refuses nobody, but someone holding none
# of these sees "no console screens for your account".
CONSOLE_ROLES: tuple[str, ...] = tuple(
    sorted({role for screen in SCREENS for role in screen.roles})
)
