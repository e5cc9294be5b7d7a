"""``flask notifications run`` and ``flask notifications status``."""

from api.extensions import db
from api.notifications import services


def test_run_once_reports_what_it_did(runner, create_user, subscribe, stub):
    user = create_user()
    subscribe(user, "signup_confirmed")
    services.notify([user.id], "signup_confirmed", "报名成功：义诊")
    services.notify([user.id], "signup_confirmed", "报名成功：观影")
    db.session.commit()

    result = runner.invoke(args=["notifications", "run", "--once"])

    assert result.exit_code == 0, result.output
    assert "sent=1 skipped=1" in result.output
    assert len(stub.messages) == 1


def test_status_counts_by_delivery_status(runner, create_user, run_worker):
    user = create_user()
    services.notify([user.id], "signup_confirmed", "报名成功：义诊")
    services.notify([user.id], "signup_confirmed", "报名成功：观影")
    db.session.commit()
    run_worker()
    services.notify([user.id], "signup_confirmed", "报名成功：读书会")
    db.session.commit()

    result = runner.invoke(args=["notifications", "status"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["pending\t1", "skipped\t2"]


def test_status_of_an_empty_outbox(runner):
    result = runner.invoke(args=["notifications", "status"])

    assert "the outbox is empty" in result.output
