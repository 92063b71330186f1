"""``score()`` with the roadmap: the engine's scoring (:mod:`assessor.engine.core`) and
the result's findings grouped into initiatives (:mod:`assessor.engine.roadmap`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from assessor.engine import core
from assessor.engine.result import Respondent, Result
from assessor.engine.roadmap import plan
from assessor.questionnaire.schema import Questionnaire


def score(
    questionnaire: Questionnaire,
    respondents: Sequence[Respondent],
    targets: Mapping[str, int] | None = None,
    *,
    organization: str | None = None,
    settled_facts: Mapping[str, Any] | None = None,
) -> Result:
    """:func:`assessor.engine.core.score`, its result holding the roadmap (``plan``)."""
    result = core.score(
        questionnaire,
        respondents,
        targets,
        organization=organization,
        settled_facts=settled_facts,
    )
    return replace(result, plan=plan(questionnaire, result.findings))
