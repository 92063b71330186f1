"""A respondent's answers: read them; write them naming the version read (409 when someone
saved since)."""

from __future__ import annotations

from typing import Any

from assessor.api import bp, scope
from assessor.api.auth import auth, caller, writes
from assessor.api.schemas import Answers, AnswersIn
from assessor.operations import answers
from assessor.operations.catalog import questionnaire_for


def answers_body(respondent_id: int, stored: dict[str, answers.StoredAnswer]) -> dict[str, Any]:
    return {
        "respondent_id": respondent_id,
        "answers": [
            {
                "question_id": a.question_id,
                "value": a.value,
                "comment": a.comment,
                "version": a.version,
                "updated_at": a.updated_at,
                "updated_by": a.updated_by,
            }
            for a in sorted(stored.values(), key=lambda a: a.question_id)
        ],
    }


@bp.get("/assessments/<id:assessment_id>/respondents/<id:respondent_id>/answers")
@bp.auth_required(auth)
@scope.existing
@bp.output(Answers)
@bp.doc(operation_id="get_answers")
def get_answers(assessment_id: int, respondent_id: int) -> Any:
    """The respondent's answers, each with its version (send it back when writing)."""
    respondent = scope.respondent(assessment_id, respondent_id)
    return answers_body(respondent.id, answers.answers_of(respondent.id))


@bp.patch("/assessments/<id:assessment_id>/respondents/<id:respondent_id>/answers")
@bp.auth_required(auth)
@scope.existing
@bp.input(AnswersIn, arg_name="body")
@bp.output(Answers)
@bp.doc(
    operation_id="save_answers",
    responses={409: "Someone saved one of these answers since it was read", 423: "Submitted"},
)
@writes
def save_answers(assessment_id: int, respondent_id: int, body: AnswersIn) -> Any:
    """Save answers for the respondent: all or none.  Each names the version it read (0 for
    no answer yet); a newer version stored is a 409 and nothing is saved.  Answers the
    respondent has submitted are locked (423)."""
    respondent = scope.respondent(assessment_id, respondent_id)
    assessment = respondent.assessment
    questionnaire = questionnaire_for(
        assessment.questionnaire_id, assessment.questionnaire_version, assessment.questionnaire_hash
    )
    changes = [answers.Change(c.question_id, c.value, c.comment, c.version) for c in body.answers]
    saved = answers.save_answers(questionnaire, respondent, changes, caller().actor)
    return answers_body(respondent.id, saved.answers)
