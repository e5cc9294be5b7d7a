"""Background jobs in the database: run to done or failed, visible to their creator."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from api.extensions import db
from api.jobs import services
from api.jobs.models import Job, JobStatus
from api.timeutil import utcnow


@services.handler("test.succeed")
def _succeed(job, report):
    report(50, "一半")
    return {"echo": job.payload.get("value")}


@services.handler("test.fail")
def _fail(job, report):
    raise RuntimeError("站点构建失败：文章缺少标题")


@services.handler("test.fail_in_sql")
def _fail_in_sql(job, report):
    """Breaks the rule on purpose: a write outside any unit, then a database error."""
    db.session.execute(sa.update(Job).where(Job.id == job.id).values(progress=42))
    db.session.execute(sa.text("SELECT * FROM no_such_table"))


def _enqueue(kind: str, user=None, **payload) -> int:
    job = services.enqueue(kind, payload, created_by=user)
    db.session.commit()
    return job.id


def _job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_enqueued_job_waits_until_a_worker_runs_it(app):
    job_id = _enqueue("test.succeed", value=1)

    assert _job(job_id).status == JobStatus.QUEUED


def test_run_pending_runs_a_job_to_done(app):
    job_id = _enqueue("test.succeed", value=7)

    ran = services.run_pending()

    job = _job(job_id)
    assert ran == 1
    assert (job.status, job.progress, job.result) == (JobStatus.DONE, 100, {"echo": 7})
    assert job.started_at <= job.finished_at


def test_progress_messages_are_kept(app):
    job_id = _enqueue("test.succeed")

    services.run_pending()

    assert _job(job_id).message == "一半"


def test_failing_handler_ends_failed_with_its_message(app):
    job_id = _enqueue("test.fail")

    services.run_pending()

    job = _job(job_id)
    assert job.status == JobStatus.FAILED
    assert job.message == "站点构建失败：文章缺少标题"
    assert job.finished_at is not None


def test_a_failed_job_does_not_stop_the_next(app):
    failing, succeeding = _enqueue("test.fail"), _enqueue("test.succeed")

    assert services.run_pending() == 2

    assert (_job(failing).status, _job(succeeding).status) == (JobStatus.FAILED, JobStatus.DONE)


def test_a_database_error_in_a_handler_fails_the_job_and_discards_its_loose_writes(app):
    failing, succeeding = _enqueue("test.fail_in_sql"), _enqueue("test.succeed")

    assert services.run_pending() == 2

    job = _job(failing)
    assert (job.status, job.progress) == (JobStatus.FAILED, 0)
    assert "no_such_table" in job.message
    assert _job(succeeding).status == JobStatus.DONE


def test_run_pending_with_nothing_queued_runs_nothing(app):
    job_id = _enqueue("test.succeed")
    services.run_pending()

    assert services.run_pending() == 0
    assert _job(job_id).status == JobStatus.DONE


def test_unknown_kind_cannot_be_enqueued(app):
    with pytest.raises(ValueError):
        services.enqueue("test.no-such-kind")


def test_jobs_run_once_command_runs_the_queue(app, runner):
    job_id = _enqueue("test.succeed")

    result = runner.invoke(args=["jobs", "run", "--once"])

    assert result.exit_code == 0, result.output
    assert "ran 1 job(s)" in result.output
    assert _job(job_id).status == JobStatus.DONE


@pytest.fixture
def finished_job(create_user):
    """A finished job and the user who started it."""
    owner = create_user()
    job_id = _enqueue("test.succeed", owner, value="x")
    services.run_pending()
    return job_id, owner


def test_creator_sees_the_job(client, auth_headers, finished_job):
    job_id, owner = finished_job

    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth_headers(owner))

    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["status"], body["result"]) == (job_id, "done", {"echo": "x"})
    assert body["finished_at"].endswith("+08:00")


def test_admin_sees_anyones_job(client, create_user, auth_headers, corpus_units, finished_job):
    job_id, _ = finished_job
    admin = create_user("county", roles=[("admin", "LY")])

    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth_headers(admin))

    assert response.status_code == 200


def test_another_user_cannot_see_the_job(
    client, create_user, auth_headers, finished_job, assert_envelope
):
    job_id, _ = finished_job

    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth_headers(create_user()))

    assert_envelope(response, 403, "forbidden")


def test_township_admin_cannot_see_someone_elses_job(
    client, create_user, auth_headers, corpus_units, finished_job, assert_envelope
):
    job_id, _ = finished_job
    township_admin = create_user("julin", roles=[("unit_admin", "LY-JL")])

    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth_headers(township_admin))

    assert_envelope(response, 403, "forbidden")


def test_anonymous_cannot_see_a_job(client, finished_job, assert_envelope):
    job_id, _ = finished_job

    assert_envelope(client.get(f"/api/v1/jobs/{job_id}"), 401, "unauthorized")


def test_unknown_job_is_404(client, create_user, auth_headers, assert_envelope):
    response = client.get("/api/v1/jobs/987654", headers=auth_headers(create_user()))

    assert_envelope(response, 404, "job_not_found")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def _die_running(job_id: int, attempts: int, lease_left: timedelta = -timedelta(minutes=1)):
    """The job's worker claimed it and died; its lease ends ``lease_left`` from now."""
    db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id)
        .values(status="running", attempts=attempts, claimed_until=utcnow() + lease_left)
    )
    db.session.commit()


def test_a_job_whose_worker_died_runs_again_after_its_lease(app):
    job_id = _enqueue("test.succeed", value=3)
    _die_running(job_id, attempts=1)

    assert services.run_pending() == 1

    job = _job(job_id)
    assert (job.status, job.attempts, job.result) == (JobStatus.DONE, 2, {"echo": 3})
    assert job.claimed_until is None


def test_a_job_within_its_lease_is_left_to_its_worker(app):
    job_id = _enqueue("test.succeed")
    _die_running(job_id, attempts=1, lease_left=timedelta(minutes=5))

    assert services.run_pending() == 0
    assert _job(job_id).status == "running"


def test_a_job_that_killed_its_worker_every_time_fails_for_good(app):
    job_id = _enqueue("test.succeed")
    _die_running(job_id, attempts=app.config["JOB_MAX_ATTEMPTS"])

    assert services.run_pending() == 0

    job = _job(job_id)
    assert (job.status, job.message) == (JobStatus.FAILED, "任务多次中断，已停止重试")
