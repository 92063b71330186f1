"""What the delete and erase pages say goes, counted before anything is deleted
(:mod:`assessor.operations.erasure` does it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select

from assessor.extensions import db
from assessor.models import (
    Assessment,
    MailLog,
    Organization,
    RemediationAction,
    ReportReview,
    Respondent,
    StoredResult,
)
from assessor.operations import kept_results, person_places
from assessor.operations.person_places import Elsewhere


@dataclass(frozen=True)
class SignOff:
    reviewed_on: date
    reviewer: str


@dataclass(frozen=True)
class RoundPreview:
    """An assessment's results as they stand: what deleting it, or erasing one of its
    respondents, takes with it."""

    kept_results: int
    sign_offs: list[SignOff]
    closed: bool
    #: The method a closed round's result is stored again by (today's).
    method: int


@dataclass(frozen=True)
class RespondentPreview:
    round: RoundPreview
    elsewhere: Elsewhere
    #: Titles of the organisation's assessments by id (for the lines of ``elsewhere``).
    titles: dict[int, str]

    @property
    def places(self) -> list[str]:
        return self.elsewhere.lines(self.titles)


@dataclass(frozen=True)
class OrganizationPreview:
    assessments: int
    respondents: int
    kept_results: int
    sign_offs: int
    actions: int
    reminders: int


def _round(assessment: Assessment) -> RoundPreview:
    kept = db.session.scalar(
        select(func.count())
        .select_from(StoredResult)
        .where(StoredResult.assessment_id == assessment.id)
    )
    reviews = db.session.execute(
        select(ReportReview.reviewed_on, ReportReview.reviewer)
        .where(ReportReview.assessment_id == assessment.id)
        .order_by(ReportReview.number)
    ).all()
    return RoundPreview(
        kept_results=kept or 0,
        sign_offs=[SignOff(on, reviewer) for on, reviewer in reviews],
        closed=assessment.status == "closed",
        method=kept_results.current_method(),
    )


def named(assessment: Assessment) -> str:
    """A round as the erase page names it (a new round has the title of the last, as a
    rule, hence the date it started)."""
    return f"{assessment.title} (started {assessment.created_at:%d %B %Y})"


def for_assessment(assessment: Assessment) -> RoundPreview:
    return _round(assessment)


def for_respondent(respondent: Respondent) -> RespondentPreview:
    rounds = person_places.rounds(respondent.assessment.organization_id)
    return RespondentPreview(
        _round(respondent.assessment),
        person_places.elsewhere(respondent),
        {a.id: named(a) for a in rounds},
    )


def for_organization(organization: Organization) -> OrganizationPreview:
    ids = [a.id for a in organization.assessments]

    def count(model: type, *where: ColumnElement[bool]) -> int:
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    actions = select(RemediationAction.id).where(
        RemediationAction.organization_id == organization.id
    )
    return OrganizationPreview(
        assessments=len(ids),
        respondents=count(Respondent, Respondent.assessment_id.in_(ids)),
        kept_results=count(StoredResult, StoredResult.assessment_id.in_(ids)),
        sign_offs=count(ReportReview, ReportReview.assessment_id.in_(ids)),
        actions=count(RemediationAction, RemediationAction.organization_id == organization.id),
        reminders=count(MailLog, MailLog.action_id.in_(actions)),
    )
