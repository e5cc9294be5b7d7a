"""``flask import corpus PATH``: counts, idempotence, and all-or-nothing per file."""

import csv

import pytest
import sqlalchemy as sa

from api.extensions import db
from api.units.models import Team, Unit


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _import(runner, path):
    return runner.invoke(args=["import", "corpus", str(path)])


@pytest.fixture
def rewrite(corpus_copy):
    """Factory: change rows of a CSV file of the copy; ``change(rows)`` edits the dicts."""

    def apply(name: str, change) -> list[dict]:
        path = corpus_copy / name
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fieldnames, rows = reader.fieldnames, list(reader)
        change(rows)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        return rows

    return apply


def test_import_creates_every_unit_and_team_of_the_csvs(runner, corpus_dir, corpus_rows):
    result = _import(runner, corpus_dir)

    assert result.exit_code == 0, result.output
    units, teams = corpus_rows("units.csv"), corpus_rows("teams.csv")
    assert _count(Unit) == len(units)
    assert _count(Team) == len(teams)
    assert f"units.csv: {len(units)} created, 0 updated, 0 unchanged" in result.output
    assert f"teams.csv: {len(teams)} created, 0 updated, 0 unchanged" in result.output


def test_import_builds_the_tree_from_parent_codes(corpus_units, corpus_rows):
    db.session.expire_all()  # read back what was stored
    units = corpus_units
    for row in corpus_rows("units.csv"):
        unit = units[row["code"]]
        assert unit.level == row["level"]
        assert (unit.parent.code if unit.parent else "") == row["parent_code"]
        assert unit.path.split("/")[-1] == row["code"]
        assert unit.parent is None or unit.path == f"{unit.parent.path}/{unit.code}"


def test_import_keeps_phone_numbers_as_text(corpus_units, corpus_rows):
    phones = dict(db.session.execute(sa.select(Unit.code, Unit.phone)).all())
    for row in corpus_rows("units.csv"):
        assert phones[row["code"]] == (row["phone"] or None)


def test_import_links_teams_to_their_units(corpus_units, corpus_rows):
    db.session.expire_all()
    teams = {team.code: team for team in db.session.scalars(sa.select(Team))}
    for row in corpus_rows("teams.csv"):
        team = teams[row["code"]]
        assert (team.unit.code, team.category, team.member_count) == (
            row["unit_code"],
            row["category"],
            int(row["member_count"]),
        )


def test_second_import_changes_nothing(runner, corpus_dir, corpus_rows):
    _import(runner, corpus_dir)
    before = db.session.execute(sa.select(Unit.id, Unit.code, Unit.path).order_by(Unit.id)).all()

    result = _import(runner, corpus_dir)

    assert result.exit_code == 0, result.output
    units, teams = corpus_rows("units.csv"), corpus_rows("teams.csv")
    assert f"units.csv: 0 created, 0 updated, {len(units)} unchanged" in result.output
    assert f"teams.csv: 0 created, 0 updated, {len(teams)} unchanged" in result.output
    assert _count(Unit) == len(units) and _count(Team) == len(teams)
    after = db.session.execute(sa.select(Unit.id, Unit.code, Unit.path).order_by(Unit.id)).all()
    assert after == before


def test_reimport_of_a_changed_row_updates_only_it(runner, corpus_copy, rewrite):
    _import(runner, corpus_copy)
    rewrite("units.csv", lambda rows: rows[3].update(phone="0395-7777777"))

    result = _import(runner, corpus_copy)

    assert result.exit_code == 0, result.output
    assert "units.csv: 0 created, 1 updated" in result.output
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Unit).where(Unit.phone == "0395-7777777")
        )
        == 1
    )


def _break_last_row(**values):
    return lambda rows: rows[-1].update(values)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"parent_code": "LY-NOWHERE"}, "上级单位不存在"),
        ({"level": "village"}, "未知层级"),
        ({"parent_code": "LY-JL-YFC"}, "上级应为 institute"),
        ({"lat": "北纬三十三度"}, "lat 不是数字"),
    ],
    ids=["unknown-parent", "bad-level", "parent-of-wrong-level", "bad-latitude"],
)
def test_bad_unit_row_names_file_and_line_and_writes_nothing(
    runner, corpus_copy, rewrite, change, message
):
    rows = rewrite("units.csv", _break_last_row(**change))

    result = _import(runner, corpus_copy)

    assert result.exit_code != 0
    assert f"units.csv:{len(rows) + 1}:" in result.output  # header is line 1
    assert message in result.output
    assert _count(Unit) == 0


@pytest.mark.parametrize(
    "change, message",
    [
        ({"unit_code": "LY-NOWHERE"}, "所属单位不存在"),
        ({"category": "广场舞"}, "未知服务类别"),
        ({"member_count": "很多"}, "member_count 不是整数"),
    ],
    ids=["unknown-unit", "bad-category", "bad-member-count"],
)
def test_bad_team_row_names_file_and_line_and_writes_no_team(
    runner, corpus_copy, rewrite, corpus_rows, change, message
):
    rows = rewrite("teams.csv", _break_last_row(**change))

    result = _import(runner, corpus_copy)

    assert result.exit_code != 0
    assert f"teams.csv:{len(rows) + 1}:" in result.output
    assert message in result.output
    assert _count(Team) == 0
    assert _count(Unit) == len(corpus_rows("units.csv"))  # the good file before it stays


def test_bad_row_leaves_earlier_imported_data_untouched(runner, corpus_copy, rewrite):
    assert _import(runner, corpus_copy).exit_code == 0

    def change(rows):
        rows[1].update(name="不该写入的名字")
        rows[-1].update(level="village")

    rewrite("units.csv", change)

    result = _import(runner, corpus_copy)

    assert result.exit_code != 0
    db.session.expire_all()
    assert db.session.scalar(sa.select(Unit).where(Unit.name == "不该写入的名字")) is None


def test_line_numbers_count_line_breaks_inside_quoted_fields(runner, corpus_copy, rewrite):
    def change(rows):
        rows[0].update(address="临颍县\n人民路\n1号")
        rows[4].update(level="village")

    rewrite("units.csv", change)

    result = _import(runner, corpus_copy)

    # Row 5 starts on line 6, plus the two line breaks of the first row's address.
    assert "units.csv:8:" in result.output


def test_duplicate_code_is_reported(runner, corpus_copy, rewrite):
    rows = rewrite("teams.csv", lambda rows: rows[-1].update(code=rows[0]["code"]))

    result = _import(runner, corpus_copy)

    assert f"teams.csv:{len(rows) + 1}:" in result.output
    assert _count(Team) == 0


def test_missing_directory_is_a_usage_error(runner, tmp_path):
    result = _import(runner, tmp_path / "no-such-corpus")

    assert result.exit_code == 2
    assert _count(Unit) == 0
