"""The API keeps no state in Flask's cookie session."""

import pytest
from flask import session


def test_no_request_opens_a_cookie_session(app, client):
    response = client.get("/api/v1/activities/calendar?month=2026-12")

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    with app.test_request_context("/api/v1/me"):
        app.preprocess_request()
        assert session.get("anything") is None  # reading finds nothing
        with pytest.raises(RuntimeError, match="session is unavailable"):
            session["user_id"] = 1  # writing fails loudly instead of setting a cookie
