"""What the dossier commands return (CONTRACT §7), typed from the moment it is read.

``model_dump(mode="json")`` of each is what ``--format json`` prints. Keys
beyond the contract (``created``, ``recorded``, ``label``, ``before``/``after``
descriptions) are additions, never renamings.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DossierSummary(_Record):
    """One line of ``dossier list``."""

    id: str
    name: str
    diagnoses: int
    updated: str


class Diagnosis(_Record):
    """One diagnosis: the profile as validated then, its date, note, knowledge base and the recommendation."""

    n: int
    date: str
    note: str | None
    profile: dict[str, Any]
    knowledge_base: str
    recommendation: dict[str, Any]
    recorded: str
    """When it was written (UTC, ISO 8601)."""


class Dossier(_Record):
    """A structure followed over time: its diagnoses in order (1, 2, …)."""

    id: str
    name: str
    diagnoses: list[Diagnosis]
    created: str
    updated: str


class Added(_Record):
    """What ``dossier add`` prints: ``{"dossier": ID, "diagnosis": N}``."""

    dossier: str
    diagnosis: int


class ProfileChange(_Record):
    field: str
    before: Any
    after: Any


class ItemChange(_Record):
    family: str
    id: str
    change: Literal["added", "removed", "moved"]
    before_rank: int | None
    after_rank: int | None
    rules: list[str]
    """Rule ids whose firing for this item changed (they fired on one side only)."""
    label: str


class Side(_Record):
    """One side of a comparison: a diagnosis (``n``) or a fresh run (``n`` is None)."""

    n: int | None
    date: str
    knowledge_base: str


class DossierDiff(_Record):
    """What changed between two diagnoses (or between the last one and today's knowledge base)."""

    profile: list[ProfileChange]
    items: list[ItemChange]
    dossier: str
    name: str
    before: Side
    after: Side


class ExportDocument(_Record):
    """The file ``dossier export`` writes and ``dossier import`` restores exactly."""

    format: Literal["toolpicker-dossiers"] = "toolpicker-dossiers"
    format_version: Literal[1] = 1
    toolpicker_version: str
    dossiers: list[Dossier]
