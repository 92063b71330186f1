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
from assessor.engine.visibility import View, _ignored


@dataclass(slots=True, eq=False)
class OnePass:
    view: View
    sums: Sums
    generic: list[Ranked]
    raci: tuple[RaciRow, ...]


def walk_one(index: Index, respondent: Respondent, targets: Mapping[str, int]) -> OnePass:
    """Everything the general path computes per question, for a single respondent."""
    given = respondent.answers
    name = respondent.name
    (
        answers,
        hidden,
        ignored,
        required,
        answered,
        shown_required,
        (weights, points, level_weights, levels),
        found,
        rows,
        named,
    ) = index.single_pass(
        given,
        name,
        respondent.role,
        [targets.get(domain.id, DEFAULT_TARGET) for domain in index.domains]
        if targets
        else index.default_targets,
    )
    # Every given key is a question id unless the questionnaire does not know some.
    matched = len(given) if index.question_ids.issuperset(given) else 0
    view = View(
        position=0,
        name=name,
        role=respondent.role,
        answers=answers,
        hidden=frozenset(hidden),
        ignored=_ignored(index, given, matched, ignored, name),
        shown=len(index.ordered) - len(hidden),
        required=required,
        required_answered=sum(answered),
        slot_required=shown_required,
        slot_answered=answered[:-1],
        evidence={},
        owners=named,
    )
    return OnePass(view, Sums(weights, points, level_weights, levels), found, tuple(rows))
