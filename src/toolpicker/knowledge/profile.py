"""The structure profile (CONTRACT §1): what an adviser knows about one organisation.

Every field but ``name`` may be left out; a field not given stays unknown
(``None``) and is never silently defaulted. Lists are de-duplicated and sorted,
so the order in which an adviser typed them never changes the result.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .._errors import Problem, ProfileError
from .._i18n import t

LegalForm = Literal["association", "cooperative", "commercial_company", "foundation", "mutual"]
Sector = Literal[
    "social", "health", "culture", "sport", "leisure", "environment",
    "popular_education", "education", "integration", "humanitarian", "other",
]
Sensitivity = Literal["low", "personal", "sensitive"]
RemoteWork = Literal["none", "occasional", "frequent"]
Maturity = Literal["beginner", "progressing", "experienced"]
Strategy = Literal["none", "partial", "formalized"]
Difficulty = Literal["technical", "financial", "human", "strategic", "security_incident", "key_person_leaving",
                     "personal_devices", "too_many_tools", "phishing"]
Need = Literal[
    "communication", "website", "social_media", "newsletter", "collaboration",
    "file_sharing", "instant_messaging", "video_conferencing", "project_management",
    "contact_management", "integrated_management", "hr_management", "accounting",
    "online_membership", "online_fundraising", "volunteer_recruitment", "governance",
    "beneficiary_services", "data_protection", "equipment", "skills", "online_sales", "time_tracking",
]
Activity = Literal[
    "childcare", "home_care", "medico_social", "emergency_housing", "young_workers_housing", "child_protection",
    "social_centre", "youth_centre", "sports_club", "performing_arts", "community_radio", "training_centre",
    "siae_workshop", "siae_intermediary", "siae_temp_agency", "siae_enterprise", "resource_centre",
    "solidarity_grocery", "access_to_rights", "tutoring", "business_cooperative", "third_place",
    "environmental_education", "other",
]
HostingPreference = Literal["no_preference", "keep_control", "delegate"]
Connectivity = Literal["good", "limited"]
ToolName = Annotated[str, Field(min_length=1, max_length=100)]

MAX_PROBLEMS = 50  # a profile with 100,000 unknown fields gets 50 lines and a count, not 100,000 lines


class Profile(BaseModel):
    """One ESS organisation as a DLA adviser sees it; ``None`` means unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str | None = Field(default=None, max_length=200)
    legal_form: LegalForm | None = None
    siae: bool | None = None
    sector: Sector | None = None
    employees: int | None = Field(default=None, ge=0, le=1_000_000)
    volunteers: int | None = Field(default=None, ge=0, le=10_000_000)
    sites: int | None = Field(default=None, ge=1, le=100_000)
    federation_member: bool | None = None
    digital_budget_eur: int | None = Field(default=None, ge=0, le=1_000_000_000)
    data_sensitivity: Sensitivity | None = None
    remote_work: RemoteWork | None = None
    remote_volunteers: bool | None = None
    international: bool | None = None
    maturity: Maturity | None = None
    digital_referents: int | None = Field(default=None, ge=0, le=100_000)
    strategy: Strategy | None = None
    board_involved: bool | None = None
    difficulties: list[Difficulty] | None = Field(default=None, max_length=20)
    needs: list[Need] | None = Field(default=None, max_length=50)
    hosting_preference: HostingPreference | None = None
    connectivity: Connectivity | None = None
    current_tools: list[ToolName] | None = Field(default=None, max_length=100)
    digital_project: bool | None = None
    """Extension: the structure develops a project around a digital technology (platform, open data, AI…)."""
    growth_plan: bool | None = None
    """Extension: the structure plans to open new sites or change scale."""
    activity: Activity | None = None
    """Extension: the kind of structure (crèche, CHRS, club, ETTI…); names what its business software must do."""
    main_need: Need | None = None
    """Extension: the request that brought the structure to the adviser, one of the needs (added to ``needs``)."""

    @model_validator(mode="before")
    @classmethod
    def _main_need_is_a_need(cls, data: Any) -> Any:
        """The main request is one of the needs: ``main_need: crm`` adds ``crm`` to ``needs``."""
        if isinstance(data, dict) and isinstance(data.get("main_need"), str):
            needs = data.get("needs")
            if needs is None:
                data = {**data, "needs": [data["main_need"]]}
            elif isinstance(needs, list) and data["main_need"] not in needs:
                data = {**data, "needs": [*needs, data["main_need"]]}
        return data

    @field_validator("difficulties", "needs", "current_tools")
    @classmethod
    def _sorted_unique(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted(set(value))

    @field_validator("name", "current_tools", mode="before")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        """No control character (terminal escapes) nor lone surrogate (not UTF-8) in free text."""
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and (char := bad_character(text)) is not None:
                raise PydanticCustomError("bad_character", "bad character {char}", {"char": char})
        return value

    def known(self) -> dict[str, Any]:
        """The answered fields only (what the rules can see)."""
        return {k: v for k, v in self.model_dump().items() if v is not None and k != "name"}


FIELDS: tuple[str, ...] = tuple(Profile.model_fields)
QUESTION_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f != "name")


def field_kind(name: str) -> str:
    """``bool``, ``int``, ``enum``, ``list_enum``, ``list_str`` or ``str``."""
    annotation = Profile.model_fields[name].annotation
    args = [a for a in get_args(annotation) if a is not type(None)]
    inner = args[0] if args else annotation
    if inner is bool:
        return "bool"
    if inner is int:
        return "int"
    if getattr(inner, "__origin__", None) is Literal:
        return "enum"
    if getattr(inner, "__origin__", None) is list:
        (item,) = get_args(inner)
        return "list_enum" if getattr(item, "__origin__", None) is Literal else "list_str"
    return "str"


LIST_FIELDS: tuple[str, ...] = tuple(f for f in QUESTION_FIELDS if field_kind(f).startswith("list"))


def allowed_values(name: str) -> tuple[str, ...]:
    """The enum values of an enum or list-of-enum field (empty for others)."""
    annotation = Profile.model_fields[name].annotation
    for arg in get_args(annotation):
        if getattr(arg, "__origin__", None) is Literal:
            return tuple(get_args(arg))
        if getattr(arg, "__origin__", None) is list:
            (item,) = get_args(arg)
            if getattr(item, "__origin__", None) is Literal:
                return tuple(get_args(item))
    return ()


def field_bounds(name: str) -> tuple[int | None, int | None]:
    """(minimum, maximum) of an integer field."""
    lo = hi = None
    for meta in Profile.model_fields[name].metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


def shorten(value: object, limit: int = 60) -> Any:
    """A value as shown in a message: long texts are cut (a 100 KB value is not echoed whole), and
    control characters and lone surrogates are shown escaped (they would drive a terminal, or break UTF-8)."""
    if isinstance(value, str):
        return visible(value if len(value) <= limit else value[: limit - 1] + "…")
    if isinstance(value, (list, dict)):
        text = repr(value)  # repr escapes control characters and surrogates
        if len(text) > limit:
            return text[: limit - 1] + "…"
        return value if bad_character(str(value)) is None and "\\" not in text else text
    return value


_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with control characters and lone surrogates written as ``\\xNN`` / ``\\uNNNN``."""
    return _INVISIBLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                          else f"\\u{ord(m.group()):04x}", text)


def bad_character(text: str) -> str | None:
    """The first control character or lone surrogate of ``text`` (as ``U+XXXX``), or None."""
    found = _INVISIBLE.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """A "did you mean …?" sentence, or None when nothing is close."""
    if len(str(word)) > 100:
        return None
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return t("errors.did_you_mean", choice=close[0]) if close else None


def _describe(err: Mapping[str, Any]) -> tuple[str, str | None]:
    """French (or current language) message for one pydantic error."""
    loc = [str(p) for p in err["loc"]]
    name = loc[0] if loc else "?"
    if len(loc) == 2 and loc[1].isdigit():
        loc = [t("profile.item", field=name, index=int(loc[1]) + 1)]
    loc = [shorten(part) for part in loc]
    name = shorten(name)
    kind = err["type"]
    value = shorten(err.get("input"))
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return t("profile.unknown_field", field=name), suggest(name, QUESTION_FIELDS)
    if kind in ("literal_error", "enum"):
        allowed = allowed_values(name)
        return (
            t("profile.bad_choice", field=".".join(loc), value=value, allowed=", ".join(allowed)),
            suggest(str(value), allowed),
        )
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return t("profile.not_int", field=".".join(loc), value=value), None
    if kind == "bool_type":
        return t("profile.not_bool", field=".".join(loc), value=value), None
    if kind == "string_type":
        return t("profile.not_str", field=".".join(loc), value=value), None
    if kind == "list_type":
        return t("profile.not_list", field=".".join(loc), value=value), None
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        op = "≥" if kind == "greater_than_equal" else "≤"
        return t("profile.out_of_range", field=name, value=value, op=op, bound=bound), None
    if kind in ("too_long", "string_too_long"):
        return t("profile.too_long", field=name, limit=ctx.get("max_length")), None
    if kind == "string_too_short":
        return t("profile.empty_string", field=".".join(loc)), None
    if kind == "bad_character":
        return t("profile.bad_character", field=name, char=ctx.get("char")), None
    if kind == "model_type" or kind == "dict_type":
        return t("profile.not_mapping"), None
    return t("profile.invalid", field=".".join(loc), value=value, detail=err.get("msg", "")), None


def parse_profile(data: object, path: str | None = None) -> Profile:
    """Validate a mapping into a :class:`Profile`, or raise :class:`ProfileError`.

    ``data`` may come from :func:`toolpicker._yaml.parse_yaml`; its line
    numbers then locate each problem.
    """
    if isinstance(data, Profile):
        return data
    if not isinstance(data, Mapping):
        code = "empty_document" if data is None else "not_mapping"
        message = t("errors.empty_document") if data is None else t("profile.not_mapping")
        raise ProfileError(
            t("profile.header"),
            [Problem(message=message, path=path, line=getattr(data, "line", None), code=code)],
        )
    try:
        return Profile.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        errors = exc.errors()
        for err in errors[:MAX_PROBLEMS]:
            message, suggestion = _describe(err)
            name = str(err["loc"][0]) if err["loc"] else None
            line_of = getattr(data, "line_of", None)
            line = line_of(name) if (line_of and name) else None
            value_node = data.get(name) if name else None
            item_line = getattr(value_node, "line_of", None)
            if len(err["loc"]) == 2 and isinstance(err["loc"][1], int) and item_line is not None:
                line = item_line(err["loc"][1])
            problems.append(
                Problem(
                    message=message,
                    path=path,
                    line=line,
                    field=name,
                    value=shorten(err.get("input")) if err["type"] != "extra_forbidden" else None,
                    suggestion=suggestion,
                    code=err["type"],
                )
            )
        problems.sort(key=lambda p: (p.line or 0, p.field or ""))
        if len(errors) > MAX_PROBLEMS:
            problems.append(Problem(message=t("profile.more_problems", count=len(errors) - MAX_PROBLEMS), path=path,
                                    code="more_problems"))
        raise ProfileError(t("profile.header"), problems) from None


def load_profile(source: str | bytes, path: str) -> Profile:
    """Parse a YAML or JSON profile text (``path`` names it in errors)."""
    from .safe_yaml import parse_yaml

    try:
        data = parse_yaml(source, path)
    except ProfileError:
        raise
    except Exception as exc:  # InputError from the YAML layer: keep its located problems
        problems = getattr(exc, "problems", None)
        if problems is None:
            raise
        raise ProfileError(t("profile.header"), problems) from None
    return parse_profile(data, path)
