"""The county's and townships' statistics come from snapshots the periodic task stores."""

from datetime import UTC, datetime, timedelta

import pytest

from api.extensions import db
from api.stats.snapshots import StatsSnapshot
from api.tasks.schedule import TASKS
from api.units.models import Team

NOW = datetime(2026, 12, 15, 4, 0, tzinfo=UTC)  # 12:00 local


@pytest.fixture
def no_live_cache(app):
    app.config["STATS_CACHE_SECONDS"] = 0  # whatever is not a snapshot is computed live


def _teams(client, **query) -> int:
    response = client.get("/api/v1/stats", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["teams"], response.get_json()["generated_at"]


def _refresh() -> dict:
    task = next(task for task in TASKS if task.name == "stats.refresh")
    return task.function()


def test_the_task_stores_the_county_and_every_township(client, corpus_units, frozen_clock):
    frozen_clock(NOW)

    result = _refresh()

    townships = [unit for unit in corpus_units.values() if unit.level == "institute"]
    stored = {snapshot.scope for snapshot in db.session.query(StatsSnapshot)}
    assert result == {"scopes": 1 + len(townships)}
    assert stored == {"county", *(str(unit.id) for unit in townships)}


def test_requests_read_the_snapshot_until_the_task_runs_again(
    client, corpus_units, frozen_clock, no_live_cache
):
    frozen_clock(NOW)
    _refresh()
    before, generated = _teams(client)
    township_before, _ = _teams(client, unit_id=corpus_units["LY-JL"].id)
    db.session.add(
        Team(name="新成立的志愿服务队", category="医疗健身", unit_id=corpus_units["LY-JL"].id)
    )
    db.session.commit()
    frozen_clock(NOW + timedelta(minutes=5))

    kept, kept_generated = _teams(client)
    township, _ = _teams(client, unit_id=corpus_units["LY-JL"].id)
    live_range, _ = _teams(client, **{"from": "2026-01-01"})  # a range: computed live
    _refresh()
    refreshed, refreshed_generated = _teams(client)

    assert (kept, kept_generated) == (before, generated)
    assert generated == "2026-12-15T12:00:00+08:00"
    assert live_range == before + 1
    assert township == township_before
    assert (refreshed, refreshed_generated) == (before + 1, "2026-12-15T12:05:00+08:00")


def test_a_snapshot_of_an_earlier_day_or_too_old_is_not_used(
    client, corpus_units, frozen_clock, no_live_cache
):
    frozen_clock(datetime(2026, 12, 15, 15, 50, tzinfo=UTC))  # 23:50 local
    _refresh()
    db.session.add(
        Team(name="新成立的志愿服务队", category="医疗健身", unit_id=corpus_units["LY-JL"].id)
    )
    db.session.commit()
    same_day, _ = _teams(client)

    frozen_clock(datetime(2026, 12, 15, 16, 5, tzinfo=UTC))  # 00:05 local, the next day
    next_day, generated = _teams(client)

    assert next_day == same_day + 1
    assert generated == "2026-12-16T00:05:00+08:00"
