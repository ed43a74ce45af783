"""What changed between two diagnoses, read from what was stored with each.

Nothing is recomputed: the ranks come from the recommendation JSON saved with
each diagnosis (its position in its family's list, 1 first), and the rules
from the reasons each item carries (plus, for an item that was ruled out, the
reasons of its ``excluded`` entry). An item's ``rules`` are the rule ids that
fired for it on one side only: what started or stopped firing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..knowledge.profile import FIELDS
from ..recommendation.result import FAMILIES
from ._records import DossierDiff, ItemChange, ProfileChange, Side

_CHANGE_ORDER = {"added": 0, "removed": 1, "moved": 2}


def profile_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ProfileChange]:
    """The answers that changed, in the contract's field order (an absent answer is ``None``)."""
    extra = sorted((set(before) | set(after)) - set(FIELDS))
    return [ProfileChange(field=name, before=before.get(name), after=after.get(name))
            for name in (*FIELDS, *extra) if before.get(name) != after.get(name)]


def _ranks(recommendation: Mapping[str, Any], family: str) -> dict[str, tuple[int, str, set[str]]]:
    """id → (rank, label, rules in its reasons) for one family of a stored recommendation."""
    out: dict[str, tuple[int, str, set[str]]] = {}
    for rank, item in enumerate(recommendation.get(family) or [], start=1):
        if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"] not in out:
            out[item["id"]] = (rank, str(item.get("label", item["id"])), _rules(item))
    return out


def _rules(item: Mapping[str, Any]) -> set[str]:
    return {str(r["rule"]) for r in item.get("reasons") or [] if isinstance(r, Mapping) and "rule" in r}


def _excluded(recommendation: Mapping[str, Any], family: str) -> dict[str, tuple[str, set[str]]]:
    return {str(e["id"]): (str(e.get("label", e["id"])), _rules(e))
            for e in recommendation.get("excluded") or []
            if isinstance(e, Mapping) and e.get("family") == family and "id" in e}


def item_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ItemChange]:
    """Items added, removed or moved in each family, with their ranks and the rules whose firing changed."""
    changes: list[ItemChange] = []
    for family in FAMILIES:
        old, new = _ranks(before, family), _ranks(after, family)
        old_out, new_out = _excluded(before, family), _excluded(after, family)
        for item_id in sorted(set(old) | set(new)):
            was, now = old.get(item_id), new.get(item_id)
            if was and now and was[0] == now[0]:
                continue
            old_rules = (was[2] if was else set()) | (old_out[item_id][1] if item_id in old_out else set())
            new_rules = (now[2] if now else set()) | (new_out[item_id][1] if item_id in new_out else set())
            change = "moved" if was and now else "added" if now else "removed"
            label = (now or was or (0, item_id, set()))[1]
            changes.append(ItemChange(family=family, id=item_id, change=change,
                                      before_rank=was[0] if was else None, after_rank=now[0] if now else None,
                                      rules=sorted(old_rules ^ new_rules), label=label))
    order = {family: index for index, family in enumerate(FAMILIES)}
    changes.sort(key=lambda c: (order[c.family], _CHANGE_ORDER[c.change], c.after_rank or c.before_rank or 0, c.id))
    return changes


def compare(dossier_id: str, name: str, before: Side, after: Side, old_profile: Mapping[str, Any],
            new_profile: Mapping[str, Any], old: Mapping[str, Any], new: Mapping[str, Any]) -> DossierDiff:
    """The §7 diff object between two stored (or one stored and one fresh) recommendations."""
    return DossierDiff(profile=profile_changes(old_profile, new_profile), items=item_changes(old, new),
                       dossier=dossier_id, name=name, before=before, after=after)
