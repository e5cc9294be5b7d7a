"""The search API: freshness after commits, filters, odd input, rebuild command."""

import csv
import time
from datetime import UTC, datetime, timedelta

import pytest

from api.searching.documents import count_searchable_activities, searchable_activity_documents
from api.timeutil import LOCAL_TZ, utcnow


@pytest.fixture
def admin_headers(create_user, auth_headers, corpus_units):
    return auth_headers(create_user("admin", roles=[("admin", "LY")]))


def _activity_body(unit_id: int, title: str) -> dict:
    starts = (utcnow() + timedelta(days=5)).astimezone(LOCAL_TZ).replace(microsecond=0)
    return {
        "title": title,
        "theme": "etiquette",
        "category": "中华文化传播",
        "unit_id": unit_id,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "description": "志愿者为村民义务书写春联，送上新春祝福",
    }


def _search_ids(client, query: str, **filters) -> list:
    params = {"q": query, **filters}
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200
    return [hit["id"] for hit in response.get_json()["data"]]


def test_published_activity_is_found_within_a_second_and_cancelled_one_is_gone(
    client, admin_headers, corpus_units
):
    created = client.post(
        "/api/v1/activities",
        headers=admin_headers,
        json=_activity_body(corpus_units["LY-JL"].id, "写春联送福字"),
    ).get_json()
    assert created["id"] not in _search_ids(client, "写春联")  # a draft is not offered

    client.post(f"/api/v1/activities/{created['id']}/publish", headers=admin_headers)
    published_at = time.monotonic()
    while created["id"] not in _search_ids(client, "寫春聯"):
        assert time.monotonic() - published_at < 1.0, "not searchable within a second"
        time.sleep(0.05)

    client.post(
        f"/api/v1/activities/{created['id']}/cancel",
        headers=admin_headers,
        json={"reason": "天气原因取消"},
    )
    assert created["id"] not in _search_ids(client, "写春联")


def test_hits_follow_the_contract(client, admin_headers, corpus_units):
    created = client.post(
        "/api/v1/activities",
        headers=admin_headers,
        json=_activity_body(corpus_units["LY-JL"].id, "写春联送福字"),
    ).get_json()
    client.post(f"/api/v1/activities/{created['id']}/publish", headers=admin_headers)

    body = client.get("/api/v1/search?q=春联").get_json()

    hit = body["data"][0]
    assert set(hit) >= {
        "type",
        "id",
        "external_id",
        "title",
        "snippet",
        "url",
        "score",
        "starts_at",
    }
    assert hit["type"] == "activity" and hit["id"] == created["id"]
    assert "<mark>" in hit["snippet"]
    assert body["total_is_lower_bound"] is False  # a handful of matches: counted exactly
    assert hit["starts_at"].endswith("+08:00")
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 1}
    assert body["facets"]["type"] == {"activity": 1}


def test_unit_filter_covers_villages_of_a_township(client, admin_headers, corpus_units):
    for unit_code in ("LY-JL-YFC", "LY-CG"):
        created = client.post(
            "/api/v1/activities",
            headers=admin_headers,
            json=_activity_body(corpus_units[unit_code].id, "写春联送福字"),
        ).get_json()
        client.post(f"/api/v1/activities/{created['id']}/publish", headers=admin_headers)

    found = client.get(
        "/api/v1/search", query_string={"q": "春联", "unit_id": corpus_units["LY-JL"].id}
    ).get_json()["data"]

    assert len(found) == 1
    assert "/app/activities/" in found[0]["url"]


@pytest.mark.parametrize("query", ['"', "AND (", "*", "title:", "春" * 100, "", "a"])
def test_odd_queries_get_an_answer_not_a_500(client, query):
    response = client.get("/api/v1/search", query_string={"q": query})
    assert response.status_code == 200
    assert response.get_json()["pagination"]["page"] == 1


def test_unknown_filters_are_refused_in_chinese(client):
    response = client.get("/api/v1/search?q=春联&type=video")
    assert response.status_code == 422
    assert "type" in response.get_json()["errors"]


def test_rebuild_command_indexes_the_corpus(runner, client, corpus_dir, corpus_units, frozen_clock):
    frozen_clock(datetime(2027, 12, 31, tzinfo=UTC))  # after every article: none scheduled
    assert runner.invoke(args=["import", "corpus", str(corpus_dir)]).exit_code == 0

    result = runner.invoke(args=["search", "rebuild"])

    assert result.exit_code == 0, result.output
    with (corpus_dir / "activities.csv").open(encoding="utf-8") as handle:
        activities = sum(1 for _ in csv.DictReader(handle))
    articles = len(list((corpus_dir / "articles").glob("*.md")))
    assert f"Indexed {activities + articles} documents" in result.output
    article_hits = client.get("/api/v1/search?q=高血压&type=article").get_json()["data"]
    assert article_hits[0]["id"] == "2026-12-03-gaoxueya"
    # Pinyin finds what the Chinese word finds, in titles and bodies alike.
    hits = client.get("/api/v1/search?q=gaoxueya&type=activity&per_page=50").get_json()["data"]
    chinese = client.get("/api/v1/search?q=高血压&type=activity&per_page=50").get_json()["data"]
    assert "血压" in hits[0]["title"] or "血壓" in hits[0]["title"]
    assert {hit["id"] for hit in chinese} <= {hit["id"] for hit in hits}
    suggestions = client.get("/api/v1/search/suggest?q=fxw").get_json()["data"]
    assert any("放学娃" in item["title"] or "放學娃" in item["title"] for item in suggestions)


def test_rebuild_streams_every_activity_latest_first(runner, corpus_dir, corpus_units):
    assert runner.invoke(args=["import", "corpus", str(corpus_dir)]).exit_code == 0

    docs = list(searchable_activity_documents(batch_size=7))  # many batches, tied starts

    assert len(docs) == len({doc["id"] for doc in docs}) == count_searchable_activities()
    starts = [doc["date"] for doc in docs]
    assert starts == sorted(starts, reverse=True)


def test_started_activities_come_last_by_the_application_clock(
    client, create_activity, frozen_clock
):
    earlier = create_activity(
        title="写春联送福字", starts_at=datetime(2030, 1, 20, 1, 0, tzinfo=UTC)
    )
    later = create_activity(
        title="新春游园会",
        description="现场写春联送福字",
        starts_at=datetime(2030, 1, 27, 1, 0, tzinfo=UTC),
    )

    frozen_clock(datetime(2030, 1, 15, 4, 0, tzinfo=UTC))  # both to come: the title wins
    assert _search_ids(client, "写春联") == [earlier.id, later.id]

    frozen_clock(datetime(2030, 1, 22, 4, 0, tzinfo=UTC))  # the first has taken place
    assert _search_ids(client, "写春联") == [later.id, earlier.id]
