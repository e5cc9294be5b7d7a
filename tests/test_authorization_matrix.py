# ruff: noqa: E501  (the table reads best with one line per endpoint)
"""Who may call which API endpoint: one table, every endpoint × every kind of user.

Each row of ``MATRIX`` is one endpoint (method and rule as in ``app.url_map``) and, per
column, what a user of that kind gets when calling it on the fixture world below:

- ``ok``: allowed (the answer is neither 401 nor 403; it may be 2xx, or a 404/409/422 of
  the business rules, since the world's objects are shared by all rows);
- ``401``, ``403``: refused with that status; ``404``: refused by hiding the object;
- ``409``: answered ``invalid_transition``: the 我来帮 moves check the caller's role first,
  then the request's state (the world's hotline request is cancelled by its dispatchers in
  the ``cancel`` row, so no later move applies to anybody; nobody holds it, so nobody may
  make the assignee's moves).

Columns: ``anon`` nobody signed in; ``res`` a resident (WeChat user, no role); ``vol`` a
registered volunteer (of station 油坊陈村, 巨陵镇), who owns the world's sign-up, records,
redemption, dispute and certificate; ``lead`` a team leader of 巨陵镇; ``other`` the admin of a
station of another township (城关街道颍川社区); ``inst`` the admin of the 巨陵镇 institute, whose
subtree holds the world's activity, help request, merchant and team; ``edit`` an editor;
``merch`` the admin of the world's merchant; ``admin`` a county admin.

In each row, the refused users go first: a refusal must change nothing.

To add an endpoint (a new one fails ``test_the_matrix_covers_every_api_endpoint``): add one
line to ``MATRIX``; if it takes a JSON body, add what a valid one looks like to ``BODIES``
(a function of the world); a path parameter of a new name gets its object in ``world``'s
``params``. Rows are independent of order except that they share the world.
"""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app

from api.accounts.services import register_volunteer
from api.extensions import db
from api.families.consent import CONSENT_VERSION
from api.help import submitting as help_submitting
from api.hours.models import RecordStatus, ServiceRecord
from api.notifications.kinds import KINDS
from api.points import merchants, redemptions
from api.signups.services import sign_up
from api.timeutil import utcnow
from api.wechat.models import WeChatAccessToken, WxaCodeImage

# As in the root conftest (importing it by name would find another folder's conftest).
CORPUS_DIR = Path(os.environ.get("CORPUS_DIR", Path(__file__).resolve().parent.parent / "corpus"))

ROLES = ("anon", "res", "vol", "lead", "other", "inst", "edit", "merch", "admin")

MATRIX = """
endpoint                                                                     anon   res    vol    lead   other  inst   edit   merch  admin
GET    /api/v1/activities                                                    ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/activities                                                    401    403    403    ok     403    ok     403    403    ok
GET    /api/v1/activities.ics                                                ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/activities/<int:activity_id>                                  ok     ok     ok     ok     ok     ok     ok     ok     ok
PATCH  /api/v1/activities/<int:activity_id>                                  401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/activities/<int:activity_id>/assisted-signups                 401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/activities/<int:activity_id>/cancel                           401    403    403    ok     403    ok     403    403    ok
GET    /api/v1/activities/<int:activity_id>/checkin-code                     401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/activities/<int:activity_id>/checkins                         401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/activities/<int:activity_id>/checkins/staff                   401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/activities/<int:activity_id>/checkouts                        401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/activities/<int:activity_id>/checkouts/staff                  401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/activities/<int:activity_id>/publish                          401    403    403    ok     403    ok     403    403    ok
GET    /api/v1/activities/<int:activity_id>/roster                           401    403    403    ok     403    ok     403    403    ok
GET    /api/v1/activities/<int:activity_id>/roster.xlsx                      401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/activities/<int:activity_id>/service-records/approve          401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/activities/<int:activity_id>/service-records/reject           401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/activities/<int:activity_id>/signups                          401    ok     ok     ok     ok     ok     ok     ok     ok
DELETE /api/v1/activities/<int:activity_id>/signups/me                       401    404    ok     404    404    404    404    404    404
GET    /api/v1/activities/<int:activity_id>/wxacode                          ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/activities/calendar                                           ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/activities/imports                                            401    403    403    ok     ok     ok     403    403    ok
GET    /api/v1/activities/managed                                            401    403    403    ok     ok     ok     403    403    ok
POST   /api/v1/activity-series                                               401    403    403    ok     403    ok     403    403    ok
GET    /api/v1/activity-series/<int:series_id>                               404    404    404    ok     404    ok     404    404    ok
PATCH  /api/v1/activity-series/<int:series_id>                               401    403    403    ok     403    ok     403    403    ok
GET    /api/v1/articles                                                      ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/articles                                                      401    403    403    403    403    403    ok     403    ok
GET    /api/v1/articles/<slug>                                               404    404    404    404    404    404    404    404    404
PUT    /api/v1/articles/<slug>                                               401    403    403    403    403    403    ok     403    ok
POST   /api/v1/articles/<slug>/images                                        401    403    403    403    403    403    ok     403    ok
GET    /api/v1/articles/<slug>/images/<name>                                 401    403    403    403    403    403    404    403    404
POST   /api/v1/articles/<slug>/publish                                       401    403    403    403    403    403    ok     403    ok
POST   /api/v1/articles/<slug>/unpublish                                     401    403    403    403    403    403    ok     403    ok
POST   /api/v1/articles/preview                                              401    403    403    403    403    403    ok     403    ok
GET    /api/v1/audit                                                         401    403    403    403    ok     ok     403    403    ok
POST   /api/v1/auth/password                                                 401    401    401    401    401    401    401    401    401
POST   /api/v1/auth/refresh                                                  401    401    401    401    401    401    401    401    401
POST   /api/v1/auth/wechat                                                   ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/auth/wechat-web                                               ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/certificates/<string:code>                                    ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/certificates/<string:code>/revoke                             401    403    403    403    403    ok     403    403    ok
GET    /api/v1/docs                                                          ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/docs-assets/<path:filename>                                   ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/editor/articles                                               401    403    403    403    403    403    ok     403    ok
GET    /api/v1/editor/articles/<slug>                                        401    403    403    403    403    403    ok     403    ok
GET    /api/v1/family/consent-text                                           ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/help-requests                                                 401    403    403    403    ok     ok     403    403    ok
POST   /api/v1/help-requests                                                 401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/help-requests/<int:request_id>                                404    404    404    404    404    ok     404    404    ok
POST   /api/v1/help-requests/<int:request_id>/accept                         401    403    403    403    403    403    403    403    403
POST   /api/v1/help-requests/<int:request_id>/activity                       401    403    403    403    403    403    403    403    403
POST   /api/v1/help-requests/<int:request_id>/cancel                         401    403    403    403    403    ok     403    403    ok
POST   /api/v1/help-requests/<int:request_id>/claim                          401    403    403    403    403    409    403    403    409
POST   /api/v1/help-requests/<int:request_id>/complete                       401    403    403    403    403    403    403    403    403
POST   /api/v1/help-requests/<int:request_id>/dispatch                       401    403    403    403    403    409    403    403    409
POST   /api/v1/help-requests/<int:request_id>/rate                           401    403    403    403    403    409    403    403    409
POST   /api/v1/help-requests/<int:request_id>/redispatch                     401    403    403    403    403    409    403    403    409
POST   /api/v1/help-requests/<int:request_id>/reject                         401    403    403    403    403    409    403    403    409
POST   /api/v1/help-requests/<int:request_id>/release                        401    403    403    403    403    409    403    403    409
POST   /api/v1/help-requests/<int:request_id>/requeue                        401    403    403    403    403    409    403    403    409
POST   /api/v1/help-requests/<int:request_id>/route                          401    403    403    403    403    409    403    403    409
GET    /api/v1/help-requests/assigned                                        401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/help-requests/board                                           ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/help-teams/<int:team_id>/responders                           401    403    403    403    403    403    403    403    ok
PUT    /api/v1/help-teams/<int:team_id>/responders                           401    403    403    403    403    403    403    403    ok
GET    /api/v1/hours/disputes                                                401    403    403    ok     ok     ok     403    403    ok
POST   /api/v1/hours/disputes/<int:dispute_id>/resolve                       401    403    403    ok     403    ok     403    403    ok
GET    /api/v1/hours/honor-roll                                              ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/hours/lookup                                                  ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/hours/lookup                                                  404    404    404    404    404    404    404    404    404
GET    /api/v1/hours/records                                                 401    403    403    ok     ok     ok     403    403    ok
POST   /api/v1/hours/records                                                 401    403    403    ok     403    ok     403    403    ok
GET    /api/v1/hours/records/<int:record_id>                                 401    403    ok     ok     403    ok     403    403    ok
POST   /api/v1/hours/records/<int:record_id>/approve                         401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/hours/records/<int:record_id>/corrections                     401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/hours/records/<int:record_id>/reject                          401    403    403    ok     403    ok     403    403    ok
POST   /api/v1/hours/records/<int:record_id>/void                            401    403    403    ok     403    ok     403    403    ok
GET    /api/v1/hours/reports/summary                                         401    403    403    403    403    ok     403    403    ok
GET    /api/v1/hours/reports/summary.xlsx                                    401    403    403    403    403    ok     403    403    ok
GET    /api/v1/hours/reports/volunteers.csv                                  401    403    403    403    403    ok     403    403    ok
GET    /api/v1/jobs/<int:job_id>                                             401    403    403    403    403    403    ok     403    ok
GET    /api/v1/me                                                            401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/calendar-feed                                              401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/me/calendar-feed                                              401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/me/calendar-feed/reset                                        401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/calendar.ics                                               404    404    404    404    404    404    404    404    404
GET    /api/v1/me/certificates                                               401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/me/certificates                                               401    403    ok     403    403    403    403    403    403
GET    /api/v1/me/certificates/<string:code>/pdf                             401    404    ok     404    404    404    404    404    404
GET    /api/v1/me/family                                                     401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/me/family                                                     401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/family/<int:member_id>/certificates                        401    404    ok     404    404    404    404    404    404
POST   /api/v1/me/family/<int:member_id>/certificates                        401    404    ok     404    404    404    404    404    404
GET    /api/v1/me/family/<int:member_id>/certificates/<string:code>/pdf      401    404    404    404    404    404    404    404    404
DELETE /api/v1/me/family/<int:member_id>/consent                             401    404    ok     404    404    404    404    404    404
POST   /api/v1/me/family/<int:member_id>/consent                             401    404    ok     404    404    404    404    404    404
GET    /api/v1/me/family/<int:member_id>/hours                               401    404    ok     404    404    404    404    404    404
GET    /api/v1/me/family/<int:member_id>/signups                             401    404    ok     404    404    404    404    404    404
POST   /api/v1/me/family/<int:member_id>/signups                             401    404    ok     404    404    404    404    404    404
DELETE /api/v1/me/family/<int:member_id>/signups/<int:activity_id>           401    404    404    404    404    404    404    404    404
GET    /api/v1/me/help-requests                                              401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/hours                                                      401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/hours/disputes                                             401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/me/hours/disputes                                             401    404    ok     404    404    404    404    404    404
GET    /api/v1/me/inbox                                                      401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/merchants                                                  401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/notifications                                              401    ok     ok     ok     ok     ok     ok     ok     ok
PUT    /api/v1/me/notifications                                              401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/me/phone                                                      401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/points                                                     401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/redemptions                                                401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/me/redemptions/<int:redemption_id>                            401    404    ok     404    404    404    404    404    404
POST   /api/v1/me/redemptions/<int:redemption_id>/cancel                     401    404    ok     404    404    404    404    404    404
GET    /api/v1/me/redemptions/<int:redemption_id>/qr.png                     401    404    ok     404    404    404    404    404    404
GET    /api/v1/me/signups                                                    401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/me/subscriptions                                              401    ok     ok     ok     ok     ok     ok     ok     ok
PUT    /api/v1/me/volunteer                                                  401    ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/merchants                                                     ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/merchants                                                     401    403    403    403    403    ok     403    403    ok
GET    /api/v1/merchants/<int:merchant_id>                                   ok     ok     ok     ok     ok     ok     ok     ok     ok
PATCH  /api/v1/merchants/<int:merchant_id>                                   401    403    403    403    403    ok     403    ok     ok
GET    /api/v1/merchants/<int:merchant_id>/redemptions                       401    403    403    403    403    ok     403    ok     ok
GET    /api/v1/merchants/<int:merchant_id>/rewards                           401    403    403    403    403    ok     403    ok     ok
POST   /api/v1/merchants/<int:merchant_id>/rewards                           401    403    403    403    403    ok     403    ok     ok
GET    /api/v1/openapi.json                                                  ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/redemptions/confirm                                           401    404    404    404    404    404    404    404    404
GET    /api/v1/rewards                                                       ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/rewards/<int:reward_id>                                       ok     ok     ok     ok     ok     ok     ok     ok     ok
PATCH  /api/v1/rewards/<int:reward_id>                                       401    403    403    403    403    ok     403    ok     ok
POST   /api/v1/rewards/<int:reward_id>/redemptions                           401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/rewards/<int:reward_id>/restock                               401    403    403    403    403    ok     403    ok     ok
DELETE /api/v1/role-grants/<int:grant_id>                                    401    403    403    403    403    ok     403    403    ok
GET    /api/v1/search                                                        ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/search/suggest                                                ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/stats                                                         ok     ok     ok     ok     ok     ok     ok     ok     ok
GET    /api/v1/teams                                                         ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/teams                                                         401    403    403    403    403    ok     403    403    ok
PATCH  /api/v1/teams/<int:team_id>                                           401    403    403    403    403    403    403    403    ok
GET    /api/v1/units                                                         ok     ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/units                                                         401    403    403    403    403    ok     403    403    ok
GET    /api/v1/units/<int:unit_id>                                           ok     ok     ok     ok     ok     ok     ok     ok     ok
PATCH  /api/v1/units/<int:unit_id>                                           401    403    403    403    403    ok     403    403    ok
GET    /api/v1/units/<int:unit_id>/certificate-settings                      401    403    403    403    403    ok     403    403    ok
PUT    /api/v1/units/<int:unit_id>/certificate-settings                      401    403    403    403    403    ok     403    403    ok
GET    /api/v1/users                                                         401    403    403    403    ok     ok     403    403    ok
POST   /api/v1/users                                                         401    403    403    403    403    ok     403    403    ok
GET    /api/v1/users/<int:user_id>                                           401    403    403    403    404    404    403    403    ok
POST   /api/v1/users/<int:user_id>/password                                  401    403    403    403    403    403    403    403    ok
POST   /api/v1/users/<int:user_id>/roles                                     401    403    403    403    403    ok     403    403    ok
POST   /api/v1/auth/logout                                                   401    ok     ok     ok     ok     ok     ok     ok     ok
POST   /api/v1/auth/logout-all                                               401    ok     ok     ok     ok     ok     ok     ok     ok
"""

DAY = "2026-12-10"


def _activity_body(w):
    starts = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    return {
        "title": "敬老院清扫",
        "theme": "caring",
        "category": "卫生环保",
        "unit_id": w["unit"],
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
    }


BODIES = {
    "POST /api/v1/auth/wechat": lambda w: {"code": "demo-resident"},
    "POST /api/v1/auth/password": lambda w: {"username": "root", "password": "wrong-password"},
    "POST /api/v1/auth/refresh": lambda w: {"refresh_token": "x" * 20},
    "PUT /api/v1/me/volunteer": lambda w: {
        "real_name": "李四",
        "phone": "13900001111",
        "unit_id": w["station"],
    },
    "PATCH /api/v1/units/<int:unit_id>": lambda w: {"phone": "0395-8866002"},
    "POST /api/v1/teams": lambda w: {
        "name": "巨陵镇助老队",
        "category": "特色",
        "unit_id": w["unit"],
    },
    "PATCH /api/v1/teams/<int:team_id>": lambda w: {"member_count": 30},
    "POST /api/v1/activities": _activity_body,
    "PATCH /api/v1/activities/<int:activity_id>": lambda w: {"capacity": 25},
    "POST /api/v1/activities/<int:activity_id>/cancel": lambda w: {"reason": "天气原因"},
    "POST /api/v1/activity-series": lambda w: {
        "template": {
            "title": "周末读书会",
            "theme": "history",
            "category": "文化文艺服务",
            "unit_id": w["unit"],
        },
        "rule": {
            "weekdays": [5],
            "start_time": "09:00",
            "end_time": "11:00",
            "first_date": "2026-12-05",
            "last_date": "2026-12-26",
        },
    },
    "PATCH /api/v1/activity-series/<int:series_id>": lambda w: {
        "template": {"title": "周末读书会（改）"}
    },
    "POST /api/v1/activities/<int:activity_id>/assisted-signups": lambda w: {
        "real_name": "王大爷",
        "phone": "13700009999",
    },
    "POST /api/v1/activities/<int:activity_id>/checkins": lambda w: {"token": "x" * 30},
    "POST /api/v1/activities/<int:activity_id>/checkouts": lambda w: {"token": "x" * 30},
    "POST /api/v1/activities/<int:activity_id>/checkins/staff": lambda w: {
        "user_id": w["volunteer_id"],
        "reason": "手机没电",
    },
    "POST /api/v1/activities/<int:activity_id>/checkouts/staff": lambda w: {
        "user_id": w["volunteer_id"],
        "reason": "手机没电",
    },
    "POST /api/v1/hours/records": lambda w: {
        "user_id": w["volunteer_id"],
        "activity_id": w["activity"],
        "credited_minutes": 60,
        "reason": "补录",
    },
    "POST /api/v1/hours/records/<int:record_id>/approve": lambda w: {},
    "POST /api/v1/hours/records/<int:record_id>/reject": lambda w: {"note": "时长不符"},
    "POST /api/v1/hours/records/<int:record_id>/corrections": lambda w: {
        "credited_minutes": 90,
        "reason": "更正",
    },
    "POST /api/v1/hours/records/<int:record_id>/void": lambda w: {"reason": "重复"},
    "POST /api/v1/activities/<int:activity_id>/service-records/approve": lambda w: {},
    "POST /api/v1/activities/<int:activity_id>/service-records/reject": lambda w: {
        "note": "未到场"
    },
    "POST /api/v1/me/hours/disputes": lambda w: {
        "kind": "wrong",
        "record_id": w["disputed"],
        "claimed_minutes": 120,
        "description": "少记",
    },
    "POST /api/v1/hours/disputes/<int:dispute_id>/resolve": lambda w: {
        "decision": "dismiss",
        "note": "核实无误",
    },
    "POST /api/v1/hours/lookup": lambda w: {"name": "王小红", "id_last4": "1234"},
    "PUT /api/v1/units/<int:unit_id>/certificate-settings": lambda w: {"principal_name": "张主任"},
    "POST /api/v1/me/certificates": lambda w: {},
    "POST /api/v1/certificates/<string:code>/revoke": lambda w: {"reason": "信息有误"},
    "POST /api/v1/articles": lambda w: {
        "title": "新文章",
        "date": DAY,
        "category": "news",
        "author": "宣传组",
        "body": "正文",
    },
    "PUT /api/v1/articles/<slug>": lambda w: {"summary": "摘要"},
    "POST /api/v1/articles/preview": lambda w: {"body": "**预览**"},
    "POST /api/v1/me/subscriptions": lambda w: {"template_ids": ["demo-template"]},
    "PUT /api/v1/me/notifications": lambda w: {"kinds": [{"kind": KINDS[0], "enabled": True}]},
    "POST /api/v1/me/phone": lambda w: {"code": "demo-phone"},
    "POST /api/v1/help-requests": lambda w: dict(w["help_values"]),
    "POST /api/v1/help-requests/<int:request_id>/reject": lambda w: {"reason": "重复"},
    "POST /api/v1/help-requests/<int:request_id>/route": lambda w: {"unit_id": w["station"]},
    "POST /api/v1/help-requests/<int:request_id>/dispatch": lambda w: {"team_id": w["team"]},
    "POST /api/v1/help-requests/<int:request_id>/redispatch": lambda w: {"team_id": w["team"]},
    "POST /api/v1/help-requests/<int:request_id>/requeue": lambda w: {"reason": "人手不足"},
    "POST /api/v1/help-requests/<int:request_id>/complete": lambda w: {
        "report": "已清理",
        "volunteers": [{"user_id": w["volunteer_id"], "minutes": 60}],
    },
    "POST /api/v1/help-requests/<int:request_id>/rate": lambda w: {"rating": 5},
    "POST /api/v1/help-requests/<int:request_id>/cancel": lambda w: {"reason": "已解决"},
    "POST /api/v1/help-requests/<int:request_id>/activity": lambda w: {
        "starts_at": "2026-12-12T09:00:00+08:00",
        "ends_at": "2026-12-12T11:00:00+08:00",
    },
    "PUT /api/v1/help-teams/<int:team_id>/responders": lambda w: {"user_ids": []},
    "POST /api/v1/merchants": lambda w: {
        "name": "第二家爱心超市",
        "unit_id": w["unit"],
        "admin_id": w["merchant_admin_id"],
    },
    "PATCH /api/v1/merchants/<int:merchant_id>": lambda w: {"phone": "0395-8866003"},
    "POST /api/v1/merchants/<int:merchant_id>/rewards": lambda w: {
        "name": "牙膏",
        "points_cost": 10,
    },
    "PATCH /api/v1/rewards/<int:reward_id>": lambda w: {"points_cost": 35},
    "POST /api/v1/rewards/<int:reward_id>/restock": lambda w: {"quantity": 1},
    "POST /api/v1/redemptions/confirm": lambda w: {"code": "ABCDEFGH"},
    "POST /api/v1/auth/wechat-web": lambda w: {"code": "demo-resident", "state": "abc123"},
    "POST /api/v1/me/family": lambda w: dict(FAMILY_MEMBER),
    "POST /api/v1/me/family/<int:member_id>/consent": lambda w: {
        "consent": True,
        "consent_version": CONSENT_VERSION,
    },
    "POST /api/v1/units": lambda w: {
        "code": "LY-JL-XC",
        "name": "新村新时代文明实践站",
        "parent_id": w["unit"],
    },
    "POST /api/v1/users": lambda w: {
        "username": "newstaff",
        "role": "team_leader",
        "unit_id": w["unit"],
    },
    "POST /api/v1/users/<int:user_id>/roles": lambda w: {
        "role": "team_leader",
        "unit_id": w["unit"],
    },
    "POST /api/v1/users/<int:user_id>/password": lambda w: {},
    "POST /api/v1/me/family/<int:member_id>/signups": lambda w: {"activity_id": w["activity"]},
}
FAMILY_MEMBER = {
    "real_name": "王小宝",
    "birth_date": "2016-05-01",
    "relation": "子女",
    "consent": True,
    "consent_version": CONSENT_VERSION,
}

# Query strings of endpoints that need one.
QUERIES = {
    "GET /api/v1/activities/calendar": lambda w: {"month": "2026-12"},
    "GET /api/v1/hours/honor-roll": lambda w: {"unit_id": w["unit"]},
    "GET /api/v1/hours/reports/summary": lambda w: {"unit_id": w["unit"]},
    "GET /api/v1/hours/reports/summary.xlsx": lambda w: {"unit_id": w["unit"]},
    "GET /api/v1/hours/reports/volunteers.csv": lambda w: {"unit_id": w["unit"]},
    "GET /api/v1/me/calendar.ics": lambda w: {"token": "x" * 30},
    "GET /api/v1/search": lambda w: {"q": "义诊"},
}


@pytest.fixture
def world(app, client, corpus_units, create_user, create_activity, auth_headers):
    """The fixture world and one user of each column, with their request headers."""
    unit, station = corpus_units["LY-JL"], corpus_units["LY-JL-YFC"]
    users = {
        "res": create_user(),
        "vol": create_user(),
        "lead": create_user("leader", roles=[("team_leader", "LY-JL")]),
        "other": create_user("other", roles=[("unit_admin", "LY-CG-YC")]),
        "inst": create_user("julin", roles=[("unit_admin", "LY-JL")]),
        "edit": create_user("editor", roles=[("editor", "LY")]),
        "merch": create_user("shop"),
        "admin": create_user("root", roles=[("admin", None)]),
    }
    spare = create_user("spare", roles=[("team_leader", "LY-JL")])  # for the staff rows
    volunteer, admin = users["vol"], users["admin"]
    register_volunteer(volunteer, real_name="王小红", phone="13700001234", unit_id=station.id)
    activity = create_activity()
    sign_up(volunteer, activity.id)
    record = ServiceRecord(
        user_id=volunteer.id,
        unit_id=unit.id,
        activity_id=activity.id,
        credited_minutes=90,
        source="manual",
        status=RecordStatus.PENDING,
        category="医疗健身",
        served_at=utcnow() - timedelta(days=1),
        created_by_id=None,
    )
    earned = ServiceRecord(
        user_id=volunteer.id,
        unit_id=unit.id,
        credited_minutes=300,
        source="checkin",
        status=RecordStatus.APPROVED,
        category="卫生环保",
        reviewed_at=utcnow(),
        served_at=utcnow() - timedelta(hours=3),
    )
    disputed = ServiceRecord(
        user_id=volunteer.id,
        unit_id=unit.id,
        activity_id=activity.id,
        credited_minutes=60,
        source="manual",
        status=RecordStatus.APPROVED,
        category="医疗健身",
        served_at=utcnow() - timedelta(days=2),
        reviewed_at=utcnow(),
    )
    db.session.add_all([record, earned, disputed])
    db.session.commit()
    merchant = merchants.create_merchant(
        admin,
        {
            "name": "巨陵镇爱心超市",
            "unit_id": unit.id,
            "admin_id": users["merch"].id,
            "address": "巨陵大街 18 号",
            "phone": "0395-8866001",
        },
    )
    reward = merchants.create_reward(
        admin, merchant.id, {"name": "洗衣液", "points_cost": 30, "stock": 5}
    )
    redemption = redemptions.redeem(volunteer, reward.id)
    help_values = {
        "category": "卫生环保",
        "description": "排水沟堵塞，需要志愿者帮忙清理",
        "address": "临颍县巨陵镇油坊陈村3组12号",
        "contact_name": "张大爷",
        "phone": "13812345678",
        "preferred_time": "周六上午",
        "unit_id": station.id,
    }
    help_request = help_submitting.enter_hotline(admin, help_values)
    team = next(team for team in unit.teams) if hasattr(unit, "teams") else None
    headers = {role: auth_headers(user) for role, user in users.items()}
    headers["anon"] = {}
    as_admin, as_volunteer = headers["admin"], headers["vol"]
    article = client.post(
        "/api/v1/articles",
        headers=headers["edit"],
        json={
            "title": "志愿服务进社区",
            "date": DAY,
            "category": "news",
            "author": "宣传组",
            "body": "正文",
        },
    ).get_json()
    job = client.post(
        f"/api/v1/articles/{article['slug']}/publish", headers=headers["edit"]
    ).get_json()
    series = client.post(
        "/api/v1/activity-series",
        headers=as_admin,
        json=BODIES["POST /api/v1/activity-series"]({"unit": unit.id}),
    )
    dispute = client.post(
        "/api/v1/me/hours/disputes",
        headers=as_volunteer,
        json={
            "kind": "wrong",
            "record_id": record.id,
            "claimed_minutes": 110,
            "description": "少记了半小时",
        },
    )
    certificate = client.post("/api/v1/me/certificates", headers=as_volunteer, json={})
    member = client.post("/api/v1/me/family", headers=as_volunteer, json=dict(FAMILY_MEMBER))
    w = {
        "unit": unit.id,
        "station": station.id,
        "volunteer_id": volunteer.id,
        "merchant_admin_id": users["merch"].id,
        "activity": activity.id,
        "record": record.id,
        "disputed": disputed.id,
        "help_values": help_values,
        "headers": headers,
    }
    w["sign_in"] = lambda role: auth_headers(users[role]) if role != "anon" else {}
    w["team"] = team.id if team is not None else 1
    w["params"] = {
        "unit_id": unit.id,
        "team_id": w["team"],
        "activity_id": activity.id,
        "series_id": _created(series)["id"],
        "record_id": record.id,
        "dispute_id": _created(dispute)["id"],
        "code": _created(certificate)["code"],
        "job_id": job["id"],
        "slug": article["slug"],
        "request_id": help_request.id,
        "merchant_id": merchant.id,
        "reward_id": reward.id,
        "redemption_id": redemption.id,
        "filename": "swagger-ui.css",
        "name": "no-such-image.png",
        "member_id": _created(member)["id"],
        "user_id": spare.id,
        "grant_id": spare.grants[0].id,
    }
    return w


def _created(response) -> dict:
    assert response.status_code < 300, response.get_json()
    return response.get_json()


def api_endpoints(app) -> set[str]:
    """``METHOD rule`` of every API endpoint in the url_map."""
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def parse_matrix() -> dict[str, dict[str, str]]:
    rows = {}
    for line in MATRIX.strip().splitlines()[1:]:
        method, rule, *cells = line.split()
        assert len(cells) == len(ROLES), line
        rows[f"{method} {rule}"] = dict(zip(ROLES, cells, strict=True))
    return rows


def _url(rule: str, params: dict) -> str:
    import re

    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m.group(1)]), rule)


def _call(client, endpoint: str, world: dict, role: str):
    method, rule = endpoint.split(" ", 1)
    # Signing out ends the token's session (or all of the user's): those rows go last and
    # sign in afresh.
    fresh = endpoint in SIGN_OUTS
    kwargs = {"headers": world["sign_in"](role) if fresh else world["headers"][role]}
    if endpoint in BODIES:
        kwargs["json"] = BODIES[endpoint](world)
    if endpoint in QUERIES:
        kwargs["query_string"] = QUERIES[endpoint](world)
    if endpoint == "POST /api/v1/articles/<slug>/images":
        kwargs["data"] = {"file": (io.BytesIO(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "a.gif")}
    if endpoint == "POST /api/v1/activities/imports":
        header = (CORPUS_DIR / "activities.csv").read_bytes().splitlines()[0]
        kwargs["data"] = {"file": (io.BytesIO(header + b"\n"), "activities.csv")}
    response = client.open(_url(rule, world["params"]), method=method, **kwargs)
    response.close()  # files (docs assets, PDFs) are streamed
    return response


SIGN_OUTS = ("POST /api/v1/auth/logout", "POST /api/v1/auth/logout-all")


def in_running_order(endpoints) -> list[str]:
    """Table order, sign-outs last (they end the sessions the other rows use)."""
    return sorted(endpoints, key=lambda endpoint: endpoint in SIGN_OUTS)


def _verdict(response) -> str:
    if response.status_code == 409 and response.get_json()["error"] == "invalid_transition":
        return "409"
    return str(response.status_code) if response.status_code in (401, 403, 404) else "ok"


def _verdict_debug(response) -> str:
    import os

    if os.environ.get("MATRIX_DEBUG") and response.status_code not in (401, 403, 404):
        return f"{response.status_code}:{(response.get_json(silent=True) or {}).get('error')}"
    return _verdict(response)


def test_the_matrix_covers_every_api_endpoint(app):
    """A new endpoint needs its row (and a removed one loses it)."""
    table = set(parse_matrix())
    assert sorted(api_endpoints(app) - table) == [], "endpoints missing from MATRIX"
    assert sorted(table - api_endpoints(app)) == [], "rows of endpoints that do not exist"


@pytest.mark.slow
def test_every_user_gets_what_the_matrix_says(app, client, world):
    mismatches = []
    for endpoint, expected in (
        (endpoint, parse_matrix()[endpoint]) for endpoint in in_running_order(parse_matrix())
    ):
        # Refusals first: a refused call must change nothing for the allowed ones after it.
        for role in sorted(ROLES, key=lambda role: expected[role] == "ok"):
            response = _call(client, endpoint, world, role)
            allowed = expected[role] == "ok" and response.status_code not in (401, 403)
            if not allowed and _verdict(response) != expected[role]:
                mismatches.append(
                    f"{endpoint} as {role}: expected {expected[role]}, got "
                    f"{response.status_code} {response.get_json(silent=True)}"
                )
    assert mismatches == []


# Caches of WeChat's answers (its access token, an activity's 小程序码 image), filled when
# first needed: no data of the platform's own.
WECHAT_CACHES = (WeChatAccessToken.__tablename__, WxaCodeImage.__tablename__)


def test_no_get_writes_for_anybody(client, world, writes_during_get):
    """A GET never writes: every GET endpoint, called by every kind of user on the world
    above, runs no INSERT, UPDATE or DELETE (but to the WeChat caches)."""
    for endpoint in (endpoint for endpoint in parse_matrix() if endpoint.startswith("GET ")):
        for role in ROLES:
            _call(client, endpoint, world, role)

    assert [
        (path, statement)
        for path, statement in writes_during_get
        if not any(f" {table} " in statement for table in WECHAT_CACHES)
    ] == []


@pytest.mark.skipif(
    not __import__("os").environ.get("MATRIX_DISCOVER"),
    reason="prints the observed matrix when MATRIX_DISCOVER=1",
)
def test_print_the_observed_matrix(app, client, world):
    """``MATRIX_DISCOVER=1 pytest -s -k observed``: what each user gets now, in the table's
    format (``MATRIX_DEBUG=1`` adds status and reason of the allowed cells); review every
    cell before copying a line into ``MATRIX``."""
    lines = []
    for endpoint in in_running_order(
        sorted(api_endpoints(current_app), key=lambda e: (e.split()[1], e))
    ):
        cells = [_verdict_debug(_call(client, endpoint, world, role)) for role in ROLES]
        lines.append(
            f"{endpoint.split()[0]:6} {endpoint.split()[1]:66} " + " ".join(f"{c:5}" for c in cells)
        )
    print("\n".join(lines))
