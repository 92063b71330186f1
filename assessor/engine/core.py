"""``score()``: from a questionnaire and its respondents' answers to a Result."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from assessor.engine.conditions import Compiled
from assessor.engine.consistency import inconsistencies
from assessor.engine.facts import Facts, check_overlay, check_settled, facts_of, rested_on
from assessor.engine.findings import generic_findings, roadmap, rule_findings
from assessor.engine.method import (
    METHOD,
    PROVISIONAL_BELOW,
    Fits,
    clarity,
    respondent_scores,
    score_cap,
)
from assessor.engine.ownership import ownership_findings, stand_ins
from assessor.engine.perception import PerceptionResult, perception
from assessor.engine.question_kinds import MAX_LEVEL
from assessor.engine.questionnaire_index import Index, QuestionInfo, index_for
from assessor.engine.raci import raci
from assessor.engine.result import Finding, Respondent, RespondentSummary, Result
from assessor.engine.roadmap import plan
from assessor.engine.root_causes import judged, merge
from assessor.engine.score_records import RespondentDomainScore, RespondentScores, ScoreRange
from assessor.engine.scoring import (
    Combined,
    Completeness,
    Sums,
    combine,
    completeness,
    overlaid,
    score_domains,
    sum_scores,
)
from assessor.engine.visibility import View, answers_given, view_of
from assessor.questionnaire.schema import Questionnaire

__all__ = ["METHOD", "DEFAULT_ORGANIZATION", "Respondent", "score"]

#: Fills ``{organization}`` when no organisation name is given.
DEFAULT_ORGANIZATION = "the organisation"
_MISSING: Any = object()


def score(
    questionnaire: Questionnaire,
    respondents: Sequence[Respondent],
    targets: Mapping[str, int] | None = None,
    *,
    organization: str | None = None,
    settled_facts: Mapping[str, Any] | None = None,
    not_applicable: Collection[str] = (),
    overlay: Mapping[str, Any] | None = None,
) -> Result:
    """Score the respondents' answers against the questionnaire's model, by the method
    of ``docs/method.md`` (:data:`~assessor.engine.method.METHOD_VERSION`).

    ``targets`` maps domain (section) ids to a target maturity 0-4 (default 3);
    ``organization`` fills the ``{organization}`` placeholder; ``settled_facts`` maps
    questions the respondents disagree on (the result's ``unresolved_facts``) to the value
    a consultant settled (:mod:`assessor.engine.facts`); ``not_applicable`` holds the keys (or ids) of
    findings a consultant marked not applicable, with a reason: they put no cap on the
    headline (they are still raised and listed).  ``overlay`` maps any question to a value
    that counts in place of the respondents' answers (a what-if: "the CISO reports to the
    board"); settled facts are an overlay of the questions settled, and both go through the
    same path (the overlay wins where both name a question): the overlaid values are the
    combined answers the scores, findings and facts read, while each respondent's own
    answers, scores and disagreements stay as given and completeness is not changed.  A
    question no respondent was shown stays out, whatever the overlay says.  Answers are
    expected to be coerced
    (:func:`assessor.engine.answers.coerce_answer`); anything else is left out and listed
    in ``ignored``.

    :raise ValueError: a target names an unknown domain or is not an integer 0-4; a
        settled fact or the overlay names an unknown question or a value it cannot take.
    """
    index = index_for(questionnaire)
    goals = _check_targets(targets or {}, index.domain_ids)
    settled = check_settled(index, settled_facts) if settled_facts else {}
    if overlay:
        settled = {**settled, **check_overlay(index, overlay)}
    org = organization or DEFAULT_ORGANIZATION
    waived = frozenset(not_applicable)
    run = _run(index, respondents, goals, org, settled)
    views, combined = run.views, run.combined
    practice = run.sums.overall()
    headline, cap = score_cap(penalised(run.findings, waived), practice)
    provisional = run.complete.overall < PROVISIONAL_BELOW
    span: ScoreRange | None = None
    if provisional:
        low = _extreme(index, respondents, run, goals, org, settled, waived, worst=True)
        high = _extreme(index, respondents, run, goals, org, settled, waived, worst=False)
        headline = min(max(headline, low), high)
        span = ScoreRange(low, high)

    judge = Fits(index, combined.values)
    rows = raci(index, combined, judge)
    overall_clarity, by_slot = clarity(index, {row.responsibility: row.fit for row in rows})
    domains = score_domains(index, run.sums, run.complete, goals, run.gaps.disagreement, by_slot)
    if len(views) == 1:
        own = [
            RespondentScores(
                overall=practice if sum(run.sums.weights) > 0 else None,
                clarity=overall_clarity,
                domains=tuple(
                    RespondentDomainScore(d.id, run.sums.domain(slot), d.clarity)
                    for slot, d in enumerate(domains)
                ),
            )
        ]
    else:
        own = [respondent_scores(index, view, judge) for view in views]

    return Result(
        questionnaire=index.summary,
        method=METHOD,
        respondents=tuple(
            [
                RespondentSummary(
                    name=v.name,
                    role=v.role,
                    completeness=v.completeness,
                    shown=v.shown,
                    answered=len(v.answers),
                    hidden=tuple([info.id for info in index.ordered if info.id in v.hidden]),
                    answers=answers_given(index, respondent, v),
                    scores=scores,
                )
                for respondent, v, scores in zip(respondents, views, own, strict=True)
            ]
        ),
        overall=headline,
        completeness=run.complete.overall,
        domains=domains,
        raci=rows,
        findings=run.findings,
        perception=run.gaps.perception,
        roadmap=roadmap(run.findings),
        ignored=tuple([item for view in views for item in view.ignored]),
        inconsistencies=inconsistencies(index, views),
        provisional=provisional,
        range=span,
        practice=practice,
        cap=cap,
        clarity=overall_clarity,
        regulations=run.facts.regulations,
        unresolved_facts=run.facts.unresolved,
        context=run.facts.consensus,
        plan=plan(
            questionnaire, run.findings, stand_ins(index, run.combined, run.facts), run.facts.held
        ),
    )


def penalised(findings: Sequence[Finding], waived: Collection[str]) -> tuple[Finding, ...]:
    """The findings that weigh in the headline: all but those marked not applicable (by
    key, or by id for a finding without one)."""
    if not waived:
        return tuple(findings)
    return tuple(f for f in findings if (f.key or f.id) not in waived)


@dataclass(slots=True, eq=False)
class _Run:
    """One pass of the engine over a set of answers: what the headline is made of."""

    views: list[View]
    combined: Combined
    gaps: PerceptionResult
    sums: Sums
    complete: Completeness
    facts: Facts
    findings: tuple[Finding, ...]


def _run(
    index: Index,
    respondents: Sequence[Respondent],
    goals: Mapping[str, int],
    org: str,
    settled: Mapping[str, Any],
) -> _Run:
    views = _views(index, respondents)
    return _pass(index, views, combine(index, views), goals, org, settled)


def _views(index: Index, respondents: Sequence[Respondent]) -> list[View]:
    return [view_of(index, respondent, n) for n, respondent in enumerate(respondents)]


def _overlaid(
    index: Index, answered: Combined, settled: Mapping[str, Any]
) -> tuple[Combined, dict[str, Any]]:
    """The answers combined with the overlay in place, and the overlay less the questions
    nobody was shown (those stay out)."""
    shown = {qid: value for qid, value in settled.items() if qid not in answered.hidden}
    return overlaid(index, answered, shown), shown


def _pass(
    index: Index,
    views: list[View],
    answered: Combined,
    goals: Mapping[str, int],
    org: str,
    settled: Mapping[str, Any],
) -> _Run:
    """The facts, scores and findings of the respondents' views: ``answered`` combined,
    the overlay (``settled``) in place."""
    combined, settled = _overlaid(index, answered, settled)
    facts = facts_of(index, views, combined, settled)
    gaps = perception(index, views, combined)
    sums = sum_scores(index, combined.values, combined.hidden)
    edition_two = bool(index.organisation.structure)
    findings = generic_findings(index, combined, views, goals, owners=not edition_two)
    if edition_two:
        findings += ownership_findings(index, combined, facts)
    findings += rule_findings(index, views, combined, org, settled)
    findings += gaps.findings
    dependent = _dependent(index, views, combined, facts)
    stand_in = stand_ins(index, combined, facts)
    ordered = tuple(merge(index, judged(index, findings, facts, dependent, stand_in), facts))
    rested = rested_on(index, combined, facts, {f.id: f.depends_on for f in ordered})
    if rested:
        facts = replace(facts, unresolved=facts.unresolved + rested)
    complete = completeness(index, views, answered)
    return _Run(views, combined, gaps, sums, complete, facts, ordered)


def _dependent(
    index: Index, views: Sequence[View], combined: Combined, facts: Facts
) -> dict[str, tuple[str, ...]]:
    """Rule finding ids that hold only on one side of a disputed answer, with those
    answers' questions: a context fact the respondents dispute (held on the consensus), or
    any other answer the rule reads that the respondents give differently (a view against
    "don't know" is no dispute) where one respondent's answer would not raise it."""
    disputed = facts.disputed
    values = dict(combined.values)  # with the consensus in place of each disputed answer
    for q in disputed:
        if q in facts.consensus:
            values[q] = facts.consensus[q]
        else:
            values.pop(q, None)
    settled = facts.settled
    dependent: dict[str, tuple[str, ...]] = {}
    for rule in index.rules:
        condition = rule.condition
        reads = [q for q in condition.questions if q in disputed]
        if reads and not (condition.uses_role or not condition.test(values, None)):
            reads = []
        for q in condition.questions:
            if q in disputed or q in settled:
                continue
            given = _known_answers(index, combined, q)
            if given and _one_side(condition, combined.values, views, q, given):
                reads.append(q)
        if reads:
            dependent[f"rule:{rule.id}"] = tuple(reads)
    return dependent


def _known_answers(index: Index, combined: Combined, qid: str) -> list[Any]:
    """The respondents' known answers to ``qid`` where they differ (a perception gap), else
    an empty list."""
    info = index.questions.get(qid)
    if info is None or combined.single is not None:
        return []
    known = [v.answers[qid] for v in combined.answering(qid) if not info.is_unknown(v.answers[qid])]
    if len(known) < 2 or not info.handling.differ(known):
        return []
    return known


def _one_side(
    condition: Compiled,
    values: Mapping[str, Any],
    views: Sequence[View],
    qid: str,
    given: list[Any],
) -> bool:
    """Whether the rule holds on one respondent's answer to ``qid`` and not on another's."""
    if condition.uses_role:
        held = {condition.test(v.answers, v.role) for v in views if qid in v.answers}
        return len(held) > 1
    held = {condition.test({**values, qid: answer}, None) for answer in given}
    return len(held) > 1


def _extreme(
    index: Index,
    respondents: Sequence[Respondent],
    run: _Run,
    goals: Mapping[str, int],
    org: str,
    settled: Mapping[str, Any],
    waived: Collection[str],
    *,
    worst: bool,
) -> int:
    """The capped headline with every unknown scored question (practice and owner) at its
    worst answer, or at its best, findings included.  The answers are completed again
    while a completed answer shows a question nobody answered; only what is shown (the
    views, combined) is needed for that, so the findings are judged once, at the end."""
    views, combined = run.views, run.combined
    unknown = _unknown(index, combined)
    if not unknown:
        return score_cap(penalised(run.findings, waived), run.sums.overall())[0]
    while unknown:
        respondents = _completed(unknown, respondents, views, worst=worst)
        views = _views(index, respondents)
        answered = combine(index, views)
        combined, _ = _overlaid(index, answered, settled)
        unknown = _unknown(index, combined)
    completed = _pass(index, views, answered, goals, org, settled)
    return score_cap(penalised(completed.findings, waived), completed.sums.overall())[0]


def _unknown(index: Index, combined: Combined) -> list[QuestionInfo]:
    """The scored questions shown to someone that nobody answered with a known answer."""
    values, hidden = combined.values, combined.hidden
    return [
        info
        for info in index.scored
        if info.worst is not None
        and info.id not in hidden
        and values.get(info.id, _MISSING) in (_MISSING, info.dont_know)
    ]


def _completed(
    unknown: Sequence[QuestionInfo],
    respondents: Sequence[Respondent],
    views: Sequence[View],
    *,
    worst: bool,
) -> list[Respondent]:
    """The respondents' answers with each ``unknown`` question set to its worst answer,
    or its best, for each respondent shown it."""
    completed: list[Respondent] = []
    for respondent, view in zip(respondents, views, strict=True):
        answers = dict(respondent.answers)
        for info in unknown:
            qid = info.id
            if qid not in view.hidden and view.answers.get(qid, info.dont_know) == info.dont_know:
                answers[qid] = info.worst if worst else info.best
        completed.append(Respondent(respondent.name, respondent.role, answers))
    return completed


def _check_targets(targets: Mapping[str, int], domains: frozenset[str]) -> dict[str, int]:
    checked: dict[str, int] = {}
    for domain, target in targets.items():
        if domain not in domains:
            raise ValueError(f"target for an unknown domain: {domain!r}")
        if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target <= MAX_LEVEL:
            raise ValueError(f"target for {domain} must be an integer 0-{MAX_LEVEL}: {target!r}")
        checked[domain] = target
    return checked
