"""The scoring method, version 2 (``docs/method.md``): its version and statement, the
cap that structural and regulatory findings put on the headline, ownership clarity, and
each respondent's own scores.

The headline is practice maturity (:mod:`.scoring`), capped here; ownership clarity is
shown beside it and never adds to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.engine.organisation_fit import owner_fit, structure_holding
from assessor.engine.questionnaire_index import Index
from assessor.engine.result import (
    Finding,
    Method,
    RespondentDomainScore,
    RespondentScores,
    ScoreCap,
)
from assessor.engine.scoring import Sums, sum_scores
from assessor.engine.visibility import View, percent

#: The version of the scoring method; stored with every result it produced.
METHOD_VERSION = 2

#: Below this completeness (% of required questions answered) a result is provisional:
#: its headline is a range and it has no band.
PROVISIONAL_BELOW = 80

#: Findings of these kinds cap the headline.
CAPPING_KINDS = frozenset({"structural", "regulatory"})
#: The highest headline a structural or regulatory finding of each severity allows,
#: strictest first: a critical one keeps it below "Established" (60), a high one below
#: "Strong" (80) (the bands of ``reports/summary.py``).
CAPS: tuple[tuple[str, int], ...] = (("critical", 59), ("high", 79))

#: An owner fit that counts as clear ownership.
CLEAR = frozenset({"expected", "acceptable"})

METHOD = Method(
    combination="median_low",
    description=(
        "The headline is practice maturity: maturity levels and the scored practice "
        "answers, never who is named as owner; each answer scores its place between the "
        "question's worst answer (0) and its best (100). \"Don't know\" counts as "
        "unanswered: unknowns move no score, they lower completeness. Below 80% of the "
        "required questions answered the result is provisional: the headline is a range, "
        "every unknown at its worst answer to every unknown at its best, with no band. "
        "A critical structural or regulatory finding caps the headline at 59, a high one "
        "at 79. Ownership clarity, the share of responsibilities with one accountable "
        "owner who fits the organisation, is shown beside it and never adds to it. Where "
        "respondents' answers differ, the lower of two answers counts, and the median-low "
        "of three or more, so one outlier cannot move it; each respondent's own scores "
        "are shown beside the combined ones."
    ),
    version=METHOD_VERSION,
)


def score_cap(findings: Sequence[Finding], uncapped: int) -> tuple[int, ScoreCap | None]:
    """The headline after the cap, and the cap: the strictest that a structural or
    regulatory finding's severity sets (None when no such finding caps).  Reads only
    each finding's kind and severity."""
    for severity, limit in CAPS:
        count = sum(1 for f in findings if f.kind in CAPPING_KINDS and f.severity == severity)
        if count:
            return min(uncapped, limit), ScoreCap(limit, severity, count, uncapped > limit)
    return uncapped, None


def owner_fits(
    index: Index, owners: Mapping[str, list[str]], facts: Mapping[str, Any]
) -> dict[str, str]:
    """Each responsibility's fit, by id: ``unanswered`` (no owner named), ``disputed``
    (respondents name different owners), else :func:`~.organisation_fit.owner_fit`'s
    status for the owner named (expected, acceptable, misplaced, shared_without_lead,
    orphaned).  ``owners`` maps an owner question's id to the codes named for it."""
    q = index.questionnaire
    held: tuple[str, ...] | None = None
    fits: dict[str, str] = {}
    for item in index.raci:
        rid = item.responsibility.id
        codes = set(owners.get(item.owner.id, ())) if item.owner is not None else set()
        if not codes:
            fits[rid] = "unanswered"
        elif len(codes) > 1:
            fits[rid] = "disputed"
        else:
            if held is None:
                held = structure_holding(q, facts)
            fits[rid] = owner_fit(q, rid, codes.pop(), facts, held=held).status
    return fits


def clarity(index: Index, fits: Mapping[str, str]) -> tuple[int | None, list[int | None]]:
    """Ownership clarity overall and per domain slot: the clear share (expected or
    acceptable owner) of the responsibilities whose owner is known, 0-100 rounded down;
    None where no owner is known."""
    slots = {domain.id: n for n, domain in enumerate(index.domains)}
    clear, known = [0] * len(slots), [0] * len(slots)
    for item in index.raci:
        slot = slots.get(item.domain or "")
        fit = fits[item.responsibility.id]
        if slot is None or fit == "unanswered":
            continue
        known[slot] += 1
        clear[slot] += fit in CLEAR
    by_slot: list[int | None] = [
        percent(c, k) if k else None for c, k in zip(clear, known, strict=True)
    ]
    total = sum(known)
    return (percent(sum(clear), total) if total else None), by_slot


def respondent_scores(index: Index, view: View) -> RespondentScores:
    """One respondent's own scores, from their answers alone: practice (before any cap:
    the cap is the organisation's, stated once) and ownership clarity."""
    sums: Sums = sum_scores(index, view.answers, view.hidden)
    owners = {
        item.owner.id: [view.answers[item.owner.id]]
        for item in index.raci
        if item.owner is not None and item.owner.id in view.answers
    }
    overall_clarity, by_slot = clarity(index, owner_fits(index, owners, view.answers))
    overall: int | None = sums.overall() if sum(sums.weights) > 0 else None
    return RespondentScores(
        overall=overall,
        clarity=overall_clarity,
        domains=tuple(
            RespondentDomainScore(domain.id, sums.domain(slot), by_slot[slot])
            for slot, domain in enumerate(index.domains)
        ),
    )
