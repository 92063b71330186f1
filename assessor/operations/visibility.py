"""Which questions a respondent is shown, from the engine's own visibility rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessor.engine.index import index_for
from assessor.engine.result import Respondent
from assessor.engine.visibility import view_of
from assessor.questionnaire import Questionnaire


def visible_questions(
    questionnaire: Questionnaire, answers: Mapping[str, Any], role: str
) -> frozenset[str]:
    """Ids of the questions shown to a respondent of ``role`` with these answers."""
    view = view_of(index_for(questionnaire), Respondent("", role, dict(answers)), 0)
    return frozenset(questionnaire.questions) - view.hidden
