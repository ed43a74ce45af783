"""Reuse of whole recommendations for profiles seen recently.

A recommendation depends only on the date, the language and the raw values of
every field that a rule, the catalogue matching, a funding route's
eligibility, a question's ``relevant_when`` or the summary reads: a profile
whose values agree on all of them gets the cached recommendation back, with
only its ``profile`` echo replaced. This pays where the same structures come
back (a batch re-run, the web page's what-ifs); for first-time profiles, work
is shared lower down — by each durable-rules group's memory
(:mod:`toolpicker.engine.durable`) and by the matching's verdicts
(:mod:`toolpicker.recommendation.matching`). (Two more caches — firings per
signature of the whole profile, ``missing`` per signature — were removed: the
benchmark showed they cost more than they saved on first-time profiles.)

The cache is a bounded LRU map guarded by a lock. Cached recommendations are
shared: treat returned objects as read-only (they are frozen pydantic models).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any, Generic, TypeVar

from ..knowledge.base import KnowledgeBase
from ..knowledge.catalog import ELIGIBILITY_FIELDS
from ..knowledge.rules import atoms
from ..recommendation.matching import CATALOG_FIELDS

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
        rule_fields = {a.field for r in kb.rules for a in atoms(r.when)}
        # What decides which questions are asked and the first tool move besides the rules: the answers a
        # question's ``relevant_when`` reads, the request and the needs it chooses among.
        asking = {a.field for q in kb.questions.values() for a in atoms(q.relevant_when)} | {"main_need", "needs"}
        self.relevant = tuple(sorted(rule_fields | set(CATALOG_FIELDS) | set(ELIGIBILITY_FIELDS) | asking))
        # 64 recommendations of ~140 KB of objects each: under 10 MB when full.
        self.outputs: LRU[Any] = LRU(64)

    def output_key(self, known: Mapping[str, Any], day: Any, lang: str) -> Hashable:
        return (day, lang, tuple(_freeze(known.get(f)) for f in self.relevant))


def reuse_for(kb: KnowledgeBase) -> Reuse:
    value: Reuse = kb.cached("reuse", lambda: Reuse(kb))
    return value
