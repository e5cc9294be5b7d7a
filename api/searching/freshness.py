"""Reindex activities after their transaction commits.

``after_flush`` notes the activities whose indexed columns changed and snapshots their
documents while SQL may still run; ``after_commit`` writes them to the index; a rollback
forgets them. Sign-ups, which only change counts, cause no index write.
"""

import logging

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from api.activities.models import Activity
from api.searching.documents import (
    INDEXED_COLUMNS,
    SEARCHABLE_STATUSES,
    activity_doc_id,
    activity_document,
)
from api.searching.index import search_index

log = logging.getLogger(__name__)
_PENDING = "search_pending"


def _indexed_columns_changed(activity: Activity) -> bool:
    state = inspect(activity)
    return any(state.attrs[name].history.has_changes() for name in INDEXED_COLUMNS)


def _note_changes(session: Session, flush_context) -> None:
    pending: dict[str, dict | None] = session.info.setdefault(_PENDING, {})
    for activity in list(session.new) + list(session.dirty):
        if not isinstance(activity, Activity):
            continue
        if activity not in session.new and not _indexed_columns_changed(activity):
            continue
        if activity.status in SEARCHABLE_STATUSES:
            pending[activity_doc_id(activity)] = activity_document(activity)
        else:
            pending[activity_doc_id(activity)] = None  # drafts, cancelled: not offered


def _write_changes(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context() or not current_app.config.get("SEARCH_AUTO_INDEX"):
        return
    try:
        index = search_index()
        updates = [doc for doc in pending.values() if doc is not None]
        removals = [doc_id for doc_id, doc in pending.items() if doc is None]
        if updates:
            index.add_or_update(updates)
        if removals:
            index.delete(removals)
    except Exception:  # the data is committed; `flask search rebuild` repairs the index
        log.exception("search index not updated for %s", sorted(pending))


def _forget_changes(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Listen to every session (idempotent)."""
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "after_commit", _write_changes)
        event.listen(Session, "after_soft_rollback", _forget_changes)
