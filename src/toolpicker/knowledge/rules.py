"""The rule language: YAML files under ``rules/``, one file per theme.

A rule file holds ``rules:``, a list of rules::

    - id: small-structure-diagnostic          # lowercase, hyphens
      title: "Petite structure : un diagnostic avant les outils"
      source: "Classification des types d'accompagnement — Petites structures"
      priority: 0                              # optional; wins conflicts when higher
      when:                                    # optional; absent = always
        all:
          - {field: employees, gte: 1}
          - {field: employees, lte: 2}
          - any:
              - {field: maturity, in: [beginner, progressing]}
              - not: {field: strategy, equals: formalized}
          - {fact: small_structure}            # derived by another rule
      then:
        recommend:
          - {item: digital_diagnostic, weight: 3, because: "…"}
        discourage:
          - {item: erp, weight: 2, because: "…"}
        exclude:
          - {item: on_premise, because: "…"}
        warn:
          - {id: saas_recurring_costs, message: "…"}
          - {id: on_premise_data_loss, message: "…", about: on_premise}   # shown only if on_premise is recommended
        derive: [small_structure]

Texts (``title``, ``because``, ``message``) are French strings or
``{fr: …, en: …}``. Operators: ``equals not_equals in not_in lt lte gt gte``
on scalar fields; ``contains not_contains contains_any contains_none`` on list
fields; ``known: true|false`` on any field. A condition on an unknown field is
*unknown*, never false: a rule fires only when its condition is certainly true.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, field_validator

from .operators import MULTI_OPS, OPERATORS, applies
from .profile import QUESTION_FIELDS, allowed_values, field_kind, suggest
from .reader import SNAKE_ID, Reader, Text, line_of
from .safe_yaml import LineDict

# durable-rules loops forever on ~512 distinct tests under one node and fails (error 107) beyond 128
# identical ones: the loader keeps rules well inside those limits, with a located message.
MAX_VALUES = 50
MAX_TESTS = 100


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Atom(_Frozen):
    """A test on one profile field."""

    kind: Literal["atom"] = "atom"
    field: str
    op: str
    value: Any
    line: int | None = None

    @field_validator("value")
    @classmethod
    def _lists_as_tuples(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    def negated(self) -> Atom:
        value = (not self.value) if self.op == "known" else self.value
        return Atom(field=self.field, op=OPERATORS[self.op].negation, value=value, line=self.line)


class FactRef(_Frozen):
    """True when another rule derived this fact."""

    kind: Literal["fact"] = "fact"
    name: str
    line: int | None = None


class All(_Frozen):
    kind: Literal["all"] = "all"
    items: tuple[Condition, ...]
    line: int | None = None


class AnyOf(_Frozen):
    kind: Literal["any"] = "any"
    items: tuple[Condition, ...]
    line: int | None = None


class Not(_Frozen):
    kind: Literal["not"] = "not"
    item: Condition
    line: int | None = None


Condition = Union[Atom, FactRef, All, AnyOf, Not]  # noqa: UP007 - pydantic forward refs


class Effect(_Frozen):
    """One item a rule recommends, discourages or excludes."""

    item: str
    weight: float = 1.0
    because: Text
    line: int | None = None


class RuleWarning(_Frozen):
    id: str
    message: Text
    about: str | None = None
    """An item the warning is about: the warning is shown only when that item is recommended."""
    urgent: bool = False
    """To do before anything else (a data breach to notify): the report puts it first."""
    general: bool = False
    """A caution true of most structures (« libre ne veut pas dire gratuit »): listed after those tied to this
    structure's own situation."""
    legal: bool = False
    """States a legal obligation (HDS hosting, a GDPR art. 28 contract, e-invoicing): listed right after urgent
    matters, never cut before a caution."""
    line: int | None = None


class Rule(_Frozen):
    id: str
    title: Text
    description: Text | None = None
    source: str
    priority: int = 0
    when: Condition | None = None
    recommend: tuple[Effect, ...] = ()
    discourage: tuple[Effect, ...] = ()
    exclude: tuple[Effect, ...] = ()
    warn: tuple[RuleWarning, ...] = ()
    derive: tuple[str, ...] = ()
    path: str
    line: int

    def items(self) -> set[str]:
        return {e.item for e in (*self.recommend, *self.discourage, *self.exclude)}

    def warned_about(self) -> set[str]:
        return {w.about for w in self.warn if w.about is not None}


for _model in (All, AnyOf, Not):
    _model.model_rebuild()


def normalise_token(value: object) -> str:
    """How list values are compared: lowercase, accents dropped (« clés » = « cles »), runs of other characters
    as ``_``."""
    text = unicodedata.normalize("NFKD", str(value).strip().lower().replace("œ", "oe").replace("æ", "ae"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    out = []
    for ch in text:
        out.append(ch if ch.isascii() and ch.isalnum() else "_")
    return "_".join(part for part in "".join(out).split("_") if part)


def to_nnf(cond: Condition, negate: bool = False) -> Condition:
    """Push every ``not`` down to the atoms (De Morgan), keeping three-valued meaning."""
    if isinstance(cond, Atom):
        return cond.negated() if negate else cond
    if isinstance(cond, FactRef):
        return cond
    if isinstance(cond, Not):
        return to_nnf(cond.item, not negate)
    items = tuple(to_nnf(c, negate) for c in cond.items)
    flip = negate
    if isinstance(cond, All):
        return AnyOf(items=items, line=cond.line) if flip else All(items=items, line=cond.line)
    return All(items=items, line=cond.line) if flip else AnyOf(items=items, line=cond.line)


def atoms(cond: Condition | None) -> list[Atom]:
    """Every atom of a condition, in reading order."""
    if cond is None or isinstance(cond, FactRef):
        return []
    if isinstance(cond, Atom):
        return [cond]
    if isinstance(cond, Not):
        return atoms(cond.item)
    return [a for c in cond.items for a in atoms(c)]


def facts_used(cond: Condition | None) -> list[FactRef]:
    if cond is None or isinstance(cond, Atom):
        return []
    if isinstance(cond, FactRef):
        return [cond]
    if isinstance(cond, Not):
        return facts_used(cond.item)
    return [f for c in cond.items for f in facts_used(c)]


# --------------------------------------------------------------------- parsing

_RULE_KEYS = ("id", "title", "source", "then")
_RULE_OPTIONAL = ("description", "priority", "when")
_THEN_KEYS = ("recommend", "discourage", "exclude", "warn", "derive")


def parse_rule_file(data: Any, reader: Reader) -> list[Rule]:
    """Rules of one file; problems go to ``reader``."""
    if data is None:
        reader.problem(data, None, "top_level", key="rules")
        return []
    top = reader.mapping(data, "le fichier de règles", ["rules"], [])
    if top is None:
        return []
    raw_rules = reader.sequence(top, "rules", "le fichier de règles")
    rules = []
    for index, raw in enumerate(raw_rules):
        rule = _parse_rule(raw, reader, line_of(top.get("rules"), index))
        if rule is not None:
            rules.append(rule)
    return rules


def _parse_rule(raw: Any, reader: Reader, line: int | None) -> Rule | None:
    rid_hint = raw.get("id") if isinstance(raw, Mapping) else None
    rid_hint = rid_hint if isinstance(rid_hint, str) else None
    node = reader.mapping(raw, f"la règle {rid_hint or ''}".strip(), _RULE_KEYS, _RULE_OPTIONAL, rule=rid_hint)
    if node is None:
        return None
    before = reader.errors
    rid = reader.identifier(node, "id", kebab=True, rule=rid_hint)
    where = f"la règle {rid or '?'}"
    title = reader.text(node, "title", where, rule=rid)
    description = reader.text(node, "description", where, rule=rid, required=False)
    source = reader.string(node, "source", where, rule=rid)
    priority = reader.number(node, "priority", where, rule=rid, default=0)
    when = _parse_condition(node["when"], reader, rid, node, "when") if node.get("when") is not None else None
    tests = sum(len(a.value) if isinstance(a.value, tuple) else 1 for a in atoms(when))
    if tests > MAX_TESTS:
        reader.problem(node, "when", "too_many_tests", rule=rid, count=tests, limit=MAX_TESTS)
    then = reader.mapping(node.get("then"), f"« then » de {where}", [], _THEN_KEYS, rule=rid) \
        if "then" in node else None
    effects: dict[str, list[Any]] = {k: [] for k in _THEN_KEYS}
    if then is not None:
        for key in ("recommend", "discourage", "exclude"):
            for i, raw_effect in enumerate(reader.sequence(then, key, where, rule=rid)):
                effect = _parse_effect(raw_effect, reader, rid, key, line_of(then.get(key), i))
                if effect is not None:
                    effects[key].append(effect)
        for i, raw_warn in enumerate(reader.sequence(then, "warn", where, rule=rid)):
            w = reader.mapping(raw_warn, f"un avertissement de {where}", ["id", "message"],
                               ["about", "urgent", "general", "legal"],
                               rule=rid)
            if w is not None:
                wid = reader.identifier(w, "id", kebab=False, rule=rid)
                message = reader.text(w, "message", where, rule=rid)
                about = w.get("about")
                if about is not None and not isinstance(about, str):
                    reader.problem(w, "about", "bad_id", rule=rid, value=str(about), sep="_")
                    about = None
                if wid and message:
                    effects["warn"].append(RuleWarning(id=wid, message=message, about=about,
                                                       urgent=reader.boolean(w, "urgent", where),
                                                       general=reader.boolean(w, "general", where),
                                                       legal=reader.boolean(w, "legal", where),
                                                       line=line_of(then.get("warn"), i)))
        for i, fact in enumerate(reader.sequence(then, "derive", where, rule=rid)):
            if isinstance(fact, str) and reader_valid_snake(fact):
                effects["derive"].append(fact)
            else:
                reader.problem(then.get("derive"), i, "bad_id", rule=rid, value=str(fact), sep="_")
        if not any(effects.values()) and reader.errors == before:
            reader.problem(node, "then", "empty_then", rule=rid)
    if reader.errors != before or not (rid and title and source):
        return None
    return Rule(
        id=rid, title=title, description=description, source=source, priority=int(priority or 0), when=when,
        recommend=tuple(effects["recommend"]), discourage=tuple(effects["discourage"]),
        exclude=tuple(effects["exclude"]), warn=tuple(effects["warn"]), derive=tuple(effects["derive"]),
        path=reader.path, line=line or node.line,
    )


def reader_valid_snake(value: str) -> bool:
    return bool(SNAKE_ID.match(value))


def _parse_effect(raw: Any, reader: Reader, rid: str | None, key: str, line: int | None) -> Effect | None:
    optional = ("because",) if key == "exclude" else ("weight", "because")
    node = reader.mapping(raw, f"« {key} » de la règle {rid}", ["item"], optional, rule=rid)
    if node is None:
        return None
    item = node.get("item")
    if not isinstance(item, str) or not item:
        reader.problem(node, "item", "bad_type", rule=rid, key="item", where=key, expected="identifiant",
                       value=str(item))
        return None
    weight = reader.number(node, "weight", key, rule=rid, default=1.0)
    if weight is not None and weight < 0:
        reader.problem(node, "weight", "negative_weight", rule=rid, value=weight)
        return None
    because = reader.text(node, "because", f"« {key} » de la règle {rid}", rule=rid, required=False)
    if because is None:
        reader.problem(node, None, "missing_key", rule=rid, key="because", where=f"« {key} » de la règle {rid}")
        return None
    return Effect(item=item, weight=float(weight or 0.0), because=because, line=line or node.line)


def _parse_condition(raw: Any, reader: Reader, rid: str | None, parent: Any, key: str | int,
                     under_negation: bool = False) -> Condition | None:
    line = line_of(parent, key)
    if not isinstance(raw, Mapping) or not raw:
        reader.problem(parent, key, "bad_type", rule=rid, key=str(key), where=f"la règle {rid}",
                       expected="condition", value=str(raw))
        return None
    if "all" in raw or "any" in raw:
        group = "all" if "all" in raw else "any"
        node = reader.mapping(raw, f"une condition de la règle {rid}", [group], [], rule=rid)
        members = raw.get(group)
        if not isinstance(members, list) or not members:
            reader.problem(raw, group, "empty_condition", rule=rid, key=group)
            return None
        negated = under_negation or group == "any"
        items = [_parse_condition(m, reader, rid, members, i, negated) for i, m in enumerate(members)]
        if node is None or any(i is None for i in items):
            return None
        cls = All if group == "all" else AnyOf
        return cls(items=tuple(i for i in items if i is not None), line=line)
    if "not" in raw:
        if reader.mapping(raw, f"une condition de la règle {rid}", ["not"], [], rule=rid) is None:
            return None
        inner = _parse_condition(raw["not"], reader, rid, raw, "not", True)
        return Not(item=inner, line=line) if inner is not None else None
    if "fact" in raw:
        if reader.mapping(raw, f"une condition de la règle {rid}", ["fact"], [], rule=rid) is None:
            return None
        name = raw["fact"]
        if not isinstance(name, str) or not reader_valid_snake(name):
            reader.problem(raw, "fact", "bad_id", rule=rid, value=str(name), sep="_")
            return None
        if under_negation:
            reader.problem(raw, "fact", "fact_in_negation", rule=rid)
            return None
        return FactRef(name=name, line=line)
    return _parse_atom(raw, reader, rid, line)


def _parse_atom(raw: Mapping[str, Any], reader: Reader, rid: str | None, line: int | None) -> Atom | None:
    field = raw.get("field")
    ops = [k for k in raw if k != "field"]
    if field is None:
        unknown = [k for k in raw if k not in OPERATORS]
        guess = suggest(unknown[0], ["field", "all", "any", "not", "fact"]) if unknown else None
        reader.problem(raw, None, "missing_key", guess, rule=rid, key="field", where=f"une condition de la règle {rid}")
        return None
    if field not in QUESTION_FIELDS:
        reader.problem(raw, "field", "unknown_field", suggest(str(field), QUESTION_FIELDS), rule=rid, value=str(field))
        return None
    bad_ops = [op for op in ops if op not in OPERATORS]
    for op in bad_ops:
        reader.problem(raw, op, "unknown_operator", suggest(op, list(OPERATORS)), rule=rid, value=op,
                       allowed=", ".join(OPERATORS))
    if bad_ops:
        return None
    if len(ops) != 1:
        reader.problem(raw, None, "one_operator", rule=rid, found=", ".join(ops) or "aucun")
        return None
    op = ops[0]
    value = raw[op]
    kind = field_kind(field)
    if op == "known":
        if not isinstance(value, bool):
            reader.problem(raw, op, "bad_value", rule=rid, value=str(value), field=field, allowed="true, false")
            return None
        return Atom(field=field, op=op, value=value, line=line)
    if not applies(op, kind):
        reader.problem(raw, op, "bad_operand", rule=rid, op=op, field=field, kind=kind)
        return None
    values = value if op in MULTI_OPS else [value]
    if not isinstance(values, list) or not values:
        reader.problem(raw, op, "bad_type", rule=rid, key=op, where=f"la règle {rid}", expected="liste",
                       value=str(value))
        return None
    if len(values) > MAX_VALUES:
        reader.problem(raw, op, "too_many_values", rule=rid, op=op, count=len(values), limit=MAX_VALUES)
        return None
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        reader.problem(raw, op, "repeated_value", rule=rid, op=op, value=", ".join(repeated[:5]))
        return None
    clean = []
    for v in values:
        checked = _check_value(field, kind, v, raw, op, reader, rid)
        if checked is _INVALID:
            return None
        clean.append(checked)
    final: Any = tuple(clean) if op in MULTI_OPS else clean[0]
    return Atom(field=field, op=op, value=final, line=line)


_INVALID = object()


def _check_value(field: str, kind: str, value: Any, raw: LineDict | Mapping[str, Any], op: str, reader: Reader,
                 rid: str | None) -> Any:
    allowed = allowed_values(field)
    ok = {
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "enum": value in allowed,
        "list_enum": value in allowed,
        "list_str": isinstance(value, str) and bool(normalise_token(value)),
        "str": isinstance(value, str),
    }[kind]
    if not ok:
        shown = ", ".join(allowed) if allowed else {"bool": "true, false", "int": "un entier"}.get(kind, kind)
        reader.problem(raw, op, "bad_value", suggest(str(value), allowed) if allowed else None, rule=rid,
                       value=str(value), field=field, allowed=shown)
        return _INVALID
    return normalise_token(value) if kind == "list_str" else value
