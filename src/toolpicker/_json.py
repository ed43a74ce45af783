"""Strict JSON objects: a key given twice is refused, as the YAML reader refuses it."""

from __future__ import annotations

from typing import Any


class DuplicateKey(ValueError):
    """A JSON object gave ``key`` twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for :func:`json.loads` raising :class:`DuplicateKey` on a repeated key."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


def reject_constant(name: str) -> object:
    """``parse_constant`` for :func:`json.loads`: ``NaN`` and ``Infinity`` are not JSON."""
    raise ValueError(name)
