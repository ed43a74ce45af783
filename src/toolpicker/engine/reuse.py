"""Reuse of work across profiles that no rule condition can tell apart.

durable-rules stays the engine that decides: every set of firings in the cache
came from a durable-rules run. What is reused:

- **firings**, keyed by the *signature* of a profile: the three-valued truth of
  every distinct test that appears in a rule condition. Two profiles with the
  same signature make exactly the same rules fire (durable-rules only sees
  those tests), so the second one reuses the first one's firings — rebuilt
  with its own values in each reason's ``facts``;
- **missing**, keyed by the signature plus the answers the catalogue, funding
  eligibility and the questions' ``relevant_when`` read, the request and the
  needs, the date and the language (it depends on nothing else);
- **whole recommendations**, keyed by the date, the language and the raw
  values of every field that a rule, the catalogue matching or a funding route's
  eligibility looks at; only the ``profile`` echo is replaced on a hit.

All three caches are bounded LRU maps (memory does not grow with the number of
profiles: about 15 MB when full) and are guarded by a lock. Cached recommendations are shared:
treat returned objects as read-only (they are frozen pydantic models).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Generic, TypeVar

from ..knowledge.base import KnowledgeBase
from ..knowledge.catalog import ELIGIBILITY_FIELDS
from ..knowledge.rules import atoms
from ..recommendation.matching import CATALOG_FIELDS
from .logic import Check, compile_condition

V = TypeVar("V")


class LRU(Generic[V]):
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


def _freeze(value: Any) -> Hashable:
    return tuple(value) if isinstance(value, list) else value


class Reuse:
    """The caches of one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        seen: dict[str, Check] = {}
        for rule in kb.rules:
            for atom in atoms(rule.when):
                key = repr((atom.field, atom.op, atom.value))
                if key not in seen:
                    seen[key] = compile_condition(atom)
        self.tests: tuple[Check, ...] = tuple(seen[k] for k in sorted(seen))
        rule_fields = {a.field for r in kb.rules for a in atoms(r.when)}
        # What decides which questions are asked and the first tool move besides the rules: the answers a
        # question's ``relevant_when`` reads, the request and the needs it chooses among.
        asking = {a.field for q in kb.questions.values() for a in atoms(q.relevant_when)} | {"main_need", "needs"}
        self.relevant = tuple(sorted(rule_fields | set(CATALOG_FIELDS) | set(ELIGIBILITY_FIELDS) | asking))
        self.missing_fields = tuple(sorted(set(CATALOG_FIELDS) | set(ELIGIBILITY_FIELDS) | asking))
        # Sizes keep the caches around 15 MB when full (a recommendation is ~140 KB of objects).
        self.firings: LRU[tuple[str, ...]] = LRU(4096)
        self.missing: LRU[list[dict[str, Any]]] = LRU(1024)
        self.outputs: LRU[Any] = LRU(32)

    def signature(self, prepared: Mapping[str, Any]) -> bytes:
        """Three-valued truth of every distinct test, one byte each (0 false, 1 true, 2 unknown)."""
        empty: frozenset[str] = frozenset()
        return bytes(2 if v is None else int(v) for v in (test(prepared, empty) for test in self.tests))

    def output_key(self, known: Mapping[str, Any], day: Any, lang: str) -> Hashable:
        return (day, lang, tuple(_freeze(known.get(f)) for f in self.relevant))

    def catalog_key(self, known: Mapping[str, Any]) -> Hashable:
        return tuple(_freeze(known.get(f)) for f in self.missing_fields)

    def memo(self, cache: LRU[V], key: Hashable, build: Callable[[], V]) -> V:
        value = cache.get(key)
        if value is None:
            value = build()
            cache.put(key, value)
        return value


def reuse_for(kb: KnowledgeBase) -> Reuse:
    value: Reuse = kb.cached("reuse", lambda: Reuse(kb))
    return value
