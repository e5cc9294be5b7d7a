"""The state machine: a caller without the role for a move is refused with 403 whatever the
request's state; from every state, every move the table does not allow is refused with 409
``invalid_transition`` (by someone who could make it in the right state); a refused move
changes nothing and writes no audit entry; concurrent moves: exactly one wins."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.extensions import db
from api.help.models import HelpRequest
from api.help.states import TRANSITIONS, HelpStatus

ALLOWED = {action: sources for action, (sources, _) in TRANSITIONS.items()}
ALLOWED["activity"] = frozenset({"accepted"})
# The assignee's moves, and the states in which no team or station holds the request: there,
# nobody has the assignee's role, so these moves are refused as forbidden, not as illegal.
ASSIGNEE_MOVES = frozenset({"accept", "complete", "activity"})
UNASSIGNED = frozenset({"held", "submitted", "rejected", "cancelled"})


def _attempt(act, people, teams, corpus_units, request_id, action, person=None):
    """Make ``action`` with a valid body, as ``person`` or else as the one who may make it."""
    dispatcher, responder = people.institute, people.responder
    moves = {
        "release": (dispatcher, {}),
        "reject": (dispatcher, {"reason": "不属于服务范围"}),
        "route": (dispatcher, {"unit_id": corpus_units["LY-JL-JLC"].id}),
        "dispatch": (dispatcher, {"team_id": teams["T-JL-01"].id}),
        "redispatch": (dispatcher, {"team_id": teams["T-JL-01"].id}),
        "requeue": (dispatcher, {"reason": "重新安排"}),
        "claim": (people.station, {}),
        "accept": (responder, {}),
        "complete": (
            responder,
            {"report": "已办结", "volunteers": [{"user_id": responder.id, "minutes": 30}]},
        ),
        "rate": (people.requester, {"rating": 3}),
        "cancel": (people.requester, {"reason": "不需要了"}),
        "activity": (
            people.leader_responder,
            {"starts_at": "2027-01-09T09:00:00+08:00", "ends_at": "2027-01-09T11:00:00+08:00"},
        ),
    }
    entitled, body = moves[action]
    return act(person or entitled, request_id, action, **body)


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


@pytest.mark.parametrize("state", tuple(HelpStatus))
def test_every_illegal_move_is_refused(client, request_in, act, people, teams, corpus_units, state):
    request_id = request_in(state)
    audit_count = _audit_count()

    illegal = [action for action, sources in ALLOWED.items() if state not in sources]
    assert illegal
    for action in illegal:
        response = _attempt(act, people, teams, corpus_units, request_id, action)
        if action in ASSIGNEE_MOVES and state in UNASSIGNED:
            assert response.status_code == 403, (state, action, response.get_json())
            assert response.get_json()["error"] == "forbidden", (state, action)
            continue
        assert response.status_code == 409, (state, action, response.get_json())
        assert response.get_json()["error"] == "invalid_transition", (state, action)
        assert response.get_json()["message"]

    db.session.expire_all()
    assert db.session.get(HelpRequest, request_id).status == state
    assert _audit_count() == audit_count


@pytest.mark.parametrize("state", list(HelpStatus))
def test_a_caller_without_the_role_is_forbidden_whatever_the_state(
    client, request_in, act, people, teams, corpus_units, state
):
    # Authorization comes before the state: a resident who did not ask, or the admin of
    # another township, learns nothing of the request's status from a move.
    request_id = request_in(state)
    audit_count = _audit_count()

    for person in (people.other_resident, people.outsider):
        for action in ALLOWED:
            response = _attempt(act, people, teams, corpus_units, request_id, action, person)
            assert response.status_code == 403, (state, action, response.get_json())
            assert response.get_json()["error"] == "forbidden", (state, action)

    db.session.expire_all()
    assert db.session.get(HelpRequest, request_id).status == state
    assert _audit_count() == audit_count


@pytest.mark.parametrize("state", tuple(HelpStatus))
def test_every_legal_move_is_taken(client, request_in, act, people, teams, corpus_units, state):
    legal = [action for action, sources in ALLOWED.items() if state in sources]

    for action in legal:
        request_id = request_in(state)
        response = _attempt(act, people, teams, corpus_units, request_id, action)
        assert response.status_code in (200, 201), (state, action, response.get_json())
        expected = TRANSITIONS[action][1] if action in TRANSITIONS else state
        assert response.get_json()["status"] == expected
        entry = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "help_request")
            .order_by(AuditEntry.id.desc())
        ).first()
        action_name = "make_activity" if action == "activity" else action
        assert (entry.action, entry.entity_id) == (f"help_request.{action_name}", str(request_id))
        if action in TRANSITIONS:
            assert (entry.details["from"], entry.details["to"]) == (state, expected)


def test_a_terminal_state_stays_terminal(client, request_in, act, people):
    request_id = request_in("rated")

    again = act(people.requester, request_id, "rate", rating=1)

    assert again.status_code == 409
    assert db.session.get(HelpRequest, request_id).rating == 5


def test_concurrent_dispatches_one_wins(live_server, request_in, people, teams, audit_trail):
    request_id = request_in("submitted")
    url = f"{live_server}/api/v1/help-requests/{request_id}/dispatch"
    team_ids = [teams["T-JL-01"].id, teams["T-JL-02"].id] * 4

    with ThreadPoolExecutor(max_workers=len(team_ids)) as pool:
        statuses = list(
            pool.map(
                lambda team_id: (
                    requests.post(
                        url, headers=people.institute.headers, json={"team_id": team_id}, timeout=60
                    ).status_code
                ),
                team_ids,
            )
        )

    assert sorted(statuses) == [200] + [409] * (len(team_ids) - 1)
    db.session.expire_all()
    assert db.session.get(HelpRequest, request_id).status == "dispatched"
    assert [action for action, _ in audit_trail(request_id)].count("help_request.dispatch") == 1


def test_concurrent_redispatch_and_accept_one_wins(live_server, request_in, people, teams):
    request_id = request_in("dispatched")
    base = f"{live_server}/api/v1/help-requests/{request_id}"
    calls = [
        (f"{base}/accept", people.responder.headers, None),
        (f"{base}/redispatch", people.institute.headers, {"team_id": teams["T-JL-01"].id}),
    ]

    with ThreadPoolExecutor(max_workers=2) as pool:
        accepted, redispatched = pool.map(
            lambda call: (
                requests.post(call[0], headers=call[1], json=call[2] or {}, timeout=60).status_code
            ),
            calls,
        )

    db.session.expire_all()
    help_request = db.session.get(HelpRequest, request_id)
    state = (help_request.status, help_request.team_id, help_request.accepted_at is not None)
    if redispatched == 200:
        # The old team's accept was refused (409: it read the request before; 403: after)
        # or came first and was then taken away: the new team has it, not accepted.
        assert accepted in (200, 403, 409)
        assert state == ("dispatched", teams["T-JL-01"].id, False)
    else:
        # The accept won; the re-dispatch read the request before and was refused.
        assert (accepted, redispatched) == (200, 409)
        assert state == ("accepted", teams["T-JL-02"].id, True)
