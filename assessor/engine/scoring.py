"""Scoring: the cautious combination of several respondents, domain scores, maturity,
completeness.

Per question, the combined answer is the lowest-scoring of the respondents' answers
(the first respondent's on a tie).  For an unscored ``multi`` question it is the union
of the options ticked (if anyone says health data is handled, it is); for any other
unscored question it is the first respondent's answer.

A domain's score is ``100 * sum(weight * score) / sum(weight)`` over its scored,
shown, answered questions, where an owner answer scores its alignment with the model
(:func:`assessor.engine.questionnaire_index.owner_scores`), a maturity answer ``level / 4`` and a
choice, yes/no or multi answer its option's score (multi: the chosen scores added,
capped at 1).  Unanswered questions are left out: they lower completeness, not the
score.  The overall score pools every domain's questions the same way, so each domain
counts for what its answered questions weigh.  Sums run in questionnaire order, so the
same answers always give the same bits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assessor.engine.questionnaire_index import DEFAULT_TARGET, Index
from assessor.engine.result import DomainScore
from assessor.engine.visibility import View, percent

_MISSING: Any = object()


@dataclass(slots=True, eq=False)
class Combined:
    """The respondents' answers side by side, and the one answer the scores use."""

    #: The combined (cautious) answer per question id, in questionnaire order.
    values: dict[str, Any]
    #: The only respondent, when there is exactly one.
    single: View | None
    #: Several respondents: who answered each question id, in respondent order.
    by_question: dict[str, list[View]]
    #: Several respondents: whose answer was taken (None for a union of several).
    source: dict[str, View | None]

    def answering(self, qid: str) -> list[View]:
        """The respondents who answered ``qid`` (``view.answers[qid]``), in order."""
        single = self.single
        if single is not None:
            return [single] if qid in self.values else []
        return self.by_question.get(qid, [])


def combine(index: Index, views: Sequence[View]) -> Combined:
    """Put the respondents' answers side by side and pick the cautious answer per question."""
    if len(views) == 1:
        only = views[0]
        return Combined(only.answers, only, {}, {})
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
        if len(answering) > 1:
            lowest: float | None = None
            for view in answering:
                value = view.answers[qid]
                points = info.score(value)
                if points is not None and (lowest is None or points < lowest):
                    lowest, chosen_view, chosen = points, view, value
            if lowest is None and info.kind == "multi":
                union = {v for view in answering for v in view.answers[qid]}
                chosen = tuple(o.value for o in info.question.all_options if o.value in union)
                chosen_view = None
        values[qid] = chosen
        source[qid] = chosen_view
    return Combined(values, None, by_question, source)


@dataclass(slots=True, eq=False)
class Sums:
    """Per domain slot: sum of weights and of weighted scores; of maturity weights and
    of weighted levels."""

    weights: list[float]
    points: list[float]
    level_weights: list[float]
    levels: list[float]

    @classmethod
    def empty(cls, slots: int) -> Sums:
        return cls([0.0] * slots, [0.0] * slots, [0.0] * slots, [0.0] * slots)


@dataclass(slots=True, eq=False)
class Scores:
    domains: tuple[DomainScore, ...]
    overall: int
    completeness: int


def sum_scores(index: Index, combined: Combined) -> Sums:
    """Add up the combined answers' scores per domain, in visit order."""
    sums = Sums.empty(len(index.domains))
    values = combined.values
    for info in index.scored:
        value = values.get(info.id, _MISSING)
        if value is _MISSING:
            continue
        score = info.score(value)
        if score is None:
            continue
        slot, weight = info.slot, info.weight
        sums.weights[slot] += weight
        sums.points[slot] += weight * score
        if info.kind == "maturity":
            sums.level_weights[slot] += weight
            sums.levels[slot] += weight * value
    return sums


def score_domains(
    index: Index,
    sums: Sums,
    views: Sequence[View],
    targets: Mapping[str, int],
    disagreement: Mapping[str, float | None],
) -> Scores:
    """Score, maturity, target, distance and completeness of every domain, and overall."""
    if len(views) == 1:
        slot_required, slot_answered = views[0].slot_required, views[0].slot_answered
    else:
        slot_required = tuple(map(sum, zip(*[view.slot_required for view in views], strict=True)))
        slot_answered = tuple(map(sum, zip(*[view.slot_answered for view in views], strict=True)))
    domains: list[DomainScore] = []
    for domain, weight, points, level_weight, levels, required, answered in zip(
        index.domains,
        sums.weights,
        sums.points,
        sums.level_weights,
        sums.levels,
        slot_required or [0] * len(index.domains),
        slot_answered or [0] * len(index.domains),
        strict=True,
    ):
        target = targets.get(domain.id, DEFAULT_TARGET)
        distance: float | None = None
        mean = None
        if level_weight:
            mean = round(levels / level_weight, 1)
            distance = target - mean
            distance = round(distance, 1) if distance > 0 else 0.0
        domains.append(
            DomainScore(
                id=domain.id,
                title=domain.title,
                score=_percentage(points, weight),
                maturity=mean,
                target=target,
                distance=distance,
                completeness=percent(answered, required) if views else 0,
                disagreement=disagreement.get(domain.id),
            )
        )
    required_all = sum(view.required for view in views)
    answered_all = sum(view.required_answered for view in views)
    return Scores(
        domains=tuple(domains),
        overall=_percentage(sum(sums.points), sum(sums.weights)),
        completeness=percent(answered_all, required_all) if views else 0,
    )


def _percentage(points: float, weight: float) -> int:
    """``points / weight`` as 0-100, rounded half up; 0 when nothing was scored."""
    if weight <= 0:
        return 0
    value = int(100 * points / weight + 0.5)
    return 0 if value < 0 else 100 if value > 100 else value
