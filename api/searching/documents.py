"""Activities and articles as search documents (see the ``search`` package)."""

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload

from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.extensions import db
from api.units.models import Team, Unit
from publishing.store import Article, ArticleStatus, ArticleStore, status_of

# Activities residents may find; drafts and cancelled ones are never offered.
SEARCHABLE_STATUSES = (ActivityStatus.PUBLISHED, ActivityStatus.FINISHED)
# Columns whose change alters an activity's search document.
INDEXED_COLUMNS = frozenset(
    {
        "title",
        "description",
        "theme",
        "category",
        "unit_id",
        "team_id",
        "address",
        "starts_at",
        "status",
        "external_id",
    }
)


def activity_doc_id(activity: Activity) -> str:
    """The stable document id: ``activity:<external_id>`` for imported activities."""
    return f"activity:{activity.external_id or activity.id}"


def activity_document(activity: Activity) -> dict:
    """The search document of an activity (see the ``search`` package)."""
    # A new activity's relationships are not loaded yet when only ids were given.
    with db.session.no_autoflush:
        unit = activity.unit or db.session.get(Unit, activity.unit_id)
        team = activity.team or (
            db.session.get(Team, activity.team_id) if activity.team_id else None
        )
    body = "\n".join(part for part in (activity.description, activity.address) if part)
    if team is not None:
        body += "\n" + team.name
    return {
        "id": activity_doc_id(activity),
        "type": "activity",
        "title": activity.title,
        "body": body,
        "category": activity.category,
        "theme": activity.theme,
        "unit_path": unit.path,
        "tags": [],
        "date": activity.starts_at,
        "url": f"/app/activities/{activity.id}",
        "external_id": activity.external_id,
        "db_id": activity.id,
    }


def searchable_activity_documents(batch_size: int = 1000) -> Iterator[dict]:
    """Every searchable activity's document, latest start first (for a rebuild: the
    index is walked in the order it was written, and a very common query stops after
    the newest matches -- see ``search.ranking``)."""
    after = None
    while True:
        query = (
            select(Activity)
            .options(joinedload(Activity.unit), joinedload(Activity.team))
            .where(Activity.status.in_(SEARCHABLE_STATUSES))
        )
        if after is not None:
            query = query.where(tuple_(Activity.starts_at, Activity.id) < after)
        batch = list(
            db.session.scalars(
                query.order_by(Activity.starts_at.desc(), Activity.id.desc()).limit(batch_size)
            ).unique()
        )
        if not batch:
            return
        for activity in batch:
            yield activity_document(activity)
        after = (batch[-1].starts_at, batch[-1].id)
        db.session.expunge_all()


def article_doc_id(slug: str) -> str:
    """The document id of the article ``slug``."""
    return f"article:{slug}"


def article_document(article: Article) -> dict:
    """The search document of a published article."""
    return {
        "id": article_doc_id(article.slug),
        "type": "article",
        "title": article.title,
        "body": article.body,
        "category": article.category,
        "tags": list(article.tags),
        "date": article.date,
        "url": f"/{article.url_path}",
    }


def published_article_documents(store: ArticleStore, today: date) -> Iterator[dict]:
    """The documents of the articles published on ``today`` (scheduled ones wait), for a
    full reindex."""
    for article in store.list():
        if status_of(article, today) == ArticleStatus.PUBLISHED:
            yield article_document(article)


def count_searchable_activities() -> int:
    """How many activities a rebuild will index."""
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count()).select_from(Activity).where(Activity.status.in_(SEARCHABLE_STATUSES))
    )
