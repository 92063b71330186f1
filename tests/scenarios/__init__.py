"""The scenario organisations of issue #14's Proof: each ``*.yaml`` here is one
organisation (a consultant's ``profile``, the respondents' ``answers`` to questionnaire
v1, what v1 cannot say in ``v1_gaps``, and what a senior consultant ``expect``s), and
``ranking.yaml`` ranks them.  The expectations were written before the scoring method
and the findings rework, so they are an expert's, not the engine's.

:func:`load_scenarios` reads and checks every file (unknown keys, model ids, kinds and
severities are refused with the file and the place); :func:`parse` turns a scenario's
answers into the engine's input.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from assessor.engine import AnswersDocument, parse_answers_document
from assessor.questionnaire import load_paths
from assessor.questionnaire.schema_base import RespondentRole
from assessor.reports.summary import BANDS
from tests.scenarios.model_ids import (
    FINDING_KINDS,
    REGULATIONS,
    RESPONSIBILITIES,
    ROLES,
    STRUCTURE_RULES,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
#: What an expectation may be about: a responsibility, a structure rule or a regulation.
SUBJECTS = RESPONSIBILITIES | STRUCTURE_RULES | REGULATIONS
#: The product's band names (assessor/reports/summary.py), and "provisional" for a result
#: under 80% answered, which gets no band (issue #14, Decisions).
BAND_NAMES = tuple(band for _, band, _ in BANDS)
PROVISIONAL = "provisional"

Severity = Literal["low", "medium", "high", "critical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProfileRespondent(_Strict):
    name: str = Field(min_length=1)
    title: str = Field(min_length=1)
    #: The role in the model's terms ("CIO+CISO" for one person in both roles).
    role: str
    #: The respondent role the person answers v1 as (its four roles).
    v1_role: Literal["CIO", "CISO", "CEO", "OTHER"]
    #: The respondent role the person answers as today: the model's roles (a CTO is
    #: ``CTO``, one person in both roles ``CIO_CISO``, an executive ``CEO``).
    answers_as: RespondentRole

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str) -> str:
        if not set(value.split("+")) <= ROLES:
            raise ValueError(f"{value!r} is not one of the model's roles")
        return value


class Roles(_Strict):
    CIO: bool
    CTO: bool
    CISO: bool
    dual_role: bool
    CRO: bool
    DPO: bool
    PRIVACY: bool
    #: An external provider holds security leadership (vCISO) or runs security (MSSP).
    EXTERNAL: bool
    #: The CISO role is held by an outside provider appointed to it (v1 counts that as
    #: having a CISO); ``CISO`` stays false.
    vCISO: bool = False


class Profile(_Strict):
    name: str = Field(min_length=1)
    summary: str = Field(min_length=100)
    employees: int = Field(ge=1)
    sector: str
    jurisdictions: list[Literal["EU", "UK", "US"]] = Field(min_length=1)
    us_listed: bool
    nis2_entity: Literal["none", "important", "essential"]
    financial_entity: bool
    regulated_data: list[Literal["eu_personal", "uk_personal", "health", "payment_card"]]
    roles: Roles
    ciso_reports_to: Literal["CEO", "CIO", "CFO", "COO", "CRO", "BOARD"] | None
    security_escalation_to_board: bool
    respondents: list[ProfileRespondent] = Field(min_length=1)
    in_place: list[str]
    not_in_place: list[str] = Field(min_length=1)
    disputed_facts: list[str]
    answered_share: Literal["full", "half"]


def _subject(value: str) -> str:
    if value not in SUBJECTS:
        raise ValueError(
            f"{value!r} is neither a responsibility, a structure rule nor a regulation of the model"
        )
    return value


def _regulation(value: str) -> str:
    if value not in REGULATIONS:
        raise ValueError(f"{value!r} is not a regulation of the model")
    return value


def _kind(value: str) -> str:
    if value != "any" and value not in FINDING_KINDS:
        raise ValueError(f"{value!r} is not a kind of finding of the model")
    return value


def _pattern(value: str) -> str:
    re.compile(value)
    return value


Subject = Annotated[str, AfterValidator(_subject)]
Regulation = Annotated[str, AfterValidator(_regulation)]
Kind = Annotated[str, AfterValidator(_kind)]
Why = Annotated[str, Field(min_length=5)]


class Required(_Strict):
    """A finding that must be there: about what, of which kind, at least how severe."""

    about: Subject
    kind: Kind
    min_severity: Severity
    regulation: Regulation | None = None
    #: The disputed context question, for an unknown fact.
    question: str | None = None
    why: Why

    @field_validator("kind")
    @classmethod
    def _not_any(cls, value: str) -> str:
        if value == "any":
            raise ValueError("a required finding names its kind")
        return value


class FalseAlarm(_Strict):
    """A finding that must not appear: about what and of which kind (``any`` for every
    kind), or only above a severity; or wording (``phrase``, a regular expression) that
    no finding may use."""

    about: Subject | None = None
    kind: Kind = "any"
    above: Severity | None = None
    regulation: Regulation | None = None
    phrase: Annotated[str, AfterValidator(_pattern)] | None = None
    why: Why


class Expect(_Strict):
    band: str
    provisional: bool
    findings_required: list[Required]
    false_alarms: list[FalseAlarm] = Field(min_length=1)
    regulations_apply: list[Regulation]
    regulations_not: list[Regulation]
    #: Regulations whose applicability hangs on a disputed fact.
    regulations_unsettled: list[Regulation] = Field(default_factory=list)
    max_findings: int = Field(ge=0, le=30)
    rationale: str = Field(min_length=200)

    @field_validator("band")
    @classmethod
    def _known_band(cls, value: str) -> str:
        if value not in (*BAND_NAMES, PROVISIONAL):
            raise ValueError(f"{value!r} is not one of {', '.join((*BAND_NAMES, PROVISIONAL))}")
        return value


class Scenario(_Strict):
    slug: str
    profile: Profile
    v1_gaps: list[str] = Field(default_factory=list)
    answers: dict[str, Any]
    expect: Expect


class Ranked(_Strict):
    scenario: str
    why: Annotated[str, Field(min_length=20)]


class Ranking(_Strict):
    ranking: list[Ranked]
    unranked: list[Ranked] = Field(default_factory=list)


class ScenarioFileError(ValueError):
    """A scenario file that cannot be used; the message names the file and the place."""


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioFileError(f"{path.name}: not valid YAML: {exc}") from None


def _check(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise ScenarioFileError(f"{path.name}: {where}: {error['msg']}") from None


def load_scenario(path: Path) -> Scenario:
    """One scenario file, checked.  :raise ScenarioFileError: what is wrong and where."""
    data = _read(path)
    if not isinstance(data, dict):
        raise ScenarioFileError(f"{path.name}: expected a mapping at the top")
    result: Scenario = _check(Scenario, {"slug": path.stem, **data}, path)
    return result


def scenario_paths() -> list[Path]:
    """Every scenario file, by name (``ranking.yaml`` is not one)."""
    return sorted(p for p in HERE.glob("*.yaml") if p.name != "ranking.yaml")


@cache
def load_scenarios() -> tuple[Scenario, ...]:
    """Every scenario, checked, by file name."""
    return tuple(load_scenario(path) for path in scenario_paths())


def load_ranking() -> Ranking:
    """``ranking.yaml``, checked."""
    path = HERE / "ranking.yaml"
    result: Ranking = _check(Ranking, _read(path), path)
    return result


@cache
def catalog() -> Any:
    """The shipped questionnaires."""
    found, _problems = load_paths([str(ROOT / "questionnaires")])
    return found


def parse(scenario: Scenario) -> AnswersDocument:
    """The scenario's answers as the engine takes them (the answers-file parser's checks:
    known question ids, a valid value for each question's kind)."""
    return parse_answers_document(scenario.answers, catalog())


def applicable_regulations(profile: Profile) -> set[str]:
    """The regulations the model's applicability table gives this organisation."""
    found: set[str] = set()
    data = set(profile.regulated_data)
    if "EU" in profile.jurisdictions or "eu_personal" in data:
        found.add("GDPR")
    if "UK" in profile.jurisdictions or "uk_personal" in data:
        found.add("UK-GDPR")
    if "US" in profile.jurisdictions and "health" in data:
        found.add("HIPAA")
    if "payment_card" in data:
        found.add("PCI-DSS")
    eu = "EU" in profile.jurisdictions
    if eu and profile.financial_entity:
        found.add("DORA")
    elif eu and profile.nis2_entity != "none":
        found.add("NIS2")
    if profile.us_listed:
        found.add("SEC")
    return found
