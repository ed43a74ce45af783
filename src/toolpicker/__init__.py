"""toolpicker: explained digital-tool recommendations for French social-economy structures.

>>> import toolpicker
>>> rec = toolpicker.recommend({"legal_form": "association", "employees": 3})
>>> data = rec.model_dump(mode="json")   # what `toolpicker recommend --format json` prints

This module is the public API; the packages under it (``knowledge``,
``engine``, ``recommendation``, ``audit``, ``interfaces``) are internal.
``explain``, ``near_misses``, ``render``, ``profile_schema`` and ``create_app``
are imported on first use, so ``import toolpicker`` stays fast (and never loads
FastAPI unless the server is asked for).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import (
    EngineError,
    InputError,
    KnowledgeBaseError,
    Problem,
    ProfileError,
    ScenarioError,
    ToolpickerError,
)
from ._version import __version__
from .knowledge.base import KnowledgeBase, load_knowledge_base
from .knowledge.profile import Profile, parse_profile
from .recommendation.recommend import recommend
from .recommendation.result import Recommendation

if TYPE_CHECKING:
    from .audit.explain import explain, near_misses
    from .dossiers import open_dossiers
    from .interfaces.render import render
    from .interfaces.server import create_app
    from .knowledge.questions import profile_schema

_LAZY = {
    "explain": ("toolpicker.audit.explain", "explain"),
    "near_misses": ("toolpicker.audit.explain", "near_misses"),
    "render": ("toolpicker.interfaces.render", "render"),
    "create_app": ("toolpicker.interfaces.server", "create_app"),
    "profile_schema": ("toolpicker.knowledge.questions", "profile_schema"),
    "open_dossiers": ("toolpicker.dossiers", "open_dossiers"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'toolpicker' has no attribute {name!r}")


__all__ = [
    "EngineError",
    "InputError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Problem",
    "Profile",
    "ProfileError",
    "Recommendation",
    "ScenarioError",
    "ToolpickerError",
    "__version__",
    "create_app",
    "explain",
    "load_knowledge_base",
    "near_misses",
    "open_dossiers",
    "parse_profile",
    "profile_schema",
    "recommend",
    "render",
]
