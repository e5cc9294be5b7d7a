"""Calendar feeds for calendar apps, and the secret URL of my personal feed."""

from flask import Response

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.feeds import services
from api.feeds.ics import render_calendar
from api.feeds.schemas import CalendarFeedSchema, PersonalFeedQuerySchema, UnitFeedQuerySchema
from api.urls import public_url

blp = Blueprint("feeds", __name__, url_prefix="/api/v1", description="日历订阅")

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(name: str, entries: list, filename: str, cache: str) -> Response:
    return Response(
        render_calendar(name, entries),
        content_type=ICS_CONTENT_TYPE,
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": cache},
    )


def _feed_urls(token: str) -> dict:
    url = public_url("feeds.my_calendar", token=token)
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@blp.route("/activities.ics", methods=["GET"])
@blp.arguments(UnitFeedQuerySchema, location="query")
@blp.response(200, content_type="text/calendar")
def activities_calendar(query):
    """Subscribe to the published activities of a unit and its subtree (iCalendar)."""
    name, entries = services.unit_feed(query["unit_id"])
    return _calendar_response(name, entries, "activities.ics", "public, max-age=300")


@blp.route("/me/calendar.ics", methods=["GET"])
@blp.arguments(PersonalFeedQuerySchema, location="query")
@blp.response(200, content_type="text/calendar")
def my_calendar(query):
    """Subscribe to my sign-ups (iCalendar), authorized by the secret token in the URL."""
    name, entries = services.personal_feed(services.feed_owner(query["token"]))
    return _calendar_response(name, entries, "my-activities.ics", "private, max-age=300")


@blp.route("/me/calendar-feed", methods=["GET"])
@blp.response(200, CalendarFeedSchema)
def my_calendar_feed():
    """Get the secret URL of my personal calendar feed (404 before I create it)."""
    return _feed_urls(services.calendar_token(require_user()))


@blp.route("/me/calendar-feed", methods=["POST"])
@blp.response(200, CalendarFeedSchema)
def create_my_calendar_feed():
    """Create my personal calendar feed, or get its URL if I already have one."""
    return _feed_urls(services.create_calendar_token(require_user()))


@blp.route("/me/calendar-feed/reset", methods=["POST"])
@blp.response(200, CalendarFeedSchema)
def reset_my_calendar_feed():
    """Replace the secret URL of my personal calendar feed; the old one stops working."""
    return _feed_urls(services.reset_calendar_token(require_user()))
