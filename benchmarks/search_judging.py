"""Judgment pools and measurements for the judged query set (not a test; run by hand).

    python benchmarks/search_judging.py pool QUERIES.txt POOL.json   # pool for judging
    python benchmarks/search_judging.py measure [--engine old|plain|new]

The judged set, ``tests/search/judged_set.yaml``, is graded over *pools*: for each
query, the union of the top 20 of two rankers that are not the engine under test, so
the set is not built from its answers:

* ``old``: the search engine as it was at commit OLD_COMMIT (run from a ``git archive``
  of its ``search/`` package in a subprocess, on its own index of the corpus);
* ``plain``: BM25 over character bigrams of the normalised title (counted twice) and
  body, searching the query's *intent* (the Chinese words a pinyin, initials or
  synonym query stands for, written by the judge); no segmentation, synonyms or pinyin.

``pool`` prints each query's pool with a suggested grade from the intent words (3:
in the title, 2: in the body twice or more, 1: once), for the judge to read and
correct; the corrected grades are what the YAML file holds.  ``measure`` prints
recall@10, MRR and nDCG@10 per kind for one ranker over the judged set.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests" / "search"))

import yaml  # noqa: E402
from conftest import corpus_documents  # noqa: E402

from search import SearchIndex, analysis, evaluation  # noqa: E402

OLD_COMMIT = "1f0f385"
JUDGED = REPO_ROOT / "tests" / "search" / "judged_set.yaml"
#: Before the corpus season: every activity is upcoming, so the order is relevance.
BEFORE_SEASON = datetime(2026, 11, 28, 12, 0, tzinfo=timezone(timedelta(hours=8)))
POOL_DEPTH = 20

_OLD_RUNNER = """
import json, sys, tempfile
from datetime import datetime, timedelta, timezone
from conftest import corpus_documents
from search import SearchIndex
queries = json.load(sys.stdin)
index = SearchIndex(tempfile.mkdtemp(prefix="old-engine-"))
index.rebuild(corpus_documents())
now = datetime(2026, 11, 28, 12, 0, tzinfo=timezone(timedelta(hours=8)))
json.dump({q: [h.id for h in index.query(q, per_page=%d, now=now).hits] for q in queries},
          sys.stdout)
"""


def old_rankings(queries: list[str]) -> dict[str, list[str]]:
    """The engine of OLD_COMMIT on the corpus, in a subprocess of its own."""
    with tempfile.TemporaryDirectory(prefix="search-old-") as tree:
        archive = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "archive", OLD_COMMIT, "search"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": f"{tree}:{REPO_ROOT / 'tests' / 'search'}"}
        out = subprocess.run(
            [sys.executable, "-c", _OLD_RUNNER % POOL_DEPTH],
            input=json.dumps(queries),
            capture_output=True,
            text=True,
            env=env,
            cwd=tree,
            check=True,
        ).stdout
    return json.loads(out)


class PlainRanker:
    """BM25 over character bigrams (and Latin words) of title x2 + body."""

    def __init__(self, docs: list[dict], k1: float = 1.2, b: float = 0.75):
        self.ids = [d["id"] for d in docs]
        self.terms = [Counter(_grams(d["title"]) * 2 + _grams(d["body"])) for d in docs]
        self.lengths = [sum(t.values()) for t in self.terms]
        self.average = sum(self.lengths) / len(docs)
        df = Counter(g for t in self.terms for g in t)
        n = len(docs)
        self.idf = {g: math.log(1 + (n - f + 0.5) / (f + 0.5)) for g, f in df.items()}
        self.k1, self.b = k1, b

    def rank(self, text: str, depth: int = POOL_DEPTH) -> list[str]:
        query = set(_grams(text))
        scores = []
        for doc_id, terms, length in zip(self.ids, self.terms, self.lengths, strict=True):
            score = 0.0
            for g in query:
                tf = terms.get(g)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * length / self.average)
                    score += self.idf[g] * tf * (self.k1 + 1) / (tf + norm)
            if score:
                scores.append((score, doc_id))
        scores.sort(key=lambda pair: (-pair[0], pair[1]))
        return [doc_id for _score, doc_id in scores[:depth]]


def _grams(text: str) -> list[str]:
    normalized = analysis.normalize(text or "")
    latin = [w for w in normalized.split() if w.isascii() and w.isalpha()]
    return analysis.han_bigrams(normalized) + latin


def suggested_grade(doc: dict, intent: list[str]) -> int:
    title = analysis.normalize(doc["title"])
    body = analysis.normalize(doc["body"] or "")
    if any(word in title for word in intent):
        return 3
    mentions = sum(body.count(word) for word in intent)
    # an activity's few lines name their topic once or twice; an article's many more
    central = 2 if doc["type"] == "activity" else 3
    return 2 if mentions >= central else 1 if mentions else 0


def read_queries(path: Path) -> list[dict]:
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, q, intent = (part.strip() for part in line.split("|"))
        entries.append({"kind": kind, "q": q, "intent": intent.split()})
    return entries


def pool(queries_path: Path, out_path: Path) -> None:
    """Pool the top 20 of the old and the plain ranker; suggest grades; print."""
    docs = corpus_documents()
    by_id = {d["id"]: d for d in docs}
    entries = read_queries(queries_path)
    old = old_rankings([e["q"] for e in entries])
    plain = PlainRanker(docs)
    for entry in entries:
        from_plain = plain.rank(" ".join(entry["intent"]))
        members = list(dict.fromkeys(old[entry["q"]] + from_plain))
        entry["pool"] = {
            doc_id: suggested_grade(by_id[doc_id], entry["intent"]) for doc_id in members
        }
        print(f"\n## {entry['kind']} | {entry['q']} | {' '.join(entry['intent'])}")
        for doc_id, grade in sorted(entry["pool"].items(), key=lambda p: -p[1]):
            print(f"  {grade} {doc_id:48s} {by_id[doc_id]['title']}")
    out_path.write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")


def judged_set() -> list[dict]:
    return yaml.safe_load(JUDGED.read_text(encoding="utf-8"))


def measure(engine: str) -> None:
    """Print the scores of one ranker over the judged set."""
    judged = judged_set()
    queries = [entry["q"] for entry in judged]
    if engine == "old":
        rankings = old_rankings(queries)
    elif engine == "plain":
        plain = PlainRanker(corpus_documents())
        rankings = {e["q"]: plain.rank(e["q"]) for e in judged}
    else:
        index = SearchIndex(tempfile.mkdtemp(prefix="search-new-"))
        index.rebuild(corpus_documents())
        rankings = {
            q: [h.id for h in index.query(q, per_page=POOL_DEPTH, now=BEFORE_SEASON).hits]
            for q in queries
        }
    per_kind, overall = evaluation.score_runs(judged, rankings)
    print(f"engine: {engine}")
    print(evaluation.table(per_kind, overall))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pooling = commands.add_parser("pool", help="pool and suggest grades")
    pooling.add_argument("queries", type=Path)
    pooling.add_argument("out", type=Path)
    measuring = commands.add_parser("measure", help="score a ranker on the judged set")
    measuring.add_argument("--engine", choices=("old", "plain", "new"), default="new")
    args = parser.parse_args()
    if args.command == "pool":
        pool(args.queries, args.out)
    else:
        measure(args.engine)


if __name__ == "__main__":
    main()
