"""Site build time for the corpus and for 2,000 generated articles (target: < 60 s).

    python benchmarks/site_bench.py [--corpus ../shared/corpus] [--articles 2000] [--in-process]

Each case copies the site pages of ``content/`` into a temporary directory, adds the articles and
runs ``build_site`` (a child process, fresh directory, swap), the way ``flask site build`` and
publish jobs do. ``--in-process`` also times MkDocs' Python API in this process, for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from publishing import frontmatter  # noqa: E402
from publishing.importer import import_articles  # noqa: E402
from publishing.sitebuild import build_site  # noqa: E402
from publishing.store import Article  # noqa: E402

TAGS = [
    "高血压", "慢性病", "志愿服务", "放学娃之家", "我来帮", "反诈", "安全生产", "移风易俗",
    "文明实践", "乡村振兴", "心理健康", "儿童", "老年人", "法律", "食品安全", "党史学习",
]  # fmt: skip


def site_pages(target: Path) -> Path:
    """Copy content/ without its articles."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        if Path(folder).name in frontmatter.CATEGORIES:
            return {name for name in names if name != "index.md"}
        return set()

    shutil.copytree(PROJECT_ROOT / "content", target, ignore=ignore)
    return target


def generate(content: Path, count: int, corpus: Path) -> None:
    """Fill ``content`` with the corpus plus generated articles up to ``count`` in all."""
    imported = import_articles(corpus, content)
    bodies = [
        frontmatter.split(path.read_text(encoding="utf-8"))[1]
        for path in (corpus / "articles").glob("*.md")
    ]
    rng = random.Random(2026)
    start = dt.date(2023, 1, 1)
    for number in range(count - imported.total):
        date = start + dt.timedelta(days=number % 1400)
        category = list(frontmatter.CATEGORIES)[number % 3]
        article = Article(
            slug=f"{date.isoformat()}-shengcheng-{number:04d}",
            title=f"生成的测试文章第 {number} 篇",
            date=date,
            category=category,
            author="基准测试",
            tags=tuple(rng.sample(TAGS, 3)),
            summary="用于测量站点构建时间的生成文章。",
            body=rng.choice(bodies),
        )
        (content / category / f"{article.slug}.md").write_text(article.to_text(), encoding="utf-8")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_build(content: Path, site: Path) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds of one build (CPU: the MkDocs child process)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    result = build_site(PROJECT_ROOT, site, docs_dir=content)
    return time.perf_counter() - started, _children_cpu() - cpu, result.pages


def time_in_process(content: Path, site: Path) -> float:
    from publishing.mkdocs_runner import run

    started = time.perf_counter()
    run(str(PROJECT_ROOT / "mkdocs.yml"), str(site), str(content))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=PROJECT_ROOT.parent / "shared" / "corpus", help="corpus dir"
    )
    parser.add_argument("--articles", type=int, default=2000, help="articles in the large case")
    parser.add_argument("--in-process", action="store_true", help="also time MkDocs in-process")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="site-bench-") as tmp:
        root = Path(tmp)
        cases = [("corpus", None), (f"{args.articles} articles", args.articles)]
        for label, count in cases:
            content = site_pages(root / label.replace(" ", "-") / "content")
            if count is None:
                import_articles(args.corpus, content)
            else:
                generate(content, count, args.corpus)
            seconds, cpu, pages = time_build(content, content.parent / "site")
            print(
                f"{label:>16}: {pages:5d} pages built and swapped in {seconds:6.1f} s "
                f"(CPU {cpu:.1f} s; wall time grows when other processes share the cores)"
            )
            if args.in_process:
                seconds = time_in_process(content, content.parent / "site-inprocess")
                print(f"{'':>16}  in-process MkDocs API: {seconds:6.1f} s")


if __name__ == "__main__":
    main()
