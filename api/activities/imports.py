"""Organizers import activities from a spreadsheet (.xlsx or .csv, the corpus columns).

The rows are read and checked by the corpus importer (:mod:`api.corpus.activities`); on
top of it an organizer may only import into units of their subtree, new activities arrive
as drafts created by them (publishing stays a deliberate step, through
:func:`api.activities.services.publish_activity`), and a row may update only a draft that
was imported before: a published activity is changed in the console, where the people
signed up hear of a move. Every bad row is reported with its line; nothing is written
unless every row is good.
"""

import tempfile
import zipfile
from pathlib import Path

from sqlalchemy import select

from api.accounts import roles
from api.accounts.models import User
from api.activities.models import Activity
from api.activities.vocabulary import DEFAULT_GEOFENCE_METRES, ActivityStatus
from api.audit.services import record as audit
from api.auth.permissions import covers, scopes
from api.corpus.activities import existing_by_external_id, prepare_activities
from api.corpus.csvfile import CorpusRowError
from api.corpus.organisation import ImportCounts, apply_changes
from api.errors import Forbidden, ValidationFailed
from api.extensions import db
from api.transactions import atomic
from api.units.models import Unit

SUFFIXES = (".csv", ".xlsx")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000


class ImportRowsInvalid(ValidationFailed):
    error, message = "import_rows_invalid", "文件中有无法导入的行，未导入任何活动"


class ImportFileInvalid(ValidationFailed):
    error, message = "import_file_invalid", "请上传 .xlsx 或 .csv 文件（不超过 2 MB）"


def import_upload(actor: User, filename: str, data: bytes) -> ImportCounts:
    """Import an uploaded file for ``actor``.

    :raises Forbidden: without an organizer's role. :raises ImportFileInvalid: wrong type,
        too large or unreadable. :raises ImportRowsInvalid: ``errors["file"]`` lists every
        bad row as "第 N 行：…".
    """
    if not scopes(actor, roles.ORGANIZER_ROLES):
        raise Forbidden()
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES or not data or len(data) > MAX_BYTES:
        raise ImportFileInvalid(errors={"file": [ImportFileInvalid.message]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"activities{suffix}"
        path.write_bytes(data)
        problems: list[CorpusRowError] = []
        try:
            prepared = prepare_activities(path, problems)
        # Not a workbook, or not UTF-8 text.
        except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
            raise ImportFileInvalid(errors={"file": ["无法读取该文件，请使用模板的列"]}) from exc
    if len(prepared) + len(problems) > MAX_ROWS:
        raise ImportFileInvalid(errors={"file": [f"一次最多导入 {MAX_ROWS} 行"]})
    existing = existing_by_external_id(external_id for _, external_id, _ in prepared)
    problems += _refusals(actor, prepared, existing)
    if problems:
        lines = sorted(problems, key=lambda problem: problem.line)
        raise ImportRowsInvalid(
            errors={"file": [f"第 {problem.line} 行：{problem.reason}" for problem in lines]}
        )
    return _save(actor, prepared, existing)


def _refusals(actor: User, prepared, existing: dict[str, Activity]) -> list[CorpusRowError]:
    """Rows the actor may not import: a unit outside their subtree, or an activity that
    exists and is no longer a draft (or lies outside their subtree)."""
    unit_ids = {values["unit_id"] for _, _, values in prepared}
    unit_ids |= {activity.unit_id for activity in existing.values()}
    units = (
        {unit.id: unit for unit in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
        if unit_ids
        else {}
    )
    refused = []
    path = Path("upload")
    for line, external_id, values in prepared:
        found = existing.get(external_id)
        if not covers(actor, units[values["unit_id"]], roles.ORGANIZER_ROLES):
            refused.append(CorpusRowError(path, line, "该单位不在您的管理范围内"))
        elif found is not None and not covers(actor, units[found.unit_id], roles.ORGANIZER_ROLES):
            refused.append(CorpusRowError(path, line, f"编号 {external_id} 已被其他单位使用"))
        elif found is not None and found.status != ActivityStatus.DRAFT:
            refused.append(
                CorpusRowError(path, line, f"编号 {external_id} 的活动已发布，请在活动管理中修改")
            )
    return refused


def _save(actor: User, prepared, existing: dict[str, Activity]) -> ImportCounts:
    counts = ImportCounts()
    with atomic():
        for _, external_id, values in prepared:
            activity = existing.get(external_id)
            if activity is None:
                activity = Activity(
                    external_id=external_id,
                    status=ActivityStatus.DRAFT,
                    created_by_id=actor.id,
                    geofence_metres=DEFAULT_GEOFENCE_METRES,
                    **values,
                )
                db.session.add(activity)
                counts.created += 1
            elif apply_changes(activity, values):
                counts.updated += 1
            else:
                counts.unchanged += 1
        db.session.flush()
        audit(
            actor,
            "activity.import",
            "activity",
            "",
            details={
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            },
        )
    return counts
