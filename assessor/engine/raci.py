"""The RACI view: for each responsibility of the model, its accountable and consulted
roles next to the owner each respondent named.

Status: ``unanswered`` when nobody named an owner; ``ambiguous`` when respondents name
different owners, or SHARED where the model wants one owner; otherwise ``orphaned``
(NONE), ``aligned`` (the model's accountable) or ``misplaced`` (anyone else).  ``fit``
is how the owner fits this organisation (:class:`assessor.engine.method.Fits`).
"""

from __future__ import annotations

from assessor.engine.method import Fits
from assessor.engine.questionnaire_index import Index
from assessor.engine.result import RaciRow
from assessor.engine.scoring import Combined


def raci(index: Index, combined: Combined, fits: Fits) -> tuple[RaciRow, ...]:
    """One row per responsibility of the model, in model order, each with how its owner
    fits: unanswered, disputed (different owners named), or the owner's fit."""
    rows: list[RaciRow] = []
    for item in index.raci:
        qid = item.owner.id if item.owner is not None else ""
        answering = combined.answering(qid) if qid else []
        codes = {view.answers[qid] for view in answering}
        r = item.responsibility
        if not codes:
            status = fit = "unanswered"
        elif len(codes) > 1:
            status, fit = "ambiguous", "disputed"
        else:
            code = codes.pop()
            status, fit = item.status[code], fits.status(r.id, code)
        rows.append(
            RaciRow(
                responsibility=r.id,
                domain=item.domain,
                title=r.title,
                accountable=r.accountable,
                consulted=r.consulted,
                named=tuple([view.named_owner(view.answers[qid]) for view in answering]),
                status=status,
                fit=fit,
            )
        )
    return tuple(rows)
