"""Import of ``units.csv`` and ``teams.csv``: idempotent upserts by code, all or nothing
per file."""

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from api.corpus.csvfile import CorpusRowError, parse_float, parse_int, read_rows
from api.extensions import db
from api.transactions import atomic
from api.units.categories import PARENT_LEVEL, TEAM_CATEGORIES, UNIT_LEVELS
from api.units.models import Team, Unit


@dataclass
class ImportCounts:
    """What an import did to one file."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def apply_changes(instance, values: dict) -> bool:
    """Set attributes that differ; report whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _by_code(model) -> dict:
    """Every row of ``model`` by code, loaded in one query (never one query per CSV row)."""
    return {instance.code: instance for instance in db.session.scalars(select(model))}


def _upsert(model, existing: dict, code: str, values: dict, counts: ImportCounts):
    instance = existing.get(code)
    if instance is None:
        instance = existing[code] = model(code=code, **values)
        db.session.add(instance)
        counts.created += 1
    elif apply_changes(instance, values):
        counts.updated += 1
    else:
        counts.unchanged += 1
    return instance


def import_units(path: Path) -> ImportCounts:
    """Import units, parents before children; the file is written only if every row is valid.

    :raises CorpusRowError: naming the file and line of the first bad row.
    """
    rows = list(read_rows(path, ("code", "name", "level", "parent_code")))
    levels = {row["code"]: row["level"] for _, row in rows}
    existing = {code: level for code, level in db.session.execute(select(Unit.code, Unit.level))}
    known_levels = existing | levels
    seen: set[str] = set()
    for line, row in rows:
        code, level, parent_code = row["code"], row["level"], row["parent_code"]
        if not code or not row["name"]:
            raise CorpusRowError(path, line, "code 和 name 不能为空")
        if code in seen:
            raise CorpusRowError(path, line, f"单位编码重复: {code}")
        seen.add(code)
        if level not in UNIT_LEVELS:
            raise CorpusRowError(path, line, f"未知层级 level={level!r}")
        expected_parent_level = PARENT_LEVEL[level]
        if expected_parent_level is None and parent_code:
            raise CorpusRowError(path, line, "中心不能有上级单位")
        if expected_parent_level is not None:
            if parent_code not in known_levels:
                raise CorpusRowError(path, line, f"上级单位不存在: {parent_code!r}")
            if known_levels[parent_code] != expected_parent_level:
                raise CorpusRowError(
                    path, line, f"{level} 的上级应为 {expected_parent_level}: {parent_code}"
                )

    counts = ImportCounts()
    depth = {"center": 0, "institute": 1, "station": 2}
    units = _by_code(Unit)
    with atomic():  # all or nothing per file
        for line, row in sorted(rows, key=lambda item: depth[item[1]["level"]]):
            parent = units[row["parent_code"]] if row["parent_code"] else None
            values = {
                "name": row["name"],
                "level": row["level"],
                "parent": parent,
                "path": f"{parent.path}/{row['code']}" if parent else row["code"],
                "address": row.get("address") or "",
                "lat": parse_float(path, line, row.get("lat"), "lat"),
                "lng": parse_float(path, line, row.get("lng"), "lng"),
                "phone": row.get("phone"),
            }
            _upsert(Unit, units, row["code"], values, counts)
    return counts


def import_teams(path: Path) -> ImportCounts:
    """Import teams; the file is written only if every row is valid.

    :raises CorpusRowError: naming the file and line of the first bad row.
    """
    rows = list(read_rows(path, ("code", "name", "category", "unit_code")))
    units = {code: unit_id for code, unit_id in db.session.execute(select(Unit.code, Unit.id))}
    prepared = []
    seen: set[str] = set()
    for line, row in rows:
        if not row["code"] or not row["name"]:
            raise CorpusRowError(path, line, "code 和 name 不能为空")
        if row["code"] in seen:
            raise CorpusRowError(path, line, f"队伍编码重复: {row['code']}")
        seen.add(row["code"])
        if row["category"] not in TEAM_CATEGORIES:
            raise CorpusRowError(path, line, f"未知服务类别: {row['category']!r}")
        if row["unit_code"] not in units:
            raise CorpusRowError(path, line, f"所属单位不存在: {row['unit_code']!r}")
        member_count = parse_int(path, line, row.get("member_count"), "member_count") or 0
        if member_count < 0:
            raise CorpusRowError(path, line, "member_count 不能为负数")
        prepared.append(
            (
                row["code"],
                {
                    "name": row["name"],
                    "category": row["category"],
                    "unit_id": units[row["unit_code"]],
                    "leader_name": row.get("leader_name") or "",
                    "member_count": member_count,
                },
            )
        )

    counts = ImportCounts()
    teams = _by_code(Team)
    with atomic():  # all or nothing per file
        for code, values in prepared:
            _upsert(Team, teams, code, values, counts)
    return counts
