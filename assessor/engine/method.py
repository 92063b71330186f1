"""The scoring method, version 2 (``docs/method.md``): its version and statement, the
cap that structural and regulatory findings put on the headline, ownership clarity, and
each respondent's own scores.

The headline is practice maturity (:mod:`.scoring`), capped here; ownership clarity is
shown beside it and never adds to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from assessor.engine.organisation_fit import owner_fit, structure_holding
from assessor.engine.questionnaire_index import Index
from assessor.engine.result import Finding, Method
from assessor.engine.score_records import RespondentDomainScore, RespondentScores, ScoreCap
from assessor.engine.scoring import Sums, sum_scores
from assessor.engine.visibility import View, percent

#: The version of the scoring method; stored with every result it produced.
METHOD_VERSION = 3

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


@lru_cache(maxsize=32)
def _fixed_fits(index: Index) -> dict[tuple[str, str], str]:
    """The fits no fact can change, by (responsibility, owner code): NONE is orphaned,
    SHARED without a lead is not one clear owner, the accountable role is expected, and a
    role that is neither an alternative nor merged with another by a structure rule is
    misplaced.  Any other pair is for :func:`~.organisation_fit.owner_fit` to judge."""
    model = index.organisation
    merged = {code for rule in model.structure for code in rule.same_person}
    fixed: dict[tuple[str, str], str] = {}
    for r in model.responsibilities.values():
        alternatives = {a.role for a in r.alternatives}
        for code in model.roles:
            if code == "NONE":
                fixed[(r.id, code)] = "orphaned"
            elif code == "SHARED":
                fixed[(r.id, code)] = "shared_without_lead"
            elif code == r.accountable:
                fixed[(r.id, code)] = "expected"
            elif code not in merged and code not in alternatives:
                fixed[(r.id, code)] = "misplaced"
    return fixed


class Fits:
    """Owner fits for one scoring, judged against the organisation's facts (the combined
    context answers, one source of truth for every respondent), each pair judged once."""

    def __init__(self, index: Index, facts: Mapping[str, Any]) -> None:
        self.index = index
        self.facts = facts
        self.fixed = _fixed_fits(index)
        self.judged: dict[tuple[str, str], str] = {}
        self.held: tuple[str, ...] | None = None

    def status(self, responsibility: str, code: str) -> str:
        key = (responsibility, code)
        status = self.fixed.get(key) or self.judged.get(key)
        if status is None:
            q = self.index.questionnaire
            if self.held is None:
                self.held = structure_holding(q, self.facts)
            status = owner_fit(q, responsibility, code, self.facts, held=self.held).status
            self.judged[key] = status
        return status


@lru_cache(maxsize=32)
def _clarity_slots(index: Index) -> dict[str, int]:
    """The domain slot of each responsibility that has an owner question in a domain."""
    slots = {domain.id: n for n, domain in enumerate(index.domains)}
    return {
        item.responsibility.id: slots[item.domain]
        for item in index.raci
        if item.owner is not None and item.domain in slots
    }


def clarity(index: Index, fits: Mapping[str, str]) -> tuple[int | None, list[int | None]]:
    """Ownership clarity overall and per domain slot: the clear share (expected or
    acceptable owner) of the responsibilities whose owner is known, 0-100 rounded down;
    None where no owner is known."""
    clear, known = [0] * len(index.domains), [0] * len(index.domains)
    for rid, slot in _clarity_slots(index).items():
        fit = fits[rid]
        if fit != "unanswered":
            known[slot] += 1
            clear[slot] += fit in CLEAR
    by_slot: list[int | None] = [
        percent(c, k) if k else None for c, k in zip(clear, known, strict=True)
    ]
    total = sum(known)
    return (percent(sum(clear), total) if total else None), by_slot


def respondent_scores(index: Index, view: View, fits: Fits) -> RespondentScores:
    """One respondent's own scores, from their answers alone: practice (before any cap:
    the cap is the organisation's, stated once) and ownership clarity (the owners they
    named, judged against the organisation's facts)."""
    sums: Sums = sum_scores(index, view.answers, view.hidden)
    answers = view.answers
    own: dict[str, str] = {}
    for item in index.raci:
        owner = item.owner
        code = answers.get(owner.id) if owner is not None else None
        rid = item.responsibility.id
        own[rid] = "unanswered" if code is None else fits.status(rid, code)
    overall_clarity, by_slot = clarity(index, own)
    overall: int | None = sums.overall() if sum(sums.weights) > 0 else None
    return RespondentScores(
        overall=overall,
        clarity=overall_clarity,
        domains=tuple(
            RespondentDomainScore(domain.id, sums.domain(slot), by_slot[slot])
            for slot, domain in enumerate(index.domains)
        ),
    )
