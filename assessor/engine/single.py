"""One respondent in one pass: the common case, fused for speed.

With a single respondent, each question's combined answer is that respondent's own,
so checking the answers, deciding visibility, adding up the domain scores, the generic
findings and the RACI rows can all happen in one walk over the questionnaire (in
visit order) instead of five.  It computes exactly what the general path does
(:mod:`.visibility`, :mod:`.scoring`, :mod:`.findings`, :mod:`.raci`) for one
respondent; ``tests/test_engine_properties.py`` holds the two together by scoring
random answers once alone and once beside an identical second respondent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessor.engine.findings import Ranked
from assessor.engine.index import DEFAULT_TARGET, Index
from assessor.engine.kinds import INVALID
from assessor.engine.result import (
    AnswerEvidence,
    Evidence,
    Finding,
    Ignored,
    NamedOwner,
    RaciRow,
    Respondent,
)
from assessor.engine.scoring import Sums
from assessor.engine.visibility import View, _ignored

_MISSING: Any = object()
_new: Any = tuple.__new__


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
    role = respondent.role
    answers: dict[str, Any] = {}
    ignored: list[Ignored] = []
    hidden: list[str] = []
    slots = len(index.domains)
    answered = [0] * (slots + 1)
    shown_required = [*index.required_by_slot, 0]
    required_total = index.required_total
    sums = Sums.empty(slots)
    weights, points, level_weights, levels = (
        sums.weights,
        sums.points,
        sums.level_weights,
        sums.levels,
    )
    target_of = [targets.get(domain.id, DEFAULT_TARGET) for domain in index.domains] + [0]
    found: list[Ranked] = []
    rows = list(index.unanswered_raci)
    named: dict[str, NamedOwner] = {}
    matched = 0
    get = given.get
    # Module globals as locals: this loop runs for every question of every scoring.
    missing = _MISSING
    invalid = INVALID
    new = _new
    for (
        qid,
        table,
        normalise,
        required,
        slot,
        show_if,
        scored,
        scorer,
        weight,
        maturity,
        owner_heads,
        immature_heads,
        text,
        labels,
        raci_position,
        raci_prefix,
        raci_status,
    ) in index.single_plan:
        raw = get(qid, missing)
        if raw is not missing:
            matched += 1
        if show_if is not None and not show_if(answers, role):
            hidden.append(qid)
            if required:
                required_total -= 1
                shown_required[slot] -= 1
            if raw is not missing and raw is not None:
                ignored.append(Ignored(name, qid, "hidden"))
            continue
        if raw is missing or raw is None:
            continue
        entry = None
        if table is not None and raw is not True and raw is not False:
            try:
                entry = table.get(raw)
            except TypeError:
                entry = None
            value = invalid if entry is None else entry[0]
        else:
            value = normalise(raw)
        if value is invalid:
            ignored.append(Ignored(name, qid, "invalid"))
            continue
        answers[qid] = value
        if required:
            answered[slot] += 1

        if scored:
            score = entry[1] if entry is not None else scorer(value)
            if score is not None:
                weights[slot] += weight
                points[slot] += weight * score
                if maturity:
                    level_weights[slot] += weight
                    levels[slot] += weight * value
        if owner_heads is not None:
            if raci_position >= 0:
                owner = named.get(value)
                if owner is None:
                    owner = named[value] = NamedOwner(name, role, value)
                rows[raci_position] = new(RaciRow, (*raci_prefix, (owner,), raci_status[value]))
            prepared = owner_heads[value]
        elif immature_heads is not None:
            prepared = immature_heads[target_of[slot]][value]
        else:
            continue
        if prepared is not None:
            key, head, check = prepared
            record = new(AnswerEvidence, (qid, text, name, role, value, labels[value]))
            found.append((key, new(Finding, (*head, new(Evidence, (check, (record,)))))))

    view = View(
        position=0,
        name=name,
        role=role,
        answers=answers,
        hidden=frozenset(hidden),
        ignored=_ignored(index, given, matched, ignored, name),
        shown=len(index.ordered) - len(hidden),
        required=required_total,
        required_answered=sum(answered),
        slot_required=tuple(shown_required[:slots]),
        slot_answered=tuple(answered[:slots]),
        evidence={},
        owners=named,
    )
    return OnePass(view, sums, found, tuple(rows))
