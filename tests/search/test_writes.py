"""Writing: freshness, deletes, validation, concurrent writers, rebuilds that fail."""

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from search import InvalidDocument, RebuildInProgress, SearchIndex, SearchIndexBusy

REPO_ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.fromisoformat("2027-01-15T12:00:00+08:00")


def run_python(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, cwd=REPO_ROOT)


def generations(index: SearchIndex) -> list[str]:
    return sorted(p.name for p in index.root.glob("gen-*"))


def test_added_document_is_found_by_the_next_query(index, make_doc):
    assert index.query("测试活动").total == 0
    index.add_or_update([make_doc(1, title="冬季送温暖测试活动")])
    assert [h.id for h in index.query("冬季送温暖").hits] == ["activity:T0001"]


def test_remembered_results_are_forgotten_at_the_next_commit(index, make_doc):
    index.add_or_update([make_doc(1, title="冬季送温暖")])
    first = index.query("温暖")
    first.hits.clear()  # a caller changing its copy does not change the next answer
    assert index.query("温暖").total == 1 and len(index.query("温暖").hits) == 1
    index.add_or_update([make_doc(2, title="温暖过冬")])
    assert index.query("温暖").total == 2
    index.delete(["activity:T0001"])
    assert [h.id for h in index.query("温暖").hits] == ["activity:T0002"]


def test_update_replaces_and_delete_removes(index, make_doc):
    index.add_or_update([make_doc(1, title="旧标题讲座"), make_doc(2)])
    index.add_or_update([make_doc(1, title="新标题讲座")])
    assert index.doc_count() == 2
    assert [h.title for h in index.query("讲座").hits] == ["新标题讲座"]
    index.delete(["activity:T0001", "activity:unknown"])
    assert index.query("讲座").total == 0
    assert index.doc_count() == 1


def test_another_reader_sees_a_commit_within_a_second(index, make_doc, tmp_path):
    index.add_or_update([make_doc(1)])
    other_worker = SearchIndex(index.root)
    assert other_worker.query("血压").total == 1  # its searcher is now open
    index.add_or_update([make_doc(2)])
    started = time.monotonic()
    while other_worker.query("血压").total != 2:
        assert time.monotonic() - started < 1.0
    other_worker.close()


def test_activity_created_through_the_api_without_external_id(index, make_doc):
    index.add_or_update([make_doc(1, id="activity:42", external_id=None, db_id=42)])
    hit = index.query("测试活动1").hits[0]
    assert (hit.id, hit.external_id, hit.db_id) == ("activity:42", None, 42)


@pytest.mark.parametrize(
    "override",
    [
        {"id": ""},
        {"type": "event"},
        {"title": " "},
        {"date": datetime(2027, 1, 1, 9, 0)},  # naive
        {"date": "not a date"},
    ],
)
def test_invalid_documents_are_rejected_before_writing(index, make_doc, override):
    with pytest.raises(InvalidDocument):
        index.add_or_update([make_doc(1), make_doc(2, **override)])
    assert index.doc_count() == 0


def test_a_busy_write_lock_raises_our_error_not_lockerror(index, make_doc):
    index.add_or_update([make_doc(1)])
    impatient = SearchIndex(index.root, lock_timeout=0.2)
    fd = os.open(index.root / "write.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(SearchIndexBusy):
            impatient.add_or_update([make_doc(2)])
    finally:
        os.close(fd)
    impatient.add_or_update([make_doc(2)])
    assert index.doc_count() == 2


WRITER = """
import sys, time
from datetime import datetime, timezone
from search import SearchIndex
root, name, count, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
index = SearchIndex(root)
while time.time() < start_at:
    time.sleep(0.001)
for i in range(count):
    index.add_or_update([{
        "id": f"activity:{name}-{i}", "type": "activity", "title": f"并发写入{name}{i}",
        "body": "并发写入测试", "date": datetime(2027, 1, 1, tzinfo=timezone.utc), "url": "",
    }])
    if i % 5 == 0:
        index.delete([f"activity:{name}-gone"])
"""


def test_two_processes_writing_at_once_lose_nothing(index, make_doc):
    index.add_or_update([make_doc(1)])
    start_at = str(time.time() + 1.5)  # both start together, after their imports
    writers = [run_python(WRITER, str(index.root), name, "25", start_at) for name in "AB"]
    assert [w.wait(timeout=180) for w in writers] == [0, 0]  # no LockError, no traceback
    assert index.doc_count() == 51
    ids = {h.id for h in index.query("并发写入", per_page=100).hits}
    assert ids == {f"activity:{name}-{i}" for name in "AB" for i in range(25)}


def test_rebuild_swaps_in_a_fresh_index(index, corpus_docs, make_doc):
    index.add_or_update([make_doc(1)])
    progress = []
    assert index.rebuild(iter(corpus_docs), progress=progress.append) == len(corpus_docs)
    assert progress[-1] == len(corpus_docs)
    assert index.doc_count() == len(corpus_docs)
    ids = {h.id for h in index.query("测试活动1", per_page=100).hits}
    assert "activity:T0001" not in ids  # not in the new data
    assert (index.root / "current").is_symlink()


def test_old_generations_are_cleaned_up(index, make_doc):
    for _ in range(4):
        index.rebuild([make_doc(1)])
    assert len(generations(index)) <= 2
    assert (index.root / os.readlink(index.root / "current")).is_dir()


def test_exception_in_the_documents_leaves_the_old_index(index, make_doc):
    index.rebuild([make_doc(1, title="原有活动")])
    before = generations(index)

    def broken():
        yield make_doc(2)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        index.rebuild(broken())
    assert generations(index) == before
    assert index.query("原有活动").total == 1
    assert index.rebuild([make_doc(3)]) == 1  # the rebuild lock was released


def test_invalid_document_in_a_rebuild_leaves_the_old_index(index, make_doc):
    index.rebuild([make_doc(1, title="原有活动")])
    with pytest.raises(InvalidDocument):
        index.rebuild([make_doc(2), make_doc(3, type="nonsense")])
    assert index.query("原有活动").total == 1


SLOW_REBUILD = """
import sys, time
from datetime import datetime, timezone
from search import SearchIndex
root, progress_file = sys.argv[1], sys.argv[2]
def docs():
    for i in range(100000):
        if i % 50 == 0:
            open(progress_file, "w").write(str(i))
            time.sleep(0.02)
        yield {"id": f"activity:new-{i}", "type": "activity", "title": f"新数据{i}",
               "body": "新的内容", "date": datetime(2027, 1, 1, tzinfo=timezone.utc), "url": ""}
SearchIndex(root).rebuild(docs())
"""


@pytest.mark.parametrize("kill_after", [500, 2600])  # before and after shard processes start
def test_killing_a_rebuild_leaves_the_old_index_answering(index, make_doc, tmp_path, kill_after):
    index.rebuild([make_doc(1, title="原有活动")])
    progress_file = tmp_path / "progress"
    rebuild = run_python(SLOW_REBUILD, str(index.root), str(progress_file))
    try:
        deadline = time.monotonic() + 60
        while not (progress_file.exists() and int(progress_file.read_text() or 0) >= kill_after):
            assert time.monotonic() < deadline and rebuild.poll() is None
            assert index.query("原有活动").total == 1  # served meanwhile
            time.sleep(0.05)
        assert len(generations(index)) == 2  # the half-built one
        os.kill(rebuild.pid, signal.SIGKILL)
    finally:
        rebuild.wait(timeout=30)
    assert index.query("原有活动").total == 1
    assert index.query("新数据").total == 0
    index.add_or_update([make_doc(2, title="之后的活动")])  # no lock left behind
    assert index.query("之后的活动").hits[0].id == "activity:T0002"
    assert index.rebuild([make_doc(3)]) == 1  # and the next rebuild cleans up
    assert len(generations(index)) <= 2


def test_writes_during_a_rebuild_survive_the_swap(index, make_doc):
    index.rebuild([make_doc(1), make_doc(2)])
    halfway = threading.Event()
    resume = threading.Event()

    def snapshot():  # what the database held when the rebuild started
        yield make_doc(1)
        halfway.set()
        assert resume.wait(30)
        yield make_doc(2)

    errors = []
    worker = threading.Thread(target=lambda: _rebuild(index, snapshot(), errors))
    worker.start()
    assert halfway.wait(30)
    with pytest.raises(RebuildInProgress):
        index.rebuild([make_doc(9)])
    index.add_or_update([make_doc(3, title="重建期间新增")])
    index.delete(["activity:T0002"])
    assert index.query("重建期间新增").total == 1  # served by the old index now
    resume.set()
    worker.join(30)
    assert errors == []
    assert {h.id for h in index.query("测试活动", per_page=50).hits} == {"activity:T0001"}
    assert index.query("重建期间新增").total == 1
    assert index.doc_count() == 2


def _rebuild(index, docs, errors):
    try:
        index.rebuild(docs)
    except Exception as error:  # reported to the test thread
        errors.append(error)


@pytest.mark.slow
def test_big_rebuilds_build_the_shards_in_parallel_processes(index, corpus_docs, monkeypatch):
    import search.build

    monkeypatch.setattr(search.build, "PARALLEL_AFTER", 100)
    monkeypatch.setattr(search.build, "BATCH", 20)
    monkeypatch.setattr(search.build, "SEGMENT_DOCS", 60)  # several segments per shard
    progress = []
    assert index.rebuild(iter(corpus_docs), progress=progress.append) == len(corpus_docs)
    assert progress[-1] == len(corpus_docs)
    assert index.doc_count() == len(corpus_docs)
    assert index.query("gaoxueya").hits[0].title.startswith("高血压")
    current = index.root / os.readlink(index.root / "current")
    assert len(list(current.glob("shard-*/*.trm"))) > 2


def test_an_invalid_document_fails_a_parallel_rebuild(index, corpus_docs, make_doc, monkeypatch):
    import search.build

    monkeypatch.setattr(search.build, "PARALLEL_AFTER", 100)
    monkeypatch.setattr(search.build, "BATCH", 20)
    index.rebuild([make_doc(1, title="原有活动")])
    broken = [*corpus_docs[:200], make_doc(2, type="nonsense"), *corpus_docs[200:]]
    with pytest.raises(InvalidDocument):
        index.rebuild(broken)
    assert index.query("原有活动").total == 1
    assert len(generations(index)) == 1


def test_remembered_results_outlive_the_minute_but_not_a_start(index, make_doc):
    # The result cache is keyed on the index generation (the searcher) and the query, not on
    # the current minute: a result is reused until an activity it walked starts.
    index.add_or_update(
        [
            make_doc(1, title="送温暖慰问活动", date=NOW + timedelta(minutes=30)),
            make_doc(2, title="冬季送温暖", body="送温暖", date=NOW + timedelta(days=10)),
        ]
    )

    def order(now):
        return [hit.id for hit in index.query("送温暖", now=now).hits]

    before = order(NOW)
    later_the_same = order(NOW + timedelta(minutes=29))
    remembered = len(index._local.opened.results)
    started = order(NOW + timedelta(hours=1))
    back_again = order(NOW - timedelta(minutes=5))

    assert before == later_the_same == back_again
    assert remembered == 1
    assert started == list(reversed(before)) and started[-1] == "activity:T0001"
