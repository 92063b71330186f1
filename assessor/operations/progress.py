"""How far along a respondent and an assessment are: per section, overall, and what
is still required."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessor.models import Assessment, Respondent
from assessor.operations.answers import answer_values, visible_ids
from assessor.operations.catalog import questionnaire_for
from assessor.questionnaire import Questionnaire, Section


@dataclass(frozen=True)
class SectionProgress:
    id: str
    title: str
    shown: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.shown) if self.shown else 100


def progress(questionnaire: Questionnaire, respondent: Respondent) -> list[SectionProgress]:
    """Per section: how many questions the respondent is shown and how many they answered."""
    return progress_of(questionnaire, respondent.role, answer_values(respondent))


def progress_of(
    questionnaire: Questionnaire,
    role: str,
    values: dict[str, Any],
    shown: frozenset[str] | None = None,
) -> list[SectionProgress]:
    """:func:`progress` of answer ``values`` given by a respondent in ``role``; ``shown``,
    when the caller has it, is :func:`visible_ids` of them."""
    if shown is None:
        shown = visible_ids(questionnaire, role, values)
    return [_section_progress(section, shown, values) for section in questionnaire.sections]


def _section_progress(
    section: Section, shown: frozenset[str], values: dict[str, Any]
) -> SectionProgress:
    ids = [q.id for q in section.questions if q.id in shown]
    return SectionProgress(section.id, section.title, len(ids), sum(1 for i in ids if i in values))


def overall_percent(sections: list[SectionProgress]) -> int:
    shown = sum(s.shown for s in sections)
    return round(100 * sum(s.answered for s in sections) / shown) if shown else 0


def respondent_percent(questionnaire: Questionnaire, respondent: Respondent) -> int:
    """How far the respondent is, 0-100: 100 once they submitted (optional questions they
    left blank do not make a submission look unfinished)."""
    if respondent.submitted_at is not None:
        return 100
    return overall_percent(progress(questionnaire, respondent))


def missing_required(questionnaire: Questionnaire, respondent: Respondent) -> list[str]:
    """Ids of required questions shown to the respondent and not answered."""
    return missing_of(questionnaire, respondent.role, answer_values(respondent))


def missing_of(questionnaire: Questionnaire, role: str, values: dict[str, Any]) -> list[str]:
    """:func:`missing_required` of answer ``values`` given by a respondent in ``role``."""
    shown = visible_ids(questionnaire, role, values)
    return [
        q.id
        for q in questionnaire.questions.values()
        if q.required and q.id in shown and q.id not in values
    ]


def assessment_completion(assessment: Assessment) -> int:
    """How far the respondents are, 0-100: the mean of :func:`respondent_percent` (0 with
    nobody)."""
    if not assessment.respondents:
        return 0
    try:
        questionnaire = questionnaire_for(
            assessment.questionnaire_id,
            assessment.questionnaire_version,
            assessment.questionnaire_hash,
        )
    except LookupError:
        return 0
    people = assessment.respondents
    return round(sum(respondent_percent(questionnaire, r) for r in people) / len(people))
