"""爱心商家联盟: my points, merchants and their rewards, redemptions and their
confirmation at the counter."""

import io

import segno
from flask import Response

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.pagination import PaginationQuerySchema, page_schema, paginate
from api.points import account, merchants, redemptions
from api.points.schemas import (
    ConfirmSchema,
    MerchantCreateSchema,
    MerchantQuerySchema,
    MerchantRedemptionQuerySchema,
    MerchantRedemptionSchema,
    MerchantSchema,
    MerchantUpdateSchema,
    MyPointsSchema,
    RedemptionSchema,
    RestockSchema,
    RewardCreateSchema,
    RewardQuerySchema,
    RewardSchema,
    RewardUpdateSchema,
)

blp = Blueprint("points", __name__, url_prefix="/api/v1", description="爱心商家联盟：积分与兑换")


@blp.route("/me/points", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, MyPointsSchema)
def my_points(query):
    """Show my points balance (this year's) and my points ledger."""
    return account.my_account(require_user(), query["page"], query["per_page"])


@blp.route("/merchants", methods=["GET"])
@blp.arguments(MerchantQuerySchema, location="query")
@blp.response(200, page_schema(MerchantSchema))
def list_merchants(query):
    """List the caring merchants, of a unit's subtree when given."""
    return paginate(merchants.merchants_query(query["unit_id"]), query["page"], query["per_page"])


@blp.route("/me/merchants", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(MerchantSchema))
def list_my_merchants(query):
    """List the merchants I run (as their admin or an admin of their unit)."""
    return paginate(merchants.my_merchants_query(require_user()), query["page"], query["per_page"])


@blp.route("/merchants", methods=["POST"])
@blp.arguments(MerchantCreateSchema)
@blp.response(201, MerchantSchema)
def create_merchant(values):
    """Enrol a caring merchant of my subtree and name its admin."""
    return merchants.create_merchant(require_user(), values)


@blp.route("/merchants/<int:merchant_id>", methods=["GET"])
@blp.response(200, MerchantSchema)
def get_merchant(merchant_id):
    """Show a merchant."""
    return merchants.get_merchant(merchant_id)


@blp.route("/merchants/<int:merchant_id>", methods=["PATCH"])
@blp.arguments(MerchantUpdateSchema, required=False)
@blp.response(200, MerchantSchema)
def update_merchant(changes, merchant_id):
    """Change a merchant's details."""
    return merchants.update_merchant(require_user(), merchant_id, changes)


@blp.route("/merchants/<int:merchant_id>/rewards", methods=["POST"])
@blp.arguments(RewardCreateSchema)
@blp.response(201, RewardSchema)
def create_reward(values, merchant_id):
    """Offer a reward for points, with its stock."""
    return merchants.create_reward(require_user(), merchant_id, values)


@blp.route("/merchants/<int:merchant_id>/rewards", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(RewardSchema))
def list_merchant_rewards(query, merchant_id):
    """List every reward of my merchant, withdrawn ones and empty stock included."""
    statement = merchants.merchant_rewards_query(require_user(), merchant_id)
    return paginate(statement, query["page"], query["per_page"])


@blp.route("/merchants/<int:merchant_id>/redemptions", methods=["GET"])
@blp.arguments(MerchantRedemptionQuerySchema, location="query")
@blp.response(200, page_schema(MerchantRedemptionSchema))
def list_merchant_redemptions(query, merchant_id):
    """List my merchant's redemptions, newest first."""
    statement = redemptions.merchant_redemptions_query(require_user(), merchant_id, query["status"])
    listed = paginate(statement, query["page"], query["per_page"])
    listed.data = [redemptions.show_effective_status(redemption) for redemption in listed.data]
    return listed


@blp.route("/rewards", methods=["GET"])
@blp.arguments(RewardQuerySchema, location="query")
@blp.response(200, page_schema(RewardSchema))
def list_rewards(query):
    """List the rewards on offer, cheapest first."""
    statement = merchants.rewards_query(query["merchant_id"], query["unit_id"])
    return paginate(statement, query["page"], query["per_page"])


@blp.route("/rewards/<int:reward_id>", methods=["GET"])
@blp.response(200, RewardSchema)
def get_reward(reward_id):
    """Show a reward and its stock."""
    return merchants.get_reward(reward_id)


@blp.route("/rewards/<int:reward_id>", methods=["PATCH"])
@blp.arguments(RewardUpdateSchema, required=False)
@blp.response(200, RewardSchema)
def update_reward(changes, reward_id):
    """Change a reward's name, description, price or availability."""
    return merchants.update_reward(require_user(), reward_id, changes)


@blp.route("/rewards/<int:reward_id>/restock", methods=["POST"])
@blp.arguments(RestockSchema)
@blp.response(200, RewardSchema)
def restock(body, reward_id):
    """Add stock to a reward (or withdraw some)."""
    return merchants.restock(require_user(), reward_id, body["quantity"])


@blp.route("/rewards/<int:reward_id>/redemptions", methods=["POST"])
@blp.response(201, RedemptionSchema)
def redeem(reward_id):
    """Spend my points on a reward: a code and QR code to show the merchant."""
    return redemptions.redeem(require_user(), reward_id)


@blp.route("/me/redemptions", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(RedemptionSchema))
def list_my_redemptions(query):
    """List my redemptions, newest first."""
    listed = paginate(
        redemptions.my_redemptions_query(require_user()), query["page"], query["per_page"]
    )
    listed.data = [redemptions.show_effective_status(redemption) for redemption in listed.data]
    return listed


@blp.route("/me/redemptions/<int:redemption_id>", methods=["GET"])
@blp.response(200, RedemptionSchema)
def get_my_redemption(redemption_id):
    """Show one of my redemptions."""
    return redemptions.get_my_redemption(require_user(), redemption_id)


@blp.route("/me/redemptions/<int:redemption_id>/qr.png", methods=["GET"])
@blp.response(200, content_type="image/png")
def redemption_qr(redemption_id):
    """Download the QR code of my redemption's code, for the merchant to scan."""
    redemption = redemptions.get_my_redemption(require_user(), redemption_id)
    image = io.BytesIO()
    segno.make(redemption.code, error="m").save(image, kind="png", scale=8, border=2)
    return Response(
        image.getvalue(), mimetype="image/png", headers={"Cache-Control": "private, no-store"}
    )


@blp.route("/me/redemptions/<int:redemption_id>/cancel", methods=["POST"])
@blp.response(200, RedemptionSchema)
def cancel_redemption(redemption_id):
    """Give back a redemption the merchant has not confirmed: points refunded."""
    return redemptions.cancel_redemption(require_user(), redemption_id)


@blp.route("/redemptions/confirm", methods=["POST"])
@blp.arguments(ConfirmSchema)
@blp.response(200, MerchantRedemptionSchema)
def confirm_redemption(body):
    """Confirm a volunteer's redemption code at my merchant's counter."""
    return redemptions.confirm(require_user(), body["code"])
