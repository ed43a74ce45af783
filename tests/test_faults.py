"""Faults: a failing rule action, a corrupt or missing catalogue file, failures in a row.

Each fault must give one clear error (naming the rule or the file), leave no
partial output behind, and leave the engine able to serve the next evaluation:
in particular, failed evaluations must not leak durable-rules sessions (at most
1,024 may be alive per ruleset).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import toolpicker
from toolpicker import EngineError
from toolpicker.interfaces.cli import main
from toolpicker.knowledge.base import shipped_dir
from toolpicker.recommendation.evaluation import engine_for

from .conftest import AS_OF, EXAMPLES

EXAMPLE = EXAMPLES / "petite-association-culturelle.yaml"
PROFILE = {"legal_form": "association", "sector": "culture", "employees": 2, "digital_budget_eur": 300,
           "needs": ["collaboration", "newsletter"]}
SESSION_LIMIT = 1_024


@pytest.fixture
def exploding_actions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every rule action raises while this fixture is active (injected as in tests/test_engine.py)."""
    from toolpicker.engine import durable as engine

    class Exploding(list[str]):
        def append(self, item: str) -> None:
            raise RuntimeError("panne simulée")

    class BrokenEvaluation(engine._Evaluation):
        def __init__(self) -> None:
            super().__init__()
            self.fired = Exploding()

    monkeypatch.setattr(engine, "_Evaluation", BrokenEvaluation)
    engine.forget_all()  # durable-rules must run: nothing answered from the group memory
    yield
    monkeypatch.undo()


@pytest.fixture
def failing_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """durable-rules raises after the session was created (the fact asserted, rules fired)."""
    from toolpicker.engine import durable as engine

    host = engine._host()
    real = host.assert_fact

    def assert_then_fail(ruleset: str, fact: dict[str, Any], *args: Any) -> Any:
        real(ruleset, fact, *args)
        raise RuntimeError("panne du moteur simulée")

    monkeypatch.setattr(host, "assert_fact", assert_then_fail)
    engine.forget_all()
    yield
    monkeypatch.undo()


def _fired(kb: toolpicker.KnowledgeBase, profile: dict[str, Any]) -> list[str]:
    """durable-rules itself, every time (the group memory would answer a profile seen before)."""
    return [f.rule for f in engine_for(kb).run_unremembered(toolpicker.parse_profile(profile).known())]


# ------------------------------------------------------------------ a rule action raises

def test_an_exception_inside_a_rule_action_is_a_clear_engine_error(kb: toolpicker.KnowledgeBase,
                                                                   exploding_actions: None) -> None:
    with pytest.raises(EngineError) as info:
        toolpicker.recommend(PROFILE, as_of=AS_OF, knowledge_base=kb, reuse=False)
    message = str(info.value)
    assert message.startswith("La règle « ")
    assert "a échoué pendant l'évaluation : RuntimeError: panne simulée" in message
    assert message.split("« ")[1].split(" »")[0] in kb.rule_index  # it names a real rule


def test_the_next_evaluation_after_a_failing_action_still_works(kb: toolpicker.KnowledgeBase,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _fired(kb, PROFILE)
    expected_rec = toolpicker.recommend(PROFILE, as_of=AS_OF, knowledge_base=kb, reuse=False).model_dump_json()
    from toolpicker.engine import durable as engine

    class Exploding(list[str]):
        def append(self, item: str) -> None:
            raise RuntimeError("panne simulée")

    class BrokenEvaluation(engine._Evaluation):
        def __init__(self) -> None:
            super().__init__()
            self.fired = Exploding()

    monkeypatch.setattr(engine, "_Evaluation", BrokenEvaluation)
    with pytest.raises(EngineError):
        _fired(kb, PROFILE)
    monkeypatch.undo()
    assert _fired(kb, PROFILE) == expected
    assert toolpicker.recommend(PROFILE, as_of=AS_OF, knowledge_base=kb,
                                reuse=False).model_dump_json() == expected_rec


def test_a_failing_action_through_the_cli_exits_2_without_traceback(exploding_actions: None,
                                                                   tmp_path: Path) -> None:
    target = tmp_path / "rapport.md"
    target.write_text("précédent", encoding="utf-8")
    result = CliRunner().invoke(main, ["recommend", str(EXAMPLE), "--as-of", AS_OF, "--rules",
                                       str(shipped_dir("rules")), "-o", str(target), "--force"])
    assert result.exit_code == 2
    assert result.output.startswith("Erreur : La règle « ")
    assert "RuntimeError: panne simulée" in result.output
    assert "Traceback" not in result.output
    assert target.read_text(encoding="utf-8") == "précédent"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport.md"]


# ------------------------------------------------------------------ failures in a row

def test_1100_failing_actions_in_a_row_never_exhaust_the_sessions(kb: toolpicker.KnowledgeBase,
                                                                  exploding_actions: None) -> None:
    profiles = [{**PROFILE, "employees": i % 60} for i in range(SESSION_LIMIT + 76)]
    failures = 0
    for profile in profiles:
        with pytest.raises(EngineError) as info:
            _fired(kb, profile)
        assert "RuntimeError: panne simulée" in str(info.value)  # not durable-rules running out of sessions
        failures += 1
    assert failures == 1_100


def test_the_engine_serves_normally_after_1100_failures(kb: toolpicker.KnowledgeBase,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _fired(kb, PROFILE)
    from toolpicker.engine import durable as engine

    host = engine._host()
    real = host.assert_fact

    def assert_then_fail(ruleset: str, fact: dict[str, Any], *args: Any) -> Any:
        real(ruleset, fact, *args)
        raise RuntimeError("panne du moteur simulée")

    monkeypatch.setattr(host, "assert_fact", assert_then_fail)
    for i in range(1_100):
        with pytest.raises(EngineError) as info:
            _fired(kb, {**PROFILE, "employees": i % 60})
        assert str(info.value) == "Le moteur de règles a échoué : panne du moteur simulée"
    monkeypatch.undo()
    for _ in range(3):  # sessions are still available: 1,100 failed ones were all deleted
        assert _fired(kb, PROFILE) == expected


def test_1100_engine_failures_after_the_session_was_created_never_exhaust_the_sessions(
        kb: toolpicker.KnowledgeBase, failing_host: None) -> None:
    for i in range(1_100):
        with pytest.raises(EngineError) as info:
            _fired(kb, {**PROFILE, "employees": i % 60})
        assert str(info.value) == "Le moteur de règles a échoué : panne du moteur simulée"


# ------------------------------------------------------------------ corrupt or missing catalogue files

@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(shipped_dir("catalog"), target)
    return target


def _recommend_to(output: Path, catalog_dir: Path) -> Any:
    """With --force: even when replacing is allowed, a failure leaves the old file as it was."""
    output.write_text("précédent", encoding="utf-8")
    return CliRunner().invoke(main, ["recommend", str(EXAMPLE), "--as-of", AS_OF, "--catalog", str(catalog_dir),
                                     "--format", "markdown", "-o", str(output), "--force"])


def _assert_untouched(output: Path) -> None:
    assert output.read_text(encoding="utf-8") == "précédent"
    assert sorted(p.name for p in output.parent.iterdir()) == [output.name]  # no temporary file left


CORRUPTIONS = {
    # a solution entry cut in the middle of a flow list (a half-saved file)
    "truncated": (lambda text: text[: text.index("delivery: [") + len("delivery: [saas")], "YAML invalide"),
    # an entry whose category does not exist
    "unknown-category": (lambda text: text.replace("category: skills_assessment", "category: evaluation", 1),
                         "catégorie « evaluation » inconnue"),
    # an entry whose price is a sentence
    "wrong-type": (lambda text: text.replace("free_tier: true", "free_tier: peut-être", 1), "free_tier"),
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_a_corrupt_catalogue_entry_is_named_and_leaves_no_output(kind: str, catalog: Path, tmp_path: Path) -> None:
    corrupt, fragment = CORRUPTIONS[kind]
    path = catalog / "solutions" / "skills.yaml"
    path.write_text(corrupt(path.read_text(encoding="utf-8")), encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = _recommend_to(out_dir / "rapport.md", catalog)
    assert result.exit_code == 2
    assert result.output.startswith("Erreur : ")
    assert f"{path}:" in result.output
    assert fragment in result.output
    assert "Traceback" not in result.output
    _assert_untouched(out_dir / "rapport.md")
    checked = CliRunner().invoke(main, ["check", "--catalog", str(catalog)])
    assert checked.exit_code == 1
    assert f"{path}:" in checked.output


@pytest.mark.parametrize("name", ["taxonomy.yaml", "funding_routes.yaml", "questions.yaml"])
def test_a_missing_catalogue_file_is_named_first_and_leaves_no_output(name: str, catalog: Path,
                                                                      tmp_path: Path) -> None:
    (catalog / name).unlink()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = _recommend_to(out_dir / "rapport.md", catalog)
    assert result.exit_code == 2
    problems = result.output.splitlines()
    assert problems[0].startswith("Erreur : Base de connaissances invalide")
    assert problems[1] == f"  - {catalog / name}: fichier introuvable."
    assert "Traceback" not in result.output
    _assert_untouched(out_dir / "rapport.md")
    checked = CliRunner().invoke(main, ["check", "--catalog", str(catalog)])
    assert checked.exit_code == 1
    assert f"{catalog / name}: fichier introuvable." in checked.output


def test_a_missing_rules_folder_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "regles"
    out = tmp_path / "rapport.md"
    out.write_text("précédent", encoding="utf-8")
    result = CliRunner().invoke(main, ["recommend", str(EXAMPLE), "--rules", str(missing), "-o", str(out), "--force"])
    assert result.exit_code == 2
    assert str(missing) in result.output
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "précédent"
