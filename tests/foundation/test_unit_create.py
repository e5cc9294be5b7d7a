"""``POST /api/v1/units``: an admin opens a station under an institute of their subtree."""


def test_an_institute_admin_opens_a_station(client, corpus_units, create_user, auth_headers):
    admin = create_user("jl", roles=[("unit_admin", "LY-JL")])

    response = client.post(
        "/api/v1/units",
        headers=auth_headers(admin),
        json={
            "code": "LY-JL-XC",
            "name": "巨陵镇新村新时代文明实践站",
            "parent_id": corpus_units["LY-JL"].id,
        },
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["level"], body["path"]) == ("station", "LY/LY-JL/LY-JL-XC")
    children = client.get(f"/api/v1/units/{corpus_units['LY-JL'].id}").get_json()["children"]
    assert "LY-JL-XC" in [child["code"] for child in children]


def test_units_open_only_inside_the_subtree_and_the_tree_rules(
    client, corpus_units, create_user, auth_headers
):
    headers = auth_headers(create_user("jl", roles=[("unit_admin", "LY-JL")]))

    def post(code, parent):
        return client.post(
            "/api/v1/units",
            headers=headers,
            json={"code": code, "name": "新的实践站", "parent_id": corpus_units[parent].id},
        )

    assert post("LY-CG-XC", "LY-CG").status_code == 403
    under_station = post("LY-JL-YFC-X", "LY-JL-YFC")
    assert under_station.status_code == 422 and "parent_id" in under_station.get_json()["errors"]
    taken = post("LY-JL-YFC", "LY-JL")
    assert (taken.status_code, taken.get_json()["error"]) == (409, "unit_code_taken")
