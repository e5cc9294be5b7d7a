"""Reading the audit log: filtered, newest first, limited to what the reader administers.

An entry is about one object (``entity_type``, ``entity_id``). A reader with a managing role on
part of the county sees the entries about objects of their subtree: units, teams, activities,
help requests, service records, disputes, certificates, merchants, rewards, redemptions, and
people holding a role or volunteering there. Entries about anything else (articles, county-wide
exports) are for county-wide administrators only (a grant on the root unit, or on none).
"""

from datetime import date

from sqlalchemy import Select, String, and_, cast, or_, select

from api.accounts import roles
from api.accounts.models import RoleGrant, User, VolunteerProfile
from api.activities.models import Activity
from api.audit.models import AuditEntry
from api.auth.permissions import county_wide, scope_condition
from api.help.models import HelpRequest
from api.hours.models import Certificate, HoursDispute, ServiceRecord
from api.points.models import Merchant, Redemption, Reward
from api.timeutil import local_day_bounds
from api.units.models import Team, Unit


def _ids_in_scope(condition) -> dict[str, Select]:
    """For each entity type, the ids (as text) of its objects inside ``condition``'s units."""

    def ids(column, *joins) -> Select:
        statement = select(cast(column, String))
        for target, on in joins:
            statement = statement.join(target, on)
        return statement.where(condition)

    return {
        "unit": ids(Unit.id).select_from(Unit),
        "team": ids(Team.id, (Unit, Team.unit_id == Unit.id)),
        "activity": ids(Activity.id, (Unit, Activity.unit_id == Unit.id)),
        "help_request": ids(HelpRequest.id, (Unit, HelpRequest.unit_id == Unit.id)),
        "service_record": ids(ServiceRecord.id, (Unit, ServiceRecord.unit_id == Unit.id)),
        "hours_dispute": ids(HoursDispute.id, (Unit, HoursDispute.unit_id == Unit.id)),
        "certificate": ids(Certificate.id, (Unit, Certificate.unit_id == Unit.id)),
        "merchant": ids(Merchant.id, (Unit, Merchant.unit_id == Unit.id)),
        "reward": ids(
            Reward.id,
            (Merchant, Reward.merchant_id == Merchant.id),
            (Unit, Merchant.unit_id == Unit.id),
        ),
        "redemption": ids(
            Redemption.id,
            (Merchant, Redemption.merchant_id == Merchant.id),
            (Unit, Merchant.unit_id == Unit.id),
        ),
        "user": ids(RoleGrant.user_id, (Unit, RoleGrant.unit_id == Unit.id)).union(
            ids(VolunteerProfile.user_id, (Unit, VolunteerProfile.unit_id == Unit.id))
        ),
    }


def entries_query(
    actor: User,
    *,
    actor_id: int | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Select:
    """Audit entries the actor may read, newest first; ``start``/``end`` are local dates
    (inclusive).

    :raises Forbidden: without a managing role.
    """
    statement = select(AuditEntry).order_by(AuditEntry.id.desc())
    condition = scope_condition(actor, None, roles.MANAGING_ROLES)
    if not county_wide(actor, roles.MANAGING_ROLES):
        statement = statement.where(
            or_(
                *(
                    and_(AuditEntry.entity_type == kind, AuditEntry.entity_id.in_(ids))
                    for kind, ids in _ids_in_scope(condition).items()
                )
            )
        )
    if actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == actor_id)
    if entity_type is not None:
        statement = statement.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == entity_id)
    if action is not None:
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    if start is not None:
        statement = statement.where(AuditEntry.created_at >= local_day_bounds(start, start)[0])
    if end is not None:
        statement = statement.where(AuditEntry.created_at < local_day_bounds(end, end)[1])
    return statement
