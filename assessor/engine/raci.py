"""The RACI view: for each responsibility of the model, its accountable and consulted
roles next to the owner each respondent named.

Status: ``unanswered`` when nobody named an owner; ``ambiguous`` when respondents name
different owners, or SHARED where the model wants one owner; otherwise ``orphaned``
(NONE), ``aligned`` (the model's accountable) or ``misplaced`` (anyone else).
"""

from __future__ import annotations

from assessor.engine.index import Index
from assessor.engine.result import RaciRow
from assessor.engine.scoring import Combined


def raci(index: Index, combined: Combined) -> tuple[RaciRow, ...]:
    """One row per responsibility of the model, in model order."""
    rows: list[RaciRow] = []
    for item in index.raci:
        info = item.owner
        given = combined.given(info.id) if info is not None else []
        named = tuple(view.named_owner(code) for view, code in given)
        owners = {code for _, code in given}
        rows.append(
            RaciRow._make((*item.prefix, named, status(item.responsibility.accountable, owners)))
        )
    return tuple(rows)


def status(accountable: str, owners: set[str]) -> str:
    """The RACI status of the owners named for a responsibility with this accountable."""
    if not owners:
        return "unanswered"
    if len(owners) > 1:
        return "ambiguous"
    (code,) = owners
    if code == accountable:
        return "aligned"
    if code == "NONE":
        return "orphaned"
    if code == "SHARED":
        return "ambiguous"
    return "misplaced"
