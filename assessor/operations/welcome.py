"""What a respondent reads first behind their personal link: who asked and why, how long
it takes, that their answers appear by name, and how their data is kept."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from assessor.database import read_only
from assessor.extensions import db
from assessor.models import Membership, Respondent, User
from assessor.operations.answers import answer_values, visible_ids
from assessor.operations.catalog import questionnaire_for
from assessor.operations.respondents import RespondentView
from assessor.questionnaire import Questionnaire
from assessor.questionnaire.estimate import Estimate, estimate


@dataclass(frozen=True)
class Welcome:
    respondent_name: str
    role: str
    organization: str
    #: The firm (a consultancy) or the organisation's own workspace that asked.
    asked_by: str
    #: The person who issued the link, while they are still a member of the workspace.
    inviter: str | None
    #: ``firm`` or ``own`` (the workspace's kind: no "consultant" on an own path).
    kind: str
    questionnaire: str
    #: The time the questions this respondent is shown take, from their answers so far.
    estimate: Estimate
    members: int


@dataclass(frozen=True)
class StartEstimate:
    """The time a questionnaire takes a new respondent: the questions shown before any
    answer, and all of them (answers about the organisation add some)."""

    first: Estimate
    most: Estimate


def start_estimate(questionnaire: Questionnaire, role: str = "OTHER") -> StartEstimate:
    """The estimate a start page shows, before the respondent has answered anything."""
    return StartEstimate(
        first=estimate(questionnaire, visible_ids(questionnaire, role, {})),
        most=estimate(questionnaire, questionnaire.questions),
    )


def welcome(view: RespondentView) -> Welcome:
    """The welcome of a respondent found by their live link."""
    read_only()
    respondent = db.session.get_one(Respondent, view.id)
    workspace = respondent.assessment.organization.workspace
    questionnaire = questionnaire_for(
        view.questionnaire_id, view.questionnaire_version, view.questionnaire_hash
    )
    shown = visible_ids(questionnaire, view.role, answer_values(respondent))
    inviter = None
    if respondent.link_issued_by_id is not None:
        # Named only while still a member: someone removed since can neither answer for
        # the assessment nor erase anything (the workspace and firm are named instead).
        inviter = db.session.scalar(
            select(User.name)
            .join(Membership)
            .where(
                User.id == respondent.link_issued_by_id,
                Membership.workspace_id == workspace.id,
            )
        )
    return Welcome(
        respondent_name=view.name,
        role=view.role,
        organization=view.organization_name,
        asked_by=workspace.firm_name or workspace.name,
        inviter=inviter,
        kind=workspace.kind,
        questionnaire=questionnaire.title,
        estimate=estimate(questionnaire, shown),
        members=len(workspace.memberships),
    )
