"""toolpicker: explained digital-tool recommendations for French social-economy structures.

>>> import toolpicker
>>> rec = toolpicker.recommend({"legal_form": "association", "employees": 3})
>>> data = rec.model_dump(mode="json")   # what `toolpicker recommend --format json` prints
"""

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
from .kb import KnowledgeBase, load_knowledge_base
from .profile import Profile, parse_profile
from .recommend import recommend
from .result import Recommendation

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
    "load_knowledge_base",
    "parse_profile",
    "recommend",
]
