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
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from assessor.questionnaire.initiative_schema import Initiative
from assessor.questionnaire.model_schema import (
    OWNER_CODES,
    OWNER_LABELS,
    ROLE_CODES,
    Alternative,
    OwnerCode,
    Regulation,
    Responsibility,
    Role,
    RoleCode,
    StructureRule,
)
from assessor.questionnaire.schema_base import (
    COMPARE_OPS,
    RESPONDENT_ROLES,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    NotOf,
    RespondentRole,
    RoleIs,
    Scalar,
    Strict,
    invalid,
)

__all__ = [
    "COMPARE_OPS",
    "KINDS_WITH_OPTIONS",
    "MATURITY_NAMES",
    "OWNER_CODES",
    "OWNER_LABELS",
    "RESPONDENT_ROLES",
    "ROLE_CODES",
    "YESNO_VALUES",
    "AllOf",
    "Alternative",
    "AnyOf",
    "Compare",
    "Condition",
    "ConsistencyCheck",
    "Effort",
    "FindingKind",
    "FindingTemplate",
    "Guidance",
    "Initiative",
    "NotOf",
    "Option",
    "OwnerCode",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "Regulation",
    "RespondentRole",
    "Responsibility",
    "Role",
    "RoleCode",
    "RoleIs",
    "Rule",
    "Scalar",
    "Section",
    "Severity",
    "Strict",
    "StructureRule",
]

QuestionKind = Literal["owner", "maturity", "choice", "multi", "yesno", "number", "text"]
FindingKind = Literal[
    "orphaned", "misplaced", "ambiguous", "immature", "structural", "regulatory", "perception"
]
Severity = Literal["critical", "high", "medium", "low"]
Effort = Literal["quick win", "project", "programme"]

#: The maturity scale shared by every maturity question (level -> name).
MATURITY_NAMES: tuple[str, ...] = ("Not in place", "Ad hoc", "Defined", "Managed", "Optimised")
YESNO_VALUES: tuple[str, ...] = ("yes", "no", "unknown")


class Option(Strict):
    value: str | int
    label: str = Field(min_length=1)
    #: 0.0 (worst) .. 1.0 (best); None for an option that is not scored.
    score: float | None = Field(default=None, ge=0, le=1)
    #: Multi questions: this option ("None of these") cannot be ticked with another.
    exclusive: bool = False

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
    #: What respondents who answer differently disagree about, completing "The
    #: respondents disagree ..." ("whether security can stop a release from going live"):
    #: the title of a perception finding.
    about: str | None = Field(default=None, min_length=1)
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
    #: Owner questions: the role codes offered, in order (set from the questionnaire's
    #: ``roles`` in an edition 2 questionnaire); empty: the five codes of edition 1.
    roles: tuple[RoleCode, ...] = ()

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        """What each kind needs: levels for maturity, options for choices, and so on."""
        kind = self.kind
        if kind in ("owner", "maturity") and self.responsibility is None and not self.context:
            raise invalid(f"an {kind} question needs a responsibility (the model id it evidences)")
        if self.context:
            self._check_context()
        if kind == "maturity":
            if len(self.levels) != len(MATURITY_NAMES):
                raise invalid(
                    f"a maturity question needs exactly {len(MATURITY_NAMES)} level descriptions "
                    f"(level 0 to level {len(MATURITY_NAMES) - 1}), found {len(self.levels)}",
                    "levels",
                )
            for index, text in enumerate(self.levels):
                if not text.strip():
                    raise invalid(f"level {index} has no description", f"levels.{index}")
        elif self.levels:
            raise invalid("only maturity questions have levels", "levels")
        if kind not in KINDS_WITH_OPTIONS and self.options:
            where = {
                "owner": "owner questions offer the role codes",
                "maturity": "maturity questions offer levels 0-4 from their levels",
            }.get(kind, f"{kind} questions have no options")
            raise invalid(f"remove the options: {where}", "options")
        if self.roles and kind != "owner":
            raise invalid("only owner questions offer roles", "roles")
        if self.roles and "NONE" not in self.roles:
            raise invalid("an owner question offers NONE (nobody / unclear)", "roles")
        if kind in ("choice", "multi") and len(self.options) < 2:
            raise invalid(f"a {kind} question needs at least two options", "options")
        self._check_options()
        if kind != "number" and (self.min is not None or self.max is not None):
            raise invalid(
                "only number questions have min and max", "min" if self.min is not None else "max"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise invalid(f"min ({self.min:g}) is greater than max ({self.max:g})", "min")
        if not self.context and self.responsibility is None and self.scored:
            raise invalid("a scored question needs a responsibility (the model id it evidences)")
        return self

    def _check_context(self) -> None:
        if self.kind in ("owner", "maturity"):
            raise invalid(
                f"a context question describes the organisation and is not scored: "
                f"it cannot be an {self.kind} question",
                "kind",
            )
        if self.responsibility is not None:
            raise invalid(
                "a context question is not scored: remove its responsibility", "responsibility"
            )
        for index, option in enumerate(self.options):
            if option.score is not None:
                raise invalid(
                    "a context question is not scored: remove the scores of its options",
                    f"options.{index}.score",
                )

    def _check_options(self) -> None:
        seen: dict[str, int] = {}
        for index, option in enumerate(self.options):
            key = str(option.value)
            if key in seen:
                raise invalid(
                    f"duplicate option value {option.value!r} (also options[{seen[key]}])",
                    f"options.{index}.value",
                )
            seen[key] = index
            if option.exclusive and self.kind != "multi":
                raise invalid(
                    "only a multi question's option can be exclusive (a choice takes one "
                    "answer anyway)",
                    f"options.{index}.exclusive",
                )
            if self.kind == "yesno" and option.value not in YESNO_VALUES:
                raise invalid(
                    f"a yesno option is one of {', '.join(YESNO_VALUES)}, not {option.value!r}",
                    f"options.{index}.value",
                )
        if self.kind == "yesno" and self.options and not {"yes", "no"} <= set(seen):
            raise invalid("a yesno question with options needs both yes and no", "options")
        scored = [option.score is not None for option in self.options]
        if any(scored) and not all(scored):
            index = scored.index(False)
            raise invalid(
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

    @property
    def owner_codes(self) -> tuple[str, ...]:
        """The role codes an owner question offers (edition 1: the five of OWNER_CODES)."""
        return self.roles or OWNER_CODES

    @cached_property
    def all_options(self) -> tuple[Option, ...]:
        """The options a respondent chooses from, for every kind that has them."""
        if self.kind == "owner":
            return tuple(Option(value=code, label=OWNER_LABELS[code]) for code in self.owner_codes)
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


class Guidance(Strict):
    """A note shown at the top of a section's page to respondents whose earlier answers
    meet ``show_if`` (how a dual CIO/CISO should answer, say)."""

    text: str = Field(min_length=1)
    show_if: Condition


class Section(Strict):
    """One domain of the model, one page of the questionnaire."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    intro: str = ""
    #: Notes for some respondents, each under a condition over the answers of earlier pages.
    guidance: tuple[Guidance, ...] = ()
    questions: tuple[Question, ...] = Field(min_length=1)


class ConsistencyCheck(Strict):
    """Answers that contradict each other across questions: flagged in the result for the
    respondent and the consultant to settle, never refused and never scored."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    #: True when one respondent's answers contradict each other.
    when: Condition
    #: The questions whose answers disagree, shown with the flag.
    questions: tuple[str, ...] = Field(min_length=2)
    #: One sentence that says what contradicts what, and how to settle it.
    message: str = Field(min_length=1)


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
    #: The structure rule of the model the finding is about (``dual-role``, ``no-ciso``,
    #: ``reporting-line``, ``size``): its key is ``<topic>:structure``, and the findings of
    #: its responsibility merge into it.
    topic: str | None = Field(default=None, pattern=r"^[a-z][a-z-]*$")
    #: The regulation (an id of ``regulations``) the finding is about: raised only where it
    #: applies.
    regulation: str | None = None

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


class EarlierVersion(Strict):
    """How results of an earlier version of this questionnaire read in this one, so that
    rounds on different versions compare what they share (issue: compare rounds)."""

    version: int = Field(ge=1)
    #: An earlier version's question id -> this version's id for the same question.
    questions: dict[str, str] = Field(default_factory=dict)
    #: This version's finding key -> what the earlier version raised for the same root
    #: cause: its finding keys (``GOV-1:structure``) or checks (``rule:<id>``).
    findings: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class Questionnaire(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    description: str = ""
    model: tuple[Responsibility, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = ()
    #: Contradictions across questions, flagged in the result (see ConsistencyCheck).
    consistency: tuple[ConsistencyCheck, ...] = ()
    #: ``draft``: loadable, checkable and scorable, but not offered for new assessments
    #: nor used as the default (see :meth:`Catalog.offered`).
    status: Literal["published", "draft"] = "published"
    #: Edition 2 of the model: the roles, structure rules and regulations (see
    #: :mod:`.model_schema`); empty in an edition 1 questionnaire.
    roles: tuple[Role, ...] = ()
    structure: tuple[StructureRule, ...] = ()
    regulations: tuple[Regulation, ...] = ()
    #: How earlier versions' results map onto this one, for comparing rounds.
    earlier_versions: tuple[EarlierVersion, ...] = ()
    #: The roadmap's catalogue of initiatives (see :mod:`.initiative_schema`); empty:
    #: the roadmap groups findings by domain.
    initiatives: tuple[Initiative, ...] = ()
    #: Content hash, set by the loader; not part of the file.
    hash: str = ""

    @model_validator(mode="before")
    @classmethod
    def _owner_roles(cls, data: Any) -> Any:
        """In an edition 2 questionnaire (one that declares ``roles``), owner questions offer
        the declared roles, in their order, unless a question names its own."""
        if not isinstance(data, dict) or not isinstance(data.get("roles"), list | tuple):
            return data
        codes = [r["code"] for r in data["roles"] if isinstance(r, dict) and "code" in r]
        sections = data.get("sections")
        if "NONE" not in codes or not isinstance(sections, list | tuple):
            return data  # validate_model says what is missing
        new_sections: list[Any] = []
        for section in sections:
            questions = section.get("questions") if isinstance(section, dict) else None
            if not isinstance(questions, list | tuple):
                new_sections.append(section)
                continue
            new_questions = [
                {**question, "roles": codes}
                if isinstance(question, dict)
                and question.get("kind") == "owner"
                and "roles" not in question
                else question
                for question in questions
            ]
            new_sections.append({**section, "questions": new_questions})
        return {**data, "sections": new_sections}

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

    @property
    def draft(self) -> bool:
        return self.status == "draft"

    @cached_property
    def role_labels(self) -> dict[str, str]:
        """How each role code reads: the file's roles, else the built-in labels."""
        return {**OWNER_LABELS, **{role.code: role.label for role in self.roles}}


Question.model_rebuild()
Rule.model_rebuild()
