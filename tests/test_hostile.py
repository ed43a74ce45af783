"""Hostile inputs through the command line: one clear French message, never a traceback.

Each case gives a bad profile (``recommend``), rule file (``check --rules``),
catalogue file (``check --catalog``) or scenario file (``test``) and expects
the documented exit code (2 for bad input; 1 when ``check`` reports a problem
in a knowledge base), a message naming the file (and the line when there is
one), no traceback, nothing executed, and a bounded run: every case is timed
against a generous bound (a guard against hanging, not a performance
assertion), and the nastiest ones run in a subprocess with a timeout and a
1.5 GB address-space limit. Big inputs are generated into ``tmp_path``; the
small ones live in ``tests/fixtures/hostile/``.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolpicker.interfaces.cli import main
from toolpicker.knowledge.base import shipped_dir

from .conftest import AS_OF, FIXTURES

HOSTILE = FIXTURES / "hostile"
BOUND_S = 20.0  # against hanging, not a performance assertion
MEMORY_LIMIT = 1_500_000_000  # bytes of address space for the isolated cases
SENTINEL = "hostile-pwned"  # what the !!python/... fixtures would create if anything were executed
RUNNER = "import sys; from toolpicker.interfaces.cli import main; main(sys.argv[1:], prog_name='toolpicker')"


@dataclass(frozen=True)
class Outcome:
    code: int
    output: str
    seconds: float


def run_in_process(args: list[str]) -> Outcome:
    start = time.monotonic()
    result = CliRunner().invoke(main, args, catch_exceptions=True)
    seconds = time.monotonic() - start
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    assert escaped is None, f"an exception escaped the CLI: {escaped!r}"
    return Outcome(result.exit_code, result.output, seconds)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_isolated(args: list[str], cwd: Path, timeout: float = BOUND_S) -> Outcome:
    """The CLI in a fresh interpreter, with a timeout and bounded memory (a crash cannot take pytest down)."""
    env = {k: v for k, v in os.environ.items() if k != "TOOLPICKER_LANG"}
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", RUNNER, *args], cwd=cwd, env=env, capture_output=True, text=True,
            timeout=timeout, preexec_fn=_limit_memory, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"toolpicker {' '.join(a[:80] for a in args)} still running after {timeout} s")
    return Outcome(proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start)


def assert_clear(outcome: Outcome, code: int, named: str, fragment: str, line: int | None) -> None:
    """The documented exit code; a message naming the file (and line) with the expected French words."""
    where = f"{named}:{line}: " if line else f"{named}: "
    assert outcome.code == code, outcome.output[-2000:]
    assert where in outcome.output, outcome.output[-2000:]
    assert fragment in outcome.output, outcome.output[-2000:]
    for leak in ("Traceback", "Erreur inattendue", "Unexpected error", "Error:"):
        assert leak not in outcome.output
    assert outcome.seconds < BOUND_S


# ------------------------------------------------------------------ inputs

Make = Callable[[Path], Path]


def fixture(kind: str, name: str) -> Make:
    return lambda _tmp: HOSTILE / kind / name


def written(name: str, content: bytes | str) -> Make:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path
    return make


def ten_megabytes(name: str) -> Make:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            handle.write(b"name: ")
            handle.write(b"x" * 10_000_000)
            handle.write(b"\n")
        return path
    return make


DEEP_FLOW = "[" * 10_000 + "]" * 10_000
DEEP_BLOCK = "- " * 10_000 + "x\n"
LAUGHS = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9 if i else ['"lol"'] * 9) + "]\n"
                 for i in range(10))
UTF16 = "employees: 3\nsector: culture\n".encode("utf-16")  # with its byte-order mark


@dataclass(frozen=True)
class Case:
    id: str
    make: Make
    fragment: str
    line: int | None = None
    isolated: bool = False  # run in a subprocess with a timeout and a memory limit


PROFILES = [
    Case("wrong-type", fixture("profiles", "wrong_type.yaml"), "« trois » n'est pas un nombre entier", 3),
    Case("float-count", fixture("profiles", "float_count.yaml"), "« 2.5 » n'est pas un nombre entier", 2),
    Case("out-of-range", fixture("profiles", "out_of_range.yaml"), "-4 hors limites ; la valeur doit être ≥ 0", 2),
    Case("unknown-enum", fixture("profiles", "unknown_enum.yaml"), "Vouliez-vous dire « culture » ?", 2),
    Case("unknown-list-value", fixture("profiles", "unknown_list_value.yaml"), "Vouliez-vous dire « website » ?", 2),
    Case("unknown-field", fixture("profiles", "unknown_field.yaml"), "champ « budget » inconnu", 2),
    Case("duplicate-key", fixture("profiles", "duplicate_key.yaml"), "la clé « employees » apparaît deux fois", 4),
    Case("python-object-apply", fixture("profiles", "python_object_apply.yaml"),
         "étiquette YAML « !!python/object/apply:os.system » refusée", 2),
    Case("python-object-new", fixture("profiles", "python_object_new.yaml"),
         "étiquette YAML « !!python/object/new:builtins.open » refusée", 3),
    Case("python-name", fixture("profiles", "python_name.yaml"), "étiquette YAML « !!python/name:os.system »", 1),
    Case("merge-key", fixture("profiles", "merge_key.yaml"), "étiquette YAML « !!merge » refusée", 2),
    Case("billion-laughs", fixture("profiles", "billion_laughs.yaml"), "les alias YAML (*nom) ne sont pas acceptés",
         1, isolated=True),
    Case("billion-laughs-10", written("laughs.yaml", LAUGHS + "needs: *l9\n"), "les alias YAML", 1, isolated=True),
    Case("deep-flow", written("deep.yaml", f"needs: {DEEP_FLOW}\n"), "imbrication trop profonde", 1, isolated=True),
    Case("deep-block", written("deep.yaml", f"needs:\n{DEEP_BLOCK}"), "imbrication trop profonde", 2, isolated=True),
    Case("deep-mapping", written("deep.yaml", "a: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n"),
         "imbrication trop profonde", 1, isolated=True),
    Case("binary", written("profil.yaml", bytes(range(256)) * 4), "ce n'est pas un fichier texte"),
    Case("empty", fixture("profiles", "empty.yaml"), "le fichier est vide"),
    Case("comments-only", fixture("profiles", "comments_only.yaml"), "le fichier est vide"),
    Case("ten-megabytes", ten_megabytes("grand.yaml"), "fichier trop volumineux", isolated=True),
    Case("latin-1", fixture("profiles", "latin1.yaml"), "n'est pas encodé en UTF-8"),
    Case("utf-16-bom", written("profil.yaml", UTF16), "le fichier est encodé en UTF-16 ; enregistrez-le en UTF-8"),
    Case("control-character", fixture("profiles", "control_character.yaml"), "caractère U+0007 interdit", 1),
    Case("json-nan-infinity", fixture("profiles", "nan_infinity.json"), "« NaN » n'est pas un nombre entier", 1),
    Case("yaml-nan", fixture("profiles", "yaml_nan.yaml"), "nombre « .nan » refusé", 2),
    Case("huge-integer", fixture("profiles", "huge_integer.yaml"), "trop grand", 2),
    Case("huge-integer-json", fixture("profiles", "huge_integer.json"), "trop grand", 1),
    Case("5000-digit-integer", written("profil.yaml", "employees: " + "9" * 5000 + "\n"), "trop grand", 1),
    Case("huge-hex-integer", written("profil.yaml", "employees: 0x" + "f" * 20_000 + "\n"), "trop grand", 1),
    Case("100000-needs", written("profil.yaml", "needs: [" + ", ".join(["website"] * 100_000) + "]\n"),
         "champ « needs » : trop long (maximum 50)", 1, isolated=True),
    Case("long-string", written("profil.yaml", "name: " + "x" * 1_000_000 + "\n"),
         "champ « name » : trop long (maximum 200)", 1),
    Case("long-key", written("profil.yaml", "k" * 100_000 + ": 1\n"), "YAML invalide", 1),
    Case("top-level-list", fixture("profiles", "top_level_list.yaml"), "un ensemble « champ: valeur »", 1),
    Case("two-documents", fixture("profiles", "two_documents.yaml"), "YAML invalide", 2),
    Case("impossible-date", fixture("profiles", "impossible_date.yaml"), "date « 2026-02-30 » impossible", 1),
    Case("bad-explicit-tag", fixture("profiles", "bad_explicit_tag.yaml"), "valeur « douze » illisible comme !!int", 2),
    Case("complex-key", fixture("profiles", "complex_key.yaml"), "les clés doivent être du texte", 1),
]

RULES = [
    Case("python-tag", fixture("rules", "python_tag/rules.yaml"), "étiquette YAML « !!python/object/apply:os.system »",
         3),
    Case("duplicate-key", fixture("rules", "duplicate_key/rules.yaml"), "la clé « title » apparaît deux fois", 4),
    Case("unknown-operator", fixture("rules", "unknown_operator/rules.yaml"), "opérateur « greater_than » inconnu", 5),
    Case("wrong-type", fixture("rules", "wrong_type/rules.yaml"), "nombre attendu, « lourd » trouvé", 7),
    Case("unknown-field", fixture("rules", "unknown_field/rules.yaml"), "Vouliez-vous dire « employees » ?", 5),
    Case("unknown-enum", fixture("rules", "unknown_enum/rules.yaml"), "Vouliez-vous dire « culture » ?", 5),
    Case("nan-priority", fixture("rules", "nan_priority/rules.yaml"), "nombre « .nan » refusé", 5),
    Case("infinite-weight", fixture("rules", "infinite_weight/rules.yaml"), "nombre « -.inf » refusé", 7),
    Case("huge-threshold", fixture("rules", "huge_threshold/rules.yaml"), "trop grand", 5),
    Case("billion-laughs", fixture("rules", "billion_laughs/rules.yaml"), "les alias YAML", 1, isolated=True),
    Case("rules-not-a-list", fixture("rules", "rules_not_a_list/rules.yaml"), "liste attendu", 1),
    Case("empty", fixture("rules", "empty_file/rules.yaml"), "une clé « rules » avec une liste"),
    Case("latin-1", fixture("rules", "latin1/rules.yaml"), "n'est pas encodé en UTF-8"),
    Case("deep-conditions", written("rules/rules.yaml", "rules:\n  - id: deep\n    when: "
                                    + "{all: [" * 5_000 + "{fact: x}" + "]}" * 5_000 + "\n"),
         "imbrication trop profonde", 3, isolated=True),
    Case("binary", written("rules/rules.yaml", b"\x00\x01rules"), "ce n'est pas un fichier texte"),
    Case("utf-16-bom", written("rules/rules.yaml", UTF16), "encodé en UTF-16"),
    Case("ten-megabytes", ten_megabytes("rules/rules.yaml"), "fichier trop volumineux", isolated=True),
]

CATALOG = [  # a file laid over a copy of the shipped catalogue
    Case("python-tag-taxonomy", fixture("catalog", "python_tag_taxonomy/taxonomy.yaml"),
         "étiquette YAML « !!python/object/apply:os.system » refusée", 2),
    Case("corrupt-solution", fixture("catalog", "corrupt_solution/solutions/extra.yaml"), "« 42 » trouvé", 3),
    Case("impossible-date", fixture("catalog", "impossible_date/solutions/extra.yaml"),
         "date « 2026-13-45 » impossible", 14),
    Case("duplicate-key", fixture("catalog", "solution_duplicate_key/solutions/extra.yaml"),
         "la clé « name » apparaît deux fois", 4),
    Case("huge-integer", fixture("catalog", "solution_huge_price/solutions/extra.yaml"), "trop grand", 10),
    Case("latin-1-routes", fixture("catalog", "latin1_routes/funding_routes.yaml"), "n'est pas encodé en UTF-8"),
    Case("questions-not-a-mapping", fixture("catalog", "questions_not_mapping/questions.yaml"), "mapping attendu", 1),
    Case("billion-laughs", fixture("catalog", "solution_billion_laughs/solutions/extra.yaml"), "les alias YAML", 1,
         isolated=True),
    Case("utf-16-taxonomy", written("taxonomy.yaml", UTF16), "encodé en UTF-16"),
    Case("ten-megabytes", ten_megabytes("solutions/extra.yaml"), "fichier trop volumineux", isolated=True),
]

SCENARIOS = [
    Case("python-tag", fixture("scenarios", "python_tag.yaml"), "étiquette YAML « !!python/object/apply:os.system »",
         2),
    Case("wrong-profile-type", fixture("scenarios", "wrong_profile_type.yaml"),
         "« beaucoup » n'est pas un nombre entier", 3),
    Case("unknown-expect-key", fixture("scenarios", "unknown_expect_key.yaml"), "Vouliez-vous dire « include » ?", 5),
    Case("empty", fixture("scenarios", "empty.yaml"), "mapping attendu"),
    Case("billion-laughs", fixture("scenarios", "billion_laughs.yaml"), "les alias YAML", 1, isolated=True),
    Case("scenarios-not-a-list", fixture("scenarios", "scenarios_not_a_list.yaml"), "liste attendu", 1),
    Case("duplicate-key", fixture("scenarios", "duplicate_key.yaml"), "la clé « profile » apparaît deux fois", 3),
    Case("deep", written("scenario.yaml", f"name: profond\nprofile: {{needs: {DEEP_FLOW}}}\n"),
         "imbrication trop profonde", 2, isolated=True),
    Case("binary", written("scenario.yaml", bytes(range(256))), "ce n'est pas un fichier texte"),
    Case("utf-16-bom", written("scenario.yaml", UTF16), "encodé en UTF-16"),
]


def _run(args: list[str], case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    monkeypatch.chdir(tmp_path)  # a !!python tag that ran would create SENTINEL here
    outcome = run_isolated(args, tmp_path) if case.isolated else run_in_process(args)
    assert not (tmp_path / SENTINEL).exists(), "a YAML tag was executed"
    return outcome


def test_the_corpus_has_at_least_thirty_cases() -> None:
    assert len(PROFILES) + len(RULES) + len(CATALOG) + len(SCENARIOS) >= 30


@pytest.mark.parametrize("case", PROFILES, ids=lambda c: c.id)
def test_hostile_profile(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`recommend` refuses a bad profile with exit 2 and one located French message."""
    path = case.make(tmp_path)
    outcome = _run(["recommend", str(path), "--as-of", AS_OF], case, tmp_path, monkeypatch)
    assert outcome.output.startswith("Erreur : ")
    assert_clear(outcome, 2, str(path), case.fragment, case.line)


@pytest.mark.parametrize("case", RULES, ids=lambda c: c.id)
def test_hostile_rule_file(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check --rules DIR` reports a bad rule file with file:line and exits 1."""
    path = case.make(tmp_path)
    outcome = _run(["check", "--rules", str(path.parent)], case, tmp_path, monkeypatch)
    assert_clear(outcome, 1, str(path), case.fragment, case.line)


@pytest.mark.parametrize("case", CATALOG, ids=lambda c: c.id)
def test_hostile_catalogue_file(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check --catalog DIR` reports a bad catalogue file with file:line and exits 1."""
    catalog = tmp_path / "catalog"
    shutil.copytree(shipped_dir("catalog"), catalog)
    source = case.make(tmp_path / "generated")
    relative = source.relative_to(source.parents[1] if source.parent.name == "solutions" else source.parent)
    target = catalog / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    outcome = _run(["check", "--catalog", str(catalog)], case, tmp_path, monkeypatch)
    assert_clear(outcome, 1, str(target), case.fragment, case.line)


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda c: c.id)
def test_hostile_scenario_file(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`test FILE` refuses an invalid scenario file with exit 2 and a located message."""
    path = case.make(tmp_path)
    outcome = _run(["test", str(path)], case, tmp_path, monkeypatch)
    assert outcome.output.startswith("Erreur : ")
    assert_clear(outcome, 2, str(path), case.fragment, case.line)


# ------------------------------------------------------------------ misbehaving cases (reported to the lead)

def _tools_rule(values: list[str]) -> str:
    return ("rules:\n  - id: many-tools\n    title: \"Beaucoup d'outils\"\n    source: \"Guide\"\n"
            f"    when: {{field: current_tools, contains_any: [{', '.join(values)}]}}\n"
            "    then:\n      recommend:\n        - {item: digital_diagnostic, weight: 1, because: \"B\"}\n")


def test_a_rule_with_a_thousand_distinct_tests_is_refused_not_hung(tmp_path: Path) -> None:
    """A `contains_any` over 1,000 tool names: a located error, never a hung process."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "rules.yaml").write_text(_tools_rule([f"outil{i}" for i in range(1000)]), encoding="utf-8")
    (tmp_path / "profil.yaml").write_text("current_tools: [outil5]\n", encoding="utf-8")
    outcome = run_isolated(["recommend", "profil.yaml", "--rules", str(rules), "--as-of", AS_OF], tmp_path,
                           timeout=10)
    assert_clear(outcome, 2, str(rules / "rules.yaml"), "compare à 1000 valeurs (au plus 50)", 5)


def test_a_rule_repeating_one_value_200_times_names_its_file(tmp_path: Path) -> None:
    """`contains_any` with one tool name repeated 200 times: `check` flags it, `recommend` names the file."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "rules.yaml").write_text(_tools_rule(["tableur"] * 200), encoding="utf-8")
    (tmp_path / "profil.yaml").write_text("current_tools: [tableur]\n", encoding="utf-8")
    checked = run_isolated(["check", "--rules", str(rules)], tmp_path)
    recommended = run_isolated(["recommend", "profil.yaml", "--rules", str(rules), "--as-of", AS_OF], tmp_path)
    assert_clear(recommended, 2, str(rules / "rules.yaml"), "compare à 200 valeurs (au plus 50)", 5)
    assert checked.code == 1


def test_a_huge_invalid_value_is_shortened_in_the_message(tmp_path: Path) -> None:
    path = written("profil.yaml", "sector: " + "x" * 100_000 + "\n")(tmp_path)
    outcome = run_in_process(["recommend", str(path)])
    assert_clear(outcome, 2, str(path), "champ « sector »", 1)
    assert len(outcome.output) < 2_000


def test_thousands_of_unknown_fields_give_a_bounded_message(tmp_path: Path) -> None:
    path = written("profil.yaml", "".join(f"champ{i}: {i}\n" for i in range(5_000)))(tmp_path)
    outcome = run_in_process(["recommend", str(path)])
    assert_clear(outcome, 2, str(path), "champ « champ0 » inconnu", 1)
    assert outcome.output.count("\n") <= 60
