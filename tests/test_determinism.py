"""Same profile + same knowledge base + same date → the same bytes, whatever the process, the caches or the order.

These tests compute every output from scratch, in separate interpreters with different hash seeds and no
knowledge-base cache, so that neither the output memory of a process nor a warm cache can hide an output
whose order depends on a set, a dict or a hash (shuffling any list in the output makes them fail).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import AS_OF, EXAMPLES

RUNNER = """
import json, sys, toolpicker
from toolpicker.interfaces.render import render
profiles = json.loads(sys.stdin.read())
out = []
for profile in profiles:
    rec = toolpicker.recommend(profile, as_of=sys.argv[1], reuse=False)
    out.append([rec.model_dump_json(), render(rec, "markdown"), render(rec, "text", detail=True)])
sys.stdout.write(json.dumps(out, ensure_ascii=False))
"""

PROFILES = [
    {"name": "A", "legal_form": "association", "employees": 3, "needs": ["website", "file_sharing"]},
    {"name": "B", "legal_form": "cooperative", "siae": True, "sector": "integration", "employees": 40,
     "data_sensitivity": "sensitive", "needs": ["hr_management", "integrated_management", "skills"],
     "current_tools": ["Excel", "logiciel de paie", "WhatsApp"], "activity": "siae_workshop"},
    {"name": "C", "sector": "sport", "volunteers": 30, "needs": ["online_membership", "communication"],
     "main_need": "online_membership", "digital_budget_eur": 300, "maturity": "beginner"},
    {"name": "D"},
]


def _run(seed: str, profiles: list[dict]) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed, "TOOLPICKER_NO_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", RUNNER, AS_OF], input=json.dumps(profiles), env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_two_processes_with_different_hash_seeds_write_the_same_bytes() -> None:
    import yaml

    profiles = PROFILES + [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.yaml"))]
    first, second = _run("1", profiles), _run("4242", profiles)
    assert first == second
    assert len(json.loads(first)) == len(profiles)


def test_the_order_of_answers_in_a_profile_does_not_matter() -> None:
    shuffled = [dict(reversed(list(p.items()))) for p in PROFILES]
    for p in shuffled:
        for key in ("needs", "current_tools"):
            if key in p:
                p[key] = list(reversed(p[key]))
    assert _run("7", PROFILES) == _run("7", shuffled)


def test_a_reused_result_is_the_result_computed_afresh() -> None:
    """The in-process memories (outputs, verdicts, group firings) give what a fresh computation gives."""
    import toolpicker

    kb = toolpicker.load_knowledge_base()
    for profile in PROFILES:
        first = toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb).model_dump_json()
        again = toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb).model_dump_json()  # from memory
        fresh = toolpicker.recommend(profile, as_of=AS_OF, reuse=False,
                                     knowledge_base=toolpicker.load_knowledge_base()).model_dump_json()
        assert first == again
        assert json.loads(first) == json.loads(fresh)
    assert Path(EXAMPLES).is_dir()
