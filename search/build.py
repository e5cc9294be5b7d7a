"""Filling the shards of a fresh generation during a rebuild.

Small rebuilds are written here, one writer per shard.  Big ones (more than
PARALLEL_AFTER documents) start one process per shard, and each process analyses its
documents and writes its shard with its own single writer: Whoosh indexing is pure
Python and CPU-bound, so this is how a rebuild uses both cores of the target machine.
The documents are read in the calling thread (a database session is bound to it) and
sent to the shard processes in batches; a full pipe makes the reader wait.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from . import analysis
from .schema import InvalidDocument, prepare_document
from .store import bulk_writer, shard_of

#: A rebuild commits a segment every this many documents per shard (bounded memory).
SEGMENT_DOCS = 10_000
#: More documents than this and the shards are built in parallel processes (starting
#: one costs about a second).
PARALLEL_AFTER = 2_000
#: Documents sent to a shard process at a time.
BATCH = 250
PROGRESS_EVERY = 1000

Progress = Callable[[int], None] | None


def fill_shards(
    shards: list[Path],
    docs: Iterable[Mapping[str, Any]],
    progress: Progress,
    parallel: bool,
) -> int:
    """Index ``docs`` into the (empty) shard indexes; returns how many were indexed.

    Raises InvalidDocument for a malformed document, and whatever the iterable raises;
    the shards are then incomplete and the caller throws the generation away.
    """
    iterator = iter(docs)
    head = list(itertools.islice(iterator, PARALLEL_AFTER + 1))
    docs = itertools.chain(head, iterator)
    if parallel and len(shards) > 1 and len(head) > PARALLEL_AFTER:
        return _fill_in_processes(shards, docs, progress)
    return _fill_here(shards, docs, progress)


def _unique(docs: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Each id once (the first wins: an iterable should not repeat ids)."""
    seen: set[str] = set()
    for doc in docs:
        doc_id = doc.get("id")
        if not isinstance(doc_id, str) or not doc_id:
            raise InvalidDocument(f"id must be a non-empty string: {doc_id!r}")
        if doc_id not in seen:
            seen.add(doc_id)
            yield doc


class _ShardWriter:
    """One shard's bulk writer, committing a segment every SEGMENT_DOCS documents."""

    def __init__(self, shard: Path, segment_docs: int):
        self.ix = whoosh_index.open_dir(str(shard))
        self.segment_docs = segment_docs
        self.writer = bulk_writer(self.ix)
        self.in_segment = 0
        self.count = 0

    def add(self, fields: dict[str, Any]) -> None:
        self.writer.add_document(**fields)
        self.count += 1
        self.in_segment += 1
        if self.in_segment == self.segment_docs:
            self.writer.commit(merge=False)
            self.writer = bulk_writer(self.ix)
            self.in_segment = 0

    def commit(self) -> None:
        self.writer.commit(merge=False)

    def cancel(self) -> None:
        self.writer.cancel()


def _fill_here(shards: list[Path], docs: Iterable, progress: Progress) -> int:
    writers = [_ShardWriter(shard, SEGMENT_DOCS) for shard in shards]
    count = 0
    try:
        for doc in _unique(docs):
            fields = prepare_document(doc)
            writers[shard_of(fields["id"], len(shards))].add(fields)
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    except BaseException:
        for writer in writers:
            writer.cancel()
        raise
    for writer in writers:
        writer.commit()
    return count


def _shard_process(shard: str, segment_docs: int, connection) -> None:
    """Body of a shard process: analyse and index batches until None arrives."""
    writer = None
    try:
        analysis.warm_up()
        writer = _ShardWriter(Path(shard), segment_docs)
        while (batch := connection.recv()) is not None:
            for doc in batch:
                writer.add(prepare_document(doc))
        writer.commit()
        connection.send(("done", writer.count))
    except BaseException as error:  # reported to the parent, which raises it
        if writer is not None:
            writer.cancel()
        invalid = isinstance(error, InvalidDocument)
        try:
            connection.send(("invalid" if invalid else "error", f"{error}"))
        except OSError:
            pass  # the parent is gone


def _fill_in_processes(shards: list[Path], docs: Iterable, progress: Progress) -> int:
    # spawn, not fork: the caller may be a threaded web or job process.
    context = multiprocessing.get_context("spawn")
    connections, processes = [], []
    try:
        for shard in shards:
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=_shard_process, args=(str(shard), SEGMENT_DOCS, child_end), daemon=True
            )
            process.start()
            child_end.close()
            connections.append(parent_end)
            processes.append(process)
        batches: list[list[Mapping[str, Any]]] = [[] for _ in shards]
        count = 0
        for doc in _unique(docs):
            number = shard_of(doc["id"], len(shards))
            batches[number].append(doc)
            if len(batches[number]) == BATCH:
                _send(connections[number], batches[number])
                batches[number] = []
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
        for connection, batch in zip(connections, batches, strict=True):
            if batch:
                _send(connection, batch)
            connection.send(None)
        indexed = 0
        for connection in connections:
            indexed += _result(connection.recv())
        return indexed
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for connection in connections:
            connection.close()


def _send(connection, batch: list) -> None:
    if connection.poll():  # the shard process stopped early: say why
        _result(connection.recv())
    connection.send(batch)


def _result(message: tuple[str, Any]) -> int:
    kind, value = message
    if kind == "done":
        return value
    if kind == "invalid":
        raise InvalidDocument(value)
    raise RuntimeError(f"a shard process failed: {value}")
