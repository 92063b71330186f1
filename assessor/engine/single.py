"""One respondent in one pass: the common case, fused for speed.

With a single respondent, each question's combined answer is that respondent's own,
so checking the answers, deciding visibility, adding up the domain scores, the generic
findings and the RACI rows can all happen in one walk over the questionnaire (in
visit order) instead of five.  The walk is generated per questionnaire
(:mod:`.unrolled`); it computes exactly what the general path does (:mod:`.visibility`,
:mod:`.scoring`, :mod:`.findings`, :mod:`.raci`) for one respondent, and
``tests/test_engine_properties.py`` holds the two together by scoring random answers
once alone and once beside an identical second respondent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assessor.engine.findings import Ranked
from assessor.engine.index import DEFAULT_TARGET, Index
from assessor.engine.result import RaciRow, Respondent
from assessor.engine.scoring import Sums
from assessor.engine.visibility import View, view_from_pass


@dataclass(slots=True, eq=False)
class OnePass:
    view: View
    sums: Sums
    generic: list[Ranked]
    raci: tuple[RaciRow, ...]


def walk_one(index: Index, respondent: Respondent, targets: Mapping[str, int]) -> OnePass:
    """Everything the general path computes per question, for a single respondent."""
    passed = index.single_pass(
        respondent.answers,
        respondent.name,
        respondent.role,
        [targets.get(domain.id, DEFAULT_TARGET) for domain in index.domains]
        if targets
        else index.default_targets,
    )
    weights, points, level_weights, levels = passed[6]
    return OnePass(
        view_from_pass(index, respondent, 0, passed),
        Sums(weights, points, level_weights, levels),
        passed[7],
        tuple(passed[8]),
    )
