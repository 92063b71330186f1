"""The rules engine: scores a questionnaire's answers against the CIO/CISO model.

Pure Python and deterministic: no Flask, no SQLAlchemy, no clock, no randomness.
``score(questionnaire, respondents, targets=None)`` returns a :class:`Result` whose
``to_dict()`` is the shape the report and the web pages read.

Method, in short (``docs/engine.md`` has the details):

* **Visibility**: each respondent is shown the questions whose ``show_if`` holds on
  their own answers and role; answers to hidden questions are ignored.
* **Scores** (method 3, ``docs/method.md``; ``METHOD_VERSION``): the headline is
  practice maturity (maturity levels and scored practice answers, never owners), capped
  by structural and regulatory findings; ownership clarity beside it; "Don't know" is no
  answer; under 80% answered the result is provisional and its headline a range.
* **Combination** (``method.combination == "median_low"``): with several respondents,
  the lower of two known answers counts, the median-low of three or more; where
  respondents differ is reported as perception gaps, not averaged away.
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
from assessor.engine.core import score
from assessor.engine.method import METHOD, METHOD_VERSION
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
