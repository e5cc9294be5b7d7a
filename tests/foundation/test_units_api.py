"""``GET /api/v1/units``, ``/units/{id}`` and ``/teams``: filters and the list envelope."""

import pytest


@pytest.fixture
def units_csv(corpus_rows):
    return corpus_rows("units.csv")


@pytest.fixture
def teams_csv(corpus_rows):
    return corpus_rows("teams.csv")


def _codes(body: dict) -> list[str]:
    return [item["code"] for item in body["data"]]


def test_units_list_is_the_pagination_envelope(client, corpus_units, units_csv):
    response = client.get("/api/v1/units")

    body = response.get_json()
    assert response.status_code == 200
    assert set(body) == {"data", "pagination"}
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": len(units_csv)}
    assert _codes(body) == sorted(row["code"] for row in units_csv)[:20]


def test_units_second_page_continues_the_first(client, corpus_units, units_csv):
    first = client.get("/api/v1/units?per_page=7").get_json()
    second = client.get("/api/v1/units?per_page=7&page=2").get_json()

    assert second["pagination"] == {"page": 2, "per_page": 7, "total": len(units_csv)}
    assert _codes(first) + _codes(second) == sorted(row["code"] for row in units_csv)[:14]


def test_page_beyond_the_end_is_empty(client, corpus_units, units_csv):
    body = client.get("/api/v1/units?per_page=100&page=2").get_json()

    assert body["data"] == []
    assert body["pagination"]["total"] == len(units_csv)


def test_per_page_above_100_is_422(client, corpus_units, assert_envelope):
    body = assert_envelope(client.get("/api/v1/units?per_page=101"), 422, "validation_error")

    assert list(body["errors"]) == ["per_page"]


@pytest.mark.parametrize("level", ["center", "institute", "station"])
def test_units_filtered_by_level(client, corpus_units, units_csv, level):
    body = client.get(f"/api/v1/units?level={level}&per_page=100").get_json()

    expected = sorted(row["code"] for row in units_csv if row["level"] == level)
    assert _codes(body) == expected
    assert body["pagination"]["total"] == len(expected)


def test_units_filtered_by_parent(client, corpus_units, units_csv):
    body = client.get(f"/api/v1/units?parent_id={corpus_units['LY-JL'].id}").get_json()

    expected = sorted(row["code"] for row in units_csv if row["parent_code"] == "LY-JL")
    assert expected and _codes(body) == expected
    assert {item["parent_id"] for item in body["data"]} == {corpus_units["LY-JL"].id}


def test_units_filtered_by_parent_and_level(client, corpus_units, units_csv):
    body = client.get(f"/api/v1/units?parent_id={corpus_units['LY'].id}&level=station").get_json()

    assert body == {"data": [], "pagination": {"page": 1, "per_page": 20, "total": 0}}


def test_unit_detail_lists_its_children(client, corpus_units, units_csv):
    response = client.get(f"/api/v1/units/{corpus_units['LY-JL'].id}")

    body = response.get_json()
    assert response.status_code == 200
    assert body["code"] == "LY-JL" and body["level"] == "institute"
    assert body["parent_id"] == corpus_units["LY"].id
    assert [child["code"] for child in body["children"]] == sorted(
        row["code"] for row in units_csv if row["parent_code"] == "LY-JL"
    )


def test_unit_detail_keeps_the_corpus_values(client, corpus_units, units_csv):
    row = next(row for row in units_csv if row["code"] == "LY")

    body = client.get(f"/api/v1/units/{corpus_units['LY'].id}").get_json()

    assert (body["name"], body["address"], body["phone"]) == (
        row["name"],
        row["address"],
        row["phone"],
    )
    assert (body["lat"], body["lng"]) == (float(row["lat"]), float(row["lng"]))
    assert body["parent_id"] is None


def test_station_has_no_children(client, corpus_units):
    body = client.get(f"/api/v1/units/{corpus_units['LY-JL-YFC'].id}").get_json()

    assert body["children"] == []
    assert body["path"] == "LY/LY-JL/LY-JL-YFC"


def test_unknown_unit_is_404(client, corpus_units, assert_envelope):
    assert_envelope(client.get("/api/v1/units/987654"), 404, "unit_not_found")


def test_changing_an_unknown_team_is_404(client, create_user, auth_headers, assert_envelope):
    admin = auth_headers(create_user("root", roles=[("admin", None)]))

    response = client.patch("/api/v1/teams/987654", json={"member_count": 30}, headers=admin)

    assert_envelope(response, 404, "team_not_found")


def test_teams_list_is_the_pagination_envelope(client, corpus_units, teams_csv):
    body = client.get("/api/v1/teams?per_page=100").get_json()

    assert body["pagination"] == {"page": 1, "per_page": 100, "total": len(teams_csv)}
    assert sorted(_codes(body)) == sorted(row["code"] for row in teams_csv)


def test_teams_of_a_township_are_its_subtree(client, corpus_units, teams_csv):
    body = client.get(f"/api/v1/teams?unit_id={corpus_units['LY-CG'].id}&per_page=100")

    expected = {row["code"] for row in teams_csv if row["unit_code"] == "LY-CG"}
    assert expected and set(_codes(body.get_json())) == expected


def test_teams_of_the_center_include_every_township(client, corpus_units, teams_csv):
    body = client.get(f"/api/v1/teams?unit_id={corpus_units['LY'].id}&per_page=100").get_json()

    assert body["pagination"]["total"] == len(teams_csv)


def test_teams_filtered_by_category(client, corpus_units, teams_csv):
    body = client.get("/api/v1/teams?category=特色&per_page=100").get_json()

    expected = {row["code"] for row in teams_csv if row["category"] == "特色"}
    assert expected and set(_codes(body)) == expected
    assert {item["category"] for item in body["data"]} == {"特色"}


def test_teams_filtered_by_unit_and_category(client, corpus_units, teams_csv):
    unit_id = corpus_units["LY-JL"].id

    body = client.get(f"/api/v1/teams?unit_id={unit_id}&category=卫生环保").get_json()

    assert _codes(body) == [
        row["code"]
        for row in teams_csv
        if row["unit_code"] == "LY-JL" and row["category"] == "卫生环保"
    ]
    assert body["data"][0]["unit_name"] == corpus_units["LY-JL"].name


def test_teams_of_an_unknown_category_is_422(client, corpus_units, assert_envelope):
    body = assert_envelope(client.get("/api/v1/teams?category=跳广场舞"), 422, "validation_error")

    assert list(body["errors"]) == ["category"]


def test_teams_of_an_unknown_unit_is_404(client, corpus_units, assert_envelope):
    assert_envelope(client.get("/api/v1/teams?unit_id=987654"), 404, "unit_not_found")
