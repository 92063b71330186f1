"""Scoring a stored assessment: its answers through the engine.

Only the respondents who count go to the engine: those who submitted, and those still
answering whom the consultant included explicitly.  The others still answering are
named apart (``waiting``), never scored.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessor.engine import Respondent as EngineRespondent
from assessor.engine import Result, score
from assessor.models import Assessment, Respondent
from assessor.operations.catalog import questionnaire_for
from assessor.operations.overlay import Overlay
from assessor.questionnaire import Questionnaire


@dataclass(frozen=True)
class ScoredAssessment:
    questionnaire: Questionnaire
    #: The respondents the result counts, in the order the engine got them.
    respondents: list[EngineRespondent]
    result: Result
    #: Per counted respondent (same order): True for one included while still answering.
    in_progress: tuple[bool, ...] = ()
    #: (name, role) of the respondents still answering who are not counted.
    waiting: tuple[tuple[str, str], ...] = ()


def engine_respondent(respondent: Respondent) -> EngineRespondent:
    """A respondent's stored answers and comments, as the engine takes them."""
    answers = {a.question_id: a.value for a in respondent.answers if a.value is not None}
    comments = {a.question_id: a.comment for a in respondent.answers if a.comment}
    return EngineRespondent(
        name=respondent.name, role=respondent.role, answers=answers, comments=comments
    )


def counted_respondents(assessment: Assessment) -> list[Respondent]:
    """The respondents the results count: submitted, or included while still answering."""
    return [r for r in assessment.respondents if r.counted]


def score_assessment(assessment: Assessment, overlay: Overlay | None = None) -> ScoredAssessment:
    """Score an assessment live from its stored answers, with its pinned questionnaire;
    with ``overlay``, through the consultant's settled facts and not-applicable findings
    (kept results are stored without it: it is applied when they are shown)."""
    questionnaire = questionnaire_for(
        assessment.questionnaire_id,
        assessment.questionnaire_version,
        assessment.questionnaire_hash,
    )
    counted = counted_respondents(assessment)
    respondents = [engine_respondent(r) for r in counted]
    result = score(
        questionnaire,
        respondents,
        targets=assessment.targets or None,
        organization=assessment.organization.name,
        settled_facts=overlay.settled if overlay else None,
        not_applicable=overlay.not_applicable if overlay else (),
    )
    return ScoredAssessment(
        questionnaire,
        respondents,
        result,
        in_progress=tuple(r.submitted_at is None for r in counted),
        waiting=tuple((r.name, r.role) for r in assessment.respondents if not r.counted),
    )
