"""The files of an index directory: generations, shards, locks and the journal.

Layout of ``index_dir``::

    current -> gen-20261128T152140-1a2b3c   symlink to the generation being served
    gen-.../shard-0/, gen-.../shard-1/       a generation: Whoosh indexes, one per shard
    write.lock                               fcntl lock held around every write
    rebuild.lock                             fcntl lock held for a whole rebuild
    journal.jsonl                            writes made while a rebuild runs

A document lives in shard ``crc32(id) % shards``.  Shards exist so that a rebuild can
build them in parallel, one process per shard, each with its own single Whoosh writer
(Whoosh's own ``procs>1`` writer is avoided); readers search all shards as one index
through a ``MultiReader``, so scores and totals are index-wide.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.reading import MultiReader
from whoosh.searching import Searcher

from . import lexicon as pinyin_lexicon
from .schema import SCHEMA, SearchCodec

CURRENT = "current"
GENERATION_PREFIX = "gen-"
SHARD_PREFIX = "shard-"
#: Shards of a new generation: one rebuild process per core of the 2-core target.
SHARDS = 2


class SearchIndexBusy(RuntimeError):
    """The write lock could not be taken within ``lock_timeout`` seconds."""


class FileLock:
    """An exclusive ``flock`` on a file; each acquisition opens its own descriptor, so
    it excludes other threads of this process as well as other processes.  The kernel
    releases it when the holder dies."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self, timeout: float | None) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
                continue
            self._fd = fd
            return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Store:
    """Generations, locks and the journal under one index directory."""

    def __init__(self, root: Path, lock_timeout: float, clock: Callable[[], datetime]):
        self.root = root
        self.lock_timeout = lock_timeout
        self.clock = clock
        self.journal_path = root / "journal.jsonl"

    # --- locks and journal -----------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold ``write.lock``; raises SearchIndexBusy after ``lock_timeout`` seconds."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.root / "write.lock")
        if not lock.acquire(self.lock_timeout):
            raise SearchIndexBusy(f"search index {self.root} busy for {self.lock_timeout} s")
        try:
            yield
        finally:
            lock.release()

    def rebuild_lock(self) -> FileLock:
        return FileLock(self.root / "rebuild.lock")

    def rebuild_running(self) -> bool:
        lock = self.rebuild_lock()
        if lock.acquire(timeout=0):
            lock.release()
            return False
        return True

    def journal(self, ops: list[tuple[str, Any]]) -> None:
        with self.journal_path.open("a", encoding="utf-8") as journal:
            for op, value in ops:
                journal.write(json.dumps([op, value], ensure_ascii=False) + "\n")

    def journalled(self) -> list[tuple[str, Any]]:
        if not self.journal_path.exists():
            return []
        lines = self.journal_path.read_text(encoding="utf-8").splitlines()
        return [tuple(json.loads(line)) for line in lines if line.strip()]

    def clear_journal(self) -> None:
        self.journal_path.write_text("", encoding="utf-8")

    # --- generations -------------------------------------------------------------------------

    def current_generation(self) -> Path | None:
        try:
            return self.root / os.readlink(self.root / CURRENT)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def new_generation(self, shards: int = SHARDS) -> Path:
        """A new generation directory with empty shard indexes."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = self.clock().astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.root / f"{GENERATION_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"
        path.mkdir()
        for number in range(shards):
            shard = path / f"{SHARD_PREFIX}{number}"
            shard.mkdir()
            whoosh_index.create_in(str(shard), SCHEMA)
        return path

    def point_current_at(self, generation: Path) -> None:
        """Swap ``current`` atomically (a new symlink renamed over the old one)."""
        link = self.root / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
        os.symlink(generation.name, link)
        os.replace(link, self.root / CURRENT)
        directory = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def ensure_current(self) -> Path:
        """The served generation, creating an empty one first (hold the write lock)."""
        current = self.current_generation()
        if current is not None and current.is_dir():
            return current
        generation = self.new_generation()
        self.point_current_at(generation)
        return generation

    def generations(self) -> list[Path]:
        """Every generation directory on disk."""
        return sorted(self.root.glob(f"{GENERATION_PREFIX}*"))

    def remove_generations(self, keep: set[Path | None]) -> None:
        """Delete every generation not in ``keep``, and stray temporary symlinks."""
        keep_names = {path.name for path in keep if path is not None}
        for path in self.root.glob(f"{GENERATION_PREFIX}*"):
            if path.name not in keep_names:
                shutil.rmtree(path, ignore_errors=True)
        for link in self.root.glob(f".{CURRENT}-*"):
            link.unlink(missing_ok=True)


# --- shards ------------------------------------------------------------------------------------


def shard_dirs(generation: Path) -> list[Path]:
    return sorted(
        generation.glob(f"{SHARD_PREFIX}*"), key=lambda p: int(p.name[len(SHARD_PREFIX) :])
    )


def shard_of(doc_id: str, shards: int) -> int:
    return zlib.crc32(doc_id.encode("utf-8")) % shards


def bulk_writer(ix):
    """A writer for rebuilds: its pool holds a whole segment's postings in memory
    (spilling sorted runs to disk and merging them doubled the time)."""
    return ix.writer(limitmb=320, procs=1, codec=SearchCodec(), compound=False)


def apply_ops(generation: Path, ops: list[tuple[str, Any]]) -> None:
    """Apply ``("put", fields)`` / ``("delete", id)`` operations, one commit per shard.

    The caller holds the write lock, so Whoosh's own lock is never contended; its
    timeout is only a safety net.
    """
    shards = shard_dirs(generation)
    routed: dict[int, list[tuple[str, Any]]] = {}
    for op, value in ops:
        doc_id = value["id"] if op == "put" else value
        routed.setdefault(shard_of(doc_id, len(shards)), []).append((op, value))
    for number, shard_ops in sorted(routed.items()):
        ix = whoosh_index.open_dir(str(shards[number]))
        writer = ix.writer(timeout=10.0, delay=0.05, codec=SearchCodec())
        try:
            for op, value in shard_ops:
                if op == "put":
                    writer.update_document(**value)
                else:
                    writer.delete_by_term("id", value)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()


class SegmentsReader(MultiReader):
    """Whoosh's reader over several segments, remembering the document frequencies it
    was asked (a sum over every segment, each a hash-table look-up in a file: a
    question's plan asks about ten, 1 ms at county scale), the most recently asked
    ``max_terms``.  Segments never change: a commit opens a new reader."""

    def __init__(self, readers: list, max_terms: int = 20_000):
        super().__init__(readers)
        self.max_terms = max_terms
        self._doc_frequencies: OrderedDict[tuple[str, Any], int] = OrderedDict()

    def doc_frequency(self, fieldname: str, text) -> int:
        """Documents (deleted ones included, as Whoosh counts) holding the term."""
        key = (fieldname, text)
        known = self._doc_frequencies
        frequency = known.get(key)
        if frequency is not None:
            known.move_to_end(key)
            return frequency
        frequency = known[key] = super().doc_frequency(fieldname, text)
        if len(known) > self.max_terms:
            known.popitem(last=False)
        return frequency


class GenerationSearcher:
    """A Whoosh searcher over every shard of one generation, kept fresh."""

    def __init__(self, generation: Path):
        self.generation = generation
        self._indexes = [whoosh_index.open_dir(str(d)) for d in shard_dirs(generation)]
        if not self._indexes:
            raise whoosh_index.EmptyIndexError(f"no shards in {generation}")
        self._open()

    def _open(self) -> None:
        # Generations read before the readers: a commit in between only causes one
        # more reopen.  (An empty shard's reader reports no generation of its own.)
        self._generations = [ix.latest_generation() for ix in self._indexes]
        shard_readers = [ix.reader() for ix in self._indexes]
        # One flat list of segment readers: the searcher's leaves must be segments
        # (their columns are cached per segment); empty shards contribute nothing.
        leaves = [
            leaf
            for reader in shard_readers
            for leaf, _offset in reader.leaf_readers()
            if leaf.doc_count_all()
        ]
        if not leaves:
            reader = shard_readers[0]
        elif len(leaves) == 1:
            reader = leaves[0]
        else:
            reader = SegmentsReader(leaves)
        self.searcher = Searcher(reader)
        #: query results computed on this very searcher (see SearchIndex.query)
        self.results: OrderedDict[tuple, Any] = OrderedDict()
        self._lexicon: pinyin_lexicon.Lexicon | None = None

    @property
    def lexicon(self) -> pinyin_lexicon.Lexicon:
        """The generation's pinyin lexicon: the one stored at its rebuild, else one
        derived from the open reader (until the next commit reopens it)."""
        if self._lexicon is None:
            self._lexicon = pinyin_lexicon.stored(self.generation) or pinyin_lexicon.from_reader(
                self.searcher.reader()
            )
        return self._lexicon

    def fresh(self) -> Searcher:
        """The searcher, reopened first if any shard has a newer commit."""
        for ix, generation in zip(self._indexes, self._generations, strict=True):
            if ix.latest_generation() != generation:
                self.searcher.close()
                self._open()
                break
        return self.searcher

    def close(self) -> None:
        self.searcher.close()
