"""How long a questionnaire takes a respondent: counted from the questions they see.

Each kind of question is given the time it takes to read and answer (:data:`SECONDS_BY_KIND`):
a maturity question means reading five level descriptions; an owner question, a list of
roles; a yes/no question, one line.  The estimate is the sum over the questions shown,
rounded up to whole minutes, and the pages that state it say the assumption.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from assessor.questionnaire.schema import Questionnaire

#: Seconds to read and answer one question of each kind (a considered answer, not a
#: guess): five level descriptions to compare, a dozen roles to choose from, a few
#: options, a single yes or no, a number to look up, a few sentences to write.
SECONDS_BY_KIND: dict[str, int] = {
    "maturity": 40,
    "owner": 20,
    "choice": 15,
    "multi": 20,
    "yesno": 10,
    "number": 15,
    "text": 45,
}
#: How the assumption reads on a page, in the order above.
KIND_NAMES: dict[str, str] = {
    "maturity": "a maturity question (five levels to read)",
    "owner": "a question of who is accountable",
    "choice": "a choice",
    "multi": "a tick-all-that-apply",
    "yesno": "a yes or no",
    "number": "a number",
    "text": "a written answer",
}


@dataclass(frozen=True)
class Estimate:
    questions: int
    seconds: int
    #: Questions shown, per kind, in the order of SECONDS_BY_KIND.
    by_kind: tuple[tuple[str, int], ...]

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up; at least one."""
        return max(1, math.ceil(self.seconds / 60))

    @property
    def assumption(self) -> str:
        """The time per kind behind the estimate, for the kinds shown, as a sentence part."""
        return "; ".join(
            f"{SECONDS_BY_KIND[kind]} s for {KIND_NAMES[kind]}" for kind, _ in self.by_kind
        )


def estimate(questionnaire: Questionnaire, shown: Iterable[str]) -> Estimate:
    """The time the ``shown`` questions of ``questionnaire`` take to answer."""
    wanted = set(shown)
    kinds: Counter[str] = Counter(
        q.kind for q in questionnaire.questions.values() if q.id in wanted
    )
    return Estimate(
        questions=sum(kinds.values()),
        seconds=sum(SECONDS_BY_KIND[kind] * count for kind, count in kinds.items()),
        by_kind=tuple((kind, kinds[kind]) for kind in SECONDS_BY_KIND if kinds[kind]),
    )
