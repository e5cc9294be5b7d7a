"""Import of ``activities.csv`` (or an .xlsx with the same columns): idempotent by
``external_id``, imported as published, all or nothing per file."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from api.activities.models import Activity
from api.activities.vocabulary import AUDIENCES, DEFAULT_GEOFENCE_METRES, THEMES, ActivityStatus
from api.corpus.csvfile import CorpusRowError, parse_float, parse_int, read_rows
from api.corpus.organisation import ImportCounts, apply_changes
from api.extensions import db
from api.transactions import atomic
from api.units.categories import TEAM_CATEGORIES
from api.units.models import Team, Unit

COLUMNS = (
    "external_id",
    "title",
    "description",
    "theme",
    "category",
    "unit_code",
    "team_code",
    "starts_at",
    "ends_at",
    "address",
    "lat",
    "lng",
    "capacity",
    "audience",
)


def read_xlsx_rows(path: Path, required_columns: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
    """Yield ``(line_number, row)`` of the first sheet, like :func:`read_rows` for CSV.

    :raises CorpusRowError: when a required column is missing from the header row.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:  # a read-only workbook keeps its file open until closed
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        missing = [name for name in required_columns if name not in header]
        if missing:
            raise CorpusRowError(path, 1, f"缺少列: {', '.join(missing)}")
        for line, values in enumerate(rows, start=2):
            if all(value is None for value in values):
                continue
            row = {}
            for name, value in zip(header, values, strict=False):
                if isinstance(value, datetime):
                    value = value.isoformat()
                elif value is not None:
                    value = str(value).strip() or None
                row[name] = value
            yield line, row
    finally:
        workbook.close()


def _parse_moment(path: Path, line: int, value: str | None, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        raise CorpusRowError(path, line, f"{name} 不是 ISO 8601 时间: {value!r}") from None
    if moment.tzinfo is None:
        raise CorpusRowError(path, line, f"{name} 缺少时区: {value!r}")
    return moment


def _row_values(path: Path, line: int, row: dict, units: dict, teams: dict) -> dict:
    for name in (
        "external_id",
        "title",
        "theme",
        "category",
        "unit_code",
        "starts_at",
        "ends_at",
        "audience",
    ):
        if not row.get(name):
            raise CorpusRowError(path, line, f"{name} 不能为空")
    if row["theme"] not in THEMES:
        raise CorpusRowError(path, line, f"未知主题 theme={row['theme']!r}")
    if row["category"] not in TEAM_CATEGORIES:
        raise CorpusRowError(path, line, f"未知服务类别: {row['category']!r}")
    if row["audience"] not in AUDIENCES:
        raise CorpusRowError(path, line, f"未知对象 audience={row['audience']!r}")
    if row["unit_code"] not in units:
        raise CorpusRowError(path, line, f"单位不存在: {row['unit_code']!r}")
    if row.get("team_code") and row["team_code"] not in teams:
        raise CorpusRowError(path, line, f"志愿服务队不存在: {row['team_code']!r}")
    starts_at = _parse_moment(path, line, row["starts_at"], "starts_at")
    ends_at = _parse_moment(path, line, row["ends_at"], "ends_at")
    if ends_at <= starts_at:
        raise CorpusRowError(path, line, "结束时间应晚于开始时间")
    capacity = parse_int(path, line, row.get("capacity"), "capacity")
    if capacity is not None and capacity < 1:
        raise CorpusRowError(path, line, "capacity 应为正整数或留空")
    return {
        "title": row["title"],
        "description": row.get("description") or "",
        "theme": row["theme"],
        "category": row["category"],
        "unit_id": units[row["unit_code"]],
        "team_id": teams.get(row.get("team_code")),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "address": row.get("address") or "",
        "lat": parse_float(path, line, row.get("lat"), "lat"),
        "lng": parse_float(path, line, row.get("lng"), "lng"),
        "capacity": capacity,
        "audience": row["audience"],
    }


def prepare_activities(
    path: Path,
    errors: list[CorpusRowError] | None = None,
) -> list[tuple[int, str, dict]]:
    """Read and check every row of a .csv or .xlsx file: ``(line, external_id, values)``.

    Without ``errors`` the first bad row raises; with a list, every bad row is appended to
    it and the good ones are returned (a missing column still ends the reading).

    :raises CorpusRowError: naming the file and line of the (first) bad row.
    """
    reader = read_xlsx_rows if path.suffix.lower() == ".xlsx" else read_rows
    units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    teams = dict(db.session.execute(select(Team.code, Team.id)).all())
    prepared: list[tuple[int, str, dict]] = []
    seen: set[str] = set()
    try:
        for line, row in reader(path, COLUMNS):
            try:
                values = _row_values(path, line, row, units, teams)
                if row["external_id"] in seen:
                    raise CorpusRowError(path, line, f"external_id 重复: {row['external_id']}")
            except CorpusRowError as problem:
                if errors is None:
                    raise
                errors.append(problem)
                continue
            seen.add(row["external_id"])
            prepared.append((line, row["external_id"], values))
    except CorpusRowError as problem:
        if errors is None or problem in errors:
            raise
        errors.append(problem)
    return prepared


def existing_by_external_id(external_ids) -> dict[str, Activity]:
    """The activities already imported under these ``external_id`` values."""
    return {
        activity.external_id: activity
        for activity in db.session.scalars(
            select(Activity).where(Activity.external_id.in_(list(external_ids)))
        )
    }


def import_activities(path: Path) -> ImportCounts:
    """Import activities from a .csv or .xlsx file as published activities.

    A second import of the same file changes nothing; sign-up counts are never touched.

    :raises CorpusRowError: naming the file and line of the first bad row.
    """
    prepared = prepare_activities(path)
    existing = existing_by_external_id(external_id for _, external_id, _ in prepared)
    counts = ImportCounts()
    with atomic():  # all or nothing per file
        for _, external_id, values in prepared:
            activity = existing.get(external_id)
            if activity is None:
                db.session.add(
                    Activity(
                        external_id=external_id,
                        status=ActivityStatus.PUBLISHED,
                        geofence_metres=DEFAULT_GEOFENCE_METRES,
                        **values,
                    )
                )
                counts.created += 1
            elif apply_changes(activity, values):
                counts.updated += 1
            else:
                counts.unchanged += 1
    return counts
