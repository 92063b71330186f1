"""The RACI view: for each responsibility of the model, its accountable and consulted
roles next to the owner each respondent named.

Status: ``unanswered`` when nobody named an owner; ``ambiguous`` when respondents name
different owners, or SHARED where the model wants one owner; otherwise ``orphaned``
(NONE), ``aligned`` (the model's accountable) or ``misplaced`` (anyone else).
"""

from __future__ import annotations

from typing import Any

from assessor.engine.index import Index
from assessor.engine.result import RaciRow
from assessor.engine.scoring import Combined

_new: Any = tuple.__new__


def raci(index: Index, combined: Combined) -> tuple[RaciRow, ...]:
    """One row per responsibility of the model, in model order."""
    rows: list[RaciRow] = []
    append = rows.append
    for prefix, qid, status in index.raci_plan:
        given = combined.given(qid) if qid is not None else []
        named = tuple(view.named_owner(code) for view, code in given)
        codes = {code for _, code in given}
        if not codes:
            state = "unanswered"
        elif len(codes) > 1:
            state = "ambiguous"
        else:
            state = status[codes.pop()]
        append(_new(RaciRow, (*prefix, named, state)))
    return tuple(rows)
