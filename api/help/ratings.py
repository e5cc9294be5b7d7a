"""我来帮: the rating period. A completed request its requester leaves unrated for
``HELP_AUTO_RATE_DAYS`` counts as rated "satisfied": readers see it so at once (in SQL and
in memory, never writing), and the periodic task ``help.settle`` writes it down.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, select, update
from sqlalchemy.orm.attributes import set_committed_value

from api.audit.services import record as audit
from api.extensions import db
from api.help.models import HelpRequest
from api.help.states import SATISFIED_RATING, HelpStatus
from api.timeutil import utcnow
from api.transactions import atomic


def rating_deadline(help_request: HelpRequest) -> datetime | None:
    """When an unrated completed request counts as rated "satisfied"."""
    if help_request.completed_at is None:
        return None
    return help_request.completed_at + timedelta(days=current_app.config["HELP_AUTO_RATE_DAYS"])


def rating_overdue(now: datetime | None = None):
    """SQL: completed and past its rating period, so it counts as rated "satisfied" even
    before :func:`settle_overdue_ratings` wrote it down."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["HELP_AUTO_RATE_DAYS"])
    return and_(HelpRequest.status == HelpStatus.COMPLETED, HelpRequest.completed_at <= cutoff)


def effective_status(now: datetime | None = None):
    """SQL: the status a reader sees (an overdue rating counts as rated)."""
    return case((rating_overdue(now), HelpStatus.RATED), else_=HelpRequest.status)


def effective_rating(now: datetime | None = None):
    """SQL: the rating a reader sees (an overdue rating counts as satisfied)."""
    return case((rating_overdue(now), SATISFIED_RATING), else_=HelpRequest.rating)


def status_is(status: str):
    """SQL: the request's status, as a reader sees it, is ``status``."""
    return effective_status() == status


def show_effective_rating(help_request: HelpRequest) -> HelpRequest:
    """Show an overdue rating as the settled one, in memory only: the values are set as
    if loaded, so no flush ever writes them (a GET never writes)."""
    deadline = rating_deadline(help_request)
    if (
        help_request.status == HelpStatus.COMPLETED
        and deadline is not None
        and utcnow() >= deadline
    ):
        for name, value in (
            ("status", HelpStatus.RATED),
            ("rating", SATISFIED_RATING),
            ("auto_rated", True),
            ("rated_at", deadline),
        ):
            set_committed_value(help_request, name, value)
    return help_request


def settle_overdue_ratings(now: datetime | None = None) -> int:
    """Count completed requests left unrated for ``HELP_AUTO_RATE_DAYS`` as rated
    "satisfied" (audit-logged, actor none). Idempotent; returns how many were settled.

    The periodic task ``help.settle`` runs it; readers never write, they show the same
    outcome meanwhile (:func:`show_effective_rating`, :func:`status_is`).
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["HELP_AUTO_RATE_DAYS"])
    due = select(HelpRequest.id).where(
        HelpRequest.status == HelpStatus.COMPLETED, HelpRequest.completed_at <= cutoff
    )
    # A read first: with nothing due (nearly always) no write lock is taken.
    if db.session.scalar(due.limit(1)) is None:
        return 0
    with atomic():
        settled = (
            db.session.execute(
                update(HelpRequest)
                .where(
                    HelpRequest.status == HelpStatus.COMPLETED, HelpRequest.completed_at <= cutoff
                )
                .values(
                    status=HelpStatus.RATED,
                    rating=SATISFIED_RATING,
                    auto_rated=True,
                    rated_at=now,
                    version=HelpRequest.version + 1,
                    updated_at=now,
                )
                .returning(HelpRequest.id)
                .execution_options(synchronize_session=False)
            )
            .scalars()
            .all()
        )
        for request_id in settled:
            audit(
                None,
                "help_request.rate",
                "help_request",
                request_id,
                details={
                    "from": HelpStatus.COMPLETED,
                    "to": HelpStatus.RATED,
                    "rating": SATISFIED_RATING,
                    "auto": True,
                },
                reason=f"{current_app.config['HELP_AUTO_RATE_DAYS']} 天未评价，默认满意",
            )
    db.session.expire_all()
    return len(settled)
