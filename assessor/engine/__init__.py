"""The rules engine: scores a questionnaire's answers against the CIO/CISO model.

Pure Python and deterministic: no Flask, no SQLAlchemy, no clock, no randomness.
``score(questionnaire, respondents, targets=None)`` returns a :class:`Result` whose
``to_dict()`` is the shape the report and the web pages read.

Method, in short (``docs/engine.md`` has the details):

* **Visibility**: each respondent is shown the questions whose ``show_if`` holds on
  their own answers and role; answers to hidden questions are ignored.
* **Combination** (``method.combination == "cautious"``): with several respondents,
  each question is scored on the lowest-scoring answer given, because a board would
  rather hear the pessimistic view; where respondents differ is reported as
  perception gaps, not averaged away.
* **Scores**: per domain, the weighted mean of owner alignment (1.0 accountable, 0.5
  partial, 0.25 other, 0 nobody), maturity ``level / 4`` and option scores, 0-100;
  unanswered questions lower completeness, not the score.
* **Findings**: generic checks from the model (orphaned, misplaced, ambiguous,
  immature), the questionnaire's rules (per respondent, and on the combined answers),
  and perception gaps; ordered by severity, weight, id; grouped into a roadmap.
"""

from __future__ import annotations

from assessor.engine.answers import (
    AnswerError,
    AnswersDocument,
    AnswersFileError,
    coerce_answer,
    parse_answers_document,
)
from assessor.engine.core import METHOD, METHOD_VERSION, score
from assessor.engine.result import Finding, Respondent, Result
from assessor.engine.visibility import visible_questions

__all__ = [
    "METHOD",
    "METHOD_VERSION",
    "AnswerError",
    "AnswersDocument",
    "AnswersFileError",
    "Finding",
    "Respondent",
    "Result",
    "coerce_answer",
    "parse_answers_document",
    "score",
    "visible_questions",
]
