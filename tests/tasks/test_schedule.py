"""The crontab of the periodic tasks, as Huey reads it (``read_periodic``: what its scheduler
would enqueue at a moment, UTC)."""

from datetime import datetime

from api.tasks.queue import task_queue


def _due(app, moment: datetime) -> set[str]:
    return {task.name for task in task_queue.huey(app).read_periodic(moment)}


def test_every_minute_the_outbox_jobs_and_scheduled_articles(app):
    assert _due(app, datetime(2026, 12, 3, 10, 7)) == {
        "outbox.deliver",
        "jobs.run",
        "articles.publish_scheduled",
    }


def test_every_ten_minutes_no_shows_help_points_and_statistics_too(app):
    assert _due(app, datetime(2026, 12, 3, 10, 10)) == {
        "outbox.deliver",
        "jobs.run",
        "articles.publish_scheduled",
        "signups.mark_no_shows",
        "help.settle",
        "points.sync",
        "stats.refresh",
    }


def test_clean_up_once_a_day_at_night_in_shanghai(app):
    due_at = [
        hour
        for hour in range(24)
        if "housekeeping.clean_up" in _due(app, datetime(2026, 12, 3, hour, 17))
    ]
    assert due_at == [19]  # 03:17 in Asia/Shanghai
