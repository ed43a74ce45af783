"""Properties over generated valid profiles."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolpicker
from toolpicker.evaluate import fired_rules
from toolpicker.recommend import engine_for

from .conftest import AS_OF
from .strategies import profiles

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def dump(profile: dict[str, Any], kb: toolpicker.KnowledgeBase) -> str:
    return json.dumps(toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb).model_dump(mode="json"),
                      ensure_ascii=False, sort_keys=False)


@SETTINGS
@given(profile=profiles)
def test_every_valid_profile_gets_a_recommendation_with_reasons(kb: toolpicker.KnowledgeBase,
                                                                 profile: dict[str, Any]) -> None:
    rec = toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb)
    for family in ("tool_categories", "licensing_models", "accompaniments", "funding_routes", "solutions"):
        for item in getattr(rec, family):
            assert item.reasons and all(r.rule for r in item.reasons)


@SETTINGS
@given(profile=profiles)
def test_same_input_same_bytes(kb: toolpicker.KnowledgeBase, profile: dict[str, Any]) -> None:
    assert dump(profile, kb) == dump(dict(reversed(list(profile.items()))), kb)


@SETTINGS
@given(profile=profiles, seed=st.integers(0, 1000))
def test_order_of_list_fields_does_not_matter(kb: toolpicker.KnowledgeBase, profile: dict[str, Any],
                                             seed: int) -> None:
    shuffled = dict(profile)
    for key in ("needs", "difficulties", "current_tools"):
        if key in shuffled:
            values = list(shuffled[key])
            random.Random(seed).shuffle(values)
            shuffled[key] = values
    assert dump(profile, kb) == dump(shuffled, kb)


@SETTINGS
@given(profile=profiles)
def test_python_evaluator_agrees_with_durable_rules(kb: toolpicker.KnowledgeBase, profile: dict[str, Any]) -> None:
    known = toolpicker.parse_profile(profile).known()
    assert [f.rule for f in engine_for(kb).run(known)] == fired_rules(kb.rules, known)
