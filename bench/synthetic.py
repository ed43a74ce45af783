"""Synthetic knowledge bases: the shipped rules copied N times.

Copy ``k`` of every shipped rule gets the id ``<id>-c<k>``; every fact it derives
or builds on gets the name ``<fact>_c<k>``, so each copy is a self-contained
replica of the shipped forward-chaining graph and a KB with N copies has exactly
N times the rules, the conditions and the firings. The catalogue is the shipped one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from toolpicker.knowledge.base import shipped_dir

_PLACEHOLDER = "@COPY@"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Never writes anchors: toolpicker's loader refuses aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _rename_facts(cond: Any, suffix: str) -> Any:
    if isinstance(cond, dict):
        out = {k: _rename_facts(v, suffix) for k, v in cond.items()}
        if isinstance(out.get("fact"), str):
            out["fact"] = f"{out['fact']}_{suffix}"
        return out
    if isinstance(cond, list):
        return [_rename_facts(c, suffix) for c in cond]
    return cond


def _copy_rule(rule: dict[str, Any], k: int | str) -> dict[str, Any]:
    suffix = f"c{k}"
    out = dict(rule)
    out["id"] = f"{rule['id']}-{suffix}"
    if "when" in rule:
        out["when"] = _rename_facts(rule["when"], suffix)
    then = dict(rule.get("then") or {})
    if "derive" in then:
        then["derive"] = [f"{name}_{suffix}" for name in then["derive"]]
    out["then"] = then
    return out


def write_copies(target: Path, copies: int) -> int:
    """Write the shipped rule files ``copies`` times into ``target``; return the number of rules."""
    target.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in sorted(shipped_dir("rules").glob("*.yaml")):
        rules = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []
        # Dumped once with a placeholder copy number, then instantiated per copy (YAML dumping is slow).
        template = yaml.dump({"rules": [_copy_rule(r, _PLACEHOLDER) for r in rules]}, Dumper=_Dumper,
                             allow_unicode=True, sort_keys=False, width=1000)
        for k in range(1, copies + 1):
            total += len(rules)
            (target / f"{path.stem}-c{k}.yaml").write_text(template.replace(_PLACEHOLDER, str(k)), encoding="utf-8")
    return total
