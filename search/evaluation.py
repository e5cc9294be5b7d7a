"""Measures of a ranking against graded judgments (0-3): recall@k, reciprocal rank,
nDCG@k, and their means per kind of query.

Used by the relevance test (``tests/search/test_judged_set.py``) and by
``benchmarks/search_judging.py``, which builds the judgment pools and measures other
rankers on the same judgments.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Grades: 3 the document is about the query's topic (usually in its title), 2 a good
#: part of it is, 1 it mentions it in passing, 0 not relevant.  Graded at least this
#: counts as relevant for recall and reciprocal rank; nDCG uses every grade.
RELEVANT = 2


def recall_at(ranked: list[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Relevant documents in the first ``k``, out of min(relevant, k)."""
    relevant = {doc for doc, grade in grades.items() if grade >= RELEVANT}
    if not relevant:
        return 1.0
    return len(relevant.intersection(ranked[:k])) / min(len(relevant), k)


def reciprocal_rank(ranked: list[str], grades: Mapping[str, int]) -> float:
    """1 / rank of the first relevant document (0 when none is ranked)."""
    for rank, doc in enumerate(ranked, start=1):
        if grades.get(doc, 0) >= RELEVANT:
            return 1 / rank
    return 0.0


def ndcg_at(ranked: list[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain with gains 2^grade - 1."""

    def dcg(values: Iterable[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(values))

    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if not ideal:
        return 1.0
    return dcg(grades.get(doc, 0) for doc in ranked[:k]) / ideal


@dataclass(frozen=True)
class Scores:
    """Mean recall@10, MRR and nDCG@10 of a group of queries."""

    queries: int
    recall: float
    mrr: float
    ndcg: float


def score_runs(
    judged: list[dict], rankings: Mapping[str, list[str]], k: int = 10
) -> tuple[dict[str, Scores], Scores]:
    """Scores per kind and overall; ``judged`` entries have q, kind and grades,
    ``rankings`` maps each q to the ids ranked for it."""
    per_kind: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for entry in judged:
        ranked = rankings[entry["q"]]
        grades = entry["grades"]
        per_kind[entry["kind"]].append(
            (
                recall_at(ranked, grades, k),
                reciprocal_rank(ranked, grades),
                ndcg_at(ranked, grades, k),
            )
        )

    def mean(rows: list[tuple[float, float, float]]) -> Scores:
        n = len(rows)
        return Scores(n, *(sum(row[i] for row in rows) / n for i in range(3)))

    every = [row for rows in per_kind.values() for row in rows]
    return {kind: mean(rows) for kind, rows in per_kind.items()}, mean(every)


def table(per_kind: Mapping[str, Scores], overall: Scores) -> str:
    """A plain-text table of the scores."""
    lines = [f"{'kind':14s} {'n':>4s} {'recall@10':>10s} {'MRR':>6s} {'nDCG@10':>8s}"]
    for kind, s in sorted(per_kind.items()):
        lines.append(f"{kind:14s} {s.queries:4d} {s.recall:10.3f} {s.mrr:6.3f} {s.ndcg:8.3f}")
    o = overall
    lines.append(f"{'all':14s} {o.queries:4d} {o.recall:10.3f} {o.mrr:6.3f} {o.ndcg:8.3f}")
    return "\n".join(lines)
