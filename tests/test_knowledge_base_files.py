"""Rule and catalogue files written by people: every mistake named with file, line and a fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolpicker import KnowledgeBaseError, load_knowledge_base
from toolpicker.knowledge.base import shipped_dir

from .conftest import FIXTURES

BAD_RULES = FIXTURES / "bad_rules"
BAD_CATALOG = FIXTURES / "bad_catalog"

# (fixture, line, pieces of the message)
RULE_CASES = [
    ("unknown_field.yaml", 7, ["champ de profil « employes » inconnu.", "Vouliez-vous dire « employees » ?"]),
    ("unknown_operator.yaml", 5, ["opérateur « greater » inconnu", "Vouliez-vous dire « gte » ?"]),
    ("bad_enum_value.yaml", 8, ["valeur « culure » impossible pour « sector »", "Vouliez-vous dire « culture » ?"]),
    ("bad_operand.yaml", 5, ["l'opérateur « lt » ne s'applique pas au champ « sector » (enum)."]),
    ("list_operator_on_scalar.yaml", 5, ["l'opérateur « equals » ne s'applique pas au champ « needs » (list_enum)."]),
    ("unknown_item.yaml", 8, ["élément « crmm » inconnu", "Vouliez-vous dire « crm » ?"]),
    ("unknown_fact.yaml", 13, ["fait dérivé « smal_structure » jamais produit", "Vouliez-vous dire « small_structure » ?"]),
    ("missing_key.yaml", 2, ["clé « source » obligatoire manquante dans la règle r-one."]),
    ("unknown_key.yaml", 4, ["clé « sourc » inconnue dans la règle r-one.", "Vouliez-vous dire « source » ?"]),
    ("duplicate_rule_id.yaml", 8, ["identifiant « r-one » déjà défini", "duplicate_rule_id.yaml:2)"]),
    ("bad_id.yaml", 2, ["identifiant « Règle Une » invalide"]),
    ("empty_then.yaml", 5, ["la règle n'a aucun effet"]),
    ("fact_in_negation.yaml", 11, ["un fait dérivé ne peut être utilisé que dans « all »"]),
    ("empty_condition.yaml", 6, ["condition vide : une liste « all » doit contenir au moins une condition."]),
    ("two_operators.yaml", 5, ["un champ et un seul opérateur ; trouvé : gte, lte."]),
    ("bad_text.yaml", 3, ["« title » dans la règle r-one : texte attendu"]),
    ("bad_weight.yaml", 7, ["« weight » dans recommend : nombre attendu, « beaucoup » trouvé."]),
    ("missing_because.yaml", 7, ["clé « because » obligatoire manquante"]),
    ("duplicate_key.yaml", 4, ["la clé « title » apparaît deux fois (déjà ligne 3)"]),
    ("no_rules_key.yaml", 1, ["clé « regles » inconnue", "Vouliez-vous dire « rules » ?"]),
    ("python_tag.yaml", 3, ["étiquette YAML « !!python/object/apply:os.system » refusée"]),
    ("repeated_value.yaml", 5, ["« in » répète la valeur « culture » : gardez-en une seule."]),
    ("id_with_newline.yaml", 2, ["identifiant « evil-rule\\x0a » invalide"]),
    ("negative_weight.yaml", 7, ["« weight » vaut -3 : un poids est positif ou nul", "utilisez « discourage »"]),
    ("fact_cycle.yaml", 2, ["faits dérivés en boucle : r-one → r-two → r-one"]),
    ("too_many_alternatives.yaml", 2, ["la condition se développe en 280 alternatives (au plus 256)"]),
]

CATALOG_CASES = [
    ("unknown_category", "solutions/extra.yaml", 2, ["catégorie « file_storag » inconnue.",
                                                     "Vouliez-vous dire « file_storage » ?"]),
    ("bad_delivery", "solutions/extra.yaml", 6, ["valeur « on_premis » impossible pour « delivery »",
                                                 "Vouliez-vous dire « on_premise » ?"]),
    ("bad_date", "solutions/extra.yaml", 10, ["« last_verified » dans la solution extra-tool : date AAAA-MM-JJ attendue"]),
    ("duplicate_solution", "solutions/extra.yaml", 2, ["identifiant « etherpad » déjà défini"]),
    ("unknown_discount", "solutions/extra.yaml", 2, ["voie de financement « software_discount » inconnue.",
                                                     "Vouliez-vous dire « software_discounts » ?"]),
    ("unknown_successor", "solutions/extra.yaml", 2, ["solution « nextclod » inconnue."]),
    ("misspelled_key", "solutions/extra.yaml", 6, ["clé « licenc » inconnue", "Vouliez-vous dire « licence » ?"]),
    ("missing_source", "solutions/extra.yaml", 2, ["clé « source » obligatoire manquante dans la solution extra-tool."]),
    ("route_dates", "funding_routes.yaml", 7, ["valid_until (2023-12-31) précède valid_from (2024-01-01)."]),
    ("bad_aid_type", "funding_routes.yaml", 4, ["valeur « credit » impossible pour « aid_type »"]),
    ("javascript_url", "solutions/extra.yaml", 9, ["adresse « javascript:alert(document.domain) » refusée",
                                                   "seules les adresses http:// ou https://"]),
    ("saas_without_jurisdiction", "solutions/extra.yaml", 6, ["la solution extra-tool est proposée en ligne (saas) : "
                                                              "précisez « jurisdiction »"]),
    ("on_premise_without_kind", "solutions/extra.yaml", 6, ["précisez « on_premise: desktop »"]),
    ("bad_jurisdiction", "solutions/extra.yaml", 7, ["« jurisdiction » vaut « France » : code pays ISO"]),
]


def test_every_bad_rule_fixture_is_in_the_table() -> None:
    assert sorted(p.name for p in BAD_RULES.glob("*.yaml")) == sorted(c[0] for c in RULE_CASES)


def test_every_bad_catalog_fixture_is_in_the_table() -> None:
    assert sorted(p.name for p in BAD_CATALOG.iterdir()) == sorted(c[0] for c in CATALOG_CASES)


@pytest.mark.parametrize(("name", "line", "pieces"), RULE_CASES)
def test_bad_rule_file(tmp_path: Path, name: str, line: int, pieces: list[str]) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(BAD_RULES / name, folder / name)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(folder, shipped_dir("catalog"))
    located = [p for p in info.value.problems if p.path == str(folder / name) and p.line == line]
    assert located, str(info.value)
    text = " ".join(str(p) for p in located)
    for piece in pieces:
        assert piece in text


@pytest.mark.parametrize(("case", "relative", "line", "pieces"), CATALOG_CASES)
def test_bad_catalog_file(tmp_path: Path, case: str, relative: str, line: int, pieces: list[str]) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(shipped_dir("catalog"), catalog)
    shutil.copytree(BAD_CATALOG / case, catalog, dirs_exist_ok=True)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(shipped_dir("rules"), catalog)
    located = [p for p in info.value.problems if p.path == str(catalog / relative) and p.line == line]
    assert located, str(info.value)
    text = " ".join(str(p) for p in located)
    for piece in pieces:
        assert piece in text


def test_all_problems_of_a_run_are_reported_together(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in ("unknown_field.yaml", "bad_operand.yaml"):
        shutil.copy(BAD_RULES / name, folder / name)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(folder, shipped_dir("catalog"))
    assert {Path(p.path or "").name for p in info.value.problems} >= {"unknown_field.yaml", "bad_operand.yaml"}


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(tmp_path / "nope", shipped_dir("catalog"))
    assert "dossier introuvable." in str(info.value)


def test_shipped_knowledge_base_is_valid_and_complete() -> None:
    from toolpicker.knowledge import contract as _contract

    kb = load_knowledge_base()
    assert set(_contract.SOLUTIONS) <= set(kb.solutions)
    assert set(_contract.FUNDING_ROUTES) <= set(kb.funding_routes)
    recommended = {e.item for r in kb.rules for e in r.recommend}
    for family in (_contract.TOOL_CATEGORIES, _contract.LICENSING_MODELS, _contract.ACCOMPANIMENTS,
                   _contract.FUNDING_ROUTES):
        assert set(family) <= recommended, sorted(set(family) - recommended)
    assert all(r.source.strip() for r in kb.rules)


def test_knowledge_base_version_is_a_content_hash(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(shipped_dir("rules"), rules)
    first = load_knowledge_base(rules, shipped_dir("catalog")).version
    assert load_knowledge_base(rules, shipped_dir("catalog")).version == first
    (rules / "zz-extra.yaml").write_text(
        'rules:\n  - id: zz-extra\n    title: "X"\n    source: "Guide"\n    then:\n      recommend:\n'
        '        - {item: crm, weight: 1, because: "Parce que."}\n', encoding="utf-8")
    assert load_knowledge_base(rules, shipped_dir("catalog")).version != first


def test_cached_knowledge_base_is_identical_and_a_damaged_cache_is_ignored(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLPICKER_CACHE_DIR", str(tmp_path / "cache"))
    first = load_knowledge_base()
    (cache_file,) = (tmp_path / "cache").glob("kb-*.json")
    second = load_knowledge_base()
    for name in ("rules", "taxonomy", "needs", "solutions", "funding_routes", "questions", "version", "warnings"):
        assert getattr(second, name) == getattr(first, name), name
    cache_file.write_text('{"rules": [{"id": 1}]', encoding="utf-8")
    assert load_knowledge_base().rules == first.rules


def test_cache_can_be_disabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLPICKER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TOOLPICKER_NO_CACHE", "1")
    load_knowledge_base()
    assert not (tmp_path / "cache").exists()


def test_a_cached_knowledge_base_is_read_from_the_cache_not_from_yaml(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The second load reads the JSON cache: YAML parsing is not even reachable (and the result is the same)."""
    from toolpicker.knowledge import base

    monkeypatch.setenv("TOOLPICKER_CACHE_DIR", str(tmp_path / "cache"))
    first = load_knowledge_base()

    def no_yaml(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("YAML parsed although the cache holds this knowledge base")

    monkeypatch.setattr(base, "parse_yaml", no_yaml)
    second = load_knowledge_base()
    for name in ("rules", "taxonomy", "needs", "solutions", "funding_routes", "questions", "activities", "plan",
                 "aliases", "jurisdictions", "version", "warnings"):
        assert getattr(second, name) == getattr(first, name), name
    monkeypatch.setenv("TOOLPICKER_NO_CACHE", "1")  # without the cache, YAML is parsed again
    with pytest.raises(AssertionError, match="YAML parsed"):
        load_knowledge_base()
