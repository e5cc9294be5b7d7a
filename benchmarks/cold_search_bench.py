"""CPU per cold search question, in process, on the county-scale index (not a test; run by hand).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/civscale \\
    SEARCH_INDEX_DIR=/tmp/scale-index python benchmarks/cold_search_bench.py
    ... --dump answers.json      # every answer (ids, scores, totals, facets), to compare
    ... --index /tmp/copy --now 2026-12-03T18:00+00:00   # a copy nobody writes to, one clock
    SEARCH_PACKAGE_ROOT=/other/tree python benchmarks/cold_search_bench.py   # its engine

The questions of ``http_bench.py``'s cold rows (its words, read from the database the same
way), asked in its order, each once, in one fresh process with the result cache off, after
the warm-up a gunicorn worker gets (``api.searching.index.warm_up``: one query): the first
use of every term's bitsets and postings is included, as in a server that has just
started.  Prints the thread CPU time per question (what the machine's load changes least)
and the wall time, p50 / p90 / p99 / max, per kind, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
# SEARCH_PACKAGE_ROOT: measure another version of the search package ("before").
sys.path.insert(0, os.environ.get("SEARCH_PACKAGE_ROOT", str(REPO_ROOT)))
sys.path.insert(1, str(REPO_ROOT))

# search first: http_bench puts this tree first on the path
import search  # noqa: E402
from search import SearchIndex  # noqa: E402

# isort: split
from http_bench import _search_words, cold_searches  # noqa: E402

#: 1-word questions: one per word and per page size asked (the HTTP row's 50 sizes ask
#: the same words again; these four cover its range).
PAGE_SIZES = (11, 20, 35, 60)


def questions() -> dict[str, list[tuple[str, int]]]:
    """(q, per_page) of each kind, in the order of ``http_bench.py``'s rotations."""
    from api import create_app

    with create_app().app_context():
        words = _search_words()
    one, two = cold_searches(words, per_query=1)

    def parsed(path: str) -> tuple[str, int]:
        query = parse_qs(urlsplit(path).query)
        return query["q"][0], int(query.get("per_page", ["20"])[0])

    return {
        "1 word": [(q, size) for size in PAGE_SIZES for q, _ in map(parsed, one)],
        "2 words": [parsed(path) for path in two],
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=os.environ.get("SEARCH_INDEX_DIR", "/tmp/scale-index"))
    parser.add_argument("--dump", type=Path, help="write every answer to this JSON file")
    parser.add_argument(
        "--now", type=datetime.fromisoformat, help="the clock (aware ISO 8601), default: now"
    )
    args = parser.parse_args()
    asked = questions()
    search.warm_up()
    index = SearchIndex(args.index, cache_size=0)
    now = args.now or datetime.now(UTC)
    index.query("志愿服务", now=now)  # the worker's warm-up
    load = os.getloadavg()[0]
    print(f"engine: {Path(search.__file__).parent}, index {args.index}, now {now:%H:%M} UTC")
    answers = {}
    for kind, items in asked.items():
        cpus, walls = [], []
        for q, per_page in items:
            wall, cpu = time.perf_counter(), time.thread_time()
            result = index.query(q, per_page=per_page, now=now)
            cpus.append((time.thread_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
            answers[f"{q}|{per_page}"] = {
                "total": result.total,
                "bound": result.total_is_lower_bound,
                "hits": [[hit.id, hit.score] for hit in result.hits],
                "facets": result.facets,
            }
        print(
            f"  {kind:8s} ({len(items):4d} questions) CPU ms p50 {percentile(cpus, 50):5.1f} "
            f"p90 {percentile(cpus, 90):5.1f} p99 {percentile(cpus, 99):5.1f} "
            f"max {max(cpus):5.1f} | wall p50 {percentile(walls, 50):5.1f} "
            f"p99 {percentile(walls, 99):5.1f}"
        )
    print(f"  load average {load:.2f} -> {os.getloadavg()[0]:.2f}")
    if args.dump:
        args.dump.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
