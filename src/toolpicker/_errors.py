"""The exceptions toolpicker raises.

Every error the library raises derives from :class:`ToolpickerError`. Errors
about data files carry the file and the line; errors about a profile carry one
:class:`Problem` per field. The messages are already translated (French by
default): the CLI prints ``str(error)`` and exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input, located as precisely as we can."""

    message: str
    path: str | None = None
    line: int | None = None
    field: str | None = None
    value: object = None
    suggestion: str | None = None
    code: str = "invalid"
    severity: str = "error"
    rule: str | None = None

    def location(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}"
        return self.path or ""

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.suggestion:
            text += f" {self.suggestion}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "rule": self.rule,
            "message": self.message,
            "suggestion": self.suggestion,
        }


class ToolpickerError(Exception):
    """Root of every error toolpicker raises on purpose."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        if not self.problems or (len(self.problems) == 1 and self.problems[0].message == self.message):
            return self.message
        lines = [self.message] if self.message else []
        lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)


class InputError(ToolpickerError):
    """A file given by the user cannot be read or parsed (YAML, size, encoding)."""


class ProfileError(InputError):
    """A structure profile does not follow the contract (one problem per field)."""


class KnowledgeBaseError(InputError):
    """A rule or catalogue file is invalid (each problem has file and line)."""


class ScenarioError(InputError):
    """A scenario file is invalid."""


class EngineError(ToolpickerError):
    """The rules engine failed while evaluating a profile (e.g. an action raised)."""
