"""Certificates (志愿服务记录证明): issue, verify, revoke; the issuing units' settings.

A certificate freezes a masked snapshot of the volunteer's approved hours when issued; the
PDF is rendered from that snapshot (so it reads the same every time it is downloaded).
It is numbered for people (``ZYFW2026000123``) and verified by an unguessable code, the
one in its QR code: a guessed or altered code finds nothing.
"""

import secrets
from base64 import b32encode
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from api.accounts import roles
from api.accounts.models import User
from api.accounts.services import VolunteersOnly
from api.activities.models import Activity
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages
from api.errors import Conflict, Forbidden, NotFound
from api.extensions import db
from api.hours.models import (
    Certificate,
    CertificateSettings,
    CertificateStatus,
    RecordStatus,
    ServiceRecord,
)
from api.hours.totals import hours
from api.personal_data import decrypt, mask_id_number, mask_name
from api.timeutil import to_local, utcnow
from api.transactions import atomic
from api.units.models import Unit
from api.units.tree import get_unit

# The PDF lists this many activities (the latest); the total counts them all.
MAX_LISTED_ACTIVITIES = 200
CODE_PATTERN = r"[A-Z2-7]{16}"


class CertificateNotFound(NotFound):
    error, message = "certificate_not_found", "证明不存在或编号有误"


class NoApprovedHours(Conflict):
    error, message = "no_approved_hours", "您还没有审核通过的服务时长，暂不能开具证明"


class CertificateRevoked(Conflict):
    error, message = "certificate_revoked", "该证明已作废"


def new_code() -> str:
    """16 characters of base32 (80 random bits)."""
    return b32encode(secrets.token_bytes(10)).decode()


def verify_url(code: str) -> str:
    return current_app.config["CERTIFICATE_VERIFY_URL"].format(code=code)


# --- settings -----------------------------------------------------------------------------


def get_settings(actor: User, unit_id: int) -> CertificateSettings:
    """A unit's certificate settings (empty ones when never set).

    :raises UnitNotFound: :raises Forbidden: outside the actor's subtree.
    """
    unit = get_unit(unit_id)
    ensure_manages(actor, unit)
    return db.session.get(CertificateSettings, unit.id) or CertificateSettings(
        unit_id=unit.id, principal_name="", handler_name="", contact_phone=""
    )


@atomic()
def update_settings(actor: User, unit_id: int, values: dict) -> CertificateSettings:
    """Set what a unit prints on its certificates (audit-logged).

    :raises UnitNotFound: :raises Forbidden: outside the actor's subtree.
    """
    unit = get_unit(unit_id)
    ensure_manages(actor, unit)
    settings = db.session.get(CertificateSettings, unit.id)
    if settings is None:
        settings = CertificateSettings(unit=unit)
        db.session.add(settings)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.updated_by_id = actor.id
    audit(actor, "certificate_settings.update", "unit", unit.id, details=values)
    return settings


def _issuer_settings(unit: Unit) -> CertificateSettings | None:
    """The settings of the unit or, failing that, of its nearest ancestor with some: a
    center can set them once for its whole tree."""
    codes = unit.path.split("/")
    found = {
        settings.unit.code: settings
        for settings in db.session.scalars(
            select(CertificateSettings).join(CertificateSettings.unit).where(Unit.code.in_(codes))
        )
    }
    for code in reversed(codes):
        if code in found:
            return found[code]
    return None


# --- issuing ------------------------------------------------------------------------------


def _activity_lines(user_id: int) -> list[dict]:
    """Approved minutes per activity (records without one, e.g. 我来帮, per category),
    latest first."""
    served_on = func.min(ServiceRecord.served_at).label("served_on")
    rows = db.session.execute(
        select(
            ServiceRecord.activity_id,
            Activity.title,
            ServiceRecord.category,
            served_on,
            func.sum(ServiceRecord.credited_minutes).label("minutes"),
        )
        .outerjoin(Activity, Activity.id == ServiceRecord.activity_id)
        .where(ServiceRecord.user_id == user_id, ServiceRecord.status == RecordStatus.APPROVED)
        .group_by(ServiceRecord.activity_id, Activity.title, ServiceRecord.category)
        .order_by(served_on.desc())
    ).all()
    return [
        {
            "date": to_local(row.served_on).date().isoformat(),
            "title": row.title or f"{row.category or '志愿'}服务（我来帮）",
            "minutes": int(row.minutes),
        }
        for row in rows
    ]


@dataclass(frozen=True)
class Holder:
    """Whose certificate: the name and ID number it shows (masked) and their unit."""

    real_name: str
    id_number: str | None
    unit: Unit


def volunteer_holder(user: User) -> Holder:
    """A registered volunteer as a certificate holder. :raises VolunteersOnly:"""
    profile = user.volunteer
    if profile is None:
        raise VolunteersOnly()
    id_number = decrypt(profile.id_number_encrypted) if profile.id_number_encrypted else None
    return Holder(profile.real_name, id_number, profile.unit)


@atomic()
def issue_certificate(
    user: User,
    unit_id: int | None = None,
    *,
    holder: Holder | None = None,
    actor: User | None = None,
) -> Certificate:
    """Issue a certificate of my approved hours, by my unit (or one above it).

    ``holder`` and ``actor`` are for a guardian issuing a child's certificate.

    :raises VolunteersOnly: :raises NoApprovedHours:
    :raises UnitNotFound: :raises Forbidden: ``unit_id`` is not my unit or above it.
    """
    holder = holder or volunteer_holder(user)
    unit = holder.unit
    if unit_id is not None and unit_id != unit.id:
        issuer = get_unit(unit_id)
        if not issuer.covers(unit):
            raise Forbidden("只能由您所属单位或其上级单位出具证明")
        unit = issuer
    lines = _activity_lines(user.id)
    total = sum(line["minutes"] for line in lines)
    if total == 0:
        raise NoApprovedHours()
    settings = _issuer_settings(unit)
    now = utcnow()
    snapshot = {
        "name": mask_name(holder.real_name),
        "id_number": mask_id_number(holder.id_number) if holder.id_number else None,
        "total_minutes": total,
        "total_hours": hours(total),
        "activity_count": len(lines),
        "first_date": lines[-1]["date"],
        "last_date": lines[0]["date"],
        "activities": lines[:MAX_LISTED_ACTIVITIES],
        "issuer": {
            "unit_name": unit.name,
            "principal_name": settings.principal_name if settings else "",
            "handler_name": settings.handler_name if settings else "",
            "contact_phone": settings.contact_phone if settings else (unit.phone or ""),
        },
        "issued_on": to_local(now).date().isoformat(),
    }
    certificate = Certificate(
        code=new_code(),
        user_id=user.id,
        unit_id=unit.id,
        total_minutes=total,
        snapshot=snapshot,
        status=CertificateStatus.VALID,
        issued_at=now,
    )
    db.session.add(certificate)
    db.session.flush()
    # The number is the row's id: unique without a counter to lock.
    certificate.number = f"ZYFW{to_local(now).year}{certificate.id:06d}"
    audit(
        actor or user,
        "certificate.issue",
        "certificate",
        certificate.id,
        details={"number": certificate.number, "unit_id": unit.id, "total_minutes": total},
    )
    return certificate


def my_certificates_query(user: User):
    return select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id.desc())


def get_certificate(code: str) -> Certificate:
    """:raises CertificateNotFound: for an unknown (or altered) code."""
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None:
        raise CertificateNotFound()
    return certificate


def get_my_certificate(user: User, code: str) -> Certificate:
    """:raises CertificateNotFound: unknown, or someone else's."""
    certificate = get_certificate(code)
    if certificate.user_id != user.id:
        raise CertificateNotFound()
    return certificate


def revoke_certificate(actor: User, code: str, reason: str) -> Certificate:
    """Revoke a certificate (admins of the issuing unit's tree); verification says so.

    :raises CertificateNotFound: :raises Forbidden: :raises CertificateRevoked:
    """
    certificate = get_certificate(code)
    ensure_manages(actor, certificate.unit, roles.MANAGING_ROLES)
    with atomic():
        moved = db.session.execute(
            update(Certificate)
            .where(Certificate.id == certificate.id, Certificate.status == CertificateStatus.VALID)
            .values(
                status=CertificateStatus.REVOKED,
                revoked_at=utcnow(),
                revoked_by_id=actor.id,
                revoke_reason=reason,
            )
            .returning(Certificate.id)
            .execution_options(synchronize_session=False)
        ).first()
        if moved is None:
            raise CertificateRevoked()
        audit(
            actor,
            "certificate.revoke",
            "certificate",
            certificate.id,
            details={"number": certificate.number},
            reason=reason,
        )
    db.session.refresh(certificate)
    return certificate
