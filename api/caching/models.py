"""The generation counters that public response caches are validated against."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from api.extensions import db


class CacheGeneration(db.Model):
    """A counter bumped after every commit that changes what a family of public answers
    shows (``calendar``: activities, their sign-up counts, units and teams)."""

    __tablename__ = "cache_generations"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
