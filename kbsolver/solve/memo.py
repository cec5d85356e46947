"""Per-knowledge memo tables: what was computed once from one :class:`~kbsolver.knowledge.Knowledge` is reused.

A :class:`Memo` is a thread-safe set of bounded, named caches. :func:`memo_of` gives the one memo of a
knowledge object (kept in a weak table, so it lives exactly as long as the knowledge does). Values
are computed outside the lock: two threads asking for the same missing key may both compute it,
and one result is kept; values must therefore be immutable, or never changed after they are made.

Callers decide what a key holds; the solver keys candidate lists by ``(os, arch, device)``, solves
by the normalised query, and plan results by the query (see :mod:`kbsolver.api`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

#: Entries kept per named cache; the least recently used go first.
DEFAULT_LIMIT = 8192


class Memo:
    """Named caches; reads take no lock (a dict lookup is atomic), writes take one.

    A full table is emptied before the next entry goes in, so memory stays bounded.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[str, dict[Hashable, Any]] = {}

    def get(self, table: str, key: Hashable) -> Any:
        """The value stored under ``key`` in ``table``, or ``None``."""
        entries = self._tables.get(table)
        return None if entries is None else entries.get(key)

    def table(self, table: str) -> dict[Hashable, Any]:
        """The live entries of ``table``, for reads in a hot loop (a dict lookup is atomic); store with :meth:`put`."""
        entries = self._tables.get(table)
        if entries is None:
            with self._lock:
                entries = self._tables.setdefault(table, {})
        return entries

    def put(self, table: str, key: Hashable, value: Any, limit: int = DEFAULT_LIMIT) -> Any:
        """Store ``value`` (unless another thread stored one first; that one is returned and kept);
        ``table`` then keeps at most ``limit`` entries."""
        with self._lock:
            entries = self._tables.get(table)
            if entries is None:
                entries = self._tables[table] = {}
            found = entries.get(key)
            if found is not None:
                return found
            if len(entries) >= limit:
                entries.clear()  # bounded: a full table starts over
            entries[key] = value
            return value

    def cached(self, table: str, key: Hashable, compute: Callable[[], T], limit: int = DEFAULT_LIMIT) -> T:
        """``table[key]``, computing and storing it with ``compute()`` on a miss (``None`` is not cached)."""
        value = self.get(table, key)
        if value is None:
            value = compute()
            if value is not None:
                value = self.put(table, key, value, limit)
        return value  # type: ignore[no-any-return]

    def size(self, table: str) -> int:
        """How many entries ``table`` holds now."""
        return len(self._tables.get(table, ()))


_MEMOS: weakref.WeakKeyDictionary[Any, Memo] = weakref.WeakKeyDictionary()
_MEMOS_LOCK = threading.Lock()


def memo_of(owner: Any) -> Memo:
    """The memo of ``owner`` (a knowledge object), made on first use."""
    with _MEMOS_LOCK:
        memo = _MEMOS.get(owner)
        if memo is None:
            memo = _MEMOS[owner] = Memo()
        return memo
