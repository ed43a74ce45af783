"""Properties over generated valid profiles."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolpicker
from toolpicker.engine.logic import fired_rules
from toolpicker.recommendation.evaluation import engine_for

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
    assert [f.rule for f in engine_for(kb).run_unremembered(known)] == fired_rules(kb.rules, known)
    assert engine_for(kb).run(known) == engine_for(kb).run_unremembered(known)  # the group memory is exact


@SETTINGS
@given(profile=profiles)
def test_the_matching_memory_gives_what_a_cold_computation_gives(kb: toolpicker.KnowledgeBase,
                                                                 profile: dict[str, Any]) -> None:
    """Verdicts and ``missing`` impacts are memoised per class of profiles: a knowledge base whose memories are
    empty (a fresh copy) must give the same recommendation as the shared, warm one."""
    import dataclasses

    warm = toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb, reuse=False)
    cold_kb = dataclasses.replace(kb, _cache={})  # same content, empty memories
    cold = toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=cold_kb, reuse=False)
    assert warm.model_dump(mode="json") == cold.model_dump(mode="json")


@SETTINGS
@given(profile=profiles)
def test_reuse_gives_the_same_result_as_a_fresh_durable_rules_run(kb: toolpicker.KnowledgeBase,
                                                                   profile: dict[str, Any]) -> None:
    fresh = toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb, reuse=False)
    toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb)  # fills the caches
    assert toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb).model_dump() == fresh.model_dump()


@SETTINGS
@given(profile=profiles, other=profiles)
def test_memories_warmed_by_another_profile_never_leak_into_this_one(
        kb: toolpicker.KnowledgeBase, profile: dict[str, Any], other: dict[str, Any]) -> None:
    # Warm the caches with another profile first: whatever it left there must not leak into this one.
    toolpicker.recommend(other, as_of=AS_OF, knowledge_base=kb)
    fresh = toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb, reuse=False)
    assert toolpicker.recommend(profile, as_of=AS_OF, knowledge_base=kb).model_dump() == fresh.model_dump()


def test_answering_an_unlisted_field_cannot_change_the_result(kb: toolpicker.KnowledgeBase) -> None:
    from toolpicker.knowledge.profile import QUESTION_FIELDS
    from toolpicker.recommendation.missing import candidate_answers, relevant

    base_profile = {"legal_form": "association", "employees": 3, "needs": ["website"], "maturity": "progressing"}
    base = toolpicker.recommend(base_profile, as_of=AS_OF, knowledge_base=kb)
    # a question without object for this structure (relevant_when) is never asked, whatever it could change
    listed = {m.field for m in base.missing} | {n for n in QUESTION_FIELDS if not relevant(kb, n, base_profile)}
    strip = ("profile", "missing")

    def essence(rec: toolpicker.Recommendation) -> dict[str, Any]:
        data = rec.model_dump(mode="json", exclude=set(strip))
        for family in ("tool_categories", "licensing_models", "accompaniments", "funding_routes", "solutions"):
            data[family] = sorted((i["id"], i["score"]) for i in data[family])
        return {k: data[k] for k in ("tool_categories", "licensing_models", "accompaniments", "funding_routes")}

    for name in QUESTION_FIELDS:
        if name in base_profile or name in listed:
            continue
        for answer in candidate_answers(kb, name):
            changed = toolpicker.recommend({**base_profile, name: answer}, as_of=AS_OF, knowledge_base=kb)
            assert essence(changed) == essence(base), (name, answer)


def test_answering_a_listed_field_can_change_the_result(kb: toolpicker.KnowledgeBase) -> None:
    from toolpicker.recommendation.missing import candidate_answers

    base_profile = {"legal_form": "association", "employees": 3}
    base = toolpicker.recommend(base_profile, as_of=AS_OF, knowledge_base=kb)
    for entry in base.missing[:8]:
        outcomes = {toolpicker.recommend({**base_profile, entry.field: a}, as_of=AS_OF, knowledge_base=kb)
                    .model_dump_json(exclude={"profile", "missing"}) for a in candidate_answers(kb, entry.field)}
        assert outcomes - {base.model_dump_json(exclude={"profile", "missing"})}, entry.field
