"""Scoring (method 2): combining several respondents, the practice score, maturity and
completeness.  ``docs/method.md`` states the method on one page.

*Unknowns.*  "Don't know" is exactly no answer: it is never combined, scored or counted
as answered.

*Combination.*  Per question, the answer that counts is chosen among the respondents'
known answers: the only one; the lower-scoring of two (the first respondent's on a tie);
with three or more, the median-low (the lower middle one when sorted by score), so one
outlier cannot move it alone.  An unscored ``multi`` answer is the union of the options
ticked; any other unscored answer the first respondent's.  When nobody knows, the first
respondent's "Don't know" is kept (the rules may read it), and it scores nothing.

*Practice score.*  Only practice questions count (maturity levels, scored choice and
yes/no answers: :attr:`~.questionnaire_index.QuestionInfo.practice`), never owner
questions.  Each known answer scores its place between the question's worst answer (0)
and its best (1); a domain's practice score is ``100 * sum(weight * score) /
sum(weight)`` over its known practice answers, rounded down; overall pools every
domain's.  Unknown practice questions shown to someone are summed apart (``unknown``):
the range puts them all at their worst answer, then all at their best.

*Completeness.*  A required question counts as answered when at least one respondent
who was shown it gave a known answer: the share of the required questions shown to
anyone, rounded down.  Sums run in a fixed order, so the same answers give the same bits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assessor.engine.questionnaire_index import DEFAULT_TARGET, Index, QuestionInfo
from assessor.engine.result import DomainScore
from assessor.engine.visibility import View, percent

_MISSING: Any = object()


@dataclass(slots=True, eq=False)
class Combined:
    """The respondents' answers side by side, and the one answer the scores use."""

    #: The combined answer per question id, in questionnaire order.
    values: dict[str, Any]
    #: The only respondent, when there is exactly one.
    single: View | None
    #: Several respondents: who answered each question id, in respondent order.
    by_question: dict[str, list[View]]
    #: Several respondents: whose answer was taken (None for a union of several).
    source: dict[str, View | None]
    #: The questions no respondent was shown.
    hidden: frozenset[str]

    def answering(self, qid: str) -> list[View]:
        """The respondents who answered ``qid`` (``view.answers[qid]``), in order."""
        single = self.single
        if single is not None:
            return [single] if qid in single.answers else []
        return self.by_question.get(qid, [])


def overlaid(index: Index, combined: Combined, overlay: Mapping[str, Any]) -> Combined:
    """``combined`` with the overlay's values as the answers that count (settled facts, a
    what-if): each respondent's own answers stay as they gave them (their scores, the
    evidence, the disagreements), and a question no respondent was shown stays out."""
    if not overlay:
        return combined
    given = {qid: value for qid, value in overlay.items() if qid not in combined.hidden}
    if not given:
        return combined
    values = {
        info.id: given[info.id] if info.id in given else combined.values[info.id]
        for info in index.ordered
        if info.id in given or info.id in combined.values
    }
    return Combined(values, combined.single, combined.by_question, combined.source, combined.hidden)


def combine(index: Index, views: Sequence[View]) -> Combined:
    """Put the respondents' answers side by side and pick the answer that counts."""
    if len(views) == 1:
        only = views[0]
        return Combined(only.answers, only, {}, {}, only.hidden)
    if not views:
        return Combined({}, None, {}, {}, index.question_ids)
    by_question: dict[str, list[View]] = {}
    values: dict[str, Any] = {}
    source: dict[str, View | None] = {}
    for info in index.ordered:
        qid = info.id
        answering = [view for view in views if qid in view.answers]
        if not answering:
            continue
        by_question[qid] = answering
        chosen_view: View | None = answering[0]
        chosen = answering[0].answers[qid]
        if len(answering) == 2:  # the common case, written out: the lower known answer
            first, second = answering
            a, b = first.answers[qid], second.answers[qid]
            dont_know = info.dont_know
            if a == dont_know:
                if b != dont_know:
                    chosen_view, chosen = second, b
            elif b != dont_know:
                points_a, points_b = info.score(a), info.score(b)
                if points_b is not None and (points_a is None or points_b < points_a):
                    chosen_view, chosen = second, b
                elif points_a is None and points_b is None and info.kind == "multi":
                    chosen_view, chosen = None, _union(info, (a, b))
        elif len(answering) > 2:
            dont_know = info.dont_know
            known = [view for view in answering if view.answers[qid] != dont_know]
            if known:
                chosen_view, chosen = known[0], known[0].answers[qid]
            scored = [
                (points, n, view)
                for n, view in enumerate(known)
                if (points := info.score(view.answers[qid])) is not None
            ]
            if scored:
                scored.sort(key=lambda item: (item[0], item[1]))
                _, _, chosen_view = scored[(len(scored) - 1) // 2]
                chosen = chosen_view.answers[qid]
            elif len(known) > 1 and info.kind == "multi":
                chosen_view = None
                chosen = _union(info, [view.answers[qid] for view in known])
        values[qid] = chosen
        source[qid] = chosen_view
    hidden = frozenset.intersection(*[view.hidden for view in views])
    return Combined(values, None, by_question, source, hidden)


def _union(info: QuestionInfo, answers: Sequence[Any]) -> tuple[Any, ...]:
    """The options ticked in any of these ``multi`` answers, in option order."""
    union = {v for answer in answers for v in answer}
    return tuple(o.value for o in info.question.all_options if o.value in union)


@dataclass(slots=True, eq=False)
class Sums:
    """Per domain slot: the weights and weighted scores of the known practice answers,
    the weight of the unknown ones, and the weights and weighted maturity levels."""

    weights: list[float]
    points: list[float]
    unknown: list[float]
    level_weights: list[float]
    levels: list[float]

    @classmethod
    def empty(cls, slots: int) -> Sums:
        return cls([0.0] * slots, [0.0] * slots, [0.0] * slots, [0.0] * slots, [0.0] * slots)

    def overall(self) -> int:
        """The practice score of every domain pooled, 0-100 (0 when nothing is known)."""
        return percentage(sum(self.points), sum(self.weights))

    def domain(self, slot: int) -> int | None:
        """One domain's practice score; None when none of its practice answers is known."""
        weight = self.weights[slot]
        return percentage(self.points[slot], weight) if weight > 0 else None


def sum_scores(index: Index, values: Mapping[str, Any], hidden: frozenset[str]) -> Sums:
    """Add up the known practice answers' scores per domain, in visit order; practice
    questions not hidden but not known add to ``unknown``."""
    sums = Sums.empty(len(index.domains))
    weights, points, unknown = sums.weights, sums.points, sums.unknown
    for info in index.practice:
        qid = info.id
        value = values.get(qid, _MISSING)
        score = None if value is _MISSING else info.score(value)
        if score is None:  # unanswered, or "Don't know"
            if qid not in hidden:
                unknown[info.slot] += info.weight
            continue
        slot, weight = info.slot, info.weight
        weights[slot] += weight
        points[slot] += weight * (score - info.floor) / info.span
        if info.kind == "maturity":
            sums.level_weights[slot] += weight
            sums.levels[slot] += weight * value
    return sums


@dataclass(slots=True, eq=False)
class Completeness:
    overall: int
    by_slot: tuple[int, ...]


def completeness(index: Index, views: Sequence[View], combined: Combined) -> Completeness:
    """Answered share of the required questions shown to anyone: a question counts as
    answered when some respondent shown it gave a known answer."""
    if not views:
        return Completeness(0, (0,) * len(index.domains))
    if len(views) == 1:
        view = views[0]
        return Completeness(
            view.completeness,
            tuple(map(percent, view.slot_answered, view.slot_required)),
        )
    slots = len(index.domains)
    required, answered = [0] * slots, [0] * slots
    total = known = 0
    hidden, values = combined.hidden, combined.values
    for info in index.ordered:
        if not info.required or info.id in hidden:
            continue
        value = values.get(info.id, _MISSING)
        is_known = value is not _MISSING and value != info.dont_know
        total += 1
        known += is_known
        if info.slot >= 0:
            required[info.slot] += 1
            answered[info.slot] += is_known
    return Completeness(percent(known, total), tuple(map(percent, answered, required)))


def score_domains(
    index: Index,
    sums: Sums,
    complete: Completeness,
    targets: Mapping[str, int],
    disagreement: Mapping[str, float | None],
    clarity: Sequence[int | None],
) -> tuple[DomainScore, ...]:
    """Practice score, maturity, target, distance, completeness and ownership clarity of
    every domain."""
    domains: list[DomainScore] = []
    for slot, domain in enumerate(index.domains):
        target = targets.get(domain.id, DEFAULT_TARGET)
        distance: float | None = None
        mean = None
        level_weight = sums.level_weights[slot]
        if level_weight:
            mean = round(sums.levels[slot] / level_weight, 1)
            distance = target - mean
            distance = round(distance, 1) if distance > 0 else 0.0
        domains.append(
            DomainScore(
                id=domain.id,
                title=domain.title,
                score=sums.domain(slot) or 0,
                maturity=mean,
                target=target,
                distance=distance,
                completeness=complete.by_slot[slot],
                disagreement=disagreement.get(domain.id),
                clarity=clarity[slot],
            )
        )
    return tuple(domains)


#: Absorbs float error in a sum (69.99999999999999 is 70), far below a point.
_EPSILON = 1e-9


def percentage(points: float, weight: float) -> int:
    """``points / weight`` as 0-100, rounded down, so a band's floor is reached only when
    it is fully met (39.9 is 39); 0 when nothing was scored."""
    if weight <= 0:
        return 0
    value = int(100 * points / weight + _EPSILON)
    return 0 if value < 0 else 100 if value > 100 else value
