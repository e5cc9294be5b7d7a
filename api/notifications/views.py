"""Subscribe-message grants, notification preferences and the in-app inbox."""

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.notifications import services
from api.notifications.models import Notification
from api.notifications.schemas import (
    InboxItemSchema,
    InboxQuerySchema,
    NotificationSettingsSchema,
    NotificationSettingsUpdateSchema,
    SubscriptionsSchema,
)
from api.pagination import page_schema, paginate

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="消息通知")


@blp.route("/me/subscriptions", methods=["POST"])
@blp.arguments(SubscriptionsSchema)
@blp.response(200, NotificationSettingsSchema)
def add_subscriptions(body):
    """Record the subscribe-message templates I just accepted (each allows one message)."""
    user = require_user()
    services.add_grants(user, body["template_ids"])
    return services.settings(user)


@blp.route("/me/notifications", methods=["GET"])
@blp.response(200, NotificationSettingsSchema)
def get_settings():
    """Show which kinds of notification I receive, with their templates and grants."""
    return services.settings(require_user())


@blp.route("/me/notifications", methods=["PUT"])
@blp.arguments(NotificationSettingsUpdateSchema)
@blp.response(200, NotificationSettingsSchema)
def update_settings(body):
    """Turn kinds of notification on or off."""
    return services.update_settings(require_user(), body["kinds"])


@blp.route("/me/inbox", methods=["GET"])
@blp.arguments(InboxQuerySchema, location="query")
@blp.response(200, page_schema(InboxItemSchema))
def inbox(query):
    """List my notifications, newest first, whether or not WeChat delivered them."""
    statement = services.inbox_query(require_user())
    if query["kind"]:
        statement = statement.where(Notification.kind == query["kind"])
    return paginate(statement, query["page"], query["per_page"])
