"""Articles: the read API of the mini-program and the editors' API."""

from flask import current_app, jsonify, send_file, url_for

from api.articles import services
from api.articles.schemas import (
    ArticleCreateSchema,
    ArticleDetailSchema,
    ArticleQuerySchema,
    ArticleSchema,
    ArticleUpdateSchema,
    EditorArticleListSchema,
    EditorArticleQuerySchema,
    EditorArticleSchema,
    ImageSchema,
    ImageUploadSchema,
    PreviewResultSchema,
    PreviewSchema,
)
from api.auth.current import require_user
from api.blueprint import Blueprint
from api.errors import envelope
from api.extensions import configured_limit, limiter
from api.jobs.schemas import JobSchema
from api.pagination import page_schema
from api.urls import public_base_url
from publishing.exceptions import ArticleNotFound
from publishing.store import IMAGE_MAX_BYTES

blp = Blueprint(
    "articles", __name__, url_prefix="/api/v1", description="理论宣讲、健康科普与动态文章"
)


@blp.app_errorhandler(ArticleNotFound)
def article_not_found(exc: ArticleNotFound):
    """Answer the one ArticleNotFound, wherever it was raised, with its 404 envelope."""
    return jsonify(envelope(exc.status_code, exc.error, exc.message)), exc.status_code


def _store():
    return services.store_for(current_app.config["CONTENT_DIR"])


def _base_url() -> str:
    """The site's root URL: SITE_URL (the request's host only in development)."""
    return public_base_url()


def _job_location(job) -> dict:
    return {"Location": url_for("jobs.get_job", job_id=job.id)}


@blp.route("/articles", methods=["GET"])
@blp.arguments(ArticleQuerySchema, location="query")
@blp.response(200, page_schema(ArticleSchema))
def list_articles(query):
    """List published articles, newest first."""
    return services.list_published(_store(), _base_url(), **query)


@blp.route("/articles/<slug>", methods=["GET"])
@blp.response(200, ArticleDetailSchema)
def get_article(slug):
    """Show a published article with HTML for the rich-text component."""
    return services.get_published(_store(), _base_url(), slug)


@blp.route("/articles", methods=["POST"])
@blp.arguments(ArticleCreateSchema)
@blp.response(201, EditorArticleSchema)
def create_article(data):
    """Create a draft article."""
    return services.create_draft(require_user(), _store(), _base_url(), data)


@blp.route("/articles/<slug>", methods=["PUT"])
@blp.arguments(ArticleUpdateSchema, required=False)
@blp.response(200, EditorArticleSchema)
def update_article(changes, slug):
    """Change an article's fields or Markdown body."""
    return services.update_article(require_user(), _store(), _base_url(), slug, changes)


@blp.route("/articles/<slug>/images", methods=["POST"])
@limiter.limit(configured_limit("UPLOAD_RATE_LIMIT"))
@blp.arguments(ImageUploadSchema, location="files")
@blp.response(201, ImageSchema)
def upload_image(files, slug):
    """Upload an image (PNG, JPEG, GIF or WebP) stored beside the article."""
    upload = files["file"]
    data = upload.stream.read(IMAGE_MAX_BYTES + 1)
    user = require_user()
    return services.upload_image(user, _store(), _base_url(), slug, upload.filename or "", data)


@blp.route("/articles/<slug>/images/<name>", methods=["GET"])
@blp.response(200, content_type="image/*")
def get_image(slug, name):
    """Download an image stored beside an article, drafts included (for the editor's preview)."""
    path = services.image_for_editor(require_user(), _store(), slug, name)
    response = send_file(path, max_age=0, conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/articles/preview", methods=["POST"])
@blp.arguments(PreviewSchema)
@blp.response(200, PreviewResultSchema)
def preview_article(data):
    """Render Markdown to the HTML the API would serve."""
    return services.preview(require_user(), _base_url(), data["body"], data["slug"])


@blp.route("/articles/<slug>/publish", methods=["POST"])
@blp.response(202, JobSchema)
def publish_article(slug):
    """Publish an article; poll the returned job until the site is rebuilt."""
    job = services.publish(require_user(), _store(), slug)
    return job, _job_location(job)


@blp.route("/articles/<slug>/unpublish", methods=["POST"])
@blp.response(202, JobSchema)
def unpublish_article(slug):
    """Take an article off the site; poll the returned job until the site is rebuilt."""
    job = services.unpublish(require_user(), _store(), slug)
    return job, _job_location(job)


@blp.route("/editor/articles", methods=["GET"])
@blp.arguments(EditorArticleQuerySchema, location="query")
@blp.response(200, page_schema(EditorArticleListSchema))
def list_editor_articles(query):
    """List all articles, drafts included, newest first."""
    return services.list_for_editor(require_user(), _store(), _base_url(), **query)


@blp.route("/editor/articles/<slug>", methods=["GET"])
@blp.response(200, EditorArticleSchema)
def get_editor_article(slug):
    """Show any article with its Markdown body, HTML and images."""
    return services.get_for_editor(require_user(), _store(), _base_url(), slug)
