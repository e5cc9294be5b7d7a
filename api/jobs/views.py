"""Polling background jobs."""

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.jobs import services
from api.jobs.schemas import JobSchema

blp = Blueprint("jobs", __name__, url_prefix="/api/v1", description="后台任务")


@blp.route("/jobs/<int:job_id>", methods=["GET"])
@blp.response(200, JobSchema)
def get_job(job_id):
    """Show a background job's status."""
    return services.get_job(require_user(), job_id)
