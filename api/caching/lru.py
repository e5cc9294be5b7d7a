"""A bounded, thread-safe LRU kept per app (in ``app.extensions``): in-process caches whose
keys say exactly what their values were made from, so every worker may keep its own."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import current_app


class BoundedCache:
    """At most ``size`` entries, the least recently used dropped first."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any | None:
        """The entry kept under ``key``, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Any) -> None:
        """Keep ``entry`` under ``key`` (never None), dropping the oldest beyond ``size``."""
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def app_cache(name: str, size: int) -> BoundedCache:
    """The current app's cache called ``name``, made on first use (so an app reset, which
    drops what was added to ``extensions``, empties it)."""
    cache = current_app.extensions.get(name)
    if cache is None:
        cache = current_app.extensions.setdefault(name, BoundedCache(size))
    return cache
