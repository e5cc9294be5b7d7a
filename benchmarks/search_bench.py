"""Benchmark of the search adapter (not a test; run by hand).

    python benchmarks/search_bench.py                      # full: 150,000 + 2,000 docs
    python benchmarks/search_bench.py --activities 15000 --articles 200   # a sample

Prints:
1. segmentation: jieba vs rjieba on the corpus (speed, start-up, same words?);
2. analysis start-up per worker process, cold and after a fork of a warmed parent
   (what gunicorn ``--preload`` does, provided the app calls ``search.warm_up()``);
3. rebuild time and index size for the corpus and for a generated county-scale set
   (activities and articles made from the corpus with varied villages, dates and
   sentences), with progress; a sample run extrapolates linearly to the full size;
4. query latency p50/p99 over the big index for 1-word, 2-word, pinyin, initials,
   Traditional and question queries, cold (result cache off), against a baseline
   measured in the same run: the same queries over the corpus-size index; then the
   same queries repeated with the result cache on;
5. the cost of the per-query freshness check, of a one-document commit and of
   reopening after it.

    python benchmarks/search_bench.py --keep DIR --reuse   # queries only, index in DIR
    python benchmarks/search_bench.py --keep DIR --build-only --serial   # build once
    python benchmarks/search_bench.py --keep DIR --queries-only          # 4. alone
    python benchmarks/search_bench.py --keep DIR --old-engine --repeat 3 # 4. by 1f0f385

Measured for issue 18 (152,000 generated documents: 150,000 activities over three years,
latest first, and 2,000 articles; ms per query, cold, on the shared 2-core machine under a
load average of 4-5, so wall times carry waiting for the CPU; CPU time is what a query
costs on an idle core)::

                     engine of 1f0f385 (exact totals)   issue 18's engine (500+ a type)
    kind             wall p50  p99   CPU p50  p99        wall p50  p99   CPU p50  p99
    1 word             53.6  149.9     52.9  148.9         12.2   53.9      9.7   28.5
    2 words            75.5  196.4     58.5  188.0         32.8  110.2     18.9   56.1
    common word       175.2  491.8    154.6  366.3         27.4   72.3     19.9   35.6
    pinyin             29.6   77.2     14.7   52.1         22.3   60.3     17.9   34.0
    initials           21.4   48.9     13.0   24.9         11.6   22.4     11.4   17.7
    traditional        43.9  206.9     30.3  108.9          9.7   17.1      9.7   17.0
    question          157.5 1756.6    142.8 1107.8         31.4   53.5     31.1   39.7
    title              70.0   85.3     69.5   84.2         24.9   35.6     24.5   28.9
    unit+type+date     57.7  118.1     55.5  113.0         75.5   91.4     75.1   78.1
    suggest            24.1   29.9     24.1   27.8          7.4   22.3      7.3   22.3

(pinyin and initials were cheaper before because they matched titles only.)  What was
chosen, by measurement: the bounded, newest-first collection (``search.ranking``; the
rebuild writes activities latest first); not a separate "live" generation (the bound
already makes the page come from the newest matches) nor a cache of expanded queries
(building a plan costs 0.1-0.5 ms).  The result cache keeps the minute in its key: a
popular query is recomputed at most once a minute per thread, for 10-60 ms of CPU.

Measured again for issue 19 (the same generated index, ``--queries-only --repeat 3``, each
query warmed up once; "before" is issue 18's engine, run through ``SEARCH_PACKAGE_ROOT``, back
to back with "after", at a load average of 3-4; CPU ms per query)::

                     before (issue 18's engine)   after (bitsets, bisected skips)
    kind             CPU p50   p99                CPU p50   p99
    1 word             30.0   89.6                  17.4   58.3
    2 words            57.0  153.6                  22.1   89.7
    common word        57.7  106.3                  27.5   83.1
    pinyin             48.7  100.9                  30.4   89.3
    initials           32.1   52.1                  19.1   31.2
    traditional        22.5   43.7                  15.8   29.2
    question           69.9  117.6                  28.8   34.1
    title              62.2   79.8                  32.1   45.7
    unit+type+date     30.2  206.6                  11.3   12.7
    suggest            20.3   39.5                  15.1   29.4

Same totals and lower bounds.  After: the documents of the leads and filters are bitsets
of each segment (``search.bitsets``), a skip bisects a block of postings, and field lengths
come from memory; what was left was scoring the ranked matches with Whoosh
(``benchmarks/RESULTS.md``, "Cold searches: bitsets").  Since then the ranked matches are
scored from the postings (``search.scoring``), on the day's seeded county index
(``--keep`` a directory whose ``big`` is it, ``--queries-only --repeat 3``, alternated,
load average 3.6): all queries CPU p50 5.4 -> 2.6 ms, p99 15.9 -> 10.1 ("Cold searches:
scoring without the matcher tree"; ``benchmarks/cold_search_bench.py`` measures the HTTP
bench's cold questions in process).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# SEARCH_PACKAGE_ROOT: measure another version of the search package (--old-engine).
sys.path.insert(0, os.environ.get("SEARCH_PACKAGE_ROOT", str(REPO_ROOT)))

import yaml  # noqa: E402

from search import SearchIndex, analysis  # noqa: E402

CHINA = timezone(timedelta(hours=8))
FULL_ACTIVITIES, FULL_ARTICLES = 150_000, 2_000
#: The generated activities span three years from here.
SPAN_START, SPAN_DAYS = datetime(2024, 3, 1, 8, 0, tzinfo=CHINA), 3 * 365


# --- corpus -----------------------------------------------------------------------------


def corpus_dir() -> Path:
    """$CORPUS_DIR, else corpus/ in the repository (as the tests)."""
    return Path(os.environ.get("CORPUS_DIR", str(REPO_ROOT / "corpus")))


def load_corpus(directory: Path) -> tuple[list[dict], list[dict], dict[str, str], dict]:
    with (directory / "units.csv").open(encoding="utf-8", newline="") as f:
        units = list(csv.DictReader(f))
    parents = {u["code"]: u["parent_code"] for u in units}

    def path(code: str) -> str:
        return f"{path(parents[code])}/{code}" if parents.get(code) else code

    unit_paths = {code: path(code) for code in parents}
    with (directory / "activities.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    activities = [
        {
            "id": f"activity:{r['external_id']}",
            "type": "activity",
            "title": r["title"],
            "body": r["description"],
            "category": r["category"],
            "theme": r["theme"],
            "unit_path": unit_paths[r["unit_code"]],
            "tags": [],
            "date": datetime.fromisoformat(r["starts_at"]),
            "url": f"/activities/{r['external_id']}",
            "external_id": r["external_id"],
        }
        for r in rows
    ]
    articles = []
    for p in sorted((directory / "articles").glob("*.md")):
        _, front, body = p.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        articles.append(
            {
                "id": f"article:{p.stem}",
                "type": "article",
                "title": meta["title"],
                "body": body,
                "category": meta["category"],
                "tags": meta.get("tags") or [],
                "date": datetime.combine(meta["date"], datetime.min.time(), CHINA),
                "url": f"/articles/{p.stem}/",
            }
        )
    stations = {u["code"]: u["name"] for u in units if u["level"] == "station"}
    return activities, articles, unit_paths, stations


# --- generated county-scale data ---------------------------------------------------------

_PLACE = re.compile(r"（[^）]{1,12}）$")
_SENTENCE = re.compile(r"[^。！？]+[。！？]")


def generate(activities, articles, unit_paths, stations, n_activities, n_articles, seed=7):
    """Yield n_articles + n_activities documents derived from the corpus.

    In the order a rebuild reads the database (``api.searching.services.all_documents``):
    articles first, then activities from the latest start to the earliest, spread over
    three years up to a month after ``bench_now()``.
    """
    rng = random.Random(seed)
    villages = []
    for code, name in stations.items():
        short = re.sub(r"新时代文明实践站$", "", name)
        short = re.sub(r"^.*?(镇|乡|街道)", "", short) or short
        villages.append((code, short))
    sentences = [s for a in activities for s in _SENTENCE.findall(a["body"])]
    for i in range(n_articles):
        template = articles[i % len(articles)]
        paragraphs = template["body"].split("\n\n")
        rng.shuffle(paragraphs)
        yield {
            **template,
            "id": f"article:gen-{i:05d}",
            # the first copy keeps its title (whole titles are searched for)
            "title": (
                template["title"]
                if i < len(articles)
                else f"{template['title']}（第{i // len(articles) + 1}期）"
            ),
            "body": "\n\n".join(paragraphs),
            "date": datetime.combine(
                SPAN_START.date() + timedelta(days=rng.randrange(SPAN_DAYS)),
                datetime.min.time(),
                CHINA,
            ),
            "url": f"/articles/gen-{i:05d}/",
        }
    for i in range(n_activities):
        template = activities[i % len(activities)]
        code, village = villages[rng.randrange(len(villages))]
        title = _PLACE.sub("", template["title"])
        if rng.random() < 0.6:
            title = f"{title}（{village}）"
        body = template["body"] + "".join(rng.sample(sentences, 2))
        # latest first; about 140 a day, at the hours activities start
        day = SPAN_DAYS - 1 - (i * SPAN_DAYS) // max(1, n_activities)
        when = SPAN_START + timedelta(days=day, hours=rng.choice([0, 1, 6, 8]))
        yield {
            **template,
            "id": f"activity:G{i:06d}",
            "title": title,
            "body": body,
            "unit_path": unit_paths[code],
            "date": when,
            "url": f"/activities/G{i:06d}",
            "external_id": f"G{i:06d}",
        }


def bench_now() -> datetime:
    """The clock of the query measurements: a month before the last activity."""
    return SPAN_START + timedelta(days=SPAN_DAYS - 30)


# --- measurements --------------------------------------------------------------------------


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def bench_segmentation(activities, articles):
    print("== 1. segmentation: jieba vs rjieba (corpus, after NFKC + t2s; CPU time) ==")
    texts = [analysis.normalize(d["title"] + "\n" + d["body"]) for d in activities + articles]
    chars = sum(map(len, texts))
    t = time.process_time()
    jieba = analysis.load_jieba()
    jieba_start = time.process_time() - t
    rjieba = analysis._rjieba()
    for mode in ("cut", "cut_for_search"):
        jcut = getattr(jieba, "lcut" if mode == "cut" else "lcut_for_search")
        rcut = getattr(rjieba, mode)
        timings = {}
        for name, cut in (("jieba", jcut), ("rjieba", rcut)):
            best = float("inf")
            for _ in range(3):
                t = time.process_time()  # CPU time: the machine may be busy
                if name == "jieba":
                    out = [cut(x, HMM=False) for x in texts]
                else:
                    out = [cut(x, False) for x in texts]
                best = min(best, time.process_time() - t)
            timings[name] = (best, out)
        (tj, jout), (tr, rout) = timings["jieba"], timings["rjieba"]
        same_raw = sum(a == b for a, b in zip(jout, rout, strict=True))
        split = analysis._split_parts
        same_tokens = sum(list(split(a)) == list(split(b)) for a, b in zip(jout, rout, strict=True))
        print(
            f"  {mode:15s} jieba {tj * 1000:7.1f} ms  rjieba {tr * 1000:6.1f} ms  "
            f"x{tj / tr:4.1f}  ({chars / tr / 1e6:.1f} M chars/s)  identical texts: raw "
            f"{same_raw}/{len(texts)}, after punctuation split {same_tokens}/{len(texts)}"
        )
    print(f"  jieba dictionary load in this process: {jieba_start:.2f} s")


def bench_startup():
    print("== 2. analysis start-up per worker ==")
    code = (
        "import time; t=time.process_time(); import search.analysis as a; a.warm_up(); "
        "print(time.process_time()-t)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    cold = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    print(f"  cold process: import + OpenCC + rjieba + pypinyin: {min(cold):.2f} s (best of 3)")
    analysis.warm_up()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child of a warmed parent, as under gunicorn --preload
        t = time.perf_counter()
        analysis.warm_up()
        analysis.query_tokens("怎么预防老人摔倒")
        os.write(write, f"{time.perf_counter() - t:.6f}".encode())
        os._exit(0)
    os.waitpid(pid, 0)
    forked = float(os.read(read, 64))
    print(f"  forked from a warmed parent (--preload + search.warm_up()): {forked * 1000:.2f} ms")


def bench_rebuild(label, docs_factory, total, root: Path, parallel=True) -> SearchIndex:
    index = SearchIndex(root, parallel_rebuild=parallel)
    started = time.perf_counter()
    last = [started]

    def progress(done):
        now = time.perf_counter()
        if now - last[0] >= 5 or done == total:
            last[0] = now
            rate = done / (now - started)
            eta = (total - done) / rate if rate else 0
            print(
                f"    {label}: {done:,}/{total:,}  {rate:,.0f} docs/s  eta {eta:.0f} s", flush=True
            )

    cpu, children = time.process_time(), _children_cpu()
    load = os.getloadavg()[0]
    count = index.rebuild(docs_factory(), progress=progress)
    elapsed = time.perf_counter() - started
    cpu, children = time.process_time() - cpu, _children_cpu() - children
    size = dir_size(root / os.readlink(root / "current"))
    # Shard processes run in parallel with the process reading the documents: on an
    # idle machine the wall time is bounded by the busiest core.
    cores = os.cpu_count() or 1
    idle = max(cpu, (cpu + children) / cores)
    print(
        f"  {label}: {count:,} docs in {elapsed:.1f} s wall ({count / elapsed:,.0f} docs/s), "
        f"index {size / 1e6:.1f} MB\n"
        f"    CPU: reading process {cpu:.1f} s, shard processes {children:.1f} s in all; "
        f"load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {cores} CPUs\n"
        f"    on an idle {cores}-core machine: about {idle:.0f} s"
    )
    return index, elapsed, count, idle


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


QUERY_GROUPS = {
    "1 word": ["高血压", "放学娃", "反诈", "志愿者", "春节", "义诊", "垃圾分类", "宪法"],
    "2 words": [
        "高血压 讲座",
        "放学娃 书法",
        "反诈 老人",
        "春节 写春联",
        "垃圾分类 社区",
        "义诊 村",
        "广场舞 培训",
    ],
    "common word": ["志愿者 活动", "志愿服务 老人", "垃圾分类 活动", "书法 志愿服务", "义诊 服务"],
    "pinyin": ["gaoxueya", "fangxuewa", "zhiyuan fuwu", "chunlian", "fanzha", "shufa 培训"],
    "initials": ["fxw", "gxy", "zyfw", "xcl", "ljfl", "gcw"],
    "traditional": ["寫春聯", "志願者", "高血壓", "垃圾分類", "廣場舞"],
    "question": [
        "怎么预防老人摔倒",
        "哪里可以免费量血压",
        "村里办酒席要注意什么卫生",
        "缺钙了该怎么办",
        "孩子近视了怎么办",
    ],
    "title": [
        "高血压：冬季控压的六个要点",
        "骨质疏松：静悄悄的“骨头小偷”",
        "生活垃圾分类：四类垃圾一看就会",
        "冬季一氧化碳中毒的预防与急救",
    ],
}
#: The search engine before issue 18 (``--old-engine``).
OLD_COMMIT = "1f0f385"


def timed(call, repeat, queries):
    """Wall and CPU seconds of call(q) for every query, repeat times; plus totals."""
    for q in queries:  # warm-up: per-segment column caches, pinyin tables
        call(q)
    walls, cpus, totals = [], [], []
    for _ in range(repeat):
        for q in queries:
            wall, cpu = time.perf_counter(), time.process_time()
            result = call(q)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            totals.append(getattr(result, "total", 0))
    return walls, cpus, totals


def report(name, walls, cpus, totals=None, bounded=None):
    line = (
        f"  {name:28s} wall p50 {percentile(walls, 50) * 1000:6.1f} p99 "
        f"{percentile(walls, 99) * 1000:6.1f} | CPU p50 {percentile(cpus, 50) * 1000:6.1f} "
        f"p99 {percentile(cpus, 99) * 1000:6.1f}"
    )
    if totals:
        line += f"  (matches: median {statistics.median(totals):,.0f}, max {max(totals):,})"
    if bounded:
        line += f" lower bounds: {bounded}"
    print(line)


def bench_queries(index: SearchIndex, baseline: SearchIndex | None, now, repeat: int):
    print("== 4. query latency (ms; CPU time is the load-independent figure) ==")
    everything = [q for queries in QUERY_GROUPS.values() for q in queries]
    if baseline is not None:
        walls, cpus, _ = timed(lambda q: baseline.query(q, now=now), repeat, everything)
        report("baseline: corpus index (362)", walls, cpus)
    print(
        f"  (each query run {repeat} times, cold: the result cache is off; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    all_walls, all_cpus = [], []
    for name, queries in QUERY_GROUPS.items():
        walls, cpus, totals = timed(lambda q: index.query(q, now=now), repeat, queries)
        all_walls += walls
        all_cpus += cpus
        bounded = sum(
            bool(getattr(index.query(q, now=now), "total_is_lower_bound", False)) for q in queries
        )
        report(name, walls, cpus, totals, f"{bounded}/{len(queries)}" if bounded else None)
    report("all queries, big index", all_walls, all_cpus)

    def filtered(q):
        return index.query(
            q, unit_code="LY-JL", type="activity", date_from=date(2026, 1, 1), now=now
        )

    report("with unit+type+date filters", *timed(filtered, repeat, ["志愿者", "高血压"]))
    walls, cpus, _ = timed(
        lambda q: index.suggest(q, now=now), repeat, ["高血", "gaox", "fxw", "寫春"]
    )
    report("suggest", walls, cpus)


def bench_freshness(index: SearchIndex, make_doc):
    print("== 5. freshness ==")
    index._searcher()
    checks = []
    for _ in range(200):
        t = time.perf_counter()
        index._searcher()
        checks.append(time.perf_counter() - t)
    print(
        f"  per-query freshness check (readlink + each shard's latest commit), no change: "
        f"p50 {percentile(checks, 50) * 1e6:.0f} us, p99 {percentile(checks, 99) * 1e6:.0f} us"
    )
    commits, reopen, visible = [], [], []
    for i in range(5):
        t = time.perf_counter()
        index.add_or_update([make_doc(i)])
        commits.append(time.perf_counter() - t)
        t = time.perf_counter()
        index._searcher()
        reopen.append(time.perf_counter() - t)
        t = time.perf_counter()
        result = index.query(f"基准新增活动{i}")
        visible.append(time.perf_counter() - t)
        assert any(h.id == f"activity:BENCH{i}" for h in result.hits), "not visible"
    print(
        f"  add_or_update(1 doc) commit: median {statistics.median(commits) * 1000:.0f} ms, "
        f"max {max(commits) * 1000:.0f} ms"
    )
    print(
        f"  reopen after a commit: median {statistics.median(reopen) * 1000:.1f} ms; "
        f"the new document is found by the very next query"
    )
    index.delete([f"activity:BENCH{i}" for i in range(5)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=FULL_ACTIVITIES)
    parser.add_argument("--articles", type=int, default=FULL_ARTICLES)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument("--keep", help="build the indexes in this directory and keep them")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: query the big index already there"
    )
    parser.add_argument(
        "--build-only", action="store_true", help="with --keep: build the big index, no more"
    )
    parser.add_argument(
        "--serial", action="store_true", help="one indexing process (a shared machine)"
    )
    parser.add_argument(
        "--queries-only", action="store_true", help="with --keep: the latency table, no more"
    )
    parser.add_argument(
        "--old-engine",
        action="store_true",
        help=f"with --keep: the latency table of the engine of commit {OLD_COMMIT}",
    )
    args = parser.parse_args()
    if args.old_engine:
        run_old_engine(args)
        return
    if args.queries_only:
        index = SearchIndex(Path(args.keep) / "big", cache_size=0)
        bench_queries(index, None, bench_now(), args.repeat)
        return

    activities, articles, unit_paths, stations = load_corpus(corpus_dir())
    if args.build_only:
        bench_big_rebuild(args, activities, articles, unit_paths, stations, Path(args.keep))
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    bench_segmentation(activities, articles)
    bench_startup()

    print("== 3. rebuild ==")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        corpus_index, *_ = bench_rebuild(
            "corpus",
            lambda: iter(activities + articles),
            len(activities) + len(articles),
            work / "corpus",
        )
        corpus_index.cache_size = 0
        if args.reuse:
            print(f"  (reusing the generated index in {work / 'big'})")
        else:
            bench_big_rebuild(args, activities, articles, unit_paths, stations, work)
        # Measure every query cold: the result cache would answer repeats for free.
        index = SearchIndex(work / "big", cache_size=0)
        now = bench_now()
        bench_queries(index, corpus_index, now, args.repeat)
        bench_cache(SearchIndex(work / "big"), now)

        def make_doc(i):
            return {
                "id": f"activity:BENCH{i}",
                "type": "activity",
                "title": f"基准新增活动{i}",
                "body": "基准测试",
                "date": now,
                "url": "",
                "unit_path": "LY",
            }

        bench_freshness(index, make_doc)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def bench_big_rebuild(args, activities, articles, unit_paths, stations, work):
    total = args.activities + args.articles
    t = time.process_time()
    for _ in generate(activities, articles, unit_paths, stations, args.activities, args.articles):
        pass
    print(
        f"  (generating the documents alone: {time.process_time() - t:.1f} s CPU, "
        "included in the figures below, as reading a database would be)"
    )
    _index, elapsed, count, cpu_bound = bench_rebuild(
        "generated",
        lambda: generate(
            activities, articles, unit_paths, stations, args.activities, args.articles
        ),
        total,
        work / "big",
        parallel=not args.serial,
    )
    full = FULL_ACTIVITIES + FULL_ARTICLES
    if count < full:
        print(
            f"  extrapolated to {full:,} docs (linear): {elapsed * full / count:.0f} s "
            f"wall here, {cpu_bound * full / count:.0f} s on an idle machine"
        )


def run_old_engine(args) -> None:
    """This script's latency table, run by the search package of OLD_COMMIT."""
    with tempfile.TemporaryDirectory(prefix="search-old-") as tree:
        archive = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "archive", OLD_COMMIT, "search"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
        print(f"== the engine of commit {OLD_COMMIT} ==", flush=True)
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--keep",
                args.keep,
                "--queries-only",
                "--repeat",
                str(args.repeat),
            ],
            env={**os.environ, "SEARCH_PACKAGE_ROOT": tree},
            check=True,
        )


def bench_cache(index: SearchIndex, now):
    everything = [q for queries in QUERY_GROUPS.values() for q in queries]
    walls, cpus, _ = timed(lambda q: index.query(q, now=now), 5, everything)
    report("repeated query (result cache)", walls, cpus)


if __name__ == "__main__":
    main()
