"""Scoring a stored assessment: its answers through the engine."""

from __future__ import annotations

from dataclasses import dataclass

from assessor.engine import Respondent as EngineRespondent
from assessor.engine import Result, score
from assessor.models import Assessment
from assessor.operations.catalog import questionnaire_for
from assessor.questionnaire import Questionnaire


@dataclass(frozen=True)
class ScoredAssessment:
    questionnaire: Questionnaire
    respondents: list[EngineRespondent]
    result: Result


def engine_respondents(assessment: Assessment) -> list[EngineRespondent]:
    """Each respondent's stored answers and comments, as the engine takes them."""
    people = []
    for respondent in assessment.respondents:
        answers = {a.question_id: a.value for a in respondent.answers if a.value is not None}
        comments = {a.question_id: a.comment for a in respondent.answers if a.comment}
        people.append(
            EngineRespondent(
                name=respondent.name, role=respondent.role, answers=answers, comments=comments
            )
        )
    return people


def score_assessment(assessment: Assessment) -> ScoredAssessment:
    """Score an assessment live from its stored answers, with its pinned questionnaire."""
    questionnaire = questionnaire_for(
        assessment.questionnaire_id,
        assessment.questionnaire_version,
        assessment.questionnaire_hash,
    )
    respondents = engine_respondents(assessment)
    result = score(
        questionnaire,
        respondents,
        targets=assessment.targets or None,
        organization=assessment.organization.name,
    )
    return ScoredAssessment(questionnaire, respondents, result)
