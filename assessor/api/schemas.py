"""The API's request and response bodies (pydantic; the OpenAPI document is built from them).

Strings people type are trimmed and refuse NUL and unpaired surrogates (nothing a
database stores).  The result mirrors the engine's ``Result.to_dict()``: its known top
level is named, and every nested part allows fields added later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from assessor.models import ORG_SIZES
from assessor.questionnaire.schema_base import RESPONDENT_ROLES


def _storable(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (an unpaired surrogate)") from None
    return text


def Text(max_length: int, min_length: int = 1) -> Any:  # noqa: N802 - a type factory
    """A trimmed, storable string of ``min_length`` to ``max_length`` characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_storable),
    ]


class Input(BaseModel):
    """A request body: unknown fields are refused (a typo is not silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Loose(BaseModel):
    """A nested part of the result: fields added by later versions pass through."""

    model_config = ConfigDict(extra="allow")


# --- paging ----------------------------------------------------------------------------------


class PageQuery(BaseModel):
    page: int = Field(1, ge=1, le=100_000, description="1 for the first page.")
    per_page: int = Field(20, ge=1, le=100, description="Items per page, at most 100.")


class Page(Output):
    page: int
    per_page: int
    total: int
    #: The next page's URL, or null on the last page.
    next: str | None


# --- organisations -----------------------------------------------------------------------------


class OrganisationIn(Input):
    name: Text(200)  # type: ignore[valid-type]
    sector: Text(100, 0) | None = None  # type: ignore[valid-type]
    size: Literal[ORG_SIZES] | None = None  # type: ignore[valid-type]


class Organisation(Output):
    id: int
    name: str
    sector: str | None
    size: str | None
    created_at: datetime


class OrganisationPage(Page):
    items: list[Organisation]


# --- assessments -------------------------------------------------------------------------------


class AssessmentIn(Input):
    organisation_id: int = Field(ge=1, le=2**31 - 1)
    #: ``id`` (its latest published version) or ``id@version``; default: the service's default.
    questionnaire: Text(120) | None = None  # type: ignore[valid-type]
    title: Text(200, 0) | None = None  # type: ignore[valid-type]
    #: Target maturity (0-4) per scored domain id; a domain left out has 3.
    targets: dict[Text(100), int] = Field(default_factory=dict)  # type: ignore[valid-type]


class QuestionnaireRef(Output):
    id: str
    version: int
    hash: str


class Assessment(Output):
    id: int
    organisation_id: int
    title: str
    status: Literal["draft", "in_progress", "submitted", "closed"]
    questionnaire: QuestionnaireRef
    targets: dict[str, int]
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class AssessmentPage(Page):
    items: list[Assessment]


class AssessmentQuery(PageQuery):
    status: Literal["draft", "in_progress", "submitted", "closed"] | None = None


# --- respondents --------------------------------------------------------------------------------


class RespondentIn(Input):
    name: Text(200)  # type: ignore[valid-type]
    role: Literal[RESPONDENT_ROLES]  # type: ignore[valid-type]
    email: (
        Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] | None
    ) = None
    #: Issue the respondent's personal link now (shown once, in this response).
    link: bool = True


class Respondent(Output):
    id: int
    name: str
    role: str
    email: str | None
    submitted_at: datetime | None
    included: bool
    link_revoked: bool
    link_expires_at: datetime | None
    #: The personal link: only in the response that created it.
    link: str | None = None


class RespondentPage(Page):
    items: list[Respondent]


# --- answers -----------------------------------------------------------------------------------


class StoredAnswer(Output):
    question_id: str
    value: Any
    comment: str | None
    version: int
    updated_at: datetime
    updated_by: str


class Answers(Output):
    respondent_id: int
    answers: list[StoredAnswer]


class AnswerChange(Input):
    question_id: Text(100)  # type: ignore[valid-type]
    #: The new value (null clears the answer): as the question's kind takes it.
    value: Any = None
    comment: Text(20_000, 0) | None = None  # type: ignore[valid-type]
    #: The version read (0: there was no answer); another writer's save since is a 409.
    version: int = Field(ge=0, le=2**31 - 1)


class AnswersIn(Input):
    answers: list[AnswerChange] = Field(min_length=1, max_length=500)


# --- results, reports, render jobs -----------------------------------------------------------


class Result(Loose):
    """The engine's result, as the results page, the report and the exports read it."""

    questionnaire: Loose
    method: Loose
    respondents: list[Loose]
    overall: int | float | None
    completeness: int | float | None
    domains: list[Loose]
    raci: list[Loose]
    findings: list[Loose]
    perception: Loose
    roadmap: Loose
    ignored: list[Loose]


class RenderJob(Output):
    id: int
    assessment_id: int
    state: Literal["queued", "running", "done", "failed"]
    reason: str | None
    detail: str | None
    paper: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ReportQuery(BaseModel):
    paper: Literal["a4", "letter"] = "a4"
