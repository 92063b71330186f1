"""How far along an assessment is: completion per respondent and overall."""

from __future__ import annotations

from assessor.models import Assessment
from assessor.operations.answers import overall_percent, progress
from assessor.operations.catalog import questionnaire_for


def assessment_completion(assessment: Assessment) -> int:
    """Percentage of shown questions answered, over all respondents (0 with none)."""
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
    sections = [s for r in assessment.respondents for s in progress(questionnaire, r)]
    return overall_percent(sections)
