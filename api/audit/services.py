"""Writing the audit log, in the caller's transaction."""

from api.audit.models import AuditEntry
from api.extensions import db


def record(
    actor,
    action: str,
    entity_type: str,
    entity_id,
    *,
    details: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Add an audit entry to the current session (committed with the change it describes)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        details=details or {},
        reason=reason,
    )
    db.session.add(entry)
    return entry
