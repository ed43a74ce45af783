"""The safe YAML loader: nothing executed, bounded work, every refusal located."""

from __future__ import annotations

import pytest

from toolpicker import InputError
from toolpicker.knowledge.safe_yaml import MAX_BYTES, MAX_DEPTH, parse_yaml


def test_line_numbers_are_kept() -> None:
    data = parse_yaml("a: 1\nb:\n  - x\n  - y\n", "f.yaml")
    assert data.line_of("b") == 2
    assert data["b"].line_of(1) == 4


def test_billion_laughs_is_refused_quickly() -> None:
    text = "a: &a [" + ",".join(["x"] * 10) + "]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        text += f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]\n"
    with pytest.raises(InputError) as info:
        parse_yaml(text, "lol.yaml")
    assert "alias" in str(info.value)


def test_deep_nesting_is_refused() -> None:
    text = "[" * 10_000 + "]" * 10_000
    with pytest.raises(InputError) as info:
        parse_yaml(text, "deep.yaml")
    assert f"plus de {MAX_DEPTH} niveaux" in str(info.value) or "YAML invalide" in str(info.value)


def test_too_large_is_refused_before_parsing() -> None:
    with pytest.raises(InputError) as info:
        parse_yaml(b"a: 1\n" * (MAX_BYTES // 4), "big.yaml")
    assert "fichier trop volumineux" in str(info.value)


def test_binary_is_refused() -> None:
    with pytest.raises(InputError) as info:
        parse_yaml(b"\x00\x01\x02", "bin.yaml")
    assert "ce n'est pas un fichier texte" in str(info.value)


def test_boolean_keys_become_text() -> None:
    assert dict(parse_yaml("true: oui\nfalse: non\n", "f.yaml")) == {"true": "oui", "false": "non"}
