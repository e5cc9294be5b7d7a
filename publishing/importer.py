"""Import the corpus articles (``<corpus>/articles/*.md``) into ``content/<category>/``.

Each file is cleaned of pinyin artifacts (``cleanup.strip_pinyin_artifacts``) and otherwise copied
byte for byte; its front matter is validated and decides the section. Importing again changes
nothing: a file whose content is already there is counted as unchanged and not rewritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import frontmatter
from .cleanup import strip_pinyin_artifacts
from .exceptions import ArticleError
from .store import Article, check_placement, validate_slug, write_atomic

#: ``progress(done, total, name)`` is called after each file.
Progress = Callable[[int, int, str], None]


@dataclass
class ImportResult:
    """What an import did, file by file counted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.failed)

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": len(self.failed),
        }


def import_articles(
    corpus_dir: str | os.PathLike[str],
    content_dir: str | os.PathLike[str],
    progress: Progress | None = None,
) -> ImportResult:
    """Copy ``corpus_dir/articles/*.md`` into their sections of ``content_dir``, cleaned.

    An invalid file is skipped and listed in ``failed``; the others are still imported. An
    article whose category changed since the last import moves to its new section. Raises
    ``FileNotFoundError`` if there is no ``articles`` folder.
    """
    source = Path(corpus_dir) / "articles"
    if not source.is_dir():
        raise FileNotFoundError(f"找不到文章目录：{source}")
    content = Path(content_dir)
    files = sorted(path for path in source.glob("*.md") if not path.name.startswith("."))
    result = ImportResult()
    for done, path in enumerate(files, start=1):
        try:
            outcome = _import_one(path, content)
        except (ArticleError, UnicodeDecodeError) as exc:
            result.failed.append((path.name, getattr(exc, "message", str(exc))))
        else:
            setattr(result, outcome, getattr(result, outcome) + 1)
        if progress is not None:
            progress(done, len(files), path.name)
    return result


def _import_one(path: Path, content: Path) -> str:
    """Import one file; return "created", "updated" or "unchanged"."""
    slug = validate_slug(path.stem)
    text = strip_pinyin_artifacts(path.read_text(encoding="utf-8"))
    article = Article.from_text(slug, text)
    check_placement(article, article.category)
    target = content / article.category / path.name
    data = text.encode("utf-8")

    if not target.is_file():
        outcome = "created"
    elif target.read_bytes() != data:
        outcome = "updated"
    else:
        outcome = "unchanged"
    if outcome != "unchanged":
        write_atomic(target, data)
    # The article changed section since the last import: the new copy is written, drop the old.
    for other in frontmatter.CATEGORIES:
        stale = content / other / path.name
        if other != article.category and stale.is_file():
            stale.unlink()
            outcome = "updated"
    return outcome
