def test_healthz_says_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_units_come_from_the_corpus(client, corpus_units):
    response = client.get("/api/v1/units?level=institute&per_page=100")
    body = response.get_json()
    assert response.status_code == 200
    assert body["pagination"]["total"] == 15
    assert all(item["level"] == "institute" for item in body["data"])
