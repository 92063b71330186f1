"""The questionnaire file format: frozen pydantic models, validated on load.

These classes are the public shape of a questionnaire for the rest of the
package: the engine, the web forms and the report all read them.  Each model
checks itself here (a maturity question has five levels, a comparison one
operator, scores are given for every option or none ...).  Cross references
(unknown question ids, cycles, placeholders, coverage of the model) are checked
by :mod:`assessor.questionnaire.validate`, not here.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

#: Role codes an ``owner`` answer may take, and that the model uses.
OWNER_CODES: tuple[str, ...] = ("CIO", "CISO", "SHARED", "EXEC", "NONE")
OwnerCode = Literal["CIO", "CISO", "SHARED", "EXEC", "NONE"]
OWNER_LABELS: dict[str, str] = {
    "CIO": "The CIO",
    "CISO": "The CISO",
    "SHARED": "The CIO and the CISO jointly",
    "EXEC": "The CEO, the board or another executive",
    "NONE": "Nobody / unclear",
}

#: Role labels a respondent may carry.
RESPONDENT_ROLES: tuple[str, ...] = ("CIO", "CISO", "CEO", "OTHER")
RespondentRole = Literal["CIO", "CISO", "CEO", "OTHER"]

QuestionKind = Literal["owner", "maturity", "choice", "multi", "yesno", "number", "text"]
FindingKind = Literal[
    "orphaned", "misplaced", "ambiguous", "immature", "structural", "regulatory", "perception"
]
Severity = Literal["critical", "high", "medium", "low"]
Effort = Literal["quick win", "project", "programme"]

#: The maturity scale shared by every maturity question (level -> name).
MATURITY_NAMES: tuple[str, ...] = ("Not in place", "Ad hoc", "Defined", "Managed", "Optimised")
YESNO_VALUES: tuple[str, ...] = ("yes", "no", "unknown")

Scalar = str | int | float | bool


class Strict(BaseModel):
    """Base: unknown keys are errors, instances are immutable, numbers are finite."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


def _invalid(message: str, at: str = "") -> PydanticCustomError:
    """A validation error raised by a model validator.

    ``at`` is the dotted path, inside the model, of the value at fault (``options.2.score``);
    the loader appends it to the error's location.  The message is passed through the
    context so that braces in it are never taken as a template.
    """
    return PydanticCustomError("invalid", "{message}", {"message": message, "at": at})


# --- conditions -----------------------------------------------------------------


class AllOf(Strict):
    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(Strict):
    any: tuple[Condition, ...] = Field(min_length=1)


class NotOf(Strict):
    not_: Condition = Field(alias="not")


#: Comparison operators a ``{q: ...}`` condition may use, exactly one at a time.
COMPARE_OPS: tuple[str, ...] = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "answered")


def _attr(op: str) -> str:
    """The attribute name of an operator (``in`` is a keyword)."""
    return "in_" if op == "in" else op


class Compare(Strict):
    """``{q: QID, OP: VALUE}``: compares one question's answer."""

    q: str
    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    not_in: tuple[Scalar, ...] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Self:
        ops = self.ops
        if len(ops) != 1:
            found = f"found {len(ops)}: {', '.join(ops)}" if ops else "found none"
            raise _invalid(
                f"a comparison needs exactly one operator ({', '.join(COMPARE_OPS)}); {found}"
            )
        if ops[0] in ("in", "not_in") and not self.operand:
            raise _invalid(f"'{ops[0]}' needs at least one value", ops[0])
        return self

    @property
    def op(self) -> str:
        """The one operator set on this comparison (validated to be exactly one)."""
        ops = self.ops
        return ops[0] if ops else ""

    @property
    def ops(self) -> list[str]:
        """Every operator set (more than one is a validation error)."""
        return [op for op in COMPARE_OPS if getattr(self, _attr(op)) is not None]

    @property
    def operand(self) -> Any:
        return getattr(self, _attr(self.op)) if self.op else None


class RoleIs(Strict):
    """``{respondent_role: CIO}``: true when the answers are one respondent's, of that role."""

    respondent_role: RespondentRole


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {
            AllOf: "all",
            AnyOf: "any",
            NotOf: "not",
            Compare: "q",
            RoleIs: "respondent_role",
        }.get(type(value))
    if isinstance(value, dict):
        for key in ("all", "any", "not", "q", "respondent_role"):
            if key in value:
                return key
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[Compare, Tag("q")]
    | Annotated[RoleIs, Tag("respondent_role")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition needs one of: all, any, not, q, respondent_role",
    ),
]


# --- the model ---------------------------------------------------------------------


class Responsibility(Strict):
    """One duty of the CIO/CISO responsibility model (``STR-1`` ...)."""

    id: str = Field(pattern=r"^[A-Z]{2,5}-[0-9]{1,3}$")
    domain: str
    title: str = Field(min_length=1)
    accountable: OwnerCode
    consulted: tuple[OwnerCode, ...] = ()
    references: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _roles(self) -> Self:
        if self.accountable == "NONE":
            raise _invalid(
                "NONE cannot be accountable: name the role the model expects", "accountable"
            )
        for index, code in enumerate(self.consulted):
            if code == "NONE" or code == self.accountable or code in self.consulted[:index]:
                why = "is the accountable role" if code == self.accountable else "is not a role"
                if code in self.consulted[:index]:
                    why = "is listed twice"
                raise _invalid(f"consulted role {code} {why}", f"consulted.{index}")
        return self


class Option(Strict):
    value: str | int
    label: str = Field(min_length=1)
    #: 0.0 (worst) .. 1.0 (best); None for an option that is not scored.
    score: float | None = Field(default=None, ge=0, le=1)

    @field_validator("value", mode="before")
    @classmethod
    def _plain_value(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError(
                "option_value", "an option value is text or a whole number, not true/false"
            )
        if value == "":
            raise PydanticCustomError("option_value", "an option value cannot be empty")
        return value


#: Kinds whose options are given in the file (yesno: optionally, to score the answers).
KINDS_WITH_OPTIONS: tuple[str, ...] = ("choice", "multi", "yesno")


class Question(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: QuestionKind
    text: str = Field(min_length=1)
    help: str = ""
    #: The model responsibility this question evidences (required for owner and maturity).
    responsibility: str | None = None
    weight: float = Field(default=1.0, gt=0)
    options: tuple[Option, ...] = ()
    #: Maturity questions: five descriptions, level 0 to level 4, written for this question.
    levels: tuple[str, ...] = ()
    required: bool = True
    show_if: Condition | None = None
    #: Describes the organisation rather than scoring it.
    context: bool = False
    #: Number questions: the accepted range.
    min: float | None = None
    max: float | None = None
    #: Text questions: the longest answer accepted.
    max_length: int = Field(default=2000, ge=1, le=20000)

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        """What each kind needs: levels for maturity, options for choices, and so on."""
        kind = self.kind
        if kind in ("owner", "maturity") and self.responsibility is None and not self.context:
            raise _invalid(f"an {kind} question needs a responsibility (the model id it evidences)")
        if self.context:
            self._check_context()
        if kind == "maturity":
            if len(self.levels) != len(MATURITY_NAMES):
                raise _invalid(
                    f"a maturity question needs exactly {len(MATURITY_NAMES)} level descriptions "
                    f"(level 0 to level {len(MATURITY_NAMES) - 1}), found {len(self.levels)}",
                    "levels",
                )
            for index, text in enumerate(self.levels):
                if not text.strip():
                    raise _invalid(f"level {index} has no description", f"levels.{index}")
        elif self.levels:
            raise _invalid("only maturity questions have levels", "levels")
        if kind not in KINDS_WITH_OPTIONS and self.options:
            where = {
                "owner": "owner questions offer the role codes",
                "maturity": "maturity questions offer levels 0-4 from their levels",
            }.get(kind, f"{kind} questions have no options")
            raise _invalid(f"remove the options: {where}", "options")
        if kind in ("choice", "multi") and len(self.options) < 2:
            raise _invalid(f"a {kind} question needs at least two options", "options")
        self._check_options()
        if kind != "number" and (self.min is not None or self.max is not None):
            raise _invalid(
                "only number questions have min and max", "min" if self.min is not None else "max"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise _invalid(f"min ({self.min:g}) is greater than max ({self.max:g})", "min")
        if not self.context and self.responsibility is None and self.scored:
            raise _invalid("a scored question needs a responsibility (the model id it evidences)")
        return self

    def _check_context(self) -> None:
        if self.kind in ("owner", "maturity"):
            raise _invalid(
                f"a context question describes the organisation and is not scored: "
                f"it cannot be an {self.kind} question",
                "kind",
            )
        if self.responsibility is not None:
            raise _invalid(
                "a context question is not scored: remove its responsibility", "responsibility"
            )
        for index, option in enumerate(self.options):
            if option.score is not None:
                raise _invalid(
                    "a context question is not scored: remove the scores of its options",
                    f"options.{index}.score",
                )

    def _check_options(self) -> None:
        seen: dict[str, int] = {}
        for index, option in enumerate(self.options):
            key = str(option.value)
            if key in seen:
                raise _invalid(
                    f"duplicate option value {option.value!r} (also options[{seen[key]}])",
                    f"options.{index}.value",
                )
            seen[key] = index
            if self.kind == "yesno" and option.value not in YESNO_VALUES:
                raise _invalid(
                    f"a yesno option is one of {', '.join(YESNO_VALUES)}, not {option.value!r}",
                    f"options.{index}.value",
                )
        if self.kind == "yesno" and self.options and not {"yes", "no"} <= set(seen):
            raise _invalid("a yesno question with options needs both yes and no", "options")
        scored = [option.score is not None for option in self.options]
        if any(scored) and not all(scored):
            index = scored.index(False)
            raise _invalid(
                f"option {self.options[index].value!r} has no score while other options of "
                f"this question have one: score every option or none",
                f"options.{index}.score",
            )

    @property
    def scored(self) -> bool:
        """Whether an answer to this question counts towards a score."""
        if self.context:
            return False
        if self.kind in ("owner", "maturity"):
            return True
        return any(option.score is not None for option in self.all_options)

    @cached_property
    def all_options(self) -> tuple[Option, ...]:
        """The options a respondent chooses from, for every kind that has them."""
        if self.kind == "owner":
            return tuple(Option(value=code, label=OWNER_LABELS[code]) for code in OWNER_CODES)
        if self.kind == "maturity":
            return tuple(
                Option(value=level, label=f"{MATURITY_NAMES[level]}: {text}", score=level / 4)
                for level, text in enumerate(self.levels)
            )
        if self.kind == "yesno" and not self.options:
            return (
                Option(value="yes", label="Yes"),
                Option(value="no", label="No"),
                Option(value="unknown", label="Don't know"),
            )
        return self.options


class Section(Strict):
    """One domain of the model, one page of the questionnaire."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    intro: str = ""
    questions: tuple[Question, ...] = Field(min_length=1)


class FindingTemplate(Strict):
    """The finding a rule raises; title and recommendation may hold ``{placeholders}``."""

    title: str = Field(min_length=1)
    kind: FindingKind
    severity: Severity
    responsibility: str | None = None
    act: OwnerCode
    recommendation: str = Field(min_length=1)
    effort: Effort
    references: tuple[str, ...] = ()

    @field_validator("act")
    @classmethod
    def _someone_acts(cls, value: str) -> str:
        if value == "NONE":
            raise PydanticCustomError("act", "a finding needs a role to act on it, not NONE")
        return value


class Rule(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    when: Condition
    finding: FindingTemplate
    #: Orders rule findings of equal severity; like a question's weight.
    weight: float = Field(default=1.0, gt=0)


class Questionnaire(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    description: str = ""
    model: tuple[Responsibility, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = ()
    #: Content hash, set by the loader; not part of the file.
    hash: str = ""

    @cached_property
    def questions(self) -> dict[str, Question]:
        """Every question by id, in questionnaire order."""
        return {q.id: q for section in self.sections for q in section.questions}

    @cached_property
    def section_of(self) -> dict[str, Section]:
        """The section (domain) each question id belongs to."""
        return {q.id: section for section in self.sections for q in section.questions}

    @cached_property
    def responsibilities(self) -> dict[str, Responsibility]:
        return {r.id: r for r in self.model}

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
Question.model_rebuild()
Rule.model_rebuild()
