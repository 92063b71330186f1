"""A section's guidance notes for one respondent: the notes whose ``show_if`` holds on the
answers they gave on earlier pages (how a dual CIO/CISO should answer, say)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessor.engine.conditions import compile_condition
from assessor.engine.questionnaire_index import index_for
from assessor.engine.result import Respondent
from assessor.engine.visibility import view_of
from assessor.questionnaire.schema import Questionnaire


def guidance_for(
    questionnaire: Questionnaire, section_id: str, answers: Mapping[str, Any], role: str
) -> tuple[str, ...]:
    """The texts of section ``section_id``'s guidance that apply to a respondent of
    ``role`` who gave ``answers`` (their answers to hidden questions do not count)."""
    section = next((s for s in questionnaire.sections if s.id == section_id), None)
    if section is None or not section.guidance:
        return ()
    view = view_of(index_for(questionnaire), Respondent("", role, dict(answers)), 0)
    return tuple(
        note.text
        for note in section.guidance
        if compile_condition(note.show_if, questionnaire.questions).test(view.answers, role)
    )
