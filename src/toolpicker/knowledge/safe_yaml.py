"""Safe YAML reading that keeps line numbers and refuses what people get wrong.

- only the safe constructors (no ``!!python/...`` tags, nothing executed);
- duplicate keys are an error (YAML would silently keep the last one);
- aliases are refused (no billion-laughs expansion, and data files never need them);
- nesting depth and file size are bounded;
- numbers are bounded: integers fit in 64 bits (durable-rules compares in 64
  bits, and a 5,000-digit literal would stall ``int()``), floats are finite
  (no ``.nan``/``.inf``, no ``1e400``);
- a scalar the safe constructors cannot build (``2020-02-30``, ``!!int abc``)
  is an error located at its line, as are control characters and UTF-16/32 files;
- every mapping is a :class:`LineDict` and every sequence a :class:`LineList`
  that remember the line of each key or item, so errors can point at them.
"""

from __future__ import annotations

import codecs
import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .._errors import InputError, Problem
from .._i18n import t

MAX_BYTES = 2_000_000
MAX_DEPTH = 64
MAX_INT = 2**63 - 1
_MAX_INT_LITERAL = 80  # characters: the longest 64-bit literal (``-0b`` and 64 digits) with some underscores
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?\Z"
                           r"|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?\Z|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))

try:  # the C parser is ~10x faster; fall back to the pure-Python one
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Base = yaml.SafeLoader


class LineDict(dict[str, Any]):
    """A mapping that remembers where it and each of its keys were written."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence that remembers the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class _YamlProblem(Exception):
    def __init__(self, code: str, line: int, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.line = line
        self.values = values


class _Loader(_Base):  # type: ignore[misc]
    """Safe loader; aliases and excessive depth are refused while constructing.

    The C parser composes nodes without calling Python hooks, so both checks
    live in ``construct_object``: an alias shows up as a node seen twice.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._seen: set[int] = set()
        self._depth = 0

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if id(node) in self._seen and isinstance(node, (MappingNode, SequenceNode)):
            raise _YamlProblem("yaml_alias", node.start_mark.line + 1)
        self._seen.add(id(node))
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _YamlProblem("yaml_too_deep", node.start_mark.line + 1, depth=MAX_DEPTH)
            if isinstance(node, ScalarNode):
                return self._scalar(node, deep)
            return super().construct_object(node, deep=deep)
        finally:
            self._depth -= 1

    def _scalar(self, node: ScalarNode, deep: bool) -> Any:
        """A scalar, bounded, or a located problem instead of the constructors' own exceptions."""
        line = node.start_mark.line + 1
        text = str(node.value)
        if node.tag == "tag:yaml.org,2002:int" and len(text) > _MAX_INT_LITERAL:
            raise _YamlProblem("yaml_number_too_large", line, value=_shorten(text), limit=MAX_INT)
        if (not node.style and node.tag in _NUMBER_TAGS and not _PLAIN_NUMBER.match(text)
                and self.resolve(ScalarNode, text, (True, False)) == node.tag):  # implicit, not an explicit !!int
            # YAML 1.1 reads 012 as 10 (octal), 1:30 as 90 (base 60), 0x10 as 16: never guess, say so.
            raise _YamlProblem("yaml_ambiguous_number", line, value=_shorten(text))
        try:
            value = super().construct_object(node, deep=deep)
        except yaml.constructor.ConstructorError:
            raise
        except (ValueError, ArithmeticError, KeyError, TypeError):
            code = "yaml_bad_date" if node.tag == "tag:yaml.org,2002:timestamp" else "yaml_bad_scalar"
            raise _YamlProblem(code, line, value=_shorten(text), tag=node.tag.replace("tag:yaml.org,2002:", "!!"),
                               ) from None
        if isinstance(value, int) and not isinstance(value, bool) and not -MAX_INT <= value <= MAX_INT:
            raise _YamlProblem("yaml_number_too_large", line, value=_shorten(text), limit=MAX_INT)
        if isinstance(value, float) and not math.isfinite(value):
            raise _YamlProblem("yaml_not_finite", line, value=_shorten(text))
        return value

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, bool):
                key = "true" if key else "false"
            elif not isinstance(key, (str, int, float)):
                raise _YamlProblem("yaml_bad_key", key_node.start_mark.line + 1, key=str(key))
            key = str(key)
            if key in result:
                raise _YamlProblem(
                    "yaml_duplicate_key",
                    key_node.start_mark.line + 1,
                    key=key,
                    first=result.key_lines[key],
                )
            result.key_lines[key] = key_node.start_mark.line + 1
            result[key] = self.construct_object(value_node, deep=True)
        return result

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_sequence)


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line_at(text: str, position: int | None) -> int | None:
    if position is None or position < 0:
        return None
    return text.count("\n", 0, position) + 1


def _problem(path: str, code: str, line: int | None, **values: object) -> InputError:
    message = t(f"errors.{code}", **values)
    return InputError(
        t("errors.cannot_read", path=path),
        [Problem(message=message, path=path, line=line, code=code)],
    )


def parse_yaml(text: str | bytes, path: str) -> Any:
    """Parse one YAML document; raise :class:`InputError` naming file and line."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise _problem(path, "file_too_large", None, size=len(text), limit=MAX_BYTES)
        for bom, encoding in _BOMS:
            if text.startswith(bom):
                raise _problem(path, "wrong_encoding", None, encoding=encoding)
        if b"\x00" in text:
            raise _problem(path, "binary_file", None)
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _problem(path, "not_utf8", None, position=exc.start) from None
    if len(text) > MAX_BYTES:
        raise _problem(path, "file_too_large", None, size=len(text), limit=MAX_BYTES)
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except _YamlProblem as exc:
        raise _problem(path, exc.code, exc.line, **exc.values) from None
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag = str(exc.problem).split("'")[1] if "'" in str(exc.problem) else str(exc.problem)
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        raise _problem(path, "yaml_tag", line, tag=tag) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit, far above ours
            raise _problem(path, "yaml_too_deep", line, depth=MAX_DEPTH) from None
        raise _problem(path, "yaml_syntax", line, detail=exc.problem or exc.context or "") from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (control characters…)
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        raise _problem(path, "yaml_bad_character", _line_at(text, exc.position), char=f"U+{code:04X}") from None
    except yaml.YAMLError as exc:
        raise _problem(path, "yaml_syntax", None, detail=str(exc)) from None
    except RecursionError:
        raise _problem(path, "yaml_too_deep", None, depth=MAX_DEPTH) from None
    finally:
        loader.dispose()


def read_yaml(path: Path | str, display: str | None = None) -> Any:
    """Read and parse a YAML file, never reading more than :data:`MAX_BYTES`."""
    from .._files import read_bounded

    return parse_yaml(read_bounded(path, MAX_BYTES, display or str(path)), display or str(path))


def read_input(path: str, limit: int = MAX_BYTES) -> tuple[bytes, str]:
    """The bytes of a file given on the command line (``-`` for standard input) and the name to show.

    A folder, a missing or unreadable file, or one larger than ``limit`` is an
    :class:`InputError` naming it; every read is bounded (see :mod:`toolpicker._files`).
    """
    import sys

    from .._files import read_bounded

    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise _problem("<stdin>", "file_too_large", None, size=len(data), limit=limit)
        if not data.strip():
            raise InputError(t("cli.stdin_empty"))
        return data, "<stdin>"
    return read_bounded(path, limit), path
