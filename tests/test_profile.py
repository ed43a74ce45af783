"""The profile model: strict types, unknown stays unknown, French errors that name field, value and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolpicker import Profile, ProfileError, parse_profile
from toolpicker.knowledge.profile import load_profile

from .conftest import FIXTURES

BAD = FIXTURES / "bad_profiles"

# One fixture per validation error: (file, line, pieces the message must contain)
CASES = [
    ("unknown_field.yaml", 2, ["champ « employes » inconnu.", "Vouliez-vous dire « employees » ?"]),
    ("bad_enum.yaml", 2, ["« legal_form »", "« associaton »", "valeurs possibles : association, cooperative",
                          "Vouliez-vous dire « association » ?"]),
    ("negative_employees.yaml", 1, ["champ « employees » : -1 hors limites ; la valeur doit être ≥ 0."]),
    ("zero_sites.yaml", 1, ["champ « sites » : 0 hors limites ; la valeur doit être ≥ 1."]),
    ("not_int.yaml", 2, ["champ « employees » : « trois » n'est pas un nombre entier."]),
    ("not_bool.yaml", 1, ["champ « siae » : « oui » n'est pas un booléen ; écrivez true ou false."]),
    ("not_list.yaml", 1, ["champ « needs » : « website » n'est pas une liste"]),
    ("bad_list_item.yaml", 3, ["needs (élément 2)", "« websit »", "Vouliez-vous dire « website » ?"]),
    ("bad_maturity.yaml", 1, ["« maturity »", "valeurs possibles : beginner, progressing, experienced"]),
    ("not_mapping.yaml", 1, ["le profil doit être un ensemble « champ: valeur »"]),
    ("duplicate_key.yaml", 3, ["la clé « employees » apparaît deux fois (déjà ligne 1)"]),
    ("python_tag.yaml", 1, ["étiquette YAML « !!python/object/apply:os.system » refusée", "rien n'est exécuté"]),
    ("alias.yaml", 1, ["les alias YAML (*nom) ne sont pas acceptés"]),
    ("syntax_error.yaml", 2, ["YAML invalide"]),
    ("empty.yaml", None, ["le fichier est vide."]),
    ("latin1.yaml", None, ["n'est pas encodé en UTF-8", "enregistrez-le en UTF-8"]),
]


def test_every_bad_profile_fixture_is_in_the_table() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(c[0] for c in CASES)


@pytest.mark.parametrize(("name", "line", "pieces"), CASES)
def test_bad_profile_is_reported_with_line_and_fix(name: str, line: int | None, pieces: list[str]) -> None:
    path = BAD / name
    with pytest.raises(ProfileError) as info:
        load_profile(path.read_bytes(), str(path))
    problem = info.value.problems[0]
    assert problem.line == line
    assert problem.path == str(path)
    text = str(info.value)
    for piece in pieces:
        assert piece in text


def test_missing_fields_stay_unknown() -> None:
    profile = parse_profile({"name": "X", "employees": 0})
    assert profile.employees == 0
    assert profile.siae is None
    assert profile.known() == {"employees": 0}


def test_lists_are_sorted_and_deduplicated() -> None:
    profile = parse_profile({"needs": ["website", "collaboration", "website"]})
    assert profile.needs == ["collaboration", "website"]


def test_strict_types_refuse_strings_for_numbers_and_booleans() -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile({"employees": "3", "siae": 1})
    assert sorted(p.field for p in info.value.problems) == ["employees", "siae"]


def test_english_messages_are_available() -> None:
    from toolpicker._i18n import language

    with language("en"), pytest.raises(ProfileError) as info:
        parse_profile({"employes": 3})
    assert "unknown field « employes »." in str(info.value)
    assert "Did you mean « employees »?" in str(info.value)


def test_profile_instance_passes_through() -> None:
    profile = Profile(employees=3)
    assert parse_profile(profile) is profile


def test_json_profile_is_accepted(tmp_path: Path) -> None:
    path = FIXTURES / "profiles" / "small.json"
    profile = load_profile(path.read_bytes(), str(path))
    assert profile.needs == ["collaboration", "website"]
