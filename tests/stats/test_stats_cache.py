"""GET /stats: cached briefly (per process, STATS_CACHE_SECONDS), validated, public."""

from datetime import UTC, datetime, timedelta

from api.accounts.services import register_volunteer


def _registered(client, **query) -> int:
    response = client.get("/api/v1/stats", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["volunteers"]["registered"]


def _register(create_user, unit) -> None:
    register_volunteer(create_user(), real_name="钱七", phone="13600001234", unit_id=unit.id)


def test_answers_are_cached_briefly(app, client, corpus_units, create_user, frozen_clock):
    now = datetime(2027, 3, 10, 4, 0, tzinfo=UTC)  # no local midnight (a new key) within
    frozen_clock(now)
    assert _registered(client) == 0
    _register(create_user, corpus_units["LY-JL"])

    assert _registered(client) == 0  # from the cache
    assert _registered(client, unit_id=corpus_units["LY-JL"].id) == 1  # another question
    frozen_clock(now + timedelta(seconds=59))
    still = _registered(client)
    frozen_clock(now + timedelta(seconds=61))
    assert (still, _registered(client)) == (0, 1)


def test_no_cache_when_switched_off(app, client, corpus_units, create_user):
    app.config["STATS_CACHE_SECONDS"] = 0
    assert _registered(client) == 0
    _register(create_user, corpus_units["LY-JL"])

    assert _registered(client) == 1


def test_the_answer_says_how_long_it_may_be_cached(client, corpus_units):
    response = client.get("/api/v1/stats")

    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_bad_questions_get_4xx(client, corpus_units):
    backwards = client.get("/api/v1/stats", query_string={"from": "2027-02-01", "to": "2027-01-01"})
    unknown = client.get("/api/v1/stats", query_string={"unit_id": 999_999})
    not_a_date = client.get("/api/v1/stats", query_string={"from": "yesterday"})

    assert backwards.status_code == 422
    assert "to" in backwards.get_json()["errors"]
    assert unknown.status_code == 404
    assert not_a_date.status_code == 422
    assert "from" in not_a_date.get_json()["errors"]


def test_an_empty_platform_counts_zero(client):
    body = client.get("/api/v1/stats").get_json()

    assert body["teams"] == body["service_minutes"] == body["help_requests"]["total"] == 0
    assert body["help_requests"]["average_rating"] is None
    assert body["by_township"] == [] and body["by_month"] == []
